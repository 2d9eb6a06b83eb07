"""Demo section: contrastive embedders (SCARF, SupCon) with few labels."""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklreg.datasets import make_latent_clusters
from sklreg.neural import ContrastiveEmbedder, SupConEmbedder


def run(ctx):
    rs = ctx.random_state
    n = 800
    epochs = 30
    X, y = make_latent_clusters(n_samples=n, random_state=rs)
    half = n // 2
    X_tr, X_te, y_tr, y_te = X[:half], X[half:], y[:half], y[half:]
    # 12 labels, 3 of each of the 4 latent clusters: every class in each of the 3 CV folds
    rng = np.random.default_rng(rs)
    labelled = np.concatenate(
        [rng.choice(np.flatnonzero(y_tr == k), 3, replace=False) for k in np.unique(y_tr)]
    )

    ctx.progress("SCARF embedder + logistic regression tuned by GridSearchCV")
    embedder = ContrastiveEmbedder(
        n_components=16,
        hidden_layer_sizes=(64,),
        max_epochs=epochs,
        batch_size=128,
        random_state=rs,
    )
    scarf = embedder.fit(X_tr)  # self-supervised on all training rows
    pipe = Pipeline([("scale", StandardScaler()), ("probe", LogisticRegression(max_iter=2000))])
    search = GridSearchCV(pipe, {"probe__C": [0.1, 1.0]}, cv=3)
    search.fit(scarf.transform(X_tr[labelled]), y_tr[labelled])
    scarf_acc = search.score(scarf.transform(X_te), y_te)

    ctx.progress("baseline: the same probe on the raw features")
    base = GridSearchCV(pipe, {"probe__C": [0.1, 1.0]}, cv=3).fit(X_tr[labelled], y_tr[labelled])
    raw_acc = base.score(X_te, y_te)

    ctx.progress("SupCon embedder with 12 labels, the rest unlabelled (-1)")
    y_semi = np.full(half, -1)
    y_semi[labelled] = y_tr[labelled]
    supcon = SupConEmbedder(
        n_components=16,
        hidden_layer_sizes=(64,),
        max_epochs=epochs,
        batch_size=128,
        random_state=rs,
    ).fit(X_tr, y_semi)
    sup_pipe = Pipeline([("scale", StandardScaler()), ("probe", LogisticRegression(max_iter=2000))])
    sup_acc = sup_pipe.fit(supcon.transform(X_tr[labelled]), y_tr[labelled]).score(
        supcon.transform(X_te), y_te
    )
    ctx.table(
        ["features", "test accuracy (12 labels)"],
        [
            ["raw (scikit-learn baseline)", raw_acc],
            ["SCARF embedding", scarf_acc],
            ["SupCon embedding", sup_acc],
        ],
        title=f"make_latent_clusters, {half} training rows, {half} test rows",
    )

    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA

    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, (title, Z) in zip(
        axes, [("raw features", X_te), ("SCARF embedding", scarf.transform(X_te))]
    ):
        P = PCA(n_components=2, random_state=rs).fit_transform(StandardScaler().fit_transform(Z))
        ax.scatter(P[:, 0], P[:, 1], c=y_te, s=8, cmap="tab10")
        ax.set_title(f"{title} (PCA, coloured by latent cluster)")
    ctx.save_figure(fig, "contrastive_embedding")
    plt.close(fig)
