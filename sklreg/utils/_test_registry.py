"""Registry of test settings per public estimator, read by ``tests/test_common.py``.

Each family keeps its entries in its own block, keyed by class name:

- ``FAST_PARAMS``: constructor parameters that keep the common checks fast (few epochs,
  short paths, loose tolerances). An estimator without an entry is tested with its
  defaults.
- ``EXPECTED_FAILED_CHECKS``: ``{check_name: reason}`` for scikit-learn common checks
  that cannot apply; every entry must say why. Kept empty where possible.
- ``GRIDS``: a small parameter grid for the ``GridSearchCV`` smoke test. Without an
  entry the test searches over the fast parameters themselves.
- ``SCORING``: a scorer for the GridSearchCV test, where ``score`` does not apply.
- ``DATA``: a function ``random_state -> (X, y)`` for the Pipeline / GridSearchCV
  tests, for estimators whose input is not an ordinary feature table.
"""

from sklreg.cluster._testing import flow_diffusion_data, flow_diffusion_scorer

# the contrastive embedders' common-check network: tiny, two epochs
_TINY_CONTRASTIVE = dict(
    n_components=4, hidden_layer_sizes=(8,), max_epochs=2, batch_size=64, random_state=0
)

FAST_PARAMS = {
    # --- linear_model (SLOPE family) ---
    "SLOPE": {"alpha": 0.01, "tol": 1e-10},
    "SLOPEClassifier": {"alpha": 0.01, "tol": 1e-10},
    "SLOPECV": {"n_alphas": 5, "cv": 3, "tol": 1e-8},
    "GroupSLOPE": {"alpha": 0.01, "tol": 1e-8},
    "GroupSLOPEClassifier": {"alpha": 0.01, "tol": 1e-8},
    "GroupSLOPECV": {"n_alphas": 5, "cv": 3, "tol": 1e-6, "alpha_min_ratio": 0.1},
    "SparseGroupSLOPE": {"alpha": 0.01, "tol": 1e-6},
    "SparseGroupSLOPEClassifier": {"alpha": 0.01, "tol": 1e-6},
    "SparseGroupSLOPECV": {"n_alphas": 5, "cv": 3, "tol": 1e-5, "alpha_min_ratio": 0.1},
    # --- cross_decomposition (sparse CCA) ---
    "SparseCCA": {"n_components": 1, "max_iter": 50},
    "StochasticCCA": {"n_components": 1, "max_epochs": 5, "batch_size": 32},
    "SparseCCACV": {"n_components": 1, "penalties_x": (0.5, 1.0), "cv": 3, "max_iter": 50},
    # --- cluster (local graph clustering) ---
    "FlowDiffusion": {"n_neighbors": 5},
    # --- conformal ---
    # --- neural (LDAM) ---
    "LDAMClassifier": {
        "hidden_layer_sizes": (16,),
        "max_epochs": 5,
        "batch_size": 16,
        "lr": 2e-2,
        "random_state": 0,
    },
    # --- neural (contrastive) ---
    "ContrastiveEmbedder": {**_TINY_CONTRASTIVE, "projection_dim": 8},
    "SupConEmbedder": {**_TINY_CONTRASTIVE, "projection_dim": 8},
    "ContrastiveRegressionEmbedder": dict(_TINY_CONTRASTIVE),
    # check_regressors_train asks for R^2 > 0.5: 8 epochs at lr 3e-2 reach R^2 >= 0.74
    # on its data (12 runs: seeds 0-3 x raw / standardised / float32), 3x fewer steps
    # than 20 epochs at 1e-2
    "ConRRegressor": dict(
        n_components=8,
        hidden_layer_sizes=(16,),
        max_epochs=8,
        lr=3e-2,
        batch_size=64,
        random_state=0,
    ),
}

_MINIBATCH_SAMPLE_WEIGHT = (
    "mini-batch SGD: a sample of weight 2 is one row of a batch with a doubled loss, a "
    "duplicated row is two draws landing in different batches, so the trajectories (and "
    "the fitted nets) differ"
)

EXPECTED_FAILED_CHECKS = {
    # --- linear_model (SLOPE family) ---
    # --- cross_decomposition (sparse CCA) ---
    "SparseCCA": {
        check: (
            "fit_transform(X, y) returns (x_scores, y_scores) as sklearn's CCA does; the "
            "check compares that tuple with transform(X) unless the estimator's name is in "
            "sklearn's private CROSS_DECOMPOSITION list. tests/test_cca.py checks "
            "fit_transform against transform(X, Y) instead."
        )
        for check in ("check_transformer_general", "check_transformer_data_not_an_array")
    },
    "SparseCCACV": {
        check: (
            "fit_transform(X, y) returns (x_scores, y_scores) as sklearn's CCA does; the "
            "check compares that tuple with transform(X) unless the estimator's name is in "
            "sklearn's private CROSS_DECOMPOSITION list. tests/test_cca.py checks "
            "fit_transform against transform(X, Y) instead."
        )
        for check in ("check_transformer_general", "check_transformer_data_not_an_array")
    },
    "StochasticCCA": {
        check: (
            "fit_transform(X, y) returns (x_scores, y_scores) as sklearn's CCA does; the "
            "check compares that tuple with transform(X) unless the estimator's name is in "
            "sklearn's private CROSS_DECOMPOSITION list. tests/test_cca_stochastic.py "
            "checks fit_transform against transform(X, Y) instead."
        )
        for check in ("check_transformer_general", "check_transformer_data_not_an_array")
    },
    # --- cluster (local graph clustering) ---
    # --- conformal ---
    # --- neural (LDAM) ---
    "LDAMClassifier": {"check_sample_weight_equivalence_on_dense_data": _MINIBATCH_SAMPLE_WEIGHT},
    # --- neural (contrastive) ---
    "ContrastiveRegressionEmbedder": {
        "check_sample_weight_equivalence_on_dense_data": _MINIBATCH_SAMPLE_WEIGHT
    },
    "ConRRegressor": {"check_sample_weight_equivalence_on_dense_data": _MINIBATCH_SAMPLE_WEIGHT},
}

GRIDS = {
    # --- linear_model (SLOPE family) ---
    # --- cross_decomposition (sparse CCA) ---
    "SparseCCA": {"penalty_x": [0.5, 1.0], "method": ["pmd", "primal_dual"]},
    # --- cluster (local graph clustering) ---
    "FlowDiffusion": {"rounding": ["support", "sweep"]},
    # --- conformal ---
    # --- neural (LDAM) ---
    # --- neural (contrastive) ---
}

DATA = {
    # --- linear_model (SLOPE family) ---
    # --- cross_decomposition (sparse CCA) ---
    # --- cluster (local graph clustering) ---
    "FlowDiffusion": flow_diffusion_data,
    # --- conformal ---
    # --- neural (LDAM) ---
    # --- neural (contrastive) ---
}

SCORING = {
    # --- cluster (local graph clustering) ---
    "FlowDiffusion": flow_diffusion_scorer,
    # --- conformal ---
}
