"""GridSearchCV over a sklreg pipeline: 1 process, 2 local processes, a 2-worker Dask cluster.

Reports the wall time of each, the speed-up over one process, and the overhead of the
cluster relative to the same number of local processes. The cluster is a
dask.distributed LocalCluster on the loopback interface (no dashboard).
"""

import time

import numpy as np
from joblib import parallel_config
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklreg.datasets import make_sparse_slope_regression
from sklreg.linear_model import SLOPE

from _common import parse_args, write_results


def _search(n_jobs, n_alpha):
    pipe = make_pipeline(StandardScaler(), SLOPE(tol=1e-6))
    grid = {"slope__alpha": np.geomspace(0.01, 1.0, n_alpha), "slope__q": [0.05, 0.1, 0.2]}
    return GridSearchCV(pipe, grid, cv=KFold(5), n_jobs=n_jobs)


def _time(search, X, y):
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start, search


def main():
    args = parse_args(__doc__)
    n, p, n_alpha = (200, 500, 4) if args.quick else (500, 2000, 8)
    X, y, *_ = make_sparse_slope_regression(n_samples=n, n_features=p, random_state=0)
    _search(1, 1).fit(X[:50], y[:50])  # compile the solver once, outside every timing

    rows, reference = [], None
    t1, s1 = _time(_search(1, n_alpha), X, y)
    t2, s2 = _time(_search(2, n_alpha), X, y)
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster),
    ):
        with parallel_config(backend="dask"):
            _search(2, 1).fit(X[:50], y[:50])  # warm the workers (imports, compilation)
            td, sd = _time(_search(2, n_alpha), X, y)
    reference = s1.cv_results_["mean_test_score"]
    for label, t, s in [
        ("loky, 1 process", t1, s1),
        ("loky, 2 processes", t2, s2),
        ("dask LocalCluster, 2 workers", td, sd),
    ]:
        same = np.allclose(s.cv_results_["mean_test_score"], reference, rtol=1e-10)
        rows.append([label, t, t1 / t, t / t2, "yes" if same else "NO"])
    n_fits = len(s1.cv_results_["params"]) * 5
    write_results(
        "scale",
        "GridSearchCV over Pipeline(StandardScaler, SLOPE): local processes vs Dask",
        [
            (
                f"n={n}, p={p}, {n_fits} fits",
                [
                    "backend",
                    "seconds",
                    "speed-up vs 1 process",
                    "time / 2 local processes",
                    "same scores",
                ],
                rows,
            )
        ],
        ["joblib", "dask", "distributed", "numba"],
        notes=["the machine has 2 cores, so 2 workers is the most that can help"],
    )


if __name__ == "__main__":
    main()
