"""Export: the graph as node-link JSON, GraphML, GEXF and CSV tables; the merge log.

All writers go through :func:`kg.io.atomic_write`: an interrupted build never leaves a half file.
GraphML and GEXF hold only scalar attributes, so lists and dicts are stored as JSON strings.

>>> import networkx as nx, tempfile, pathlib
>>> g = nx.MultiDiGraph(); g.add_node("a", type="Place", name="海口市", aliases=["海口"])
>>> out = pathlib.Path(tempfile.mkdtemp()) / "g.graphml"
>>> write_graphml(g, out); nx.read_graphml(out).nodes["a"]["aliases"]
'["海口"]'
"""
from __future__ import annotations

import csv
import io
import json

import networkx as nx

from .graph import STRUCTURE_NODES, relation_edges, to_json
from .io import atomic_write


def _scalar(value):
    if value is None:
        return ""
    if isinstance(value, (list, dict, tuple, set)):
        return json.dumps(sorted(value) if isinstance(value, set) else value, ensure_ascii=False, default=str)
    if isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


def flat_copy(g):
    """A copy of ``g`` whose attributes are all scalars (for GraphML/GEXF)."""
    h = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        h.add_node(n, **{k: _scalar(v) for k, v in d.items()}, label=d.get("name", n))
    for u, v, k, d in g.edges(keys=True, data=True):
        h.add_edge(u, v, key=k, **{a: _scalar(b) for a, b in d.items()}, label=k)
    return h


def write_json(g, path):
    atomic_write(path, to_json(g))


def write_graphml(g, path):
    buf = io.BytesIO()
    nx.write_graphml(flat_copy(g), buf, encoding="utf-8")
    atomic_write(path, buf.getvalue(), mode="wb")


def write_gexf(g, path):
    buf = io.BytesIO()
    nx.write_gexf(flat_copy(g), buf, encoding="utf-8")
    atomic_write(path, buf.getvalue(), mode="wb")


def _csv(rows, header):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_entities_csv(g, path):
    header = ["id", "type", "name", "aliases", "level", "parent", "admin_code", "province", "kind", "family",
              "roles", "mentions", "n_docs", "docs"]
    rows = []
    for n, d in g.nodes(data=True):
        if d.get("type") in STRUCTURE_NODES:
            continue
        rows.append([n, d.get("type"), d.get("name"), "|".join(d.get("aliases") or []), d.get("level", ""),
                     d.get("parent", ""), d.get("admin_code", ""), d.get("province", ""), d.get("kind", ""),
                     d.get("family", ""), "|".join(d.get("roles") or []), d.get("mentions", 0),
                     len(d.get("docs") or []), "|".join(d.get("docs") or [])])
    atomic_write(path, _csv(rows, header))


def write_relations_csv(g, path):
    header = ["source", "source_name", "type", "target", "target_name", "year", "year_source", "role", "program",
              "weight", "docs", "evidence"]
    rows = []
    for u, v, k, d in relation_edges(g):
        ev = d.get("evidence") or [{}]
        rows.append([u, g.nodes[u].get("name"), k, v, g.nodes[v].get("name"), d.get("year") or "",
                     d.get("year_source", ""), d.get("role", ""), d.get("program", ""), d.get("weight", 1),
                     "|".join(d.get("docs") or []), ev[0].get("sentence", "")])
    atomic_write(path, _csv(rows, header))


def write_merge_log(rows, path):
    header = ["type", "kept", "merged", "reason", "doc", "key"]
    atomic_write(path, _csv([[r.get(h, "") for h in header] for r in rows], header))
