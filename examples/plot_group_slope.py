"""
==================================================
Group SLOPE and Sparse-group SLOPE on grouped data
==================================================

Group SLOPE selects whole groups of features; Sparse-group SLOPE also selects the
variables inside them. We simulate a design where 8 non-zero coefficients sit in 3 of
20 groups, follow the Group SLOPE path with group strong screening, and compare which
groups and variables the two models pick.
"""

# %%
# A grouped design and the Group SLOPE path
# -----------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sklreg.datasets import make_sparse_slope_regression
from sklreg.linear_model import GroupSLOPE, SparseGroupSLOPE, group_slope_path

X, y, groups, coef = make_sparse_slope_regression(
    n_samples=100,
    n_features=100,
    n_groups=20,
    n_nonzero=8,
    n_nonzero_groups=3,
    rho=0.3,
    snr=4.0,
    random_state=0,
)
alphas, coefs, _, info = group_slope_path(X, y, groups=groups, n_alphas=30, max_clusters=None)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
ax1.plot(alphas, coefs.T, lw=0.8)
ax1.set(xscale="log", xlabel="alpha", ylabel="coefficient", title="Group SLOPE path")
ax1.invert_xaxis()
ax2.plot(alphas, info.n_screened, label="kept by the group strong rule")
ax2.plot(alphas, info.n_active, label="non-zero at the solution")
ax2.set(xscale="log", xlabel="alpha", ylabel="features", title="screening")
ax2.invert_xaxis()
ax2.legend()

# %%
# Groups and variables selected
# -----------------------------
# At the same penalty level Group SLOPE keeps every variable of a selected group,
# Sparse-group SLOPE (here half variable-level, half group-level) drops variables
# inside the groups too.
alpha = 0.3 * info.alpha_max
gs = GroupSLOPE(alpha, groups=groups, standardize=False).fit(X, y)
sgs = SparseGroupSLOPE(alpha, groups=groups, l1_ratio=0.5, standardize=False).fit(X, y)
for name, model in [("Group SLOPE", gs), ("Sparse-group SLOPE", sgs)]:
    chosen = np.unique(groups[model.coef_ != 0])
    print(f"{name}: groups {chosen.tolist()}, {np.count_nonzero(model.coef_)} variables")
print("truth: groups", np.unique(groups[coef != 0]).tolist(), f"{np.count_nonzero(coef)} variables")

fig, ax = plt.subplots(figsize=(10, 3))
ax.stem(np.abs(coef), linefmt="k-", markerfmt="k+", basefmt=" ", label="truth")
ax.plot(np.abs(gs.coef_), "o", ms=4, label="Group SLOPE")
ax.plot(np.abs(sgs.coef_), "x", ms=5, label="Sparse-group SLOPE")
ax.set(xlabel="feature (groups of 5)", ylabel="|coefficient|")
ax.legend()
plt.show()
