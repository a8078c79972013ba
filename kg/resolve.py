"""Resolve: entities of many extraction records → canonical entities, with a merge log.

- Places resolve to their gazetteer identity (admin code); places without a code by name and
  parent, so two 城西村 in different counties stay two, and a parentless mention joins the one
  place of that name if there is only one.
- Programs resolve to their canonical name (the lexicon's, else their own) and carry their family.
- Organisations merge on a normalised name (no 中共 prefix, no spaces or quotes).
- People merge across documents only when they share a neighbour (an organisation or a place
  they are related to): common names collide.

>>> recs = [{"doc": "a", "entities": [{"id": "Place:崖州区", "type": "Place", "name": "崖州区", "aliases": ["崖州"],
...          "attrs": {"level": "county", "admin_code": "460205"}, "mentions": []}], "relations": []},
...         {"doc": "b", "entities": [{"id": "Place:崖州区", "type": "Place", "name": "崖州区", "aliases": [],
...          "attrs": {"level": "county", "admin_code": "460205"}, "mentions": []}], "relations": []}]
>>> res = resolve(recs)
>>> len(res.entities), res.entities["place:460205"]["docs"]
(1, ['a', 'b'])
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from .nlp.rules import program_family


@dataclass
class Resolution:
    entities: dict = field(default_factory=dict)  # canonical key -> merged entity
    local: dict = field(default_factory=dict)  # (doc, local id) -> canonical key
    merges: list = field(default_factory=list)  # merge log rows


@dataclass
class Keys:
    """Which canonical entity each entity of each record is, without merging them."""
    local: dict = field(default_factory=dict)  # (doc, local id) -> canonical key
    members: dict = field(default_factory=dict)  # canonical key -> [(record index, entity index)], in merge order
    merges: list = field(default_factory=list)  # merge log rows


def _org_key(name):
    return re.sub(r"^中共|[\s“”\"「」『』]", "", name)


def _neighbours(record):
    out = defaultdict(set)
    names = {e["id"]: e for e in record["entities"]}
    for r in record["relations"]:
        for a, b in ((r["source"], r["target"]), (r["target"], r["source"])):
            other = names.get(b)
            if other and other["type"] in ("Organization", "Place"):
                out[a].add((other["type"], other["name"]))
    return out


def resolve_keys(records):
    """The canonical key of every entity of ``records``; reads only names, types, attrs and
    relations, so records without mention and evidence text (:func:`kg.graph.skeleton`) will do.

    >>> keys = resolve_keys([{"doc": "a", "entities": [{"id": "P", "type": "Program", "name": "积分制"}],
    ...                       "relations": []}])
    >>> keys.local, keys.members
    ({('a', 'P'): 'program:积分制'}, {'program:积分制': [(0, 0)]})
    """
    keys = Keys()
    first_name = {}
    person_groups = defaultdict(list)  # name -> [(canonical key, neighbour set)]
    place_parentless = []
    named_places = defaultdict(set)  # (name) -> keys with a parent or code

    def add(key, i, j, rec, ent, reason):
        keys.local[(rec["doc"], ent["id"])] = key
        keys.members.setdefault(key, []).append((i, j))
        kept = first_name.setdefault(key, ent["name"])
        if ent["name"] != kept:
            keys.merges.append({"kept": kept, "merged": ent["name"], "type": ent["type"],
                                "key": key, "doc": rec["doc"], "reason": reason})

    for i, rec in enumerate(records):
        neighbours = None
        for j, ent in enumerate(rec["entities"]):
            t, name, attrs = ent["type"], ent["name"], ent.get("attrs", {})
            if t == "Place":
                if attrs.get("admin_code"):
                    add(f"place:{attrs['admin_code']}", i, j, rec, ent, "same administrative code")
                elif attrs.get("parent"):
                    key = f"place:{name}@{attrs['parent']}"
                    named_places[name].add(key)
                    add(key, i, j, rec, ent, "same name and parent")
                else:
                    place_parentless.append((i, j, rec, ent))
            elif t == "Program":
                add(f"program:{name}", i, j, rec, ent, "same canonical program name")
            elif t == "Organization":
                add(f"org:{_org_key(name)}", i, j, rec, ent, "same normalised name")
            elif t == "Industry":
                add(f"industry:{name}", i, j, rec, ent, "same name")
            elif t == "Person":
                if neighbours is None:
                    neighbours = _neighbours(rec)
                context = neighbours.get(ent["id"], set())
                for key, ctx in person_groups[name]:
                    if ctx & context:
                        ctx |= context
                        add(key, i, j, rec, ent, "same name and a shared neighbour")
                        break
                else:
                    key = f"person:{name}#{len(person_groups[name]) + 1}"
                    person_groups[name].append((key, set(context)))
                    add(key, i, j, rec, ent, "new")
    for i, j, rec, ent in place_parentless:
        found = named_places.get(ent["name"], set())
        if len(found) == 1:
            add(next(iter(found)), i, j, rec, ent, "only place of that name")
        else:
            add(f"place:{ent['name']}", i, j, rec, ent, "same name, no parent")
    return keys


def merge_entity(key, contributions):
    """One canonical entity from its ``(doc, entity)`` contributions, in merge order: the first
    name is kept, the others become aliases, an attribute takes its first non-empty value;
    ``mentions`` are those of full records, ``n_mentions`` counts skeletons' too."""
    doc, first = contributions[0]
    merged = {"key": key, "type": first["type"], "name": first["name"], "aliases": set(), "attrs": {},
              "docs": [], "mentions": [], "n_mentions": 0}
    for doc, ent in contributions:
        if "mentions" in ent:
            merged["mentions"].extend(dict(m, doc=doc) for m in ent["mentions"])
            merged["n_mentions"] += len(ent["mentions"])
        else:  # a skeleton (kg.extract.skeleton): mentions counted, not kept
            merged["n_mentions"] += len(ent["starts"])
        if doc not in merged["docs"]:
            merged["docs"].append(doc)
        merged["aliases"].update(ent.get("aliases", []))
        merged["aliases"].add(ent["name"])
        for k, v in ent.get("attrs", {}).items():
            if merged["attrs"].get(k) in (None, "", []):
                merged["attrs"][k] = v
    if merged["type"] == "Program" and not merged["attrs"].get("family"):
        merged["attrs"]["family"] = program_family(merged["name"])
    merged["aliases"] = sorted(merged["aliases"] - {merged["name"]})
    return merged


def resolve(records):
    """Canonical entities across ``records`` (extraction contract records)."""
    records = list(records)
    keys = resolve_keys(records)
    entities = {key: merge_entity(key, [(records[i]["doc"], records[i]["entities"][j]) for i, j in members])
                for key, members in keys.members.items()}
    return Resolution(entities=entities, local=keys.local, merges=keys.merges)
