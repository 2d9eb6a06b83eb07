"""Benchmark: the plain SLOPE path, sklreg vs sortedl1 vs skglm, same data, same grid.

Problems: (a) Gaussian design with correlated blocks, p >> n; (b) a sparse design;
(c) breast_cancer with the logistic loss. Each library fits the same BH path (same
alphas, from sklreg's alpha_max down). The comparison is at a matched duality gap:
ONE function (:func:`relative_gap`, sklreg's gap) scores every library's solution, and
each library's ``tol`` is tightened (by factors of 10) until the worst relative gap along
its path is at most the target sklreg is run at. The table reports that gap, wall time
of the final run, the ratio to sortedl1, the features sklreg's solver touched, and
tracemalloc peak memory of a second, traced sklreg run (sortedl1's C++ heap is invisible
to tracemalloc). skglm has no path driver or screening: it is warm-started along a prefix
of the grid with its FISTA solver, and compared with sklreg on the same prefix.
Run ``python benchmarks/bench_slope.py [--quick] [--only c] [--output PATH]``: ``--only``
(repeatable) runs only the named problems, ``--output`` writes the table to ``PATH``
instead of ``benchmarks/results/slope.md`` (use both for a partial run, so that the
full table is not overwritten by it).
"""

import argparse
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.datasets import load_breast_cancer

from sklreg.linear_model import lambda_sequence, slope_path
from sklreg.linear_model._datafits import Logistic, Quadratic
from sklreg.linear_model._slope import _path
from sklreg.linear_model._solver import Design, _gap_parts, null_model
from sklreg.linear_model._sorted_l1 import SortedL1

import _common
from _common import write_results

TARGET_GAP = 1e-6  # relative to the null model's loss; sklreg's tol means exactly this


def correlated_blocks(n, p, block=20, rho=0.5, seed=0):
    rng = np.random.default_rng(seed)
    shared = rng.standard_normal((n, p // block))
    X = np.sqrt(1 - rho) * rng.standard_normal((n, p)) + np.sqrt(rho) * np.repeat(
        shared, block, axis=1
    )
    beta = np.zeros(p)
    beta[rng.choice(p, 20, replace=False)] = rng.choice([-2.0, 2.0], 20)
    return X, X @ beta + rng.standard_normal(n)


def sparse_design(n, p, density, seed=0):
    rng = np.random.default_rng(seed)
    X = sparse.random(n, p, density=density, format="csc", random_state=seed)
    beta = np.zeros(p)
    beta[rng.choice(p, 20, replace=False)] = rng.choice([-2.0, 2.0], 20)
    y = X @ beta + 0.1 * rng.standard_normal(n)
    return X, y - y.mean()


def relative_gap(X, y, loss, alpha, coef, intercept, fit_intercept):
    """sklreg's duality gap of ``(coef, intercept)`` at ``alpha``, over the null loss.

    The same function scores every library's solution (on the raw, uncentred design).
    """
    p = X.shape[1]
    design = Design(X, np.zeros(p), np.ones(p))
    datafit = (Quadratic if loss == "squared" else Logistic)(y)
    penalty = SortedL1(lambda_sequence("bh", p))
    null_value = null_model(design, datafit, penalty, fit_intercept)[3]
    b0 = np.atleast_1d(np.asarray(intercept, dtype=float))
    coef = np.asarray(coef, dtype=float).reshape(p, 1)
    Z = design.matvec(coef) + b0
    U = datafit.gradient(Z)
    G = design.rmatvec(U)
    gap = _gap_parts(datafit, penalty, alpha, coef, b0, Z, U, G, fit_intercept)[2]
    return gap / null_value


def path_gap(X, y, loss, alphas, coefs, intercepts, fit_intercept):
    """Worst :func:`relative_gap` along a path (coefs of shape (p, n_alphas))."""
    return max(
        relative_gap(X, y, loss, a, coefs[:, i], intercepts[i], fit_intercept)
        for i, a in enumerate(alphas)
    )


def peak_mb(func):
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def timed(func):
    start = time.perf_counter()
    out = func()
    return time.perf_counter() - start, out


def matched(run, score, tols):
    """Run with each ``tol`` in turn until the worst gap meets ``TARGET_GAP``.

    Returns (seconds of the final run, its output, its gap, the tol used).
    """
    for tol in tols:
        seconds, out = timed(lambda tol=tol: run(tol))
        gap = score(out)
        if gap <= TARGET_GAP:
            break
    return seconds, out, gap, tol


def grid(X, y, loss, n_alphas, fit_intercept):
    alphas, *_ = _path(
        X,
        y,
        np.ones(X.shape[0]),
        loss=loss,
        lam="bh",
        q=0.1,
        theta1=1.0,
        theta2=0.5,
        alphas=None,
        n_alphas=2,
        alpha_min_ratio=None,
        fit_intercept=fit_intercept,
        standardize=False,
        screening=True,
        tol=1e-4,
        max_iter=10,
        max_clusters=None,
    )
    ratio = 1e-2 if X.shape[1] > X.shape[0] else 1e-3
    return np.geomspace(alphas[0], alphas[0] * ratio, n_alphas)


def run_problem(name, X, y, loss, n_alphas, n_skglm, fit_intercept, rows):
    import sortedl1

    n, p = X.shape
    alphas = grid(X, y, loss, n_alphas, fit_intercept)
    # the whole grid for both (sklreg's and sortedl1's default path end, n_samples + 1
    # clusters, would cut it where the fit interpolates): the same 100 alphas are timed
    kw = dict(
        loss=loss, fit_intercept=fit_intercept, standardize=False, tol=TARGET_GAP, max_clusters=None
    )

    def ours(alphas=alphas, screening=True):
        return slope_path(X, y, alphas=alphas, screening=screening, **kw)

    ours(alphas[:3])  # compile the numba kernels (cached on disk after the first run)
    t_ours, (_, coefs, ints, info) = timed(ours)
    gap_ours = path_gap(X, y, loss, alphas, coefs, ints, fit_intercept)
    m_ours = peak_mb(ours)
    Xs = X.tocsc() if sparse.issparse(X) else np.asfortranarray(X)

    def ref(tol):
        model = sortedl1.Slope(
            loss="quadratic" if loss == "squared" else loss,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=1_000_000,
        )
        res = model.path(
            Xs, y, alphas=alphas, tol_dev_change=0, tol_dev_ratio=1.0, max_clusters=p + 1
        )
        c = res.coefs.toarray() if hasattr(res.coefs, "toarray") else np.asarray(res.coefs)
        return c.reshape(p, -1), np.asarray(res.intercepts).reshape(-1)

    def score_ref(out):
        return path_gap(X, y, loss, alphas, out[0], out[1], fit_intercept)

    t_ref, (ref_coefs, _), gap_ref, tol_ref = matched(
        ref, score_ref, [1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10]
    )
    print(f"{name}: sklreg {t_ours:.3g} s, sortedl1 {t_ref:.3g} s", flush=True)
    diff = float(np.abs(ref_coefs - coefs).max())
    x_mb = (X.data.nbytes + X.indices.nbytes if sparse.issparse(X) else X.nbytes) / 2**20
    touched = int(info.n_touched.max())
    rows.append(
        [
            name,
            "sklreg (screening, hybrid CD)"
            if loss == "squared"
            else "sklreg (screening, proximal Newton + hybrid CD)",
            t_ours,
            t_ours / t_ref,
            f"{gap_ours:.1e} (tol {TARGET_GAP:.0e})",
            touched,
            f"{m_ours:.1f} (X: {x_mb:.1f}; path output: {p * n_alphas * 8 / 2**20:.1f}; "
            f"dense n*touched: {n * touched * 8 / 2**20:.1f})",
            "",
        ]
    )
    rows.append(
        [name, "sortedl1", t_ref, 1.0, f"{gap_ref:.1e} (tol {tol_ref:.0e})", p, "C++ heap", ""]
    )
    rows.append([name, "max abs coef diff sklreg - sortedl1", diff, "", "", "", "", ""])
    if loss == "squared":
        pre = alphas[:n_skglm]
        t_pre = timed(lambda: ours(pre))[0]
        t_sk, gap_sk, tol_sk = run_skglm(X, y, pre, fit_intercept)
        rows.append(
            [
                name,
                f"skglm FISTA, first {n_skglm} alphas",
                t_sk,
                t_sk / t_ref,
                f"{gap_sk:.1e} (tol {tol_sk:.0e})",
                p,
                "",
                f"sklreg {t_pre:.3g} s on the same alphas: {t_sk / t_pre:.1f}x faster",
            ]
        )
    if p <= 5000:
        t_full = timed(lambda: ours(screening=False))[0]
        rows.append([name, "sklreg (no screening)", t_full, t_full / t_ref, "", p, "", ""])


def run_skglm(X, y, alphas, fit_intercept):
    """skglm's FISTA warm-started along ``alphas`` (it fits no intercept: centre X, y)."""
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Quadratic as SkQuadratic
    from skglm.penalties import SLOPE
    from skglm.solvers import FISTA

    if fit_intercept:
        x_mean, y_mean = X.mean(axis=0), y.mean()
        Xc, yc = X - x_mean, y - y_mean
    else:
        Xc, yc = X, y
    lam = lambda_sequence("bh", X.shape[1])

    def run(tol):
        est = GeneralizedLinearEstimator(
            SkQuadratic(),
            SLOPE(alphas[0] * lam),
            FISTA(max_iter=100_000, tol=tol, opt_strategy="fixpoint"),
        )
        coefs = []
        for a in alphas:
            est.penalty = SLOPE(a * lam)
            est.fit(Xc, yc)
            est.solver.warm_start = True
            coefs.append(est.coef_.copy())
        return np.array(coefs).T

    def score(coefs):
        ints = y_mean - x_mean @ coefs if fit_intercept else np.zeros(coefs.shape[1])
        return path_gap(X, y, "squared", alphas, coefs, ints, fit_intercept)

    run(1e-2)  # compile the jitclasses
    seconds, _, gap, tol = matched(run, score, [1e-6, 1e-7, 1e-8, 1e-9, 1e-10])
    return seconds, gap, tol


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument(
        "--only", action="append", choices=["a", "b", "c"], help="run only these problems"
    )
    parser.add_argument("--output", type=Path, help="write the table here instead")
    return parser.parse_args()


def main():
    args = parse_args()
    quick = args.quick
    if args.output is not None:  # write_results writes <RESULTS_DIR>/<name>.md
        _common.RESULTS_DIR = args.output.resolve().parent
    name_out = "slope" if args.output is None else args.output.stem
    n_alphas = 20 if quick else 100
    n_skglm = 10 if quick else 5
    rows = []
    notes = [
        "timings on a shared 2-core machine with other jobs running: noisy (+-30%); "
        "the ratios come from back-to-back runs in one process",
        f"matched duality gap: every solution is scored by sklreg's gap function; each "
        f"library's tol is tightened until its worst relative gap along the path is "
        f"<= {TARGET_GAP:g} (the tol column says which tol that took)",
        f"skglm's FISTA has no path driver or screening; it runs on the first {n_skglm} "
        "alphas only (its full path takes far longer than the budget), compared with "
        "sklreg on the same alphas",
        "(b) is fitted without intercept by every library (y centred), so that skglm, "
        "which fits none, solves the same problem on the uncentred sparse X",
        "peak MB: tracemalloc peak of a whole sklreg path (Python/numpy heap, the "
        "returned dense p x n_alphas coefficients included), next to the size of X, of "
        "that output, and of n x (largest working set) doubles (what a dense copy of "
        "the working columns would take)",
    ]
    if quick:
        Xa, ya = correlated_blocks(100, 1000)
        Xb, yb = sparse_design(1000, 2000, 0.005)
        notes.append("--quick: (a) n=100 p=1000, (b) n=1000 p=2000 density 0.005, 20 alphas")
    else:
        Xa, ya = correlated_blocks(200, 20_000)
        Xb, yb = sparse_design(10_000, 50_000, 0.001)
        notes.append(
            "full sizes as in the issue: (a) n=200 p=20000, (b) n=10000 "
            "p=50000 density 0.001, 100 BH alphas"
        )
    headers = [
        "problem",
        "fit",
        "seconds",
        "ratio to sortedl1",
        "max rel. duality gap (same function)",
        "features touched",
        "peak MB (tracemalloc)",
        "vs skglm",
    ]
    problems = [
        ("(a) correlated blocks", Xa, ya, "squared", n_skglm, True),
        ("(b) sparse", Xb, yb, "squared", n_skglm, False),
        ("(c) breast_cancer logistic", *breast_cancer(), "logistic", 0, True),
    ]
    if args.only:
        problems = [p for p in problems if p[0][1] in args.only]
        notes.append(f"only the problems {', '.join(p[0] for p in problems)} were run")
    for i, (name, X, y, loss, n_sk, fit_intercept) in enumerate(problems):
        run_problem(name, X, y, loss, n_alphas, n_sk, fit_intercept, rows)
        left = [p[0] for p in problems[i + 1 :]]
        write_results(  # after each problem, so a cut-short run keeps what finished
            name_out,
            "SLOPE path: sklreg vs sortedl1 vs skglm",
            [("Plain SLOPE, BH path", headers, rows)],
            ["sortedl1", "skglm", "numba"],
            notes + ([f"PARTIAL: not yet run: {', '.join(left)}"] if left else []),
        )


def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y.astype(float)


if __name__ == "__main__":
    main()
