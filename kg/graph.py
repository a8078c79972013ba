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
from collections import Counter
from dataclasses import dataclass

import networkx as nx

from .resolve import merge_entity, resolve_keys

MAX_EVIDENCE = 20  # evidence sentences kept per node and per edge
STRUCTURE_NODES = ("Document", "Article")
STRUCTURE_EDGES = ("mentioned_in", "part_of")


@dataclass
class Plan:
    """The graph's elements in order, each with what it is made of: ``nodes`` maps a node id to
    ``("entity", [(record index, entity index)...])``, ``("document", i)`` or ``("article", i, a)``;
    ``edges`` maps ``(u, v, key)`` to ``("relation", [(record index, relation index)...])``,
    ``("part_of", i)`` or ``("mentioned_in", i, weight)``."""
    nodes: dict
    edges: dict
    keys: object  # kg.resolve.Keys


def plan(records, keys=None):
    """The elements of the graph of ``records`` (records or their :func:`kg.extract.skeleton`)."""
    keys = keys or resolve_keys(records)
    nodes = {key: ("entity", members) for key, members in keys.members.items()}
    edges = {}
    relations = {}
    for i, rec in enumerate(records):
        doc = rec["doc"]
        doc_node = f"doc:{doc}"
        nodes[doc_node] = ("document", i)
        spans = []
        for a, art in enumerate(rec.get("articles", [])):
            node = f"article:{doc}#{a + 1}"
            nodes[node] = ("article", i, a)
            edges[(node, doc_node, "part_of")] = ("part_of", i)
            spans.append((art.get("start", 0), art.get("end", 0), node))
        mentioned = Counter()
        for ent in rec["entities"]:
            key = keys.local[(doc, ent["id"])]
            for start in _starts(ent):
                where = doc_node
                for s, e, n in spans:
                    if s <= start < e:
                        where = n
                        break
                mentioned[key, where] += 1
        for (key, where), weight in mentioned.items():
            edges[(key, where, "mentioned_in")] = ("mentioned_in", i, weight)
        for j, rel in enumerate(rec["relations"]):
            u, v = keys.local.get((doc, rel["source"])), keys.local.get((doc, rel["target"]))
            if u is not None and v is not None and u != v:
                relations.setdefault((u, v, edge_key(rel["type"], rel.get("attrs", {}))), []).append((i, j))
    edges.update((k, ("relation", members)) for k, members in relations.items())
    return Plan(nodes, edges, keys)


def _starts(ent):
    """Where an entity is mentioned, in a record or its skeleton."""
    return ent["starts"] if "starts" in ent else [m["start"] for m in ent["mentions"]]


def node_attrs(records, how):
    """A node's attributes from the records its plan entry ``how`` names."""
    if how[0] == "entity":
        key_records = [(records[i]["doc"], records[i]["entities"][j]) for i, j in how[1]]
        ent = merge_entity(None, key_records)
        attrs = {k: v for k, v in ent["attrs"].items() if v is not None}
        evidence = [{"doc": m["doc"], "sentence": m.get("sentence", ""), "text": m.get("text", ""),
                     "start": m.get("start"), "end": m.get("end")} for m in ent["mentions"][:MAX_EVIDENCE]]
        if ent["type"] == "Place" and attrs.get("parent"):
            attrs.setdefault("province", None)
        return dict(type=ent["type"], name=ent["name"], aliases=ent["aliases"], mentions=ent["n_mentions"],
                    docs=sorted(ent["docs"]), evidence=evidence, **attrs)
    rec = records[how[1]]
    if how[0] == "document":
        years = [a["year"] for a in rec.get("articles", []) if a.get("year")]
        return dict(type="Document", name=rec["doc"], year=min(years) if years else None, docs=[rec["doc"]])
    a = rec["articles"][how[2]]
    return dict(type="Article", name=a.get("title") or f"{rec['doc']} #{how[2] + 1}", title=a.get("title"),
                byline=a.get("byline"), year=a.get("year"), start=a.get("start"), end=a.get("end"), docs=[rec["doc"]])


def edge_attrs(records, how):
    """An edge's attributes from the records its plan entry ``how`` names. A relation keeps the
    evidence of its first supporting documents, its year from a sentence in preference to an
    article's (the earliest), and ``weight`` = number of supporting documents."""
    if how[0] == "part_of":
        return {"type": "part_of", "weight": 1}
    if how[0] == "mentioned_in":
        return {"type": "mentioned_in", "weight": how[2]}
    d = None
    for i, j in how[1]:
        doc, rel = records[i]["doc"], records[i]["relations"][j]
        evidence = [dict(ev, doc=doc) for ev in rel.get("evidence", [])]
        attrs = rel.get("attrs", {})
        if d is None:
            d = dict(type=rel["type"], docs=[doc], evidence=evidence[:MAX_EVIDENCE], year=attrs.get("year"),
                     **{k: val for k, val in attrs.items() if k != "year"})
            continue
        if doc not in d["docs"]:
            d["docs"].append(doc)
        if len(d["evidence"]) < MAX_EVIDENCE:
            d["evidence"] = (d["evidence"] + evidence)[:MAX_EVIDENCE]
        year = attrs.get("year")
        if year and (d.get("year") is None or (attrs.get("year_source") == "sentence" and year < d["year"])
                     or d.get("year_source") != "sentence" and attrs.get("year_source") == "sentence"):
            d["year"], d["year_source"] = year, attrs.get("year_source")
        for k, val in attrs.items():
            d.setdefault(k, val)
    d["weight"] = len(d["docs"])
    return d


def build_graph(records, resolution=None):
    """One graph from many extraction records (see module docstring); ``resolution`` is
    :func:`kg.resolve.resolve_keys` of the same records, when the caller has it already."""
    records = list(records)
    p = plan(records, resolution)
    g = nx.MultiDiGraph(kg_version=records[0].get("kg_version", "") if records else "")
    for n, how in p.nodes.items():
        g.add_node(n, **node_attrs(records, how))
    for (u, v, k), how in p.edges.items():
        g.add_edge(u, v, key=k, **edge_attrs(records, how))
    return g


def edge_key(rtype, attrs):
    """Edges are keyed by relation type; a spread edge also by its program, so that two programs
    spreading between the same places stay two edges."""
    if rtype == "spreads_to" and attrs.get("program"):
        return f"spreads_to|{attrs['program']}"
    return rtype


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
