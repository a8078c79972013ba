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


def resolve(records):
    """Canonical entities across ``records`` (extraction contract records)."""
    res = Resolution()
    person_groups = defaultdict(list)  # name -> [(canonical key, neighbour set)]
    place_parentless = []
    named_places = defaultdict(set)  # (name) -> keys with a parent or code

    def add(key, doc, ent, reason):
        existing = res.entities.get(key)
        res.local[(doc, ent["id"])] = key
        if existing is None:
            res.entities[key] = {"key": key, "type": ent["type"], "name": ent["name"],
                                 "aliases": set(ent.get("aliases", [])), "attrs": dict(ent.get("attrs", {})),
                                 "docs": [doc], "mentions": [dict(m, doc=doc) for m in ent.get("mentions", [])]}
            return
        if doc not in existing["docs"]:
            existing["docs"].append(doc)
        if ent["name"] != existing["name"]:
            existing["aliases"].add(ent["name"])
            res.merges.append({"kept": existing["name"], "merged": ent["name"], "type": ent["type"],
                               "key": key, "doc": doc, "reason": reason})
        existing["aliases"].update(ent.get("aliases", []))
        for k, v in ent.get("attrs", {}).items():
            if existing["attrs"].get(k) in (None, "", []):
                existing["attrs"][k] = v
        existing["mentions"].extend(dict(m, doc=doc) for m in ent.get("mentions", []))

    for rec in records:
        doc = rec["doc"]
        neighbours = _neighbours(rec)
        for ent in rec["entities"]:
            t, name, attrs = ent["type"], ent["name"], ent.get("attrs", {})
            if t == "Place":
                if attrs.get("admin_code"):
                    add(f"place:{attrs['admin_code']}", doc, ent, "same administrative code")
                elif attrs.get("parent"):
                    key = f"place:{name}@{attrs['parent']}"
                    named_places[name].add(key)
                    add(key, doc, ent, "same name and parent")
                else:
                    place_parentless.append((doc, ent))
            elif t == "Program":
                ent = dict(ent, attrs=dict(attrs, family=attrs.get("family") or program_family(name)))
                add(f"program:{name}", doc, ent, "same canonical program name")
            elif t == "Organization":
                add(f"org:{_org_key(name)}", doc, ent, "same normalised name")
            elif t == "Industry":
                add(f"industry:{name}", doc, ent, "same name")
            elif t == "Person":
                context = neighbours.get(ent["id"], set())
                for key, ctx in person_groups[name]:
                    if ctx & context:
                        ctx |= context
                        add(key, doc, ent, "same name and a shared neighbour")
                        break
                else:
                    key = f"person:{name}#{len(person_groups[name]) + 1}"
                    person_groups[name].append((key, set(context)))
                    add(key, doc, ent, "new")
    for doc, ent in place_parentless:
        keys = named_places.get(ent["name"], set())
        if len(keys) == 1:
            add(next(iter(keys)), doc, ent, "only place of that name")
        else:
            add(f"place:{ent['name']}", doc, ent, "same name, no parent")
    for e in res.entities.values():
        e["aliases"] = sorted(e["aliases"] - {e["name"]})
    return res
