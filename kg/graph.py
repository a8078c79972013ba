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
        nodes[doc_node(doc)] = ("document", i)
        for a, node in enumerate(article_nodes(doc, rec.get("articles", []))):
            nodes[node] = ("article", i, a)
            edges[(node, doc_node(doc), "part_of")] = ("part_of", i)
        found = [(keys.local[(i, ent["id"])], _starts(ent)) for ent in rec["entities"]]
        for (key, where), weight in mention_weights(doc, rec.get("articles", []), found).items():
            edges[(key, where, "mentioned_in")] = ("mentioned_in", i, weight)
        for j, rel in enumerate(rec["relations"]):
            u, v = keys.local.get((i, rel["source"])), keys.local.get((i, rel["target"]))
            if u is not None and v is not None and u != v:
                relations.setdefault((u, v, edge_key(rel["type"], rel.get("attrs", {}))), []).append((i, j))
    edges.update((k, ("relation", members)) for k, members in relations.items())
    return Plan(nodes, edges, keys)


def doc_node(doc):
    return f"doc:{doc}"


def article_nodes(doc, articles):
    """The node ids of a document's articles."""
    return [f"article:{doc}#{a + 1}" for a in range(len(articles))]


def mention_weights(doc, articles, entities):
    """``{(entity key, article or document node): number of mentions}`` of a document, from its
    ``entities`` as ``(key, mention starts)``: the mentioned_in edges it makes.

    >>> dict(mention_weights("a.txt", [{"start": 0, "end": 10}], [("program:积分制", [3, 12])]))
    {('program:积分制', 'article:a.txt#1'): 1, ('program:积分制', 'doc:a.txt'): 1}
    """
    spans = [(art.get("start", 0), art.get("end", 0), node) for art, node in zip(articles, article_nodes(doc, articles))]
    weights = Counter()
    for key, starts in entities:
        for start in starts:
            where = doc_node(doc)
            for s, e, n in spans:
                if s <= start < e:
                    where = n
                    break
            weights[key, where] += 1
    return weights


def _starts(ent):
    """Where an entity is mentioned, in a record or its skeleton."""
    return ent["starts"] if "starts" in ent else [m["start"] for m in ent["mentions"]]


def evidence_count(item):
    """How many evidence items an entity (its mentions) or a relation has, in a record or its skeleton."""
    if "n_evidence" in item:
        return item["n_evidence"]
    if "evidence" in item:
        return len(item["evidence"])
    return len(_starts(item))


def evidence_items(doc, item):
    """The evidence of an entity (one per mention) or a relation of a full record, as nodes and
    edges carry it."""
    if "mentions" in item:
        return [{"doc": doc, "sentence": m.get("sentence", ""), "text": m.get("text", ""), "start": m.get("start"),
                 "end": m.get("end")} for m in item["mentions"]]
    return [dict(ev, doc=doc) for ev in item.get("evidence", [])]


def first_evidence(contributions):
    """The evidence an element shows: the first MAX_EVIDENCE items of its ``(doc, item)``
    contributions, in order."""
    out = []
    for doc, item in contributions:
        if len(out) >= MAX_EVIDENCE:
            break
        out.extend(evidence_items(doc, item)[:MAX_EVIDENCE - len(out)])
    return out


def node_attrs(records, how):
    """A node's attributes from the records its plan entry ``how`` names."""
    if how[0] == "entity":
        contributions = [(records[i]["doc"], records[i]["entities"][j]) for i, j in how[1]]
        return entity_attrs(contributions, first_evidence(contributions))
    rec = records[how[1]]
    if how[0] == "document":
        return document_attrs(rec["doc"], rec.get("articles", []))
    return article_attrs(rec["doc"], rec["articles"], how[2])


def entity_attrs(contributions, evidence):
    """An entity node's attributes from its ``(doc, entity)`` contributions in merge order
    (records' entities or their skeletons) and the ``evidence`` it shows (:func:`first_evidence`)."""
    ent = merge_entity(None, contributions)
    attrs = {k: v for k, v in ent["attrs"].items() if v is not None}
    if ent["type"] == "Place" and attrs.get("parent"):
        attrs.setdefault("province", None)
    return dict(type=ent["type"], name=ent["name"], aliases=ent["aliases"], mentions=ent["n_mentions"],
                docs=sorted(ent["docs"]), evidence=evidence, **attrs)


def document_attrs(doc, articles):
    years = [a["year"] for a in articles if a.get("year")]
    return dict(type="Document", name=doc, year=min(years) if years else None, docs=[doc])


def article_attrs(doc, articles, a):
    art = articles[a]
    return dict(type="Article", name=art.get("title") or f"{doc} #{a + 1}", title=art.get("title"),
                byline=art.get("byline"), year=art.get("year"), start=art.get("start"), end=art.get("end"), docs=[doc])


def edge_attrs(records, how):
    """An edge's attributes from the records its plan entry ``how`` names."""
    if how[0] == "part_of":
        return part_of_attrs()
    if how[0] == "mentioned_in":
        return mentioned_in_attrs(how[2])
    contributions = [(records[i]["doc"], records[i]["relations"][j]) for i, j in how[1]]
    return relation_attrs(contributions, first_evidence(contributions))


def part_of_attrs():
    return {"type": "part_of", "weight": 1}


def mentioned_in_attrs(weight):
    return {"type": "mentioned_in", "weight": weight}


def relation_attrs(contributions, evidence):
    """A relation edge's attributes from its ``(doc, relation)`` contributions in order and the
    ``evidence`` it shows: its year from a sentence in preference to an article's (the earliest),
    ``docs`` the supporting documents and ``weight`` how many."""
    d = None
    for doc, rel in contributions:
        attrs = rel.get("attrs", {})
        if d is None:
            d = dict(type=rel["type"], docs=[doc], evidence=evidence, year=attrs.get("year"),
                     **{k: val for k, val in attrs.items() if k != "year"})
            continue
        if doc not in d["docs"]:
            d["docs"].append(doc)
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
    import networkx as nx  # not needed to write a build's files: imported when asked for
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

    >>> import networkx as nx
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
    import networkx as nx
    return nx.node_link_graph(json.loads(text), directed=True, multigraph=True, edges="links")
