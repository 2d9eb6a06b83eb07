"""Demo section: SLOPE against the Lasso on a sparse design with correlated features."""

import numpy as np
from sklearn.linear_model import Lasso
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklreg.datasets import make_sparse_slope_regression
from sklreg.linear_model import SLOPE, slope_path


def _selection(coef, true_coef):
    selected, true = coef != 0, true_coef != 0
    fdp = (selected & ~true).sum() / max(selected.sum(), 1)
    return selected.sum(), fdp, (selected & true).sum() / true.sum()


def run(ctx):
    n, p = (100, 200) if ctx.quick else (200, 500)
    X, y, _, true_coef = make_sparse_slope_regression(
        n_samples=n, n_features=p, n_nonzero=10, rho=0.3, random_state=ctx.random_state
    )
    alphas = np.geomspace(0.02, 1.0, 4 if ctx.quick else 8)
    rows = []
    for name, est, grid in [
        ("SLOPE (BH, q=0.1)", SLOPE(), {"slope__alpha": alphas, "slope__q": [0.05, 0.1]}),
        ("sklearn Lasso", Lasso(), {"lasso__alpha": alphas}),
    ]:
        ctx.progress(f"GridSearchCV over {name}")
        search = GridSearchCV(make_pipeline(StandardScaler(), est), grid, cv=3).fit(X, y)
        n_sel, fdp, tpr = _selection(search.best_estimator_[-1].coef_, true_coef)
        rows.append([name, search.best_score_, n_sel, fdp, tpr])
    ctx.table(
        ["model", "CV R^2", "selected", "false discovery prop.", "true positive rate"],
        rows,
        title=f"n={n}, p={p}, 10 true features, feature correlation 0.3",
    )

    ctx.progress("regularisation path with strong screening")
    # the whole grid (the default, max_clusters="auto", stops past n_samples + 1 clusters)
    path_alphas, coefs, _, info = slope_path(
        X, y, n_alphas=30 if ctx.quick else 60, standardize=True, max_clusters=None
    )
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.plot(path_alphas, coefs.T, lw=0.8)
    ax1.set(xscale="log", xlabel="alpha", ylabel="coefficient", title="SLOPE path")
    ax1.invert_xaxis()
    ax2.plot(path_alphas, info.n_screened, label="screened")
    ax2.plot(path_alphas, info.n_active, label="active")
    ax2.set(xscale="log", xlabel="alpha", ylabel="features", title="strong screening")
    ax2.invert_xaxis()
    ax2.legend()
    ctx.save_figure(fig, "slope_path")
    plt.close(fig)
    _run_group(ctx)


def _run_group(ctx):
    """Group SLOPE and Sparse-group SLOPE against the Lasso on a grouped design."""
    from sklreg.linear_model import GroupSLOPE, SparseGroupSLOPE

    n, p, m = (80, 100, 20) if ctx.quick else (100, 200, 40)
    X, y, groups, true_coef = make_sparse_slope_regression(
        n,
        p,
        n_groups=m,
        n_nonzero=8,
        n_nonzero_groups=3,
        rho=0.4,
        snr=3.0,
        random_state=ctx.random_state,
    )
    true_groups = set(groups[true_coef != 0])
    alphas = np.geomspace(0.1, 1.0, 3 if ctx.quick else 4)
    rows, fitted = [], {}
    for name, est, grid in [
        ("GroupSLOPE", GroupSLOPE(groups=groups), {"est__alpha": alphas}),
        ("SparseGroupSLOPE", SparseGroupSLOPE(groups=groups, tol=1e-5), {"est__alpha": alphas}),
        ("sklearn Lasso", Lasso(), {"est__alpha": alphas}),
    ]:
        ctx.progress(f"GridSearchCV over {name}")
        pipe = Pipeline([("scale", StandardScaler()), ("est", est)])
        search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
        coef = search.best_estimator_[-1].coef_
        chosen = set(groups[coef != 0])
        fdp = len(chosen - true_groups) / max(len(chosen), 1)
        rows.append([name, search.best_score_, int((coef != 0).sum()), len(chosen), fdp])
        fitted[name] = coef
    ctx.table(
        ["model", "CV R^2", "features", "groups", "group false discovery prop."],
        rows,
        title=f"n={n}, p={p} in {m} groups; 8 true features in 3 groups",
    )
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 3))
    for name, coef in fitted.items():
        ax.plot(np.abs(coef), ".", label=name, ms=4)
    ax.plot(np.abs(true_coef), "k+", label="truth (scaled data differ)", ms=5)
    ax.set(xlabel="feature (grouped)", ylabel="|coefficient|", title="grouped selection")
    ax.legend(fontsize=7)
    ctx.save_figure(fig, "group_slope")
    plt.close(fig)
