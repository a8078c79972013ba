"""Assemble: extraction records → one networkx ``MultiDiGraph``.

Nodes are canonical entities (``type`` Place, Organization, Program, Person, Industry),
documents (``type`` Document) and their articles (``type`` Article, ``part_of`` their document);
edges are relations keyed by their type, plus ``mentioned_in`` edges from entities to the
articles that name them (weight: number of mentions). Every relation edge carries its evidence
(document, sentence, offsets, rule), ``docs`` (the documents supporting it) and ``weight`` (how
many). Node attributes: name, aliases, level/parent/admin_code/lon/lat (places), kind
(organisations), family (programs), roles (people), mentions (count), docs, evidence.

>>> from kg.extract import extract_text
>>> g = build_graph([extract_text("2022年，三亚市崖州区推出“博士村长”项目。", name="a.txt")])
>>> g.nodes["program:博士村长"]["family"], g.nodes["place:460205"]["name"]
('博士村长', '崖州区')
>>> [(u, v, d["year"]) for u, v, k, d in g.edges(keys=True, data=True) if k == "adopts"]
[('place:460205', 'program:博士村长', 2022)]
"""
from __future__ import annotations

import json

import networkx as nx

from .resolve import resolve

MAX_EVIDENCE = 20  # evidence sentences kept per node and per edge
STRUCTURE_NODES = ("Document", "Article")
STRUCTURE_EDGES = ("mentioned_in", "part_of")


def build_graph(records, resolution=None):
    """One graph from many extraction records (see module docstring); ``resolution`` is
    :func:`kg.resolve.resolve` of the same records, when the caller has it already."""
    records = list(records)
    res = resolution or resolve(records)
    g = nx.MultiDiGraph(kg_version=records[0].get("kg_version", "") if records else "")
    for key, ent in res.entities.items():
        attrs = {k: v for k, v in ent["attrs"].items() if v is not None}
        evidence = [{"doc": m["doc"], "sentence": m.get("sentence", ""), "text": m.get("text", ""),
                     "start": m.get("start"), "end": m.get("end")} for m in ent["mentions"][:MAX_EVIDENCE]]
        g.add_node(key, type=ent["type"], name=ent["name"], aliases=ent["aliases"], mentions=len(ent["mentions"]),
                   docs=sorted(ent["docs"]), evidence=evidence, **attrs)
    for rec in records:
        doc_node = f"doc:{rec['doc']}"
        articles = rec.get("articles", [])
        years = [a["year"] for a in articles if a.get("year")]
        g.add_node(doc_node, type="Document", name=rec["doc"], year=min(years) if years else None, docs=[rec["doc"]])
        article_nodes = []
        for i, a in enumerate(articles):
            node = f"article:{rec['doc']}#{i + 1}"
            g.add_node(node, type="Article", name=a.get("title") or f"{rec['doc']} #{i + 1}", title=a.get("title"),
                       byline=a.get("byline"), year=a.get("year"), start=a.get("start"), end=a.get("end"),
                       docs=[rec["doc"]])
            g.add_edge(node, doc_node, key="part_of", type="part_of", weight=1)
            article_nodes.append((a.get("start", 0), a.get("end", 0), node))
        for ent in rec["entities"]:
            key = res.local[(rec["doc"], ent["id"])]
            for m in ent["mentions"]:
                where = next((n for s, e, n in article_nodes if s <= m["start"] < e), doc_node)
                if g.has_edge(key, where, "mentioned_in"):
                    g.edges[key, where, "mentioned_in"]["weight"] += 1
                else:
                    g.add_edge(key, where, key="mentioned_in", type="mentioned_in", weight=1)
        for rel in rec["relations"]:
            u, v = res.local.get((rec["doc"], rel["source"])), res.local.get((rec["doc"], rel["target"]))
            if u is None or v is None or u == v:
                continue
            _add_relation(g, u, v, rel, rec["doc"])
    for u, v, k, d in relation_edges(g):
        d["weight"] = len(d["docs"])
    for n, d in g.nodes(data=True):
        if d["type"] == "Place" and d.get("parent"):
            d.setdefault("province", None)
    return g


def edge_key(rtype, attrs):
    """Edges are keyed by relation type; a spread edge also by its program, so that two programs
    spreading between the same places stay two edges."""
    if rtype == "spreads_to" and attrs.get("program"):
        return f"spreads_to|{attrs['program']}"
    return rtype


def _add_relation(g, u, v, rel, doc):
    evidence = [dict(ev, doc=doc) for ev in rel.get("evidence", [])]
    attrs = rel.get("attrs", {})
    key = edge_key(rel["type"], attrs)
    if g.has_edge(u, v, key):
        d = g.edges[u, v, key]
        if doc not in d["docs"]:
            d["docs"].append(doc)
        d["evidence"] = (d["evidence"] + evidence)[:MAX_EVIDENCE]
        year = attrs.get("year")
        if year and (d.get("year") is None or (attrs.get("year_source") == "sentence" and year < d["year"])
                     or d.get("year_source") != "sentence" and attrs.get("year_source") == "sentence"):
            d["year"], d["year_source"] = year, attrs.get("year_source")
        for k, val in attrs.items():
            d.setdefault(k, val)
        return
    g.add_edge(u, v, key=key, type=rel["type"], docs=[doc], evidence=evidence[:MAX_EVIDENCE],
               year=attrs.get("year"), **{k: val for k, val in attrs.items() if k != "year"})


def relation_edges(g, rtype=None):
    """Relation edges (not ``mentioned_in``), optionally of one type: ``(u, v, type, data)``."""
    for u, v, k, d in g.edges(keys=True, data=True):
        t = d.get("type", k)
        if t not in STRUCTURE_EDGES and (rtype is None or t == rtype):
            yield u, v, t, d


def find_nodes(g, name):
    """Nodes whose name or an alias equals ``name`` (else contains it).

    >>> g = nx.MultiDiGraph(); g.add_node("place:460205", name="崖州区", aliases=["崖州"], type="Place")
    >>> find_nodes(g, "崖州")
    ['place:460205']
    """
    exact = [n for n, d in g.nodes(data=True) if d.get("type") not in STRUCTURE_NODES
             and (d.get("name") == name or name in (d.get("aliases") or []))]
    if exact:
        return exact
    return [n for n, d in g.nodes(data=True) if d.get("type") not in STRUCTURE_NODES and name in d.get("name", "")]


def from_json(text):
    return nx.node_link_graph(json.loads(text), directed=True, multigraph=True, edges="links")
