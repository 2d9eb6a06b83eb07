"""Solver and path driver for Group SLOPE and Sparse-group SLOPE.

Both models are solved on working sets by FISTA with adaptive restart and a
backtracking step (Beck and Teboulle, 2009): each iteration costs one product with the
working columns and one with their transpose (the point the momentum extrapolates to
has its linear predictor extrapolated too), and the step ``1 / L`` starts from the
previous sub-problem's ``L`` (a lower bound from a few power iterations at the first
one) and doubles whenever the quadratic upper bound fails. No eigenvalue solve and no
Gram matrix, so a sub-problem on ``s`` features costs O(n s) per iteration and O(n s)
memory (the working columns).

Stopping rules: Group SLOPE stops on the duality gap of the sub-problem (its dual norm
is the sorted-L1 dual norm of the scaled group gradient norms); the Sparse-group SLOPE
penalty is a sum of two norms whose dual norm (an infimal convolution) has no closed
form, so it stops on the KKT residual ``L * max |x_{k+1} - y_k|`` (the norm of the
gradient mapping, zero exactly at a solution) at most ``tol`` times
``||grad F(0)||_inf``; its prox is evaluated by Davis-Yin three-operator splitting
(:func:`sklreg.linear_model._group_penalties.prox_sparse_group_slope`).

The path is :func:`sklreg.linear_model._solver.solve_path` (strong screening on
groups, then a KKT check on every group or variable with violators added and refitted
until there are none) with this sub-problem solver plugged into its ``subproblem``
hook, and its optional early stop once the coefficients reach ``max_clusters``
distinct magnitudes, zero included (the rule of ``sortedl1`` and of the SLOPE R
package, whose default is ``n_samples + 1``: beyond it the fit interpolates and the
rest of the path carries no information).
"""

import numpy as np

from ._datafits import Quadratic
from ._solver import _gap_parts, fista_momentum, solve_path

__all__ = ["solve_group_path", "solve_group_subproblem", "solve_sgs_path"]


def _power_lipschitz(design, w, n_iter=8, seed=0):
    """A lower bound of ``||diag(sqrt(w)) Xstd||_2^2`` by a few power iterations."""
    p = design.shape[1]
    v = np.random.default_rng(seed).standard_normal((p, 1))
    sw = np.sqrt(w)[:, None]
    value = 0.0
    for _ in range(n_iter):
        norm = np.linalg.norm(v)
        if norm == 0:
            return 0.0
        v /= norm
        v = design.rmatvec(sw * (sw * design.matvec(v)))
        value = float(np.linalg.norm(v))
    return value


def solve_group_subproblem(
    design, datafit, penalty, alpha, coef, intercept, *, fit_intercept, tol_abs,
    max_iter=10_000, lipschitz=None, check_every=10,
):  # fmt: skip
    """FISTA with adaptive restart and backtracking on a working set.

    Parameters
    ----------
    design : Design
        The design restricted to the working set.
    datafit : datafit object
        See :mod:`sklreg.linear_model._datafits` (one output).
    penalty : GroupSLOPEPenalty or SparseGroupSLOPEPenalty
        Restricted to the working set. With a ``dual_norm`` method the solver stops on
        the duality gap, otherwise on the KKT residual.
    alpha : float
        Penalty multiplier.
    coef : ndarray of shape (n_ws, 1)
        Starting coefficients.
    intercept : ndarray of shape (1,)
        Starting intercept (fixed when ``datafit.exact_intercept``).
    fit_intercept : bool
        Whether the intercept is free.
    tol_abs : float
        Stop when the gap (or the KKT residual) is at most this.
    max_iter : int
        Iteration cap.
    lipschitz : float, default=None
        Starting ``L`` (a power-iteration lower bound when None).
    check_every : int
        Duality-gap evaluation period.

    Returns
    -------
    coef, intercept, criterion, n_iter, lipschitz
    """
    w = datafit._w[:, 0]
    iterate_b0 = fit_intercept and not datafit.exact_intercept
    quadratic = isinstance(datafit, Quadratic)
    use_gap = hasattr(penalty, "dual_norm")
    L = lipschitz
    if L is None:
        L = datafit.lipschitz_factor * _power_lipschitz(design, w)
    L = max(L, datafit.lipschitz_factor * (1.0 if iterate_b0 else 0.0), 1e-12)
    x, b0 = coef.copy(), intercept.copy()
    Zx = design.matvec(x) + b0
    y, yb0, Zy, t = x, b0, Zx, 1.0
    crit, it = np.inf, 0
    # an iterative prox (Sparse-group SLOPE) is solved to a tolerance that follows the
    # progress of the outer loop, down to a tenth of the final one (in x units)
    inexact = getattr(penalty, "inexact_prox", False)
    prox_tol = np.inf
    while it < max_iter:
        it += 1
        U = datafit.gradient(Zy)
        G = design.rmatvec(U)
        gb = U.sum(axis=0)
        fy = None if quadratic else datafit.value(Zy)
        while True:  # backtracking on the quadratic upper bound
            if inexact:
                x_new = penalty.prox(y - G / L, alpha / L, tol_abs=prox_tol)
            else:
                x_new = penalty.prox(y - G / L, alpha / L)
            b0_new = yb0 - gb / L if iterate_b0 else b0
            Zn = design.matvec(x_new) + b0_new
            d, db = x_new - y, b0_new - yb0
            sq = float(np.sum(d * d) + db @ db)
            if quadratic:  # exact, free of cancellation: F(Zn) - F(Zy) - <U, Zn - Zy>
                excess = 0.5 * float(np.sum(w[:, None] * (Zn - Zy) ** 2))
                slack = 0.0
            else:
                excess = datafit.value(Zn) - fy - float(np.sum(G * d) + gb @ db)
                slack = 1e-12 * max(1.0, abs(fy))
            if excess <= 0.5 * L * sq + slack or sq == 0.0:
                break
            L *= 2.0
        residual = L * float(np.abs(d).max(initial=0.0))
        if inexact:
            prox_tol = min(prox_tol, max(1e-2 * residual, 0.1 * tol_abs) / L)
        if iterate_b0:
            residual = max(residual, float(np.abs(gb).max()))
        t_new, mom = fista_momentum(t, y, x, x_new)
        y = x_new + mom * (x_new - x)
        yb0 = b0_new + mom * (b0_new - b0) if iterate_b0 else b0_new
        Zy = Zn + mom * (Zn - Zx)
        x, b0, Zx, t = x_new, b0_new, Zn, t_new
        if not use_gap:
            crit = residual
            if crit <= tol_abs:
                break
        elif it % check_every == 0 or it == max_iter or residual == 0.0:
            Ux = datafit.gradient(Zx)
            Gx = design.rmatvec(Ux)
            crit = _gap_parts(datafit, penalty, alpha, x, b0, Zx, Ux, Gx, fit_intercept)[2]
            if iterate_b0:  # the gap assumes an optimal intercept: ask for that too
                crit = max(crit, float(np.abs(Ux.sum(axis=0)).max()) ** 2 / L)
            if crit <= tol_abs:
                break
    return x, b0, crit, it, L


def _group_subproblem(
    design, features, datafit, penalty, alpha, coef, intercept, *, fit_intercept, tol_abs,
    max_iter, state,
):  # fmt: skip
    """:func:`solve_group_subproblem` in the calling convention of ``solve_path``'s hook.

    The step size ``L`` is carried from one sub-problem to the next in ``state``.
    """
    sub = design.take(features) if features.size < design.shape[1] else design
    c_ws, b0, crit, it, state["L"] = solve_group_subproblem(
        sub, datafit, penalty.restrict(features), alpha, coef, intercept,
        fit_intercept=fit_intercept, tol_abs=tol_abs, max_iter=max_iter,
        lipschitz=state.get("L"),
    )  # fmt: skip
    return c_ws, b0, crit, it, sub.matvec(c_ws) + b0


def solve_group_path(design, datafit, penalty, alphas, **kwargs):
    """Group SLOPE or Sparse-group SLOPE for each ``alpha`` in turn, with screening.

    :func:`sklreg.linear_model._solver.solve_path` (strong screening, KKT checks with
    violators added and refitted, warm starts, the ``max_clusters`` early stop) with the
    FISTA of :func:`solve_group_subproblem` on each working set.

    Parameters
    ----------
    design : Design
    datafit : datafit object (one output)
    penalty : GroupSLOPEPenalty or SparseGroupSLOPEPenalty
    alphas : array-like of shape (n_alphas,)
    **kwargs
        The keyword arguments of ``solve_path`` (``fit_intercept``, ``screening``,
        ``tol``, ``max_iter``, ``coef_init``, ``intercept_init``, ``alpha_init``,
        ``max_clusters``). ``tol``: for Group SLOPE each step's duality gap is at most
        ``tol`` times the null model's loss; for Sparse-group SLOPE (no closed-form
        dual norm) each step's KKT residual is at most ``tol`` times
        ``||grad F(0)||_inf``.

    Returns
    -------
    result : PathResult
        ``gaps`` holds duality gaps (Group SLOPE) or KKT residuals (Sparse-group
        SLOPE) of the full problem.
    """
    return solve_path(design, datafit, penalty, alphas, subproblem=_group_subproblem, **kwargs)


def solve_sgs_path(design, datafit, penalty, alphas, **kwargs):
    """Alias of :func:`solve_group_path` kept for the Sparse-group SLOPE callers."""
    return solve_group_path(design, datafit, penalty, alphas, **kwargs)
