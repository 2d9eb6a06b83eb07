"""sklreg's parallel loops run unchanged on a distributed joblib backend.

Every parallel loop in sklreg goes through ``sklearn.utils.parallel.Parallel``, so
``joblib.parallel_config(backend="dask")`` spreads CV folds, grid points and seed sets over
a dask.distributed cluster. Here the cluster is a LocalCluster of two worker processes on
the loopback interface, without a dashboard; the results must equal the local run exactly
(the same folds and the same deterministic solver on each).
"""

import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import make_regression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklreg.linear_model import SLOPE, SLOPECV

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def dask_client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def data():
    return make_regression(n_samples=80, n_features=30, n_informative=5, noise=2.0, random_state=0)


def _search():
    pipe = make_pipeline(StandardScaler(), SLOPE())
    grid = {"slope__alpha": [0.1, 1.0], "slope__q": [0.05, 0.2]}
    return GridSearchCV(pipe, grid, cv=KFold(3), n_jobs=2)


def test_grid_search_on_dask_equals_local(dask_client, data):
    X, y = data
    local = _search().fit(X, y)
    with parallel_config(backend="dask"):
        remote = _search().fit(X, y)
    assert remote.best_params_ == local.best_params_
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"],
        local.cv_results_["mean_test_score"],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        remote.best_estimator_[-1].coef_, local.best_estimator_[-1].coef_, rtol=1e-12
    )
    with distributed.get_task_stream(dask_client) as stream:
        with parallel_config(backend="dask"):
            _search().fit(X, y)
    assert len(stream.data) > 0  # the fits really ran as tasks on the cluster


def test_slopecv_folds_on_dask_equal_local(dask_client, data):
    X, y = data
    params = dict(n_alphas=15, cv=3, n_jobs=2)
    local = SLOPECV(**params).fit(X, y)
    with parallel_config(backend="dask"):
        remote = SLOPECV(**params).fit(X, y)
    assert remote.alpha_ == local.alpha_
    np.testing.assert_allclose(remote.coef_, local.coef_, rtol=1e-12)


def test_grid_search_on_ray_equals_local(data):
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    X, y = data
    register_ray()
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    try:
        local = _search().fit(X, y)
        with parallel_config(backend="ray"):
            remote = _search().fit(X, y)
    finally:
        ray.shutdown()
    assert remote.best_params_ == local.best_params_
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"],
        local.cv_results_["mean_test_score"],
        rtol=1e-12,
    )


def _guide_python_blocks():
    text = (Path(__file__).parents[1] / "doc" / "user_guide" / "scaling.rst").read_text()
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text)
    return [textwrap.dedent(block) for block in blocks]


def test_guide_has_recipes():
    assert len(_guide_python_blocks()) == 5


@pytest.mark.parametrize("block", _guide_python_blocks(), ids=lambda b: b.split("\n")[0])
def test_guide_recipe_runs(block, tmp_path, monkeypatch):
    if "import ray" in block:
        pytest.importorskip("ray")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "scaling.rst", "exec"), {})
