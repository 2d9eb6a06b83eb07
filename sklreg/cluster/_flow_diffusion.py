"""Local graph clustering by (weighted) p-norm flow diffusion.

References
----------
- K. Fountoulakis, D. Wang, S. Yang. p-Norm Flow Diffusion for Local Graph Clustering.
  ICML 2020.
- S. Yang, K. Fountoulakis. Weighted Flow Diffusion for Local Graph Clustering with Node
  Attributes: an Algorithm and Statistical Guarantees. ICML 2023.
- A. Back de Luca, K. Fountoulakis, S. Yang. Local Graph Clustering with Noisy Labels.
  ICLR 2024.
"""

import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import kneighbors_graph
from sklearn.utils import check_array
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import column_or_1d

from sklreg.cluster._push import INFEASIBLE, MAX_PUSH, OK, ZERO_DEGREE_SEED, local_push
from sklreg.utils._sklearn_compat import (
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_data,
)

__all__ = ["FlowDiffusion", "FlowDiffusionResult", "check_adjacency", "flow_diffusion"]


@dataclass
class FlowDiffusionResult:
    """What one flow diffusion returns (all arrays restricted to the touched nodes).

    Attributes
    ----------
    cluster : ndarray of int
        The rounded cluster, sorted by decreasing diffusion score.
    nodes : ndarray of int
        Every node whose row the solver read, in order of first visit.
    scores : ndarray of float
        Dual variable ``x`` (the diffusion score) of each node in ``nodes``.
    mass : ndarray of float
        Mass left at each node of ``nodes``; at the optimum ``mass <= degree``.
    degree : ndarray of float
        Sink capacity of each node of ``nodes`` (see ``sink`` in
        :func:`flow_diffusion`); at the optimum ``mass <= degree``.
    conductance : float
        ``cut(C) / vol(C)`` of the cluster on the weighted graph the diffusion ran on.
    source_mass : float
        Mass placed on each seed.
    n_pushes : int
        Number of coordinate updates.
    converged : bool
        Whether every node ended within ``tol`` of its capacity.
    ladder_masses : ndarray of float
        Source mass per seed of every rung of the mass ladder (``source_mass="auto"``
        tries several; one entry otherwise).
    ladder_conductances : ndarray of float
        Conductance of the rounded cluster of each rung, solved to the ladder's coarse
        tolerance (``max(tol, 1e-2)`` with several rungs); the result kept is the rung
        of least conductance, pushed on to ``tol``.
    ladder_touched : ndarray of int
        Nodes touched by the end of each rung (cumulative: rungs are warm-started, so
        the last entry, or ``nodes.size`` after the final polish, is the call's work).
    """

    cluster: np.ndarray
    nodes: np.ndarray
    scores: np.ndarray
    mass: np.ndarray
    degree: np.ndarray
    conductance: float
    source_mass: float
    n_pushes: int
    converged: bool
    ladder_masses: np.ndarray
    ladder_conductances: np.ndarray
    ladder_touched: np.ndarray


def check_adjacency(adjacency, *, tol=1e-10):
    """Validate a graph: square, symmetric, non-negative, finite; return it as CSR.

    This reads every stored entry once (O(nnz)): call it once per graph, then pass
    ``check_input=False`` to :func:`flow_diffusion` so each diffusion stays local.

    Parameters
    ----------
    adjacency : {array-like, sparse matrix} of shape (n_nodes, n_nodes)
        Symmetric matrix of non-negative edge weights.
    tol : float, default=1e-10
        Largest accepted ``|A - A.T|`` entry, relative to the largest weight.

    Returns
    -------
    adjacency : scipy.sparse.csr_matrix of float64
        Sorted int64 indices (the one layout the compiled solver is built for).

    Examples
    --------
    >>> import numpy as np
    >>> A = check_adjacency(np.array([[0, 1], [1, 0]]))
    >>> A.nnz
    2
    """
    A = check_array(
        adjacency,
        accept_sparse="csr",
        dtype=np.float64,
        ensure_all_finite=True,
        input_name="adjacency",
    )
    A = sparse.csr_matrix(A)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"The adjacency matrix must be square; got shape {A.shape}.")
    if A.nnz and A.data.min() < 0:
        raise ValueError("The adjacency matrix has negative edge weights; weights must be >= 0.")
    if A.nnz:
        asym = abs(A - A.T)
        scale = max(abs(A.data).max(), 1.0)
        if asym.nnz and asym.max() > tol * scale:
            raise ValueError(
                "The adjacency matrix is not symmetric: flow diffusion needs an "
                "undirected graph (symmetrise it, e.g. A.maximum(A.T))."
            )
    A.sort_indices()
    # one index dtype and writable arrays: the compiled solver has a single signature
    A.indptr = A.indptr.astype(np.int64, copy=False)
    A.indices = A.indices.astype(np.int64, copy=False)
    if not A.data.flags.writeable:
        A.data = A.data.copy()
    return A


def _check_seeds(seeds, n_nodes, indptr):
    seeds = np.atleast_1d(np.asarray(seeds))
    if seeds.size == 0:
        raise ValueError("At least one seed node is needed.")
    if not np.issubdtype(seeds.dtype, np.integer):
        if not np.all(np.equal(np.mod(seeds, 1), 0)):
            raise ValueError(f"Seed nodes must be integer node indices; got {seeds!r}.")
        seeds = seeds.astype(np.int64)
    seeds = np.unique(seeds.astype(np.int64))
    bad = seeds[(seeds < 0) | (seeds >= n_nodes)]
    if bad.size:
        raise ValueError(f"Seed node(s) {bad.tolist()} are outside the graph of {n_nodes} nodes.")
    isolated = seeds[indptr[seeds + 1] == indptr[seeds]]
    if isolated.size:
        raise ValueError(
            f"Seed node(s) {isolated.tolist()} are isolated (no edge): no "
            "mass can diffuse from them."
        )
    return seeds


def _check_node_array(values, n_nodes, name, ensure_2d):
    if ensure_2d:
        values = check_array(values, dtype=np.float64, input_name=name)
    else:
        values = column_or_1d(values, warn=False)
    if values.shape[0] != n_nodes:
        raise ValueError(
            f"{name} has {values.shape[0]} rows but the graph has {n_nodes} "
            "nodes: one row per node is needed."
        )
    return values


def _check_labels(noisy_labels, n_nodes):
    labels = _check_node_array(noisy_labels, n_nodes, "noisy_labels", ensure_2d=False)
    if not np.isin(labels, (0, 1)).all():
        raise ValueError(
            "noisy_labels must be binary: 1 for nodes believed to be in the "
            "target cluster, 0 otherwise."
        )
    return np.ascontiguousarray(labels, dtype=np.int8)


def _prepare_attributes(attributes, n_nodes, check_input):
    """Attributes as a C-contiguous float64 array; O(n d) checks only if ``check_input``."""
    if sparse.issparse(attributes):
        attributes = attributes.toarray()
    if check_input:
        attributes = _check_node_array(attributes, n_nodes, "attributes", ensure_2d=True)
    else:
        attributes = np.asarray(attributes)
        if attributes.ndim != 2 or attributes.shape[0] != n_nodes:
            raise ValueError(
                f"attributes has shape {attributes.shape} but the graph has {n_nodes} "
                "nodes: a 2-d array with one row per node is needed."
            )
    # no copy when it already is C-contiguous float64 (as after one check)
    return np.require(attributes, dtype=np.float64, requirements=["C", "W"])


def _prepare_labels(noisy_labels, n_nodes, check_input):
    """Labels for the solver; the O(n) binary check only if ``check_input``."""
    if check_input:
        return _check_labels(noisy_labels, n_nodes)
    labels = np.asarray(noisy_labels)
    if labels.ndim != 1 or labels.shape[0] != n_nodes:
        raise ValueError(
            f"noisy_labels has shape {labels.shape} but the graph has {n_nodes} "
            "nodes: one label per node is needed."
        )
    if labels.dtype not in (np.int8, np.int64):
        labels = labels.astype(np.int8)  # an O(n) conversion: pass int8 or int64
    return labels


# ``rho="auto"`` reads at most this many edges around the seeds
_RHO_SAMPLE = 4096
# ``source_mass="auto"``: masses mass_factor x local volume x _LADDER_RATIO**k, k < _LADDER_STEPS
_LADDER_RATIO, _LADDER_STEPS = 2.0, 6
_LADDER_PUSH_GROWTH = 16
# a rung lowering the conductance by less than _LADDER_MIN_GAIN after one that lowered
# it by more ends the ladder; rungs are solved to _LADDER_TOL, the kept one to tol
_LADDER_MIN_GAIN, _LADDER_TOL = 0.15, 1e-2


def _neighbourhood_edges(adjacency, seeds, max_edges):
    """Edges (i, j) of the rows of the seeds and then of their neighbours (two hops).

    Rows are taken whole, in order, until ``max_edges`` edges are collected: the cost is
    O(max_edges + the seeds' degrees), whatever the size of the graph. These are rows the
    diffusion reads in its first pushes anyway.
    """
    indptr, indices = adjacency.indptr, adjacency.indices
    rows = [np.asarray(seeds)]
    seed_nbrs = np.concatenate([indices[indptr[s] : indptr[s + 1]] for s in seeds])
    rows.append(np.unique(seed_nbrs))
    rows = np.concatenate(rows)
    lengths = indptr[rows + 1] - indptr[rows]
    keep = max(int(np.searchsorted(np.cumsum(lengths), max_edges)) + 1, len(seeds))
    rows, lengths = rows[:keep], lengths[:keep]
    heads = np.repeat(rows, lengths)
    tails = np.concatenate([indices[indptr[r] : indptr[r + 1]] for r in rows])
    loops = heads == tails
    return heads[~loops], tails[~loops]


def _auto_rho(adjacency, seeds, attributes):
    """One over the standard deviation of the squared attribute distances near the seeds.

    Rationale: with sink capacities from the input graph (``sink="degree"``),
    multiplying every edge weight by the same constant divides the dual solution by it
    and changes neither the order of the nodes nor any sweep cut. So the part of
    ``||a_i - a_j||^2`` common to all edges (``2 d sigma^2`` for Gaussian attributes in
    ``d`` dimensions, which a 1 / mean rule is dominated by) is irrelevant; what the
    kernel must resolve is how the squared distances vary from edge to edge. With
    ``rho = 1 / std`` the kernel factor changes by a factor ``e`` across one standard
    deviation of the squared distances on the edges the diffusion reads first (the
    rows of the seeds and of their neighbours, at most ``_RHO_SAMPLE`` edges). A
    constant distance (duplicated rows) gives ``rho = 0``: attributes that do not vary
    carry no information.
    """
    heads, tails = _neighbourhood_edges(adjacency, seeds, _RHO_SAMPLE)
    if heads.size < 2:
        return 0.0
    dist2 = ((attributes[heads] - attributes[tails]) ** 2).sum(axis=1)
    spread = dist2.std()
    return 1.0 / spread if spread > 0 else 0.0


def flow_diffusion(
    adjacency,
    seeds,
    *,
    source_mass="auto",
    mass_factor=2.0,
    p=2.0,
    attributes=None,
    rho="auto",
    noisy_labels=None,
    label_eps=0.05,
    sink="degree",
    rounding="sweep",
    tol=1e-6,
    max_push=None,
    check_input=True,
    graph_volume=None,
):
    """Local clustering around seed nodes by (weighted) p-norm flow diffusion.

    Places ``source_mass`` on each seed and lets every node keep at most its sink
    capacity (its degree), routing the excess along the edges at least p-norm cost. The
    solver works on the dual problem (for ``p = 2``)::

        min_{x >= 0}  1/2 x' L x + x' (T - Delta)

    by coordinate pushes that read only the rows of nodes receiving mass, so its cost
    depends on the cluster it finds, not on the size of the graph (see Notes). For
    general ``p`` the dual is
    ``min_{x >= 0} 1/q sum_ij w_ij |x_i - x_j|^q + x' (T - Delta)`` with
    ``1/p + 1/q = 1``, solved with a bisection line search per push.

    Parameters
    ----------
    adjacency : {array-like, sparse matrix} of shape (n_nodes, n_nodes)
        Symmetric non-negative edge weights. Self-loops are ignored.
    seeds : int or array-like of int
        Seed node indices.
    source_mass : float, None or "auto", default="auto"
        Mass placed on each seed. The papers' experiments set it to ``alpha`` times the
        target cluster's volume (``alpha`` between 1.5 and 5, picked by conductance),
        which needs the target's size: pass that when it is known. ``None`` uses
        ``mass_factor`` times the total capacity of the union of the seeds' closed
        neighbourhoods, shared equally among the seeds; if the diffusion then reads the
        seeds' whole connected component and finds it holds less than twice that mass
        (small graphs only), the total is lowered to half the component's capacity so
        the diffusion stays feasible (with a ``UserWarning`` when the seeds can hold
        that much themselves: the mass then does not spread). ``"auto"`` (for an
        unknown target size) runs that diffusion with ``mass_factor`` times 1, 2, 4, ...
        (at most 6 masses, in total at most half of ``graph_volume``) and keeps the
        converged run whose rounded cluster has the least conductance, the selection
        local clustering practice makes over the mass or the PageRank teleportation (no
        label is used). The ladder stops as soon as a larger mass no longer lowers the
        conductance or no longer grows the cluster (beyond that the extra mass leaks
        out of it), or lowers it by less than 15% after an earlier rung lowered it by
        more (a plateau: the cluster is found). Each rung continues from the state of the one
        before (a valid warm start: the solution only grows with the mass) and is
        solved to a coarse tolerance (1e-2: the rungs' sweep-cut conductances move by
        about 1%, at most 13% on the benchmark's graphs); the kept rung is then
        pushed on to ``tol``. So the call costs about one diffusion at the kept mass,
        and it is local.
    mass_factor : float, default=2.0
        Multiplier of the local volume when ``source_mass`` is None, and first rung of
        the ladder when it is ``"auto"``.
    p : float, default=2.0
        Norm of the primal flow cost (``p > 1``); ``p = 2`` uses exact pushes.
    attributes : array-like of shape (n_nodes, n_features), default=None
        Node attributes. Each edge weight is multiplied by
        ``exp(-rho * ||a_i - a_j||^2)`` (weighted flow diffusion, Yang and Fountoulakis).
    rho : float or "auto", default="auto"
        Bandwidth of the attribute kernel (the paper's ``gamma``). The paper fixes it
        per data set (its reference code uses 0.02 on PCA-reduced attributes); it has no
        default, so ``"auto"`` is ours: one over the standard deviation of the squared
        attribute distances on the edges of the seeds and of their neighbours (at most
        4096 edges, rows the diffusion reads first). Scaling every weight by one
        constant leaves the diffusion's ordering and sweep cuts unchanged, so only the
        spread of the distances matters, not their common level; this rule makes the
        kernel vary by a factor ``e`` over one standard deviation. ``0`` ignores the
        attributes.
    noisy_labels : array-like of shape (n_nodes,), default=None
        Binary labels (1 = believed in the target cluster). Edges whose two ends are both
        labelled 1 keep their weight; every other edge is multiplied by ``label_eps``:
        the label-weighted graph of Back de Luca, Fountoulakis and Yang, whose analysis
        takes the factor small.
    label_eps : float, default=0.05
        Weight factor of the edges not joining two nodes labelled 1, in ``(0, 1]``.
        0.05 is our default for "small", not a value taken from the paper; on the
        benchmark's CSBM (label noise 0.1) 0.2 recovers the target better.
    sink : {"degree", "weighted_degree"}, default="degree"
        Sink capacity of each node. ``"degree"``: its degree on the input graph, as in
        the weighted-flow-diffusion paper's reference code (the reweighting changes
        how mass flows, not how much each node holds, so ``source_mass`` keeps the
        units of the input graph's volume). ``"weighted_degree"``: its degree on the
        reweighted graph, i.e. plain flow diffusion run on the reweighted graph; a
        source mass must then be scaled to the reweighted volume. Both coincide
        without attributes and labels.
    rounding : {"sweep", "support"}, default="sweep"
        ``"sweep"``: the prefix of the support sorted by decreasing ``x`` with the
        lowest conductance (the papers' rounding). ``"support"``: the whole support of
        ``x``, which grows with the source mass.
    tol : float, default=1e-6
        A node is settled when its mass is at most ``(1 + tol)`` times its capacity.
    max_push : int, default=None
        Cap on the number of pushes (``None``: ``max(100 * n_nodes, 10**6)``; a push
        costs O(degree), and on strongly reweighted small graphs the coordinate method
        may need thousands of pushes per node). Reaching it warns.
    check_input : bool, default=True
        Validate ``adjacency``, ``attributes`` and ``noisy_labels`` (O(nnz) and O(n)
        passes). Pass False for a CSR matrix that already went through
        :func:`check_adjacency` and validated node arrays, to keep each call local.
    graph_volume : float, default=None
        Sum of the input graph's edge weights (``A.sum()`` without self-loops). With
        ``source_mass="auto"`` the ladder never places more than half of it on the
        seeds (a larger mass floods most of a small graph). Computed from ``adjacency``
        when ``check_input`` is True (an O(nnz) pass like the validation);
        :class:`FlowDiffusion` computes it once per ``fit``. Pass it with
        ``check_input=False``; None then means no cap.

    Returns
    -------
    result : FlowDiffusionResult
        The cluster, the touched nodes with their scores, mass and degree, the cluster's
        conductance and solver statistics.

    Notes
    -----
    One call allocates nothing whose size depends on the graph: touched nodes are
    numbered through a hash table and their state and row weights live in buffers that
    grow with the touched set, and edge weights are computed only for the rows the
    solver reads. Its cost is O(touched nodes + edges of their rows). The O(n) or
    O(nnz) work the input format forces happens only when ``check_input=True``:
    validating the CSR matrix (square, symmetric, non-negative, finite: O(nnz)),
    checking the attributes (finite: O(n d)) and the labels (binary: O(n)). Validate
    once per graph (:func:`check_adjacency`; :class:`FlowDiffusion` does this once per
    ``fit``) and pass ``check_input=False`` to each diffusion; then only a
    non-int64 index array, non-float64 or non-contiguous attributes, or labels that are
    neither int8 nor int64 cost an O(n) conversion.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> from sklreg.cluster import flow_diffusion
    >>> # two triangles joined by one edge
    >>> rows = [0, 0, 1, 3, 3, 4, 2]
    >>> cols = [1, 2, 2, 4, 5, 5, 3]
    >>> A = sparse.coo_matrix((np.ones(7), (rows, cols)), shape=(6, 6))
    >>> A = (A + A.T).tocsr()
    >>> res = flow_diffusion(A, seeds=0, source_mass=10.0)
    >>> sorted(res.cluster.tolist())
    [0, 1, 2]
    >>> # target size unknown: a ladder of masses, the cut of least conductance is kept
    >>> res = flow_diffusion(A, seeds=0)
    >>> sorted(res.cluster.tolist()), len(res.ladder_masses) >= 1
    ([0, 1, 2], True)
    """
    A = check_adjacency(adjacency) if check_input else adjacency
    if A.indices.dtype != np.int64 or A.indptr.dtype != np.int64:
        A = check_adjacency(A)  # an O(nnz) conversion: prepare graphs with check_adjacency
    n_nodes = A.shape[0]
    seeds = _check_seeds(seeds, n_nodes, A.indptr)
    if p <= 1:
        raise ValueError(f"p must be > 1; got {p}.")
    if rounding not in ("support", "sweep"):
        raise ValueError(f"rounding must be 'support' or 'sweep'; got {rounding!r}.")
    if sink not in ("degree", "weighted_degree"):
        raise ValueError(f"sink must be 'degree' or 'weighted_degree'; got {sink!r}.")
    if not 0 < label_eps <= 1:
        raise ValueError(f"label_eps must be in (0, 1]; got {label_eps}.")
    q = p / (p - 1.0)
    attr = np.empty((0, 0))
    rho_value = 0.0
    if attributes is not None:
        attr = _prepare_attributes(attributes, n_nodes, check_input)
        rho_value = _auto_rho(A, seeds, attr) if rho == "auto" else float(rho)
        if rho_value < 0:
            raise ValueError(f"rho must be >= 0; got {rho}.")
    labels = np.empty(0, dtype=np.int8)
    if noisy_labels is not None:
        labels = _prepare_labels(noisy_labels, n_nodes, check_input)
    if isinstance(source_mass, str):
        if source_mass != "auto":
            raise ValueError(
                f"source_mass must be a positive number, None or 'auto'; got {source_mass!r}."
            )
    elif source_mass is not None and not float(source_mass) > 0:
        raise ValueError(f"source_mass must be > 0; got {source_mass}.")
    if not float(mass_factor) > 0:
        raise ValueError(f"mass_factor must be > 0; got {mass_factor}.")
    cap = max(100 * n_nodes, 10**6) if max_push is None else int(max_push)

    if source_mass == "auto":
        if graph_volume is None and check_input:
            graph_volume = float(A.data.sum() - A.diagonal().sum())  # O(nnz), paid above
        mass_cap = np.inf if graph_volume is None else 0.5 * float(graph_volume)
        mass, ladder = -1.0, _ladder(mass_cap)
    else:
        mass = -1.0 if source_mass is None else float(source_mass)
        ladder = _ladder(np.inf, n_rungs=1)
    (nodes, xs, ms, ds, n_pushes, length, order, cut, vol, mass, status, comp_vol, masses,
     conductances, touched, _) = local_push(
        A.indptr, A.indices, A.data, seeds, mass, float(mass_factor), attr, rho_value,
        labels, float(label_eps), float(q), float(tol), cap, rounding == "sweep",
        sink == "weighted_degree", ladder,
    )  # fmt: skip
    _raise_on_zero_degree_seed(status, seeds)
    _warn_on_status(status, cap, mass * seeds.size, comp_vol)
    if source_mass is None or source_mass == "auto":
        _warn_on_seeds_filling_their_component(
            nodes, ds, seeds, mass * seeds.size, comp_vol, length
        )
    return FlowDiffusionResult(
        cluster=order[:length],
        nodes=nodes,
        scores=xs,
        mass=ms,
        degree=ds,
        conductance=float(cut / vol) if vol > 0 else 1.0,
        source_mass=float(mass),
        n_pushes=int(n_pushes),
        converged=status == OK,
        ladder_masses=masses,
        ladder_conductances=conductances,
        ladder_touched=touched,
    )


def _ladder(mass_cap, n_rungs=_LADDER_STEPS):
    """The ladder parameters of the compiled solver (see ``local_push``)."""
    return np.array(
        [
            n_rungs,
            _LADDER_RATIO,
            _LADDER_PUSH_GROWTH,
            mass_cap,
            _LADDER_MIN_GAIN,
            _LADDER_TOL,
        ],
        dtype=np.float64,
    )


def _n_touched(result):
    """Nodes whose rows one call read: rungs share their state, so the largest count."""
    return max(result.nodes.size, int(result.ladder_touched.max(initial=0)))


def _raise_on_zero_degree_seed(status, seeds):
    if status == ZERO_DEGREE_SEED:
        raise ValueError(
            f"A seed among {seeds.tolist()} has zero weighted degree on the diffusion "
            "graph (only self-loops, or every edge weight vanished after attribute or "
            "label reweighting): no mass can leave it; lower rho or raise label_eps."
        )


def _warn_on_status(status, cap, total_mass, comp_vol):
    if status == MAX_PUSH:
        warnings.warn(
            f"Flow diffusion stopped after max_push={cap} pushes before every node was "
            "within its capacity; raise max_push or tol.",
            ConvergenceWarning,
            stacklevel=3,
        )
    elif status == INFEASIBLE:
        warnings.warn(
            f"The source mass ({total_mass:.4g} in total) exceeds the volume "
            f"{comp_vol:.4g} of the seeds' connected component, so no flow keeps every "
            "node within its capacity: the diffusion stopped once it had read the whole "
            "component and its cluster is meaningless. Use a smaller source_mass.",
            ConvergenceWarning,
            stacklevel=3,
        )


def _warn_on_seeds_filling_their_component(nodes, capacity, seeds, total_mass, comp_vol, length):
    """The default mass, lowered to fit a small component, fits on the seeds themselves.

    ``comp_vol`` is finite when the diffusion read the seeds' whole component; the mass
    it then chooses is at most half of it, and seeds of at least that capacity keep it.
    """
    if not np.isfinite(comp_vol):
        return
    seed_capacity = float(capacity[np.isin(nodes, seeds)].sum())
    if seed_capacity >= total_mass:
        warnings.warn(
            f"The {seeds.size} seed(s) hold {seed_capacity / comp_vol:.0%} of the volume "
            f"of their connected component ({nodes.size} nodes, read whole by the "
            "diffusion): the source mass, at most half that volume so the diffusion stays "
            "feasible, fits on the seeds, so it does not spread and the cluster "
            f"({length} node(s)) is not meaningful. For a cluster inside the component, "
            "use fewer seeds.",
            UserWarning,
            stacklevel=3,
        )


class FlowDiffusion(BaseEstimator):
    """Local graph clustering around seed nodes by (weighted) flow diffusion.

    Finds the cluster of each seed set without reading the whole graph: mass placed on the
    seeds spreads along edges until every node holds at most its degree, and the nodes
    reached (or a sweep cut over their scores) form the cluster. Edges can be reweighted by
    node attributes (weighted flow diffusion) and by noisy node labels.

    The rows of ``X`` are the nodes. With ``affinity="precomputed"`` ``X`` is the
    symmetric adjacency matrix (like :class:`sklearn.cluster.SpectralClustering`); with
    ``affinity="nearest_neighbors"`` ``X`` is a feature table and the graph is the
    symmetrised ``n_neighbors`` connectivity graph of its rows, whose rows then also serve
    as node attributes when ``rho`` is not 0. ``y`` marks the seeds.

    Parameters
    ----------
    affinity : {"nearest_neighbors", "precomputed", "precomputed_nearest_neighbors"}, \
            default="nearest_neighbors"
        How to read ``X``: as a feature table from which a k-nearest-neighbour graph is
        built, as a precomputed symmetric adjacency matrix, or as a sparse neighbours
        graph (e.g. the output of :class:`sklearn.neighbors.KNeighborsTransformer`) whose
        stored entries become unit edges, symmetrised.
    n_neighbors : int, default=10
        Neighbours per node of the k-nearest-neighbour graph (capped at ``n - 1``).
    source_mass : float, None or "auto", default="auto"
        Mass per seed (best: ``alpha`` times the target's volume, ``alpha`` in 1.5-5,
        when it is known). ``None`` uses ``mass_factor`` times the capacity of the
        seeds' closed neighbourhood, lowered on components too small to hold it.
        ``"auto"`` tries that mass times 1, 2, 4, ... while the cluster grows and its
        conductance falls (each rung warm-started from the one before), and keeps the
        cluster of least conductance. See :func:`flow_diffusion`.
    mass_factor : float, default=2.0
        Multiplier of the local volume when ``source_mass`` is None; first rung of the
        ladder when it is ``"auto"``.
    p : float, default=2.0
        Norm of the primal flow cost, ``p > 1``.
    rho : float or "auto", default="auto"
        Bandwidth of the attribute kernel ``exp(-rho ||a_i - a_j||^2)``; 0 ignores the
        attributes. ``"auto"`` (ours; the paper tunes it per data set) is one over the
        standard deviation of the squared attribute distances on the edges around the
        seeds (see :func:`flow_diffusion`).
    label_eps : float, default=0.05
        Factor applied to edges not joining two nodes with noisy label 1 (the paper's
        small constant; 0.05 is our choice).
    sink : {"degree", "weighted_degree"}, default="degree"
        Sink capacity: the degree on the input graph (the paper's reference code) or on
        the reweighted graph. See :func:`flow_diffusion`.
    rounding : {"sweep", "support"}, default="sweep"
        Rounding of the diffusion scores into a cluster: the sweep cut of least
        conductance, or the whole support.
    tol : float, default=1e-6
        Relative tolerance on the mass left at each node.
    n_jobs : int, default=None
        Seed sets diffused in parallel (threads: the solver releases the GIL).

    Attributes
    ----------
    labels_ : ndarray of shape (n_nodes,)
        Cluster of each node: the id (value of ``y``) of the seed set whose cluster
        contains it, with the highest score when several do; 0 for no cluster.
    scores_ : scipy.sparse.csc_matrix of shape (n_nodes, n_seed_sets)
        Diffusion score (dual variable) of each touched node for each seed set.
    clusters_ : list of ndarray
        Node indices of each seed set's cluster.
    conductance_ : ndarray of shape (n_seed_sets,)
        Conductance ``cut(C) / vol(C)`` of each cluster on the diffusion graph.
    seed_sets_ : ndarray of shape (n_seed_sets,)
        The seed-set ids found in ``y``.
    n_touched_ : ndarray of shape (n_seed_sets,)
        Nodes whose rows each seed set's diffusion read (the rungs of the mass ladder
        of ``source_mass="auto"`` share one state, so this counts every rung's work).
    adjacency_ : scipy.sparse.csr_matrix of shape (n_nodes, n_nodes)
        The graph the diffusions ran on (before attribute or label reweighting).
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X`` when it has string column names.

    See Also
    --------
    flow_diffusion : The function that runs one diffusion.
    sklearn.cluster.SpectralClustering : Global clustering of the whole graph.

    Notes
    -----
    ``fit`` does the O(n) / O(nnz) work the input format forces once: validating (and,
    for ``affinity="nearest_neighbors"``, building) the graph, checking ``attributes``
    and ``noisy_labels``, and writing ``labels_`` (one entry per node). Each diffusion
    then runs with ``check_input=False``: its cost depends on the cluster it finds, not
    on the number of nodes (see :func:`flow_diffusion`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg.cluster import FlowDiffusion
    >>> from sklreg.datasets import make_contextual_sbm
    >>> A, X, target, _ = make_contextual_sbm(
    ...     n_nodes=500, cluster_size=40, p_in=0.5, p_out=0.01, random_state=0)
    >>> y = np.zeros(500, dtype=int)
    >>> y[target[0]] = 1
    >>> fd = FlowDiffusion(affinity="precomputed")  # target size unknown: mass ladder
    >>> labels = fd.fit_predict(A, y)
    >>> recovered = np.flatnonzero(labels == 1)
    >>> bool(np.isin(target, recovered).mean() > 0.9)
    True
    """

    _parameter_constraints: dict = {
        "affinity": [
            StrOptions({"nearest_neighbors", "precomputed", "precomputed_nearest_neighbors"})
        ],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "source_mass": [Interval(Real, 0, None, closed="neither"), None, StrOptions({"auto"})],
        "mass_factor": [Interval(Real, 0, None, closed="neither")],
        "p": [Interval(Real, 1, None, closed="neither")],
        "rho": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "label_eps": [Interval(Real, 0, 1, closed="right")],
        "sink": [StrOptions({"degree", "weighted_degree"})],
        "rounding": [StrOptions({"support", "sweep"})],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        affinity="nearest_neighbors",
        *,
        n_neighbors=10,
        source_mass="auto",
        mass_factor=2.0,
        p=2.0,
        rho="auto",
        label_eps=0.05,
        sink="degree",
        rounding="sweep",
        tol=1e-6,
        n_jobs=None,
    ):
        self.affinity = affinity
        self.n_neighbors = n_neighbors
        self.source_mass = source_mass
        self.mass_factor = mass_factor
        self.p = p
        self.rho = rho
        self.label_eps = label_eps
        self.sink = sink
        self.rounding = rounding
        self.tol = tol
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.sparse = True
        tags.input_tags.pairwise = self.affinity.startswith("precomputed")
        return tags

    def _graph(self, X):
        if self.affinity == "precomputed":
            return check_adjacency(X), None
        if self.affinity == "precomputed_nearest_neighbors":
            if X.shape[0] != X.shape[1]:
                raise ValueError(
                    "With affinity='precomputed_nearest_neighbors' X must be a "
                    f"square neighbours graph; got shape {X.shape}."
                )
            knn = sparse.csr_matrix(X, copy=True)
            knn.data[:] = 1.0
            A = knn.maximum(knn.T).tocsr()
            A.setdiag(0)
            A.eliminate_zeros()
            return check_adjacency(A), None
        n = X.shape[0]
        if n < 2:
            raise ValueError(f"FlowDiffusion needs at least 2 nodes; got {n} sample.")
        knn = kneighbors_graph(
            X, n_neighbors=min(self.n_neighbors, n - 1), mode="connectivity", include_self=False
        )
        return check_adjacency(knn.maximum(knn.T)), X

    @staticmethod
    def _seed_sets(y, n_nodes):
        type_of_target(y, input_name="y", raise_unknown=True)
        y = column_or_1d(y, warn=True)
        if y.shape[0] != n_nodes:
            raise ValueError(
                f"y has {y.shape[0]} entries but the graph has {n_nodes} "
                "nodes: y must mark the seed nodes, one entry per node."
            )
        if not np.all(np.isfinite(y)) or not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError(
                "y must hold integer seed-set ids: 0 for nodes that are not "
                "seeds and k >= 1 for the seeds of seed set k."
            )
        y = y.astype(np.int64)
        ids = np.unique(y[y > 0])
        if ids.size == 0:
            raise ValueError("y marks no seed: set y[i] = 1 for the seed node(s) i.")
        return y, ids

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, *, attributes=None, noisy_labels=None):
        """Diffuse from each seed set marked in ``y`` and round each diffusion.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_nodes, n_features) or (n_nodes, n_nodes)
            Feature table (``affinity="nearest_neighbors"``) or adjacency matrix
            (``affinity="precomputed"``).
        y : array-like of shape (n_nodes,)
            Seed-set id of each node: 0 for non-seeds, ``k >= 1`` for the seeds of seed
            set ``k``. One diffusion runs per distinct ``k``.
        attributes : array-like of shape (n_nodes, n_attributes), default=None
            Node attributes for the edge reweighting. Defaults to ``X`` when the graph is
            built from ``X``.
        noisy_labels : array-like of shape (n_nodes,), default=None
            Binary noisy labels (1 = believed in the target cluster) for the label-weighted
            graph.

        Returns
        -------
        self : FlowDiffusion
            The fitted estimator.
        """
        X = validate_data(self, X, accept_sparse="csr", dtype=np.float64, ensure_min_samples=1)
        adjacency, default_attributes = self._graph(X)
        n_nodes = adjacency.shape[0]
        y, ids = self._seed_sets(y, n_nodes)
        if attributes is None:
            attributes = default_attributes
        if attributes is not None:
            if sparse.issparse(attributes):
                attributes = attributes.toarray()
            attributes = np.require(
                _check_node_array(attributes, n_nodes, "attributes", ensure_2d=True),
                dtype=np.float64,
                requirements=["C", "W"],
            )
        if noisy_labels is not None:
            noisy_labels = _check_labels(noisy_labels, n_nodes)
        seed_lists = [np.flatnonzero(y == k) for k in ids]
        for seeds in seed_lists:
            _check_seeds(seeds, n_nodes, adjacency.indptr)
        graph_volume = float(adjacency.data.sum() - adjacency.diagonal().sum())
        results = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(flow_diffusion)(
                adjacency,
                seeds,
                source_mass=self.source_mass,
                mass_factor=self.mass_factor,
                p=self.p,
                attributes=attributes,
                rho=self.rho,
                noisy_labels=noisy_labels,
                label_eps=self.label_eps,
                sink=self.sink,
                rounding=self.rounding,
                tol=self.tol,
                check_input=False,
                graph_volume=graph_volume,
            )
            for seeds in seed_lists
        )
        self.adjacency_ = adjacency
        self.seed_sets_ = ids
        self.clusters_ = [r.cluster for r in results]
        self.conductance_ = np.array([r.conductance for r in results])
        self.n_touched_ = np.array([_n_touched(r) for r in results])
        self.scores_ = self._score_matrix(results, n_nodes)
        self.labels_ = self._assign_labels(results, ids, n_nodes)
        return self

    @staticmethod
    def _score_matrix(results, n_nodes):
        rows = np.concatenate([r.nodes for r in results])
        cols = np.concatenate([np.full(r.nodes.size, k) for k, r in enumerate(results)])
        vals = np.concatenate([r.scores for r in results])
        return sparse.csc_matrix((vals, (rows, cols)), shape=(n_nodes, len(results)))

    @staticmethod
    def _assign_labels(results, ids, n_nodes):
        labels = np.zeros(n_nodes, dtype=np.int64)
        best = np.zeros(n_nodes)
        for k, r in zip(ids, results):
            score = dict(zip(r.nodes.tolist(), r.scores.tolist()))
            cluster_scores = np.array([score[v] for v in r.cluster.tolist()])
            take = (labels[r.cluster] == 0) | (cluster_scores > best[r.cluster])
            labels[r.cluster[take]] = k
            best[r.cluster[take]] = cluster_scores[take]
        return labels

    def fit_predict(self, X, y, **fit_params):
        """Fit and return the cluster label of each node.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_nodes, n_features) or (n_nodes, n_nodes)
            As in :meth:`fit`.
        y : array-like of shape (n_nodes,)
            Seed-set ids, as in :meth:`fit`.
        **fit_params : dict
            ``attributes`` and ``noisy_labels``, as in :meth:`fit`.

        Returns
        -------
        labels : ndarray of shape (n_nodes,)
            ``labels_``: the seed-set id of each node's cluster, 0 for none.
        """
        return self.fit(X, y, **fit_params).labels_

    def cluster_of(self, seed_set=1):
        """Node indices of the cluster found from one seed set.

        Parameters
        ----------
        seed_set : int, default=1
            A seed-set id from ``y``.

        Returns
        -------
        nodes : ndarray of int
            The cluster, sorted by decreasing diffusion score.
        """
        check_is_fitted(self)
        where = np.flatnonzero(self.seed_sets_ == seed_set)
        if where.size == 0:
            raise ValueError(f"No seed set {seed_set}; fitted ids: {self.seed_sets_}.")
        return self.clusters_[where[0]]
