"""The API contract: every public sklreg estimator is a good scikit-learn citizen.

Estimators are discovered with :func:`sklreg.utils.discovery.all_estimators`, so an
estimator added later is covered without touching this file; its fast parameters and any
check that cannot apply (with the reason) live in ``sklreg/utils/_test_registry.py``.
"""

import inspect
import pickle
import re

import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklreg.utils import _test_registry as registry
from sklreg.utils.discovery import all_estimators

ESTIMATORS = all_estimators()
NAMES = [name for name, _ in ESTIMATORS]


def _instance(cls):
    return cls(**registry.FAST_PARAMS.get(cls.__name__, {}))


def _expected_failed_checks(estimator):
    return registry.EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


def _is_cross_decomposition(estimator):
    return "Y" in inspect.signature(estimator.fit).parameters


def _data(estimator, random_state=0):
    name = type(estimator).__name__
    if name in registry.DATA:
        return registry.DATA[name](random_state)
    if is_regressor(estimator) and not is_classifier(estimator):
        X, y = make_regression(n_samples=120, n_features=6, noise=1.0, random_state=random_state)
        return X, y
    if _is_cross_decomposition(estimator):
        X, Y = make_regression(
            n_samples=120,
            n_features=6,
            n_targets=3,
            noise=1.0,
            random_state=random_state,
        )
        return X, Y
    X, y = make_classification(
        n_samples=120, n_features=6, n_informative=4, random_state=random_state
    )
    return X, y


def _search_setup(estimator):
    """A pipeline around the estimator and the grid/scoring to search it with."""
    name = type(estimator).__name__
    grid = registry.GRIDS.get(name, {k: [v] for k, v in registry.FAST_PARAMS.get(name, {}).items()})
    scoring = registry.SCORING.get(name)
    supervised = is_classifier(estimator) or is_regressor(estimator)
    if supervised or _is_cross_decomposition(estimator) or scoring is not None:
        steps = [("scale", StandardScaler()), ("est", estimator)]
    else:  # an unsupervised transformer: judge it by a linear probe behind it
        steps = [("est", estimator), ("probe", LogisticRegression())]
    param_grid = {f"est__{k}": v for k, v in grid.items()}
    return Pipeline(steps), param_grid, scoring


@parametrize_with_checks(
    [_instance(cls) for _, cls in ESTIMATORS],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_expected_failures_have_reasons():
    for name, checks in registry.EXPECTED_FAILED_CHECKS.items():
        assert name in NAMES, f"registry names unknown estimator {name}"
        for check, reason in checks.items():
            assert isinstance(reason, str) and len(reason) > 10, (name, check)


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=NAMES)
def test_pickle_roundtrip(name, cls):
    est = _instance(cls)
    X, y = _data(est)
    est.fit(X, y)
    loaded = pickle.loads(pickle.dumps(est))
    for method in ("predict", "transform", "predict_proba", "decision_function"):
        if hasattr(est, method):
            np.testing.assert_allclose(
                np.asarray(getattr(est, method)(X), dtype=float),
                np.asarray(getattr(loaded, method)(X), dtype=float),
                rtol=1e-6,
                atol=1e-8,
                err_msg=f"{name}.{method} after pickle",
            )


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=NAMES)
def test_clone_keeps_parameters(name, cls):
    est = _instance(cls)
    params, cloned = est.get_params(deep=False), clone(est).get_params(deep=False)
    assert params.keys() == cloned.keys()
    for key, value in params.items():
        if hasattr(value, "get_params"):  # sub-estimators are cloned, not shared
            assert type(cloned[key]) is type(value), key
        else:
            assert cloned[key] is value or cloned[key] == value, key


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=NAMES)
def test_pipeline_and_grid_search(name, cls):
    est = _instance(cls)
    X, y = _data(est)
    pipe, param_grid, scoring = _search_setup(est)
    pipe.fit(X, y)
    search = GridSearchCV(pipe, param_grid, cv=3, scoring=scoring, error_score="raise")
    search.fit(X, y)
    assert np.isfinite(search.best_score_)


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=NAMES)
def test_numpydoc_docstring(name, cls):
    doc = inspect.getdoc(cls) or ""
    for section in ("Parameters", "Attributes", "Examples"):
        pattern = re.compile(rf"^{section}\n-{{3,}}$", re.MULTILINE)
        assert pattern.search(doc), f"{name} docstring lacks a {section} section"
    for param in inspect.signature(cls.__init__).parameters:
        if param != "self":
            assert re.search(rf"^{param} :", doc, re.MULTILINE), (
                f"{name} docstring does not document parameter {param!r}"
            )
