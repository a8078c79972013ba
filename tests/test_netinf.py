"""NetInf (kg.netinf): a case checked by hand, recovery of a known network, speed."""
import math
import time

import numpy as np
import pytest

from kg.netinf import BETA, EPSILON, as_cascades, cascade_trees, exponential_rate, netinf, simulate_cascades

# With lam = 1, an edge u -> v in a cascade where v's current parent comes from outside the network
# (the nearest earlier adopter, delay d0) and u adopted d earlier than v improves the tree by
#   log(BETA * f(d)) - log(EPSILON * f(d0)) = K - (d - d0),   K = log(BETA / EPSILON).
K = math.log(BETA / EPSILON)

HAND = {
    "c1": {"A": 0, "B": 1, "C": 2},
    "c2": {"A": 0, "B": 1},
    "c3": {"A": 0, "C": 2},
    "c4": {"B": 0, "C": 1},
    "c5": {"A": 0, "B": 3},
}


def _vuong(gains_per_cascade):
    """NetworkInference's test, from the per-cascade improvements written out by hand."""
    n = len(gains_per_cascade)
    diff = [g - 1 / n for g in gains_per_cascade]
    mean = sum(diff) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in diff) / (n - 1))
    return 0.5 * math.erfc(sum(diff) / (sd * math.sqrt(n)) / math.sqrt(2))


def test_hand_checked_case():
    # Possible edges: A->B (c1, c2, c5), A->C (c1, c3), B->C (c1, c4).
    # Step 1: A->B gains K in c1, c2 and c5 (A is B's nearest earlier adopter each time)  = 3K.
    #         A->C would gain (K - 1) in c1 (A is 2 before C, B only 1) + K in c3        = 2K - 1.
    #         B->C gains K in c1 and c4                                                  = 2K.
    # Step 2: B->C (2K) beats A->C (2K - 1); C's parent in c1 is now B at log(BETA f(1)).
    # Step 3: A->C gains nothing in c1 any more (log BETA f(2) < log BETA f(1)), K in c3  = K.
    edges = netinf(HAND, lam=1.0)
    assert [(e["source"], e["target"]) for e in edges] == [("A", "B"), ("B", "C"), ("A", "C")]
    assert [e["improvement"] for e in edges] == pytest.approx([3 * K, 2 * K, K], rel=1e-12)
    assert [e["cascades"] for e in edges] == [["c1", "c2", "c5"], ["c1", "c4"], ["c3"]]
    # Per-cascade improvements in the order c1..c5, then the Vuong p-values worked out from them.
    expected_p = [_vuong([K, K, 0, 0, K]), _vuong([K, 0, 0, K, 0]), _vuong([0, 0, K, 0, 0])]
    assert [e["p_value"] for e in edges] == pytest.approx(expected_p, rel=1e-9)
    assert expected_p[0] < 0.01 < 0.05 < expected_p[1] < 0.1 < expected_p[2]


def test_hand_checked_stopping_rules():
    assert [(e["source"], e["target"]) for e in netinf(HAND, lam=1.0, p_value_cutoff=0.05)] == [("A", "B")]
    assert len(netinf(HAND, lam=1.0, p_value_cutoff=0.1)) == 2
    assert len(netinf(HAND, lam=1.0, n_edges=1)) == 1
    # A cascade with one adopter has no possible edge; ties cannot infect each other.
    assert netinf({"x": {"A": 1}, "y": {"B": 2, "C": 2}}, lam=1.0) == []


def test_hand_checked_trees():
    rows = cascade_trees(HAND, [("A", "B"), ("B", "C")], lam=1.0)
    parents = {(r["cascade"], r["child"]): (r["parent"], r["network"]) for r in rows}
    assert parents[("c1", "B")] == ("A", True)
    assert parents[("c1", "C")] == ("B", True)
    assert parents[("c3", "C")] == ("A", False)  # explained from outside: A->C is not in the network
    tree = {(r["cascade"], r["child"]): r["log_score"] for r in rows}
    assert tree[("c1", "C")] == pytest.approx(math.log(BETA) - 1)
    assert tree[("c3", "C")] == pytest.approx(math.log(EPSILON) - 2)


def test_long_format_and_rate():
    rows = [{"node": "A", "cascade": "p", "time": 2019}, {"node": "B", "cascade": "p", "time": 2021},
            {"node": "C", "cascade": "p", "time": None}, ("A", "q", 2020), ("C", "q", 2020), ("B", "q", 2023)]
    assert as_cascades(rows) == {"p": {"A": 2019.0, "B": 2021.0}, "q": {"A": 2020.0, "C": 2020.0, "B": 2023.0}}
    assert exponential_rate(rows) == pytest.approx(1 / 2.5)  # gaps 2 and 3
    edges = netinf(rows, lam=0.5)
    assert {(e["source"], e["target"]) for e in edges} <= {("A", "B"), ("C", "B")}


def _random_network(n_nodes, n_edges, seed):
    rng = np.random.default_rng(seed)
    edges = set()
    while len(edges) < n_edges:
        u, v = (int(x) for x in rng.integers(n_nodes, size=2))
        if u != v:
            edges.add((u, v))
    return sorted(edges)


def test_recovers_known_network():
    truth = _random_network(60, 120, seed=11)
    cascades = simulate_cascades(truth, 600, lam=1.0, horizon=3.0, seed=5)
    assert np.mean([len(c) for c in cascades.values()]) > 5
    inferred = netinf(cascades, n_edges=len(truth), lam=1.0)
    found = {(e["source"], e["target"]) for e in inferred}
    recall = len(found & set(truth)) / len(truth)
    assert recall >= 0.8, recall
    # The edges chosen first are the best supported: most of them are true.
    top = {(e["source"], e["target"]) for e in inferred[:60]}
    assert len(top & set(truth)) >= 48
    # Improvements come out in non-increasing order (greedy on a submodular objective).
    gains = [e["improvement"] for e in inferred]
    assert all(a >= b - 1e-9 for a, b in zip(gains, gains[1:]))


def test_runs_in_seconds_on_hundreds_of_nodes():
    truth = _random_network(300, 600, seed=3)
    cascades = simulate_cascades(truth, 1500, lam=1.0, horizon=3.0, seed=4)
    start = time.perf_counter()
    inferred = netinf(cascades, n_edges=600, lam=1.0)
    elapsed = time.perf_counter() - start
    assert elapsed < 10, elapsed
    recall = len({(e["source"], e["target"]) for e in inferred} & set(truth)) / len(truth)
    assert recall >= 0.8
