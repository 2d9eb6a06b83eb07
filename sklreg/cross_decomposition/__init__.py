"""Sparse and stochastic canonical correlation analysis.

:class:`SparseCCA` finds sparse canonical weights by penalised matrix decomposition
(Witten et al.) or primal-dual sparse CCA (Hardoon and Shawe-Taylor), with the API of
:class:`sklearn.cross_decomposition.CCA`; ``score`` is the held-out canonical
correlation, so :class:`~sklearn.model_selection.GridSearchCV` tunes its sparsity
directly, and :class:`SparseCCACV` runs that search in one line. :class:`StochasticCCA`
solves dense CCA for many samples by minibatch gradient descent on the unconstrained
objective of Chapman et al. (torch, GPU-ready), polished by exact Rayleigh-Ritz steps.
"""

from sklreg.cross_decomposition._pmd import (
    deflate_cross_covariance,
    l1_bounded_direction,
    pmd_rank_one,
    relax_on_support,
)
from sklreg.cross_decomposition._primal_dual import (
    primal_dual_fixed_index,
    primal_dual_rank_one,
)
from sklreg.cross_decomposition._sparse_cca import SparseCCA, canonical_correlations
from sklreg.cross_decomposition._sparse_cca_cv import SparseCCACV, penalty_grid
from sklreg.cross_decomposition._stochastic import StochasticCCA, ey_loss, rayleigh_ritz_step

__all__ = [
    "SparseCCA",
    "SparseCCACV",
    "StochasticCCA",
    "canonical_correlations",
    "deflate_cross_covariance",
    "ey_loss",
    "l1_bounded_direction",
    "penalty_grid",
    "pmd_rank_one",
    "primal_dual_fixed_index",
    "primal_dual_rank_one",
    "rayleigh_ritz_step",
    "relax_on_support",
]
