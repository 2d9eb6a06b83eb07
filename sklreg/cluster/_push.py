"""Compiled inner loops of flow diffusion: a local push on CSR arrays (numba).

Everything here reads only the rows of the nodes the diffusion touches, and allocates
nothing whose size depends on the graph: touched nodes get consecutive *local* indices
through an open-addressing hash table (global id -> local index), their state (score,
mass, weighted degree, flags) lives in growable arrays indexed by local index, and the
weights of each touched node's row, computed once on first touch, are stored in a growable
edge buffer together with the local indices of the row's neighbours (filled the first time
the node pushes). Every buffer starts small and doubles when full, so one call costs
O(touched nodes + edges of their rows), whatever the number of nodes of the graph.
"""

import numpy as np
from numba import njit

__all__ = ["local_push", "edge_weight"]

# status codes returned by local_push
OK, MAX_PUSH, INFEASIBLE, ZERO_DEGREE_SEED = 0, 1, 2, 3
_IN_QUEUE, _EXPANDED, _WEIGHED = np.int8(1), np.int8(2), np.int8(4)
_MAX_EXPONENT = 12.0 * np.log(10.0)


@njit(cache=True, nogil=True)
def edge_weight(base, i, j, attributes, rho, labels, label_eps):
    """Weight of edge (i, j): base weight x attribute kernel x label factor."""
    w = base
    if attributes.shape[0] > 0 and rho > 0.0:
        dist2 = 0.0
        for t in range(attributes.shape[1]):
            diff = attributes[i, t] - attributes[j, t]
            dist2 += diff * diff
        # a kernel factor below 1e-12 carries no flow that a tolerance of 1e-6 can
        # see: the edge is dropped, so that the graph the diffusion sees (and the
        # connected components that bound how much mass it can hold) is well defined
        # instead of joined by underflowing weights
        if rho * dist2 > _MAX_EXPONENT:
            return 0.0
        w *= np.exp(-rho * dist2)
    if labels.shape[0] > 0 and not (labels[i] == 1 and labels[j] == 1):
        w *= label_eps
    return w


@njit(cache=True, nogil=True)
def _slot(key, mask):
    """First probe position of ``key`` (multiplicative hash, high bits folded in)."""
    h = key * 2654435761
    h ^= h >> 16
    return h & mask


@njit(cache=True, nogil=True)
def _lookup(v, table, node):
    """Local index of global node ``v``, or -1 when it was never touched."""
    mask = table.shape[0] - 1
    s = _slot(v, mask)
    while True:
        li = table[s]
        if li < 0:
            return -1
        if node[li] == v:
            return li
        s = (s + 1) & mask


@njit(cache=True, nogil=True)
def _grow(a, size):
    out = np.empty(size, dtype=a.dtype)
    out[: a.shape[0]] = a
    return out


@njit(cache=True, nogil=True)
def _rehash(table, node, n_loc):
    table = np.full(2 * table.shape[0], -1, dtype=np.int64)
    mask = table.shape[0] - 1
    for li in range(n_loc):
        s = _slot(node[li], mask)
        while table[s] >= 0:
            s = (s + 1) & mask
        table[s] = li
    return table


@njit(cache=True, nogil=True)
def _weigh_row(v, indptr, indices, data, attributes, rho, labels, label_eps, wbuf, lo):
    """Weights of node ``v``'s row into ``wbuf[lo:]``; returns their sum (its degree)."""
    total = 0.0
    for k in range(indptr[v + 1] - indptr[v]):
        u = indices[indptr[v] + k]
        w = 0.0
        if u != v:  # self-loops do not enter the Laplacian: they carry no flow
            w = edge_weight(data[indptr[v] + k], v, u, attributes, rho, labels, label_eps)
        wbuf[lo + k] = w
        total += w
    return total


@njit(cache=True, nogil=True)
def _insert(
    v,
    indptr,
    indices,
    data,
    attributes,
    rho,
    labels,
    label_eps,
    weighted_sink,
    table,
    node,
    start,
    flags,
    x,
    mass,
    deg,
    sink,
    n_loc,
    wbuf,
    lnbr,
    n_edge,
):
    """Give node ``v`` (not yet touched) a local index and its sink capacity.

    ``deg`` is the weighted degree on the diffusion graph (the push denominator) and
    ``sink`` the capacity: the same with ``weighted_sink``, else the degree on the input
    graph (the papers' reference code keeps the input-graph degree as sink capacity).
    With attribute or label weights and ``sink="degree"`` the row is weighed only when
    ``v`` first pushes (``_expand``): most touched nodes only receive mass, and weighing
    a row reads the attributes of every neighbour, scattered rows of a large array.
    """
    if n_loc == node.shape[0]:
        size = 2 * node.shape[0]
        node, start, flags = _grow(node, size), _grow(start, size), _grow(flags, size)
        x, mass, deg = _grow(x, size), _grow(mass, size), _grow(deg, size)
        sink = _grow(sink, size)
    if 2 * (n_loc + 1) > table.shape[0]:
        table = _rehash(table, node, n_loc)
    row_len = indptr[v + 1] - indptr[v]
    if n_edge + row_len > wbuf.shape[0]:
        size = max(2 * wbuf.shape[0], n_edge + row_len)
        wbuf, lnbr = _grow(wbuf, size), _grow(lnbr, size)
    li = n_loc
    mask = table.shape[0] - 1
    s = _slot(v, mask)
    while table[s] >= 0:
        s = (s + 1) & mask
    table[s] = li
    node[li] = v
    start[li] = n_edge
    flags[li] = 0
    x[li] = 0.0
    mass[li] = 0.0
    base_total = 0.0
    for k in range(row_len):
        # self-loops do not enter the Laplacian: they carry no flow
        if indices[indptr[v] + k] != v:
            base_total += data[indptr[v] + k]
    sink[li] = base_total
    deg[li] = 0.0
    if weighted_sink or (attributes.shape[0] == 0 and labels.shape[0] == 0):
        # the capacity needs the weights (or they are the input weights): weigh now
        deg[li] = _weigh_row(v, indptr, indices, data, attributes, rho, labels,
                             label_eps, wbuf, n_edge)  # fmt: skip
        flags[li] = _WEIGHED
        if weighted_sink:
            sink[li] = deg[li]
    return (table, node, start, flags, x, mass, deg, sink, n_loc + 1, wbuf, lnbr, n_edge + row_len)


@njit(cache=True, nogil=True)
def _phi(t, q):
    """Derivative of |t|^q / q: sign(t) |t|^(q - 1)."""
    if t >= 0.0:
        return t ** (q - 1.0)
    return -((-t) ** (q - 1.0))


@njit(cache=True, nogil=True)
def _outflow_change(v, delta, x, lo, hi, lnbr, wbuf, q):
    """Extra flow leaving v when x[v] rises by delta (the others fixed)."""
    total = 0.0
    for e in range(lo, hi):
        u = lnbr[e]
        total += wbuf[e] * (_phi(x[v] + delta - x[u], q) - _phi(x[v] - x[u], q))
    return total


@njit(cache=True, nogil=True)
def _line_search(v, excess, x, lo, hi_e, lnbr, wbuf, q, degree):
    """Smallest delta >= 0 whose extra outflow equals the excess (bisection, q != 2)."""
    hi = max(excess / max(degree, 1e-300), 1e-12)
    while _outflow_change(v, hi, x, lo, hi_e, lnbr, wbuf, q) < excess:
        hi *= 2.0
    low = 0.0
    for _ in range(100):
        mid = 0.5 * (low + hi)
        if _outflow_change(v, mid, x, lo, hi_e, lnbr, wbuf, q) < excess:
            low = mid
        else:
            hi = mid
        if hi - low <= 1e-12 * hi:
            break
    return 0.5 * (low + hi)


@njit(cache=True, nogil=True)
def _enqueue(li, queue, head, tail):
    """Append local node ``li`` to the FIFO ``queue[head:tail]`` (compacts or grows)."""
    if tail == queue.shape[0]:
        live = tail - head
        if head > queue.shape[0] // 2:
            queue[:live] = queue[head:tail]
        else:
            grown = np.empty(2 * queue.shape[0], dtype=np.int64)
            grown[:live] = queue[head:tail]
            queue = grown
        head = 0
        tail = live
    queue[tail] = li
    return queue, head, tail + 1


@njit(cache=True, nogil=True)
def _expand(
    v, indptr, indices, data, attributes, rho, labels, label_eps, weighted_sink, table,
    node, start, flags, x, mass, deg, sink, n_loc, wbuf, lnbr, n_edge,
):  # fmt: skip
    """Touch the neighbours of local node ``v`` and record their local indices."""
    gv = node[v]
    if not (flags[v] & _WEIGHED):
        deg[v] = _weigh_row(gv, indptr, indices, data, attributes, rho, labels,
                            label_eps, wbuf, start[v])  # fmt: skip
        flags[v] |= _WEIGHED
    for k in range(indptr[gv + 1] - indptr[gv]):
        if wbuf[start[v] + k] == 0.0:
            lnbr[start[v] + k] = v  # no flow along this edge: leave its end untouched
            continue
        u = indices[indptr[gv] + k]
        lu = _lookup(u, table, node)
        if lu < 0:
            lu = n_loc
            (table, node, start, flags, x, mass, deg, sink, n_loc, wbuf, lnbr, n_edge) = (
                _insert(
                    u, indptr, indices, data, attributes, rho, labels, label_eps,
                    weighted_sink, table, node, start, flags, x, mass, deg, sink, n_loc,
                    wbuf, lnbr, n_edge,
                )
            )  # fmt: skip
        lnbr[start[v] + k] = lu
    flags[v] |= _EXPANDED
    return table, node, start, flags, x, mass, deg, sink, n_loc, wbuf, lnbr, n_edge


@njit(cache=True, nogil=True)
def _sweep_cut(n_loc, x, node, start, lnbr, wbuf, deg, sink, indptr, sweep):
    """Round ``x``: its support sorted by decreasing score, cut at the least conductance.

    Returns ``(order, length, cut, vol, capacity)``: ``order`` holds local indices, the
    cluster is ``order[:length]`` with weighted cut ``cut``, volume ``vol`` (on the
    diffusion graph) and total sink capacity ``capacity``. With ``sweep`` False the
    cluster is the whole support.
    """
    xs = x[:n_loc]
    support = np.flatnonzero(xs > 0.0)
    order = support[np.argsort(-xs[support], kind="mergesort")]
    rank = np.zeros(n_loc, dtype=np.int64)  # 1 + position in order, 0 when absent
    cut = 0.0
    vol = 0.0
    best_len = order.shape[0]
    best_cond = np.inf
    best_cut = 0.0
    best_vol = 0.0
    for pos in range(order.shape[0]):
        v = order[pos]
        rank[v] = pos + 1
        inner = 0.0
        lo = start[v]
        for e in range(lo, lo + indptr[node[v] + 1] - indptr[node[v]]):
            u = lnbr[e]
            if rank[u] > 0 and u != v:
                inner += wbuf[e]
        vol += deg[v]
        cut += deg[v] - 2.0 * inner
        if sweep:
            cond = cut / vol if vol > 0.0 else np.inf
            if cond < best_cond:
                best_cond = cond
                best_len = pos + 1
                best_cut = cut
                best_vol = vol
    if not sweep:
        best_cut = cut
        best_vol = vol
    capacity = 0.0
    for pos in range(best_len):
        capacity += sink[order[pos]]
    return order, best_len, best_cut, best_vol, capacity


@njit(cache=True, nogil=True)
def _snapshot(n_loc, node, x, mass, sink, order):
    """Copies of a rung's local state (nodes, potentials, masses, sinks, sweep order)."""
    nodes = node[:n_loc].copy()
    return nodes, x[:n_loc].copy(), mass[:n_loc].copy(), sink[:n_loc].copy(), nodes[order]


@njit(cache=True, nogil=True)
def local_push(
    indptr,
    indices,
    data,
    seeds,
    seed_mass,
    mass_factor,
    attributes,
    rho,
    labels,
    label_eps,
    q,
    tol,
    max_push,
    sweep,
    weighted_sink,
    ladder,
):
    """Solve the dual of p-norm flow diffusion by coordinate pushes, then round.

    ``seed_mass <= 0`` asks for a local mass: ``mass_factor`` x the volume of the seeds'
    closed neighbourhood, shared among the seeds, lowered to half the volume of the seeds'
    connected component if the diffusion finds that component to be smaller than that.

    ``ladder = (n_rungs, ratio, push_growth, mass_cap, min_gain, ladder_tol)`` runs
    up to ``n_rungs`` diffusions at masses growing by ``ratio`` (``n_rungs = 1``:
    one diffusion at ``tol``), each *warm-started* from the state of the one before (see
    below) and solved to the coarse tolerance ``max(tol, ladder_tol)``; the converged
    rung whose sweep cut has the least conductance is kept, and finally *polished*: its
    state is restored and pushed on to ``tol`` (again a warm start), so the returned
    solution is the optimum at its mass to ``tol``. The ladder stops after a rung that
    did not converge within ``push_growth`` x the pushes of the rung before; whose
    conductance is not below the best so far, or whose cluster holds less capacity than
    the previous rung's; whose conductance fell by less than the fraction ``min_gain``
    once an earlier rung had fallen by more (a plateau after the drop: the cluster is
    found, more mass only spreads around it); or once the total mass reaches
    ``mass_cap`` (the rung that would pass it is run at exactly ``mass_cap``; the first
    rung is not capped). All
    rules but ``mass_cap`` are local; ``mass_cap`` (half the graph's volume, when the
    caller knows it) only binds on graphs a few times larger than the cluster.

    Why coarse rungs: the pushes a diffusion needs grow with ``log(1 / tol)`` (each
    decade of tolerance costs about as many pushes as the last, measured on the
    benchmark's graphs), not with the mass added, so a warm start from half the mass
    saves little at ``tol = 1e-6``; solved to 1e-2 the rungs give nearly the same sweep
    cuts (conductance within about 1%, at most 13%, on the benchmark's graphs) at a
    fraction of the pushes, and only the kept rung pays for the last decades.

    Warm start. For p-norm flow diffusion write the mass left at node ``i`` as
    ``m_i(x) = Delta_i - sum_j w_ij phi(x_i - x_j)`` with ``phi(t) = sign(t) |t|^(q-1)``
    increasing; ``m_i`` decreases in ``x_i`` and increases in every other ``x_j``. The
    dual optimum ``x*(Delta)`` is the least element of the feasible set
    ``F(Delta) = {x >= 0 : m(x) <= T}``: (a) a push raises ``x_i`` to the value at which
    ``m_i = T_i``, and if ``x <= y`` for some ``y`` in ``F(Delta)`` then the pushed value
    is at most ``y_i`` (at ``x_i = y_i`` the others are ``<= y_j``, so
    ``m_i <= m_i(y) <= T_i``): started at ``x = 0`` the iterates stay below every
    feasible ``y``; (b) they only increase, and end with ``m <= T (1 + tol)`` and
    ``m_i >= T_i`` where ``x_i > 0`` (a pushed node sits at ``T_i`` and then only
    receives mass), the optimality conditions: the limit is ``x*``, and ``x* <= y``.
    Now let ``Delta' >= Delta``. Then ``m'(x) = m(x) + Delta' - Delta``, so
    ``x*(Delta')`` is in ``F(Delta)`` (``m(x*(Delta')) <= m'(x*(Delta')) <= T``) and
    by (a) ``x*(Delta) <= x*(Delta')``: the previous rung's solution (exact or stopped at
    ``tol``, both are pushed iterates from 0) lies below the new optimum, and adding
    ``Delta' - Delta`` to the seeds' mass gives exactly ``m'`` at it. The argument (a)-(b)
    holds from any start below ``x*(Delta')``, so pushing on from the previous state
    converges to the new optimum: each rung costs only the mass it adds, and the whole
    ladder about one diffusion at its largest mass. The same argument makes the kept
    rung's state (stopped at the coarse tolerance, a pushed iterate from 0) a valid start
    for its polish at ``tol``. (A mass *lowered* to fit a small component is no valid
    start from a larger one: that rung restarts from 0.)

    The sink capacity of a node is its weighted degree on the diffusion graph when
    ``weighted_sink``, else its degree on the input graph.

    Returns ``(nodes, x, mass, capacity, n_pushes, cluster_len, order, cut, vol,
    seed_mass, status, component_volume, rung_masses, rung_conductances, rung_touched,
    rung_status)``: the arrays up to ``order`` are the kept rung's, restricted to the
    nodes touched by then; ``order`` lists the support sorted by decreasing ``x`` and the
    cluster is ``order[:cluster_len]`` with cut weight ``cut`` and volume ``vol``.
    ``status`` is ``OK``, ``MAX_PUSH``, ``INFEASIBLE`` (the source mass exceeds the
    volume of the seeds' component, ``component_volume``) or ``ZERO_DEGREE_SEED``. The
    ``rung_*`` arrays describe every rung run, at the ladder's tolerance
    (``rung_touched``: nodes touched by the end of the rung, cumulative).
    """
    n_rungs = int(ladder[0])
    ratio, push_growth, mass_cap = ladder[1], ladder[2], ladder[3]
    min_gain, ladder_tol = ladder[4], ladder[5]
    cap = 256
    table = np.full(2 * cap, -1, dtype=np.int64)
    node = np.empty(cap, dtype=np.int64)
    start = np.empty(cap, dtype=np.int64)
    flags = np.empty(cap, dtype=np.int8)
    x = np.empty(cap)
    mass = np.empty(cap)
    deg = np.empty(cap)
    sink = np.empty(cap)
    wbuf = np.empty(16 * cap)
    lnbr = np.empty(16 * cap, dtype=np.int64)
    n_loc = 0
    n_edge = 0
    n_seeds = seeds.shape[0]
    local_seeds = np.empty(n_seeds, dtype=np.int64)
    rung_masses = np.zeros(n_rungs)
    rung_conds = np.zeros(n_rungs)
    rung_touched = np.zeros(n_rungs, dtype=np.int64)
    rung_status = np.zeros(n_rungs, dtype=np.int64)
    empty = np.empty(0, dtype=np.int64)
    for t in range(n_seeds):
        li = _lookup(seeds[t], table, node)
        if li < 0:
            li = n_loc
            (table, node, start, flags, x, mass, deg, sink, n_loc, wbuf, lnbr, n_edge) = _insert(
                seeds[t], indptr, indices, data, attributes, rho, labels, label_eps,
                weighted_sink, table, node, start, flags, x, mass, deg, sink, n_loc, wbuf,
                lnbr, n_edge,
            )  # fmt: skip
        local_seeds[t] = li
        if not (flags[li] & _WEIGHED):
            deg[li] = _weigh_row(seeds[t], indptr, indices, data, attributes, rho,
                                 labels, label_eps, wbuf, start[li])  # fmt: skip
            flags[li] |= _WEIGHED
        if deg[li] <= 0.0 or sink[li] <= 0.0:
            return (
                empty, np.empty(0), np.empty(0), np.empty(0), 0, 0, empty, 0.0, 0.0,
                seed_mass, ZERO_DEGREE_SEED, 0.0, rung_masses[:0], rung_conds[:0],
                rung_touched[:0], rung_status[:0],
            )  # fmt: skip

    n_expanded = 0
    auto_mass = seed_mass <= 0.0
    component_volume = np.inf
    closed = False
    queue = np.empty(256, dtype=np.int64)
    head = 0
    tail = 0
    n_pushes = 0
    last_growth = 0
    placed = 0.0  # mass per seed present in ``mass``
    # the kept rung
    b_nodes, b_x, b_mass, b_sink, b_order = empty, np.empty(0), np.empty(0), np.empty(0), empty
    b_len, b_cut, b_vol, b_seed_mass, b_status = 0, 0.0, 0.0, seed_mass, OK
    b_cond, have_best = np.inf, False
    prev_capacity = 0.0
    prev_pushes = 0
    dropped = False
    n_done = 0
    rung = 0
    polish = False
    while True:
        budget = max_push
        cur_tol = tol if polish or n_rungs == 1 else max(tol, ladder_tol)
        if polish:
            # back to the kept rung's state, a pushed iterate from 0 at its mass and so
            # below its optimum (see above): pushing on at ``tol`` converges to it
            n_kept = b_x.shape[0]
            head = 0
            tail = 0
            for li in range(n_loc):
                x[li] = b_x[li] if li < n_kept else 0.0
                mass[li] = b_mass[li] if li < n_kept else 0.0
                flags[li] &= ~_IN_QUEUE
            seed_mass = b_seed_mass
            placed = seed_mass
            for li in range(n_loc):
                if mass[li] > sink[li] * (1.0 + tol):
                    flags[li] |= _IN_QUEUE
                    queue, head, tail = _enqueue(li, queue, head, tail)
        elif rung > 0:
            limit = mass_cap
            if auto_mass and closed:
                limit = min(limit, 0.5 * component_volume)
            target = seed_mass * ratio
            if target * n_seeds > limit:
                target = limit / n_seeds
            if target <= seed_mass * (1.0 + 1e-9):
                # the mass cannot grow any more: the ladder ends
                if cur_tol > tol and b_status == OK:
                    polish = True
                    continue
                break
            seed_mass = target
            budget = min(max_push, int(push_growth * max(prev_pushes, 1000)))
        rung_pushes = 0
        status = OK
        lowered = False
        restart = True
        while restart:
            restart = False
            if seed_mass <= 0.0:
                # expand the seeds first: their closed neighbourhood's volume sets the mass
                for li in local_seeds:
                    if not (flags[li] & _IN_QUEUE):
                        flags[li] |= _IN_QUEUE
                        queue, head, tail = _enqueue(li, queue, head, tail)
            else:
                # warm start: add the extra source mass; x is below the new optimum
                for li in local_seeds:
                    mass[li] += seed_mass - placed
                placed = seed_mass
                for li in local_seeds:
                    if not (flags[li] & _IN_QUEUE) and mass[li] > sink[li] * (1.0 + cur_tol):
                        flags[li] |= _IN_QUEUE
                        queue, head, tail = _enqueue(li, queue, head, tail)
            while head < tail:
                v = queue[head]
                head += 1
                flags[v] &= ~_IN_QUEUE
                if not (flags[v] & _EXPANDED):
                    # first push from v: touch its neighbours, record their local indices
                    before = n_loc
                    (table, node, start, flags, x, mass, deg, sink, n_loc, wbuf, lnbr,
                     n_edge) = _expand(
                        v, indptr, indices, data, attributes, rho, labels, label_eps,
                        weighted_sink, table, node, start, flags, x, mass, deg, sink,
                        n_loc, wbuf, lnbr, n_edge,
                    )  # fmt: skip
                    n_expanded += 1
                    if n_loc > before:
                        last_growth = n_pushes
                if seed_mass <= 0.0:
                    if head < tail:
                        continue  # expand every seed before measuring the local volume
                    local_volume = 0.0
                    for li in range(n_loc):
                        local_volume += sink[li]
                    seed_mass = mass_factor * local_volume / n_seeds
                    restart = True  # nothing pushed yet: place the mass and go
                    break
                excess = mass[v] - sink[v]
                if excess <= sink[v] * cur_tol:
                    continue
                if rung_pushes >= budget:
                    status = MAX_PUSH
                    break
                rung_pushes += 1
                n_pushes += 1
                lo = start[v]
                hi = lo + indptr[node[v] + 1] - indptr[node[v]]
                if q == 2.0:
                    delta = excess / deg[v]
                    x[v] += delta
                    mass[v] = sink[v]
                    for e in range(lo, hi):
                        mass[lnbr[e]] += wbuf[e] * delta
                else:
                    delta = _line_search(v, excess, x, lo, hi, lnbr, wbuf, q, deg[v])
                    for e in range(lo, hi):
                        u = lnbr[e]
                        flow = wbuf[e] * (_phi(x[v] + delta - x[u], q) - _phi(x[v] - x[u], q))
                        mass[u] += flow
                        mass[v] -= flow
                    x[v] += delta
                for e in range(lo, hi):
                    u = lnbr[e]
                    if not (flags[u] & _IN_QUEUE) and mass[u] > sink[u] * (1.0 + cur_tol):
                        flags[u] |= _IN_QUEUE
                        queue, head, tail = _enqueue(u, queue, head, tail)
                if not (flags[v] & _IN_QUEUE) and mass[v] > sink[v] * (1.0 + cur_tol):
                    flags[v] |= _IN_QUEUE
                    queue, head, tail = _enqueue(v, queue, head, tail)
                if not closed and n_expanded < n_loc and n_pushes - last_growth > 10 * n_loc + 100:
                    # many pushes and no new node: if the touched nodes cannot hold the
                    # mass, it must reach new nodes, so expanding the touched set now is
                    # work the diffusion has to do anyway; it ends the run on a closed
                    # component
                    touched_capacity = 0.0
                    for li in range(n_loc):
                        touched_capacity += sink[li]
                    last_growth = n_pushes
                    if seed_mass * n_seeds > touched_capacity * (1.0 + cur_tol):
                        for li in range(n_loc):
                            if not (flags[li] & _EXPANDED):
                                (table, node, start, flags, x, mass, deg, sink, n_loc, wbuf,
                                 lnbr, n_edge) = _expand(
                                    li, indptr, indices, data, attributes, rho, labels,
                                    label_eps, weighted_sink, table, node, start, flags, x,
                                    mass, deg, sink, n_loc, wbuf, lnbr, n_edge,
                                )  # fmt: skip
                                n_expanded += 1
                if not closed and n_expanded == n_loc:
                    # every touched node has read its row: the touched set is a union of
                    # connected components, so its volume bounds the mass it can hold
                    closed = True
                    component_volume = 0.0
                    for li in range(n_loc):
                        component_volume += sink[li]
                    total = seed_mass * n_seeds
                    if auto_mass and total > 0.5 * component_volume:
                        # a lower mass: the current state is no valid start, restart at 0
                        seed_mass = 0.5 * component_volume / n_seeds
                        lowered = True
                        restart = True
                        break
                    if total > component_volume * (1.0 + cur_tol):
                        status = INFEASIBLE
                        break
            if restart and seed_mass > 0.0:
                head = 0
                tail = 0
                placed = 0.0
                for li in range(n_loc):
                    x[li] = 0.0
                    mass[li] = 0.0
                    flags[li] &= ~_IN_QUEUE
        if status != OK:
            # leave the queue empty for nothing: the ladder stops after this rung
            head = 0
            tail = 0
        order, length, cut, vol, capacity = _sweep_cut(
            n_loc, x, node, start, lnbr, wbuf, deg, sink, indptr, sweep
        )
        cond = cut / vol if vol > 0.0 else 1.0
        if polish:
            b_nodes, b_x, b_mass, b_sink, b_order = _snapshot(n_loc, node, x, mass, sink, order)
            b_len, b_cut, b_vol, b_seed_mass, b_status = length, cut, vol, seed_mass, status
            break
        rung_masses[n_done] = seed_mass
        rung_conds[n_done] = cond
        rung_touched[n_done] = n_loc
        rung_status[n_done] = status
        n_done += 1
        # keep a converged rung of least conductance (any rung when none converged)
        improved = not have_best or (status == OK and (b_status != OK or cond < b_cond))
        gain_before = b_cond
        if improved:
            have_best = True
            b_nodes, b_x, b_mass, b_sink, b_order = _snapshot(n_loc, node, x, mass, sink, order)
            b_len, b_cut, b_vol, b_seed_mass, b_status = length, cut, vol, seed_mass, status
            b_cond = cond
        stop = status != OK or lowered or rung + 1 == n_rungs
        if rung > 0:
            if cond >= gain_before or capacity < prev_capacity:
                stop = True
            elif cond > gain_before * (1.0 - min_gain):
                stop = stop or dropped  # a plateau after the drop: the cluster is found
            else:
                dropped = True
        if stop:
            if cur_tol > tol and b_status == OK:
                polish = True
                continue
            break
        prev_capacity = capacity
        prev_pushes = rung_pushes
        rung += 1

    return (
        b_nodes, b_x, b_mass, b_sink, n_pushes, b_len, b_order, b_cut, b_vol, b_seed_mass,
        b_status, component_volume, rung_masses[:n_done], rung_conds[:n_done],
        rung_touched[:n_done], rung_status[:n_done],
    )  # fmt: skip
