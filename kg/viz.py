"""Render: the graph as one self-contained, offline HTML page (pyvis's network model and its bundled
vis-network script, kg's own template and viewer script: no CDN, no request of any kind).

- Positions are computed here (``layout``), so the browser only draws: physics is off, and a graph
  of 5,000 entities is on screen in a second or two. Above ``MAX_SHOWN`` entities the page shows
  the ``MAX_SHOWN`` most connected ones by default and says so; search, the program filter and
  "show all" reach the others.
- Document text is untrusted: the page receives every string as JSON data inside
  ``<script type="application/json">`` (with ``<``, ``>`` and ``&`` escaped) and the viewer script
  puts it on screen with ``textContent`` only (vis-network draws labels on a canvas). A
  Content-Security-Policy lets only the page's two inline scripts (by hash) run and forbids every
  request, a second line of defence.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("place:1", type="Place", name="<b>崖州区</b>", aliases=[], mentions=1, docs=["a.txt"], evidence=[])
>>> g.add_node("program:p", type="Program", name="博士村长", aliases=[], mentions=2, docs=["a.txt"], evidence=[])
>>> g.add_edge("place:1", "program:p", key="adopts", type="adopts", docs=["a.txt"], weight=1, year=2022, evidence=[])
'adopts'
>>> html = render_html(g, title="t")
>>> "<b>崖州区" in html, "\\\\u003cb\\\\u003e崖州区" in html
(False, True)
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .export import Format
from .graph import STRUCTURE_EDGES, STRUCTURE_NODES, relation_edges
from .io import atomic_write

TEMPLATES = Path(__file__).resolve().parent / "templates"

TYPES = ["Place", "Organization", "Program", "Person", "Industry"]
TYPE_LABELS = {"Place": "地点", "Organization": "组织", "Program": "模式", "Person": "人物", "Industry": "产业"}
COLORS = {"Place": "#4e79a7", "Organization": "#f28e2b", "Program": "#e15759", "Person": "#59a14f",
          "Industry": "#b07aa1", "Document": "#bab0ac"}
SHAPES = {"Place": "dot", "Organization": "square", "Program": "star", "Person": "triangle",
          "Industry": "diamond"}
RELATIONS = ["located_in", "holds_role", "affiliated_with", "adopts", "establishes", "partners_with",
             "focuses_on", "evolves_into", "spreads_to"]
RELATION_LABELS = {"located_in": "位于", "holds_role": "任职", "affiliated_with": "隶属", "adopts": "采用",
                   "establishes": "建立", "partners_with": "合作", "focuses_on": "聚焦产业",
                   "evolves_into": "演变为", "spreads_to": "扩散到"}
RELATION_COLORS = {"located_in": "#9aa5b1", "holds_role": "#59a14f", "affiliated_with": "#f1ce63",
                   "adopts": "#e15759", "establishes": "#f28e2b", "partners_with": "#17becf",
                   "focuses_on": "#b07aa1", "evolves_into": "#8c564b", "spreads_to": "#d62728"}

MAX_SHOWN = 5000      # entities drawn by default; above it the most connected ones are shown
MAX_IN_PAGE = 20000   # entities carried in the page at all (larger corpora: see graph.json)
PHYSICS_MAX = 300     # physics is offered (off by default) up to this many entities
MAX_EVIDENCE = 8      # distinct evidence sentences per node or edge carried into the page
LABEL_CHARS = 12      # longer names are shortened on the canvas (the panel shows them in full)
UNIT = 90.0           # pixels per layout unit (the ideal edge length of the force layout)


# ---------------------------------------------------------------------------------------------
# layout: PivotMDS start, Fruchterman-Reingold with exact near-field and FFT far-field repulsion

def _csr(n, src, dst):
    """Undirected adjacency in CSR form (indptr, indices) from index pairs."""
    a = np.concatenate([src, dst])
    b = np.concatenate([dst, src])
    order = np.argsort(a, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, a + 1, 1)
    return np.cumsum(indptr), b[order]


def _bfs(indptr, indices, start, n):
    dist = np.full(n, -1, dtype=np.int64)
    dist[start] = 0
    frontier = np.array([start])
    level = 0
    while frontier.size:
        level += 1
        counts = indptr[frontier + 1] - indptr[frontier]
        total = int(counts.sum())
        if not total:
            break
        offs = np.repeat(indptr[frontier] - np.cumsum(counts) + counts, counts) + np.arange(total)
        nb = np.unique(indices[offs])
        nb = nb[dist[nb] < 0]
        dist[nb] = level
        frontier = nb
    return dist


def _pivot_mds(n, src, dst, pivots=40, seed=0):
    """Classical MDS on graph distances to a few far-apart pivots (Brandes & Pich 2006)."""
    indptr, indices = _csr(n, src, dst)
    rng = np.random.default_rng(seed)
    k = min(pivots, n)
    D = np.empty((n, k))
    nearest = np.full(n, np.inf)
    p = int(rng.integers(n))
    for i in range(k):
        d = _bfs(indptr, indices, p, n).astype(float)
        d[d < 0] = d.max() + 1
        D[:, i] = d
        nearest = np.minimum(nearest, d)
        p = int(np.argmax(nearest))
    D2 = D ** 2
    C = -0.5 * (D2 - D2.mean(axis=0) - D2.mean(axis=1)[:, None] + D2.mean())
    # the top two left singular vectors of C, scaled: C V from the k x k eigenproblem of C^T C
    w, V = np.linalg.eigh(C.T @ C)
    P = C @ V[:, np.argsort(w)[::-1][:2]]
    if P.shape[1] < 2:
        P = np.hstack([P, np.zeros((n, 2 - P.shape[1]))])
    return P


def _sum_by(idx, vals, n):
    return np.stack([np.bincount(idx, weights=vals[:, 0], minlength=n),
                     np.bincount(idx, weights=vals[:, 1], minlength=n)], axis=1)


def _spread_crowds(P, rng):
    """Nodes stacked on one spot (leaves of a hub) get spread over a disc of matching area."""
    _, inv, counts = np.unique(np.floor(P).astype(np.int64), axis=0, return_inverse=True, return_counts=True)
    c = counts[inv.ravel()]
    crowded = c > 2
    m = int(crowded.sum())
    if m:
        r = np.sqrt(c[crowded]) * 0.7 * np.sqrt(rng.random(m))
        a = rng.random(m) * 2 * np.pi
        P[crowded] += np.stack([r * np.cos(a), r * np.sin(a)], axis=1)
    return P


def _far_field(P, G, near, mass=None):
    """FR repulsion sum_j (x - x_j)/|x - x_j|^2 over pairs farther apart than ``near``, on a G x G mesh."""
    lo = P.min(axis=0)
    h = max(float(np.ptp(P, axis=0).max()), 1e-6) / (G - 1)
    ij = np.minimum(((P - lo) / h).astype(np.int64), G - 1)
    rho = np.bincount(ij[:, 0] * G + ij[:, 1], weights=mass, minlength=G * G).reshape(G, G).astype(float)
    off = np.arange(2 * G)
    off = np.where(off < G, off, off - 2 * G) * h
    dx, dy = np.meshgrid(off, off, indexing="ij")
    r2 = dx * dx + dy * dy
    w = np.zeros_like(r2)
    far = r2 >= near * near
    w[far] = 1.0 / r2[far]
    rho_f = np.fft.rfft2(rho, s=(2 * G, 2 * G))
    fx = np.fft.irfft2(rho_f * np.fft.rfft2(dx * w), s=(2 * G, 2 * G))[:G, :G]
    fy = np.fft.irfft2(rho_f * np.fft.rfft2(dy * w), s=(2 * G, 2 * G))[:G, :G]
    return np.stack([fx[ij[:, 0], ij[:, 1]], fy[ij[:, 0], ij[:, 1]]], axis=1)


def _near_field(P, R, rng, radius):
    """Exact FR repulsion between pairs closer than R (grid cells of side R, every pair once)."""
    n = len(P)
    disp = np.zeros_like(P)
    cell = np.floor(P / R).astype(np.int64)
    cell -= cell.min(axis=0)
    M = int(cell[:, 1].max()) + 3
    key = cell[:, 0] * M + cell[:, 1] + 1
    order = np.argsort(key, kind="stable")
    ukeys, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
    for dx, dy in ((0, 0), (1, -1), (1, 0), (1, 1), (0, 1)):
        nkey = key + dx * M + dy
        pos = np.minimum(np.searchsorted(ukeys, nkey), len(ukeys) - 1)
        ii0 = np.nonzero(ukeys[pos] == nkey)[0]
        c, s = counts[pos[ii0]], starts[pos[ii0]]
        total = int(c.sum())
        if not total:
            continue
        ii = np.repeat(ii0, c)
        jj = order[np.repeat(s - np.cumsum(c) + c, c) + np.arange(total)]
        if dx == 0 and dy == 0:
            keep = ii < jj
            ii, jj = ii[keep], jj[keep]
        delta = P[ii] - P[jj]
        d2 = (delta ** 2).sum(axis=1)
        keep = d2 < R * R
        ii, jj, delta, d2 = ii[keep], jj[keep], delta[keep], d2[keep]
        zero = d2 < 1e-9
        if zero.any():
            delta[zero] = rng.normal(size=(int(zero.sum()), 2)) * 1e-3
            d2[zero] = (delta[zero] ** 2).sum(axis=1)
        d = np.sqrt(d2)
        gap = np.maximum(d - radius[ii] - radius[jj], 0.05)
        f = delta / (gap * d)[:, None]
        disp += _sum_by(ii, f, n) - _sum_by(jj, f, n)
    return disp


def _force_layout(P, src, dst, iters, rng, radius=None, mass=None):
    """Fruchterman-Reingold (ideal gap 1 between nodes) from positions ``P``. Nodes may be discs of
    ``radius`` (a hub with its ring of leaves): forces act on the gap between discs. Exact
    repulsion for up to 400 nodes; above, exact near field plus a far field on an FFT mesh in which
    each node weighs ``mass`` (O(n) per iteration)."""
    n = len(P)
    P = P.copy()
    radius = np.zeros(n) if radius is None else radius
    t = max(float(np.ptp(P, axis=0).max()) * 0.1, 3.0)
    cool = (0.05 / t) ** (1.0 / iters)
    re = radius[src] + radius[dst]
    for _ in range(iters):
        if n <= 400:
            delta = P[:, None, :] - P[None, :, :]
            d = np.sqrt((delta ** 2).sum(-1))
            gap = np.maximum(d - radius[:, None] - radius[None, :], 0.05)
            np.fill_diagonal(d, 1.0)
            f = 1.0 / (gap * np.maximum(d, 1e-6))
            np.fill_diagonal(f, 0.0)
            disp = (delta * f[:, :, None]).sum(1)
        else:
            cut = 2.5
            disp = _far_field(P, 128, cut, mass) + _near_field(P, cut, rng, radius)
        delta = P[src] - P[dst]
        d = np.sqrt((delta ** 2).sum(axis=1)) + 1e-9
        gap = np.maximum(d - re, 0.0)
        f = delta * (gap * gap / d)[:, None]
        disp += _sum_by(dst, f, n) - _sum_by(src, f, n)
        ln = np.sqrt((disp ** 2).sum(axis=1)) + 1e-9
        P += disp * (np.minimum(ln, t) / ln)[:, None]
        t *= cool
    return P


GOLDEN = math.pi * (3 - math.sqrt(5))


def _component_layout(n, src, dst, rng):
    """A connected component: leaves (degree 1) go on a sunflower disc around their neighbour; the
    rest (the core) is laid out by PivotMDS and force-directed placement, each core node a disc
    big enough for its leaves."""
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        return np.array([[0.0, 0.0], [1.5, 0.0]])
    deg = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    leaf = deg == 1
    parent = np.full(n, -1)
    parent[src[leaf[src]]] = dst[leaf[src]]
    parent[dst[leaf[dst]]] = src[leaf[dst]]
    core = np.nonzero(~leaf)[0]
    cidx = np.full(n, -1)
    cidx[core] = np.arange(len(core))
    nleaves = np.bincount(cidx[parent[leaf]], minlength=len(core))
    radius = np.where(nleaves > 0, np.sqrt(0.8 + nleaves * 0.55 / math.pi) + 0.3, 0.0)
    keep = ~leaf[src] & ~leaf[dst]
    cs, cd = cidx[src[keep]], cidx[dst[keep]]
    m = len(core)
    if m == 1:
        Q = np.zeros((1, 2))
    else:
        Q = _pivot_mds(m, cs, cd, seed=int(rng.integers(1 << 30)))
        ext = np.ptp(Q, axis=0)
        area = float(((radius + 0.5) ** 2).sum() * 4)
        Q *= math.sqrt(area / max(float(ext[0] * ext[1]), 1e-6)) if min(ext) > 1e-6 else 1.0
        Q += rng.normal(size=Q.shape) * 0.05
        Q = _spread_crowds(Q, rng)
        Q = _force_layout(Q, cs, cd, 60 if m <= 2000 else 40 if m <= 8000 else 30, rng, radius=radius,
                          mass=1.0 + nleaves)
    P = np.zeros((n, 2))
    P[core] = Q
    # sunflower discs of leaves, area-preserving from radius 0.9 outwards, spacing about 0.55
    order = np.nonzero(leaf)[0]
    order = order[np.argsort(parent[order], kind="stable")]
    if len(order):
        par = parent[order]
        first = np.searchsorted(par, par)
        k = np.arange(len(order)) - first
        r = np.sqrt(0.8 + (k + 0.5) * 0.55 / math.pi)
        a = k * GOLDEN
        P[order] = P[par] + np.stack([r * np.cos(a), r * np.sin(a)], axis=1)
    return P


def _place_beside(known, pairs):
    """Positions (pixels) from ``known`` (a position or None per node); a node without one goes on
    a small circle around its first placed neighbour, else in a row under the drawing."""
    pos = np.array([p if p is not None else (np.nan, np.nan) for p in known], dtype=np.float64).reshape(-1, 2)
    missing = np.isnan(pos[:, 0])
    neighbours = defaultdict(list)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    for a, b in pairs[missing[pairs[:, 0]] | missing[pairs[:, 1]]].tolist():
        neighbours[a].append(b)
        neighbours[b].append(a)
    placed_near = Counter()
    unplaced = []
    for i in np.nonzero(missing)[0].tolist():
        anchor = next((j for j in neighbours[i] if not missing[j]), None)
        if anchor is None:
            unplaced.append(i)
            continue
        placed_near[anchor] += 1
        k = placed_near[anchor]
        pos[i] = pos[anchor] + UNIT * 0.8 * math.sqrt(k) * np.array([math.cos(k * GOLDEN), math.sin(k * GOLDEN)])
    if unplaced:
        bottom = np.nanmax(pos[:, 1]) if (~missing).any() else 0.0
        left = np.nanmin(pos[:, 0]) if (~missing).any() else 0.0
        for k, i in enumerate(unplaced):
            pos[i] = (left + (k % 40) * 1.6 * UNIT, bottom + (2 + k // 40) * UNIT)
    return pos


def layout(n, pairs, order_key=None, seed=1):
    """Positions (n x 2, layout units) for nodes 0..n-1 joined by undirected index ``pairs``.

    Each connected component is laid out on its own (PivotMDS, then force-directed), components
    are packed in rows, largest first, and unconnected nodes go in a grid underneath, grouped and
    ordered by ``order_key(i)``.
    """
    import networkx as nx  # imported here: a rebuild keeps its layout and never needs it
    rng = np.random.default_rng(seed)
    pos = np.zeros((n, 2))
    h = nx.Graph()
    h.add_nodes_from(range(n))
    h.add_edges_from(pairs)
    comps = sorted((sorted(c) for c in nx.connected_components(h)), key=lambda c: (-len(c), c[0]))
    singles = [c[0] for c in comps if len(c) == 1]
    boxes = []
    for comp in (c for c in comps if len(c) > 1):
        idx = {v: i for i, v in enumerate(comp)}
        e = np.array([(idx[u], idx[v]) for u, v in h.subgraph(comp).edges()], dtype=np.int64)
        P = _component_layout(len(comp), e[:, 0], e[:, 1], rng)
        P -= P.min(axis=0)
        boxes.append((comp, P, P.max(axis=0) + 2.0))
    # shelf packing, rows about as wide as the whole drawing is tall
    area = sum(float(b[2][0] * b[2][1]) for b in boxes) + 2.0 * len(singles)
    width = max([math.sqrt(area) * 1.2] + [float(b[2][0]) for b in boxes[:1]])
    x = y = row_h = 0.0
    for comp, P, (w, hgt) in boxes:
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h, 0.0
        pos[comp] = P + [x, y]
        x += w
        row_h = max(row_h, hgt)
    y += row_h + 1.0
    if singles:
        singles.sort(key=order_key or (lambda i: i))
        cols = max(1, int(width / 1.6))
        group = None
        col = 0
        for i in singles:
            g = order_key(i)[0] if order_key else None
            if col >= cols or (g != group and col > 0):
                col, y = 0, y + 0.9 + (0.6 if g != group else 0)
            group = g
            pos[i] = (col * 1.6, y)
            col += 1
    return pos


# ---------------------------------------------------------------------------------------------
# page data

def _vis_assets():
    # pyvis ships vis-network; importing pyvis itself would import IPython (a third of a second)
    lib = Path(importlib.util.find_spec("pyvis").submodule_search_locations[0]) / "lib" / "vis-9.1.2"
    return (lib / "vis-network.min.js").read_text(encoding="utf-8"), (lib / "vis-network.css").read_text(encoding="utf-8")


def _inline_script(text):
    """Script text that cannot end its <script> element early."""
    if "<!--" in text:
        raise ValueError("inlined script contains '<!--'")
    return text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def safe_json(data):
    """JSON that can sit inside a ``<script>`` element whatever the strings contain.

    >>> safe_json({"s": "</script><b>&"})
    '{"s":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    return (json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _short(name):
    name = str(name)
    return name if len(name) <= LABEL_CHARS else name[:LABEL_CHARS - 1] + "…"


def _text_key(text):
    """A short key of a sentence or document name, the same in every build (pieces of a page are
    made separately and joined: they cannot number the texts they share)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def _evidence(items, texts, extra):
    """Distinct (doc, sentence) evidence, at most MAX_EVIDENCE, as [doc key, sentence key, terms,
    extra]; ``texts`` = (docs, sentences) collects key → text."""
    out = {}
    distinct = set()
    for ev in items or []:
        key = (str(ev.get("doc", "")), str(ev.get("sentence", "")))
        distinct.add(key)
        if key not in out:
            if len(out) >= MAX_EVIDENCE:
                continue
            doc, sentence = _text_key(key[0]), _text_key(key[1])
            texts[0][doc], texts[1][sentence] = key
            out[key] = [doc, sentence, [], extra(ev)]
        text = ev.get("text")
        if text and text not in out[key][2]:
            out[key][2].append(str(text))
    return list(out.values()), len(distinct)


@dataclass
class Piece:
    """What the page needs of one entity or relation: ``row`` (name, type, ... for the node and
    edge tables), ``detail`` (the evidence panel's JSON text, script-safe) and ``texts`` (the
    documents and the sentences the detail refers to, each as ``key \\x1f JSON string`` items
    joined by ``\\x1e``, which JSON text never holds: a page joins them without parsing them)."""
    row: dict
    detail: str
    texts: tuple


def _texts(found):
    """The texts a piece refers to, as members of a JSON object (``"key":text``) joined by \\x1e."""
    return tuple("\x1e".join(f'"{k}":{safe_json(text)}' for k, text in table.items()) for table in found)


def node_row(n, d):
    """What the page's node table takes of entity ``n`` (attributes ``d``)."""
    return {"id": n, "name": str(d.get("name", n)), "type": d.get("type"), "mentions": d.get("mentions") or 0,
            "aliases": [str(a) for a in d.get("aliases") or [] if a],
            "family": d.get("family") if d.get("type") == "Program" else None}


def edge_row(u, v, k, d):
    """What the page's edge table takes of relation ``(u, v, k)``."""
    return {"from": u, "to": v, "type": d.get("type", k), "year": d.get("year"), "weight": d.get("weight", 1),
            "program": d.get("program")}


def node_piece(n, d):
    texts = ({}, {})
    ev, total = _evidence(d.get("evidence"), texts, lambda ev: ev.get("start"))
    attrs = {k: v for k, v in d.items() if k not in ("evidence", "type", "name") and v not in (None, "", [])}
    row = node_row(n, d)
    return Piece(row, safe_json({"id": n, "name": row["name"], "attrs": attrs, "ev": ev, "ev_total": total}),
                 _texts(texts))


def edge_piece(u, v, k, d):
    texts = ({}, {})
    ev, total = _evidence(d.get("evidence"), texts, lambda ev: [ev.get("start"), ev.get("end"), ev.get("rule")])
    attrs = {key: val for key, val in d.items() if key not in ("evidence", "type") and val not in (None, "", [])}
    return Piece(edge_row(u, v, k, d), safe_json({"attrs": attrs, "ev": ev, "ev_total": total}), _texts(texts))


class PagePieces(Format):
    """The page's piece of every entity and relation without its row (kept apart, column by
    column: :class:`PageTable`), one line each: detail and texts separated by tabs, which JSON
    text never holds. Kept beside the outputs so that a rebuild makes the page from them
    (:mod:`kg.incremental`)."""
    filename = "kg.page-pieces"

    def parts(self, graph_attrs, node_types, edge_types):
        return "", "", ""

    def node(self, n, values):
        d = values.attrs
        return None if d.get("type") in STRUCTURE_NODES else _line(node_piece(n, d))

    def edge(self, u, v, k, values, name_of):
        d = values.attrs
        return None if d.get("type", k) in STRUCTURE_EDGES else _line(edge_piece(u, v, k, d))


def _line(piece):
    return "\t".join((piece.detail,) + piece.texts) + "\n"


@dataclass
class PageTable:
    """What a page shows, column by column: its entities (``ids`` ... ``families``; a family only for
    programs), its relations between them (``src``, ``dst``: entity indices), the evidence panel's
    JSON texts of the entities and of the relations, comma-joined (``details``, ``edge_details``),
    and the texts those refer to (``texts``: the documents' and the sentences' ``"key":text``
    members, \\x1e-joined, each key perhaps more than once), all UTF-8 bytes."""
    ids: list
    names: list
    types: list
    mentions: list
    aliases: list
    families: list
    src: list
    dst: list
    relation_types: list
    years: list
    weights: list
    programs: list
    details: bytes
    edge_details: bytes
    texts: tuple

    @classmethod
    def of(cls, nodes, edges):
        """The table of entity and relation :class:`Piece` s (``edges`` between ``nodes``)."""
        index = {p.row["id"]: i for i, p in enumerate(nodes)}
        rows, links = [p.row for p in nodes], [p.row for p in edges]
        return cls(ids=[r["id"] for r in rows], names=[r["name"] for r in rows], types=[r["type"] for r in rows],
                   mentions=[r["mentions"] for r in rows], aliases=[r["aliases"] for r in rows],
                   families=[r["family"] for r in rows], src=[index[r["from"]] for r in links],
                   dst=[index[r["to"]] for r in links], relation_types=[r["type"] for r in links],
                   years=[r["year"] for r in links], weights=[r["weight"] for r in links],
                   programs=[r["program"] for r in links], details=",".join(p.detail for p in nodes).encode("utf-8"),
                   edge_details=",".join(p.detail for p in edges).encode("utf-8"),
                   texts=tuple("\x1e".join(p.texts[i] for p in nodes + edges if p.texts[i]).encode("utf-8")
                               for i in (0, 1)))


def _text_table(joined):
    """The JSON object of the texts that pieces refer to (``"key":text`` members, \\x1e-joined,
    bytes): each key once (a key is a hash of its text)."""
    return b"{" + b",".join(dict.fromkeys(joined.split(b"\x1e"))) + b"}" if joined else b"{}"


def _positions(table, seed=1, positions=None):
    """Positions (n x 2, pixels) of the table's entities, from ``layout``, or from ``positions``
    (node → (x, y) in pixels, a previous page's) when they cover nine nodes in ten: the rest are
    put beside a placed neighbour, so that a rebuild keeps the picture a reader knows."""
    n = len(table.ids)
    src, dst = np.asarray(table.src, dtype=np.int64), np.asarray(table.dst, dtype=np.int64)
    pairs = np.unique(np.stack([np.minimum(src, dst), np.maximum(src, dst)], axis=1).reshape(-1, 2), axis=0)
    type_rank = {t: i for i, t in enumerate(TYPES)}

    def order_key(i):
        return type_rank.get(table.types[i], len(TYPES)), -table.mentions[i], table.names[i]

    known = [positions.get(x) for x in table.ids] if positions else []
    if n and sum(p is not None for p in known) >= 0.9 * n:
        pos = _place_beside(known, pairs) / UNIT
    else:
        pos = layout(n, [tuple(p) for p in pairs.tolist()], order_key=order_key, seed=seed)
    return [(round(float(x) * UNIT, 1), round(float(y) * UNIT, 1)) for x, y in pos.reshape(-1, 2).tolist()]


def graph_pieces(g):
    """The pieces of ``g``'s entities and of its relations between them."""
    nodes = [node_piece(n, d) for n, d in g.nodes(data=True) if d.get("type") not in STRUCTURE_NODES]
    ids = {p.row["id"] for p in nodes}
    edges = [edge_piece(u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True)
             if d.get("type", k) not in STRUCTURE_EDGES and u in ids and v in ids]
    return nodes, edges


def page_data(g, title="kg graph", seed=1, positions=None):
    """Everything the page for ``g`` needs, as JSON-ready dicts: ``meta``, ``nodes``, ``edges``,
    ``details`` (``positions``: see :func:`_positions`)."""
    data = _page(PageTable.of(*graph_pieces(g)), title, seed=seed, positions=positions)
    data["details"] = json.loads(data.pop("details_json"))
    return data


def _page(table, title, seed=1, positions=None):
    """The page's data from a :class:`PageTable`; the evidence panel's as JSON text (``details_json``,
    bytes)."""
    xy = _positions(table, seed=seed, positions=positions)
    n_nodes = len(table.ids)
    src, dst = np.asarray(table.src, dtype=np.int64), np.asarray(table.dst, dtype=np.int64)
    degree = (np.bincount(src, minlength=n_nodes) + np.bincount(dst, minlength=n_nodes)).astype(np.float64)
    score = degree + 0.25 * np.asarray(table.mentions, dtype=np.float64).reshape(-1)
    limited = n_nodes > MAX_SHOWN
    top = np.zeros(n_nodes, dtype=np.int64)
    top[np.lexsort((np.arange(n_nodes), -score))[:MAX_SHOWN]] = 1
    types = TYPES + sorted({t for t in table.types if t not in TYPES}, key=str)
    type_index = {t: i for i, t in enumerate(types)}
    rel_types = RELATIONS + sorted(set(table.relation_types) - set(RELATIONS))
    rel_index = {r: i for i, r in enumerate(rel_types)}

    # programs for the spread filter, with how many adoptions and spreads mention them
    by_name = {}
    for i in (i for i, t in enumerate(table.types) if t == "Program"):
        for name in [table.names[i]] + table.aliases[i]:
            by_name.setdefault(name, i)
    programs = defaultdict(int)
    for rel, to, program in zip(table.relation_types, table.dst, table.programs):
        if rel == "adopts":
            programs[to] += 1
        elif rel == "spreads_to" and str(program) in by_name:
            programs[by_name[str(program)]] += 1
    strings = {}

    def s(x):
        return strings.setdefault(str(x), len(strings)) if x not in (None, "") else -1

    search = [[name] + aliases for name, aliases in zip(table.names, table.aliases)]
    nodes = {"label": [_short(name) for name in table.names], "type": [type_index[t] for t in table.types],
             "x": [x for x, _ in xy], "y": [y for _, y in xy],
             "value": [round(math.sqrt(1 + v), 2) for v in score.tolist()], "top": top.tolist(), "search": search,
             "family": [s(f) if t == "Program" else -1 for t, f in zip(table.types, table.families)]}
    pair = np.minimum(src, dst) * max(1, n_nodes) + np.maximum(src, dst)
    order = np.argsort(pair, kind="stable")
    first = np.searchsorted(pair[order], pair[order])
    parallel = np.empty(len(pair), dtype=np.int64)
    parallel[order] = np.arange(len(pair)) - first
    edges = {"from": src.tolist(), "to": dst.tolist(), "rel": [rel_index[r] for r in table.relation_types],
             "year": [y if isinstance(y, int) else None for y in table.years],
             "value": list(table.weights), "program": [s(p) for p in table.programs], "parallel": parallel.tolist()}

    details_json = b"".join([b'{"nodes":[', table.details, b'],"edges":[', table.edge_details, b'],"docs":',
                             _text_table(table.texts[0]), b',"sentences":', _text_table(table.texts[1]), b"}"])

    years = [y for y in edges["year"] if y is not None]
    counts = Counter(nodes["type"])
    rel_counts = Counter(edges["rel"])
    meta = {
        "title": str(title),
        "types": [{"name": t, "label": TYPE_LABELS.get(t, t), "color": COLORS.get(t, "#999999"),
                   "shape": SHAPES.get(t, "hexagon"), "count": counts.get(i, 0)} for i, t in enumerate(types)],
        "relations": [{"name": r, "label": RELATION_LABELS.get(r, r), "color": RELATION_COLORS.get(r, "#999999"),
                       "count": rel_counts.get(i, 0)} for i, r in enumerate(rel_types)],
        "programs": [[i, c] for i, c in sorted(programs.items(), key=lambda kv: (-kv[1], search[kv[0]][0]))],
        "years": [min(years), max(years)] if years else None,
        "total": n_nodes, "shown": min(n_nodes, MAX_SHOWN), "limited": limited,
        "physics": n_nodes <= PHYSICS_MAX, "max_evidence": MAX_EVIDENCE,
        "strings": [k for k, _ in sorted(strings.items(), key=lambda kv: kv[1])],
    }
    placed = dict(zip(table.ids, xy))
    return {"meta": meta, "nodes": nodes, "edges": edges, "details_json": details_json, "placed": placed}


def page_graph(g, limit=None):
    """The part of ``g`` a page carries: every entity up to ``limit`` (MAX_IN_PAGE), else the
    ``limit`` most connected ones. Returns (graph, number of entities in ``g``)."""
    limit = limit or MAX_IN_PAGE
    ids = [n for n, d in g.nodes(data=True) if d.get("type") not in STRUCTURE_NODES]
    if len(ids) <= limit:
        return g, len(ids)
    degree = Counter()
    for u, v, _, _ in relation_edges(g):
        degree[u] += 1
        degree[v] += 1
    keep = sorted(ids, key=lambda n: (-(degree[n] + 0.25 * (g.nodes[n].get("mentions") or 0)), str(n)))[:limit]
    return g.subgraph(keep), len(ids)


def render_html(g, title="kg graph"):
    """The viewer page for graph ``g`` as one HTML string (no external resource). Above
    MAX_IN_PAGE entities the page carries the most connected ones and its title says so; the full
    graph is in graph.json."""
    page, total = page_graph(g)
    return render_page(PageTable.of(*graph_pieces(page)), title, total)[0].decode("utf-8")


def render_page(table, title="kg graph", total=None, positions=None):
    """``(html, positions)`` of the page of a :class:`PageTable` (what :func:`page_graph` keeps, out
    of ``total`` entities), the page as UTF-8 bytes; ``positions``: see :func:`_positions`. The
    positions returned (node → (x, y) pixels) are the page's, for the next build."""
    if total is not None and len(table.ids) < total:
        title = f"{title} — {len(table.ids):,} / {total:,} entities in this page (all in graph.json)"
    data = _page(table, title, positions=positions)
    vis_js, vis_css = _vis_assets()
    vis_js = _inline_script(vis_js)
    viewer_js = _inline_script((TEMPLATES / "viewer.js").read_text(encoding="utf-8"))
    # Content-Security-Policy: only these two inline scripts may run (no inline event handler, no
    # request anywhere), a second line of defence behind the JSON/textContent discipline
    hashes = " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
                      for js in (vis_js, viewer_js))
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    html = env.get_template("graph.html").render(
        title=title, vis_js=vis_js, vis_css=vis_css, viewer_js=viewer_js, script_hashes=hashes,
        viewer_css=(TEMPLATES / "viewer.css").read_text(encoding="utf-8"),
        meta_json=safe_json(data["meta"]), nodes_json=safe_json(data["nodes"]),
        edges_json=safe_json(data["edges"]), details_json=_DETAILS)
    before, after = html.split(_DETAILS)  # the details are bytes already: most of the page
    return b"".join([before.encode("utf-8"), data["details_json"], after.encode("utf-8")]), data["placed"]


_DETAILS = "\x00kg-details\x00"


def write_html(g, path, title="kg graph"):
    atomic_write(path, render_html(g, title))
