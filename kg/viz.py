"""Render: the graph as one self-contained, offline HTML page (pyvis's network model and its bundled
vis-network script, kg's own template: no CDN).

Document text is untrusted: the page receives every string as JSON data (with ``<``, ``>`` and
``&`` escaped) and puts it on screen with ``textContent`` only.
"""
from __future__ import annotations

import json
from pathlib import Path

import jinja2
import pyvis
from pyvis.network import Network

from .graph import relation_edges
from .io import atomic_write

TEMPLATES = Path(__file__).resolve().parent / "templates"
COLORS = {"Place": "#4e79a7", "Organization": "#f28e2b", "Program": "#e15759", "Person": "#76b7b2",
          "Industry": "#59a14f", "Document": "#bab0ac"}


def _vis_js():
    lib = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
    return (lib / "vis-network.min.js").read_text(encoding="utf-8"), (lib / "vis-network.css").read_text(encoding="utf-8")


def safe_json(data):
    """JSON that can sit inside a <script> element whatever the strings contain."""
    return (json.dumps(data, ensure_ascii=False, default=str)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def network(g):
    """A pyvis Network of the graph's entities and relations (documents left out)."""
    net = Network(directed=True)
    degree = {n: 0 for n in g.nodes}
    for u, v, k, d in relation_edges(g):
        degree[u] += 1
        degree[v] += 1
    for n, d in g.nodes(data=True):
        if d.get("type") == "Document":
            continue
        net.nodes.append({"id": n, "label": d.get("name", n), "group": d.get("type"),
                          "color": COLORS.get(d.get("type"), "#999"), "shape": "dot",
                          "value": 1 + degree[n] + d.get("mentions", 0) ** 0.5})
    for u, v, k, d in relation_edges(g):
        net.edges.append({"from": u, "to": v, "label": k, "type": k, "arrows": "to",
                          "value": d.get("weight", 1), "year": d.get("year")})
    return net


def node_details(g):
    out = {}
    for n, d in g.nodes(data=True):
        if d.get("type") != "Document":
            out[n] = {k: v for k, v in d.items()}
    return out


def render_html(g, title="kg graph"):
    net = network(g)
    edges = [dict(e, id=i) for i, e in enumerate(net.edges)]
    details = [{"type": d.get("type"), "year": d.get("year"), "docs": d.get("docs"), "role": d.get("role"),
                "program": d.get("program"), "evidence": d.get("evidence", [])}
               for _, _, _, d in relation_edges(g)]
    js, css = _vis_js()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    return env.get_template("graph.html").render(
        title=title, vis_js=js, vis_css=css, nodes_json=safe_json(net.nodes), edges_json=safe_json(edges),
        node_details_json=safe_json(node_details(g)), edge_details_json=safe_json(details),
        colors_json=safe_json(COLORS), physics=len(net.nodes) <= 500)


def write_html(g, path, title="kg graph"):
    atomic_write(path, render_html(g, title))
