"""
===========================================
SLOPE: regularisation path and FDR control
===========================================

SLOPE penalises the k-th largest coefficient by ``alpha * lambda_k`` with the
Benjamini-Hochberg sequence ``lambda_k = Phi^{-1}(1 - q k / (2 p))``. On an orthogonal
design with noise level ``sigma``, the objective ``||y - X b||^2 / 2 + sigma * sum_k lambda_k
|b|_(k)`` controls the false discovery rate at ``q * p0 / p`` (Bogdan et al. 2015). sklreg
scales the squared loss by ``1 / n``, so the matching ``alpha`` is ``sigma / n``.
"""

# %%
# The path, with strong screening
# -------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sklreg.datasets import make_sparse_slope_regression
from sklreg.linear_model import SLOPE, slope_path

X, y, _, coef = make_sparse_slope_regression(
    n_samples=100, n_features=300, n_nonzero=8, random_state=0
)
# max_clusters=None: the whole grid (by default, as in sortedl1, the path stops once the
# coefficients have more than n_samples + 1 distinct magnitudes: the fit interpolates)
alphas, coefs, _, info = slope_path(X, y, n_alphas=50, standardize=True, max_clusters=None)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
ax1.plot(alphas, coefs.T, lw=0.8)
ax1.set(xscale="log", xlabel="alpha", ylabel="coefficient", title="SLOPE path")
ax1.invert_xaxis()
ax2.plot(alphas, info.n_screened, label="kept by the strong rule")
ax2.plot(alphas, info.n_active, label="non-zero at the solution")
ax2.set(xscale="log", xlabel="alpha", ylabel="features", title="screening")
ax2.invert_xaxis()
ax2.legend()

# %%
# False discovery rate on an orthogonal design
# --------------------------------------------
# The theorem is for orthogonal designs: orthonormalise a Gaussian design by QR. (On a
# merely near-orthogonal Gaussian design the FDR can exceed the bound.)
rng = np.random.default_rng(0)
n, p, k, sigma = 2000, 200, 10, 1.0
fdr = {}
for q in (0.05, 0.1, 0.2):
    fdps = []
    for _ in range(20):
        X = np.linalg.qr(rng.standard_normal((n, p)))[0]
        beta = np.zeros(p)
        beta[:k] = 5 * sigma * np.sqrt(2 * np.log(p))
        y = X @ beta + sigma * rng.standard_normal(n)
        model = SLOPE(alpha=sigma / n, q=q, fit_intercept=False, standardize=False).fit(X, y)
        selected = np.flatnonzero(model.coef_)
        fdps.append(np.mean(selected >= k) if selected.size else 0.0)
    fdr[q] = np.mean(fdps)

fig, ax = plt.subplots(figsize=(5, 3.5))
qs = np.array(list(fdr))
ax.bar(np.arange(3), list(fdr.values()), width=0.5, label="observed FDR (20 runs)")
ax.plot(np.arange(3), qs * (p - k) / p, "k_", ms=40, mew=2, label="q (p - k) / p")
ax.set(xticks=np.arange(3), xticklabels=[f"q = {q}" for q in qs], ylabel="FDR")
ax.legend()
plt.show()
