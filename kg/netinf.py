"""NetInf: infer a diffusion network from cascades (Gomez-Rodriguez, Leskovec & Krause 2010).

A *cascade* is one thing spreading (a program, a policy) and the times at which nodes (places,
states) took it up. NetInf looks for the directed network whose edges best explain the order of
adoption in all cascades together, as Desmarais, Harden & Boehmke (2015) do for US state
policies with R's NetworkInference package, whose model this module follows:

- each node in a cascade has one parent, among the nodes that adopted strictly earlier;
- a parent along an edge of the network costs ``log(beta * f(dt))``; with no network edge, the
  node is explained from outside at ``log(epsilon * f(dt))`` (the nearest earlier node, ``dt``
  the smallest delay), with ``f(dt) = lam * exp(-lam * dt)`` the exponential transmission model;
- edges are added greedily: the one that improves the summed log-likelihood of the best trees of
  all cascades the most, until ``n_edges`` edges are chosen, no edge improves the fit, or (with
  ``p_value_cutoff``) the Vuong test of the last addition is no longer significant.

Improvements are exact (each node picks its best parent independently, so the gain of an edge is
the sum over cascades of how much it beats the node's current parent) and are updated
incrementally with numpy: a few hundred nodes and cascades take well under a second.

>>> cascades = {"p1": {"A": 0, "B": 1, "C": 2}, "p2": {"A": 0, "B": 1}, "p3": {"A": 0, "C": 1}}
>>> [(e["source"], e["target"], round(e["improvement"], 2)) for e in netinf(cascades, lam=1.0)]
[('A', 'B', 40.06), ('A', 'C', 39.06), ('B', 'C', 1.0)]
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

BETA = 0.5  # weight of a transmission along a network edge (NetworkInference's value)
EPSILON = 1e-9  # weight of an infection from outside the network (NetworkInference's value)


def as_cascades(data):
    """Cascades as ``{cascade: {node: time}}`` from that mapping itself, from long-format rows
    (``(node, cascade, time)`` tuples or dicts with those keys, R NetworkInference's long format),
    or from ``{cascade: [(node, time), ...]}``. A node listed twice in a cascade keeps its
    earliest time; rows without a time are left out.

    >>> as_cascades([("A", "p", 2001), {"node": "B", "cascade": "p", "time": 2003}, ("A", "p", 1999)])
    {'p': {'A': 1999.0, 'B': 2003.0}}
    """
    out = defaultdict(dict)

    def add(cascade, node, time):
        if time is None or (isinstance(time, float) and math.isnan(time)) or time == "":
            return
        time = float(time)
        old = out[cascade].get(node)
        if old is None or time < old:
            out[cascade][node] = time

    if isinstance(data, dict):
        for cascade, members in data.items():
            items = members.items() if isinstance(members, dict) else members
            out[cascade]  # keep empty cascades: they count in the Vuong test
            for node, time in items:
                add(cascade, node, time)
        return dict(out)
    for row in data:
        if isinstance(row, dict):
            add(row["cascade"], row["node"], row.get("time"))
        else:
            node, cascade, time = row
            add(cascade, node, time)
    return dict(out)


def exponential_rate(cascades):
    """A default rate ``lam`` for the exponential model: one over the mean delay between each
    adoption and the adoption just before it in the same cascade (ties and first adopters aside).

    >>> exponential_rate({"p": {"A": 0, "B": 2, "C": 6}})
    0.3333333333333333
    """
    gaps = []
    for members in as_cascades(cascades).values():
        times = sorted(set(members.values()))
        gaps += [b - a for a, b in zip(times, times[1:])]
    mean = float(np.mean(gaps)) if gaps else 1.0
    return 1.0 / mean if mean > 0 else 1.0


def _log_f(dt, lam):
    return math.log(lam) - lam * dt


class _Problem:
    """Every (cascade, earlier node, later node) triple that can ever improve a tree, as numpy
    arrays indexed for the greedy loop: ``tri_slot`` (the later node's place in its cascade, in
    increasing order), ``tri_edge`` (index into ``edge_pairs``) and ``tri_w`` (log-weight along a
    network edge)."""

    def __init__(self, cascades, lam, beta, epsilon):
        self.cascade_ids = list(cascades)
        self.nodes = sorted({n for m in cascades.values() for n in m}, key=str)
        index = {n: i for i, n in enumerate(self.nodes)}
        n_nodes = self.n_nodes = len(self.nodes)
        log_tied = math.log(beta) + math.log(lam)
        log_free = math.log(epsilon) + math.log(lam)
        slot_cascade, slot_node, slot_score = [], [], []
        tri_slot, tri_pair, tri_w = [], [], []
        n_slots = 0
        for c, cid in enumerate(self.cascade_ids):
            members = sorted(cascades[cid].items(), key=lambda kv: (kv[1], str(kv[0])))
            if not members:
                continue
            ids = np.array([index[n] for n, _ in members], dtype=np.int64)
            times = np.array([t for _, t in members], dtype=float)
            # Best parent from outside the network: the nearest strictly earlier adopter.
            first = np.searchsorted(times, times, side="left")  # first node tied with each
            has_parent = first > 0
            scores = np.full(len(ids), np.nan)
            scores[has_parent] = log_free - lam * (times[has_parent] - times[first[has_parent] - 1])
            later, earlier = np.nonzero(times[:, None] > times[None, :])  # sorted by `later`
            w = log_tied - lam * (times[later] - times[earlier])
            keep = w > scores[later]  # scores only grow: other triples can never help
            later, earlier, w = later[keep], earlier[keep], w[keep]
            slot_cascade.append(np.full(len(ids), c, dtype=np.int64))
            slot_node.append(ids)
            slot_score.append(scores)
            tri_slot.append(n_slots + later)
            tri_pair.append(ids[earlier] * n_nodes + ids[later])
            tri_w.append(w)
            n_slots += len(ids)

        def cat(parts, dtype):
            return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)

        self.slot_cascade = cat(slot_cascade, np.int64)
        self.slot_node = cat(slot_node, np.int64)
        self.score = cat(slot_score, float)
        self.tri_slot = cat(tri_slot, np.int32 if n_slots < 2**31 - 1 else np.int64)
        self.tri_w = cat(tri_w, float)
        pair = cat(tri_pair, np.int64)
        del tri_pair
        if n_nodes * n_nodes <= 20_000_000:  # a dense lookup table beats sorting
            lookup = np.full(n_nodes * n_nodes, -1, dtype=np.int64)
            lookup[pair] = 0
            self.edge_pairs = np.flatnonzero(lookup == 0)
            lookup[self.edge_pairs] = np.arange(len(self.edge_pairs))
            self.tri_edge = lookup[pair]
        else:
            self.edge_pairs, self.tri_edge = np.unique(pair, return_inverse=True)
        if len(self.edge_pairs) < 2**31 - 1:
            self.tri_edge = self.tri_edge.astype(np.int32)
        del pair
        self.slot_ptr = np.searchsorted(self.tri_slot, np.arange(n_slots + 1))
        # Slots of each node, to find the triples of one edge u -> v among the slots of v.
        self.node_slots = np.argsort(self.slot_node, kind="stable")
        self.node_ptr = np.searchsorted(self.slot_node[self.node_slots], np.arange(n_nodes + 1))

    def contributions(self, tri):
        return np.maximum(0.0, self.tri_w[tri] - self.score[self.tri_slot[tri]])

    def slot_triples(self, slots):
        """Indices of the triples whose later node is one of ``slots``."""
        starts, ends = self.slot_ptr[slots], self.slot_ptr[slots + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return np.arange(total) + offsets

    def edge_triples(self, edge):
        """Indices of the triples of edge number ``edge``."""
        v = int(self.edge_pairs[edge] % self.n_nodes)
        tri = self.slot_triples(self.node_slots[self.node_ptr[v]:self.node_ptr[v + 1]])
        return tri[self.tri_edge[tri] == edge]

    def tree_scores(self):
        scores = np.where(np.isnan(self.score), 0.0, self.score)
        return np.bincount(self.slot_cascade, weights=scores, minlength=len(self.cascade_ids))


def _vuong_p(before, after):
    """NetworkInference's test of one more edge: per-cascade log-likelihoods after (penalised by
    1/n) against before; one-sided p-value from the normal approximation."""
    n = len(before)
    if n < 2:
        return float("nan")
    diff = (after - 1.0 / n) - before
    sd = float(np.std(diff, ddof=1))
    total = float(diff.sum())
    if sd == 0.0 or not math.isfinite(sd):
        return 0.0 if total > 0 else 1.0
    stat = total / (sd * math.sqrt(n))
    return 0.5 * math.erfc(stat / math.sqrt(2.0))


def netinf(cascades, n_edges=None, p_value_cutoff=None, lam=None, beta=BETA, epsilon=EPSILON):
    """Infer diffusion edges from ``cascades`` (see :func:`as_cascades` for the accepted forms).

    Returns the edges in the order they were chosen, as dicts ``source``, ``target``,
    ``improvement`` (gain in summed log-likelihood when the edge was added), ``p_value`` (Vuong
    test of that addition), ``n_cascades`` (cascades in which it became the parent) and
    ``cascades`` (their ids). Stops after ``n_edges`` edges, when no edge improves the fit, or
    before the first edge whose p-value reaches ``p_value_cutoff``. ``lam`` defaults to
    :func:`exponential_rate`. Ties in improvement go to the edge first in (source, target) order.

    >>> cascades = {1: {"a": 1, "b": 2}, 2: {"a": 1, "b": 3}, 3: {"b": 1, "c": 2}}
    >>> [(e["source"], e["target"], e["n_cascades"]) for e in netinf(cascades, lam=1.0)]
    [('a', 'b', 2), ('b', 'c', 1)]
    """
    cascades = as_cascades(cascades)
    if lam is None:
        lam = exponential_rate(cascades)
    if not lam > 0:
        raise ValueError("lam must be positive")
    prob = _Problem(cascades, lam, beta, epsilon)
    n_pairs = len(prob.edge_pairs)
    if n_pairs == 0:
        return []
    gains = np.bincount(prob.tri_edge, weights=prob.contributions(np.arange(len(prob.tri_w))),
                        minlength=n_pairs)
    chosen = np.zeros(n_pairs, dtype=bool)
    trees = prob.tree_scores()
    out = []
    limit = n_pairs if n_edges is None else min(int(n_edges), n_pairs)
    while len(out) < limit:
        masked = np.where(chosen, -np.inf, gains)
        best = int(np.argmax(masked))
        gain = float(masked[best])
        if not gain > 1e-12:
            break
        tri = prob.edge_triples(best)
        slots = prob.tri_slot[tri]
        better = prob.tri_w[tri] > prob.score[slots]
        slots, new_scores = slots[better], prob.tri_w[tri][better]
        after = trees + np.bincount(prob.slot_cascade[slots], weights=new_scores - prob.score[slots],
                                    minlength=len(trees))
        p_value = _vuong_p(trees, after)
        if p_value_cutoff is not None and not p_value < p_value_cutoff:
            break
        # Triples whose target slot changed parent: their edges' gains change.
        affected = prob.slot_triples(slots)
        old = prob.contributions(affected)
        prob.score[slots] = new_scores
        gains += np.bincount(prob.tri_edge[affected], weights=prob.contributions(affected) - old,
                             minlength=n_pairs)
        chosen[best] = True
        trees = after
        u, v = divmod(int(prob.edge_pairs[best]), prob.n_nodes)
        used = sorted({prob.cascade_ids[c] for c in prob.slot_cascade[slots]}, key=str)
        out.append({"source": prob.nodes[u], "target": prob.nodes[v], "improvement": gain,
                    "p_value": p_value, "n_cascades": len(used), "cascades": used})
    return out


def cascade_trees(cascades, edges, lam=None, beta=BETA, epsilon=EPSILON):
    """The most likely parent of every adopter in every cascade, given a network ``edges``
    (pairs, or dicts with ``source``/``target`` as :func:`netinf` returns): rows ``cascade``,
    ``parent``, ``child``, ``log_score`` and ``network`` (True when the parent is reached through
    a network edge, False when the adoption is explained from outside, ``parent`` then being the
    nearest earlier adopter). First adopters have no row.

    >>> rows = cascade_trees({"p": {"A": 0, "B": 1, "C": 3}}, [("A", "C")], lam=1.0)
    >>> [(r["parent"], r["child"], r["network"]) for r in rows]
    [('A', 'B', False), ('A', 'C', True)]
    """
    cascades = as_cascades(cascades)
    if lam is None:
        lam = exponential_rate(cascades)
    net = set()
    for e in edges:
        net.add((e["source"], e["target"]) if isinstance(e, dict) else tuple(e))
    rows = []
    for cid, members in cascades.items():
        ordered = sorted(members.items(), key=lambda kv: (kv[1], str(kv[0])))
        for v, tv in ordered:
            earlier = [(u, tu) for u, tu in ordered if tu < tv]
            if not earlier:
                continue
            best = None
            for u, tu in earlier:
                tied = (u, v) in net
                score = math.log(beta if tied else epsilon) + _log_f(tv - tu, lam)
                if best is None or score > best[1]:
                    best = (u, score, tied)
            rows.append({"cascade": cid, "parent": best[0], "child": v, "log_score": best[1], "network": best[2]})
    return rows


def simulate_cascades(edges, n_cascades, lam=1.0, horizon=None, seed=0, sources=None):
    """Cascades simulated on a known network (independent-cascade model, exponential delays).

    ``edges``: ``(u, v)`` pairs or ``(u, v, rate)`` triples (rate defaults to ``lam``). Each
    cascade starts at one random node (or one of ``sources``) at time 0; every infected ``u``
    infects each out-neighbour ``v`` after an exponential delay of rate ``rate``, and infections
    after ``horizon`` are not observed. Returns ``{cascade number: {node: time}}``.

    >>> c = simulate_cascades([("a", "b"), ("b", "c")], 3, seed=1, sources=["a"])
    >>> sorted(c[0]), c[0]["a"]
    (['a', 'b', 'c'], 0.0)
    """
    rng = np.random.default_rng(seed)
    out_edges = defaultdict(list)
    nodes = set()
    for e in edges:
        u, v = e[0], e[1]
        rate = e[2] if len(e) > 2 else lam
        out_edges[u].append((v, rate))
        nodes.update((u, v))
    nodes = sorted(nodes, key=str)
    pool = list(sources) if sources else nodes
    import heapq
    result = {}
    for c in range(n_cascades):
        start = pool[int(rng.integers(len(pool)))]
        times = {start: 0.0}
        heap = [(0.0, str(start), start)]
        done = set()
        while heap:
            t, _, u = heapq.heappop(heap)
            if u in done:
                continue
            done.add(u)
            for v, rate in out_edges[u]:
                tv = t + float(rng.exponential(1.0 / rate))
                if horizon is not None and tv > horizon:
                    continue
                if v not in times or tv < times[v]:
                    times[v] = tv
                    heapq.heappush(heap, (tv, str(v), v))
        result[c] = times
    return result


__all__ = ["netinf", "cascade_trees", "as_cascades", "exponential_rate", "simulate_cascades", "BETA", "EPSILON"]
