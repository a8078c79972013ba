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
    local: dict = field(default_factory=dict)  # (record index, local id) -> canonical key
    merges: list = field(default_factory=list)  # merge log rows


@dataclass
class Keys:
    """Which canonical entity each entity of each record is, without merging them."""
    local: dict = field(default_factory=dict)  # (record index, local id) -> canonical key
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


def entity_key(ent):
    """``(key, reason)`` of an entity whose key depends on nothing else; None for a person and for
    a place with neither code nor parent (:func:`person_keys`, :func:`parentless_key`).

    >>> entity_key({"type": "Organization", "name": "中共安吉县委"})
    ('org:安吉县委', 'same normalised name')
    """
    t, name, attrs = ent["type"], ent["name"], ent.get("attrs", {})
    if t == "Place":
        if attrs.get("admin_code"):
            return f"place:{attrs['admin_code']}", "same administrative code"
        if attrs.get("parent"):
            return f"place:{name}@{attrs['parent']}", "same name and parent"
        return None
    if t == "Program":
        return f"program:{name}", "same canonical program name"
    if t == "Organization":
        return f"org:{_org_key(name)}", "same normalised name"
    if t == "Industry":
        return f"industry:{name}", "same name"
    return None


def person_keys(name, contexts):
    """``(key, reason)`` of each person named ``name``, from the neighbours each has in its
    document (``contexts``, in merge order): a person joins the first group with a shared
    neighbour, whose neighbours then grow by its own; else starts a new group.

    >>> [k for k, _ in person_keys("林海", [{("Place", "城西村")}, set(), {("Place", "城西村")}])]
    ['person:林海#1', 'person:林海#2', 'person:林海#1']
    """
    groups, keys = [], []
    for context in contexts:
        for key, ctx in groups:
            if ctx & context:
                ctx |= context
                keys.append((key, "same name and a shared neighbour"))
                break
        else:
            key = f"person:{name}#{len(groups) + 1}"
            groups.append((key, set(context)))
            keys.append((key, "new"))
    return keys


def parentless_key(name, named):
    """``(key, reason)`` of a place without code or parent: the one place of that name with a
    parent (``named``: the keys of those) if there is exactly one, else its own.

    >>> parentless_key("城西村", {"place:城西村@崖州区"})
    ('place:城西村@崖州区', 'only place of that name')
    """
    if len(named) == 1:
        return next(iter(named)), "only place of that name"
    return f"place:{name}", "same name, no parent"


def resolve_keys(records):
    """The canonical key of every entity of ``records``; reads only names, types, attrs and
    relations, so records without mention and evidence text (:func:`kg.extract.skeleton`) will do.
    Places without code or parent come last in the merge order (they join after every other).

    >>> keys = resolve_keys([{"doc": "a", "entities": [{"id": "P", "type": "Program", "name": "积分制"}],
    ...                       "relations": []}])
    >>> keys.local, keys.members
    ({(0, 'P'): 'program:积分制'}, {'program:积分制': [(0, 0)]})
    """
    keys = Keys()
    first_name = {}

    def add(key, i, j, reason):
        rec = records[i]
        ent = rec["entities"][j]
        keys.local[(i, ent["id"])] = key
        keys.members.setdefault(key, []).append((i, j))
        kept = first_name.setdefault(key, ent["name"])
        if ent["name"] != kept:
            keys.merges.append({"kept": kept, "merged": ent["name"], "type": ent["type"],
                                "key": key, "doc": rec["doc"], "reason": reason})

    people = defaultdict(list)  # name -> [((record index, entity index), neighbours)]
    for i, rec in enumerate(records):
        if any(ent["type"] == "Person" for ent in rec["entities"]):
            neighbours = _neighbours(rec)
            for j, ent in enumerate(rec["entities"]):
                if ent["type"] == "Person":
                    people[ent["name"]].append(((i, j), neighbours.get(ent["id"], set())))
    person = {}
    for name, found in people.items():
        person.update(zip((at for at, _ in found), person_keys(name, [ctx for _, ctx in found])))
    parentless = []
    named_places = defaultdict(set)  # name -> keys of the places of that name with a parent
    for i, rec in enumerate(records):
        for j, ent in enumerate(rec["entities"]):
            found = entity_key(ent) or person.get((i, j))
            if found is None:
                if ent["type"] == "Place":
                    parentless.append((i, j))
                continue
            add(found[0], i, j, found[1])
            if is_named_place(ent):
                named_places[ent["name"]].add(found[0])
    for i, j in parentless:
        name = records[i]["entities"][j]["name"]
        key, reason = parentless_key(name, named_places.get(name, set()))
        add(key, i, j, reason)
    return keys


def is_named_place(ent):
    """Whether an entity is a place known by its name and parent (not by a code): one that a place
    of that name without parent may join."""
    attrs = ent.get("attrs", {})
    return ent["type"] == "Place" and not attrs.get("admin_code") and bool(attrs.get("parent"))


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
