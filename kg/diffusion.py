"""Diffusion: which programs spread, from where, to where, when — tables and networks from the graph.

Plain functions over the graph that :func:`kg.graph.build_graph` returns:

- :func:`adoptions` — one row per (program, place): the earliest year, how it was dated, the kind
  of adoption (首创 origin, 试点 pilot, 推广 promotion, 学习借鉴 learning, else ``adoption``) and the
  sentence behind it. Organisations adopt for the place they are located in; a ``spreads_to``
  edge also counts as an adoption by the place it reached. ``level="county"`` (or ``"city"``,
  ``"province"``, ``"town"``, ``"village"``) rolls places up, so a village adoption counts for its
  county (through ``located_in`` edges, ``parent`` attributes and the gazetteer).
- :func:`cascades` — the long format (node, cascade, time) that R's NetworkInference reads;
  :func:`program_table` — per-program metadata as SPID-style datasets carry.
- :func:`explicit_spread_edges` — A → B for a program, as the text says it (cue and evidence);
  :func:`inferred_spread_edges` — NetInf (:mod:`kg.netinf`) over all cascades;
  :func:`spread_edges` — both, labelled ``kind`` = ``explicit`` | ``inferred``.
- :func:`write_outputs` — ``adoptions.csv``, ``cascades.csv``, ``programs.csv``,
  ``spread_edges.csv`` and ``diffusion.html`` (offline, self-contained) in one folder.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("place:360830", type="Place", name="永新县", level="county", admin_code="360830")
>>> g.add_node("place:仰山村@埠前镇", type="Place", name="仰山村", level="village", parent="埠前镇")
>>> g.add_node("place:360826", type="Place", name="泰和县", level="county", admin_code="360826")
>>> g.add_node("program:田埂夜校", type="Program", name="田埂夜校", family="田埂夜校")
>>> ev = [{"doc": "a.txt", "sentence": "2018年，永新县埠前镇仰山村首创“田埂夜校”。", "start": 0, "end": 24}]
>>> _ = g.add_edge("place:仰山村@埠前镇", "program:田埂夜校", key="adopts", year=2018, year_source="sentence",
...                event="首创", docs=["a.txt"], evidence=ev)
>>> ev = [{"doc": "b.txt", "sentence": "2020年，泰和县学习借鉴永新县“田埂夜校”经验。", "start": 0, "end": 25}]
>>> _ = g.add_edge("place:360830", "place:360826", key="spreads_to", program="田埂夜校", cue="学习借鉴",
...                docs=["b.txt"], evidence=ev)
>>> [(r["place"], r["year"], r["event"]) for r in adoptions(g)]
[('仰山村', 2018, '首创'), ('泰和县', 2020, '学习借鉴'), ('永新县', None, 'adoption')]
>>> [(r["place"], r["year"], r["level"]) for r in adoptions(g, level="county")]
[('永新县', 2018, 'county'), ('泰和县', 2020, 'county')]
>>> [(e["source"], e["target"], e["program"], e["cue"]) for e in explicit_spread_edges(g)]
[('永新县', '泰和县', '田埂夜校', '学习借鉴')]
"""
from __future__ import annotations

import html
import math
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from .gazetteer import LEVEL_RANK, LEVELS, gazetteer
from .export import csv_text
from .graph import relation_edges
from .io import YEAR, atomic_write
from .viz import safe_json
from .netinf import cascade_trees, exponential_rate, netinf

ROLLUP_LEVELS = ("village", "town", "county", "city", "province")
EVENT_LABELS = {"首创": "origin", "试点": "pilot", "推广": "promotion", "学习借鉴": "learning",
                "adoption": "adoption"}
ADOPTION_COLUMNS = ["program", "family", "place", "level", "admin_code", "province", "year", "year_source",
                    "event", "n_docs", "doc", "sentence",
                    "place_id", "program_id", "parent", "adopters", "lon", "lat", "docs"]
CASCADE_COLUMNS = ["node", "cascade", "time", "node_id", "event"]
PROGRAM_COLUMNS = ["program", "family", "first_year", "last_year", "adopt_count", "dated_count",
                   "first_adopters", "explicit_edges", "n_docs", "docs"]
EDGE_COLUMNS = ["kind", "program", "source", "target", "year", "cue", "improvement", "p_value", "n_cascades",
                "cascades", "source_level", "target_level", "source_id", "target_id", "n_docs", "doc", "sentence"]

_LEARN_CUES = ("学习", "借鉴", "复制", "引进", "参照", "效仿", "仿照", "取经")


# ---------------------------------------------------------------- places

class _Places:
    """Where each graph place sits: its chain of ancestors (graph places, else the gazetteer's)."""

    def __init__(self, g):
        self.g = g
        self.gaz = gazetteer()
        self.by_name = defaultdict(list)
        for n, d in g.nodes(data=True):
            if d.get("type") == "Place":
                self.by_name[d.get("name")].append(n)
        self._chains = {}
        self._canon = None

    def canonical(self, node):
        """One node for one place: a place the graph holds twice under the same name and level
        (仰山村@永新县 and 仰山村@埠前镇, when one article skips the township) maps to the node
        whose ancestors include all of the other's."""
        if self._canon is None:
            self._canon = {}
            groups = defaultdict(list)
            for name, nodes in self.by_name.items():
                for n in nodes:
                    if not self.g.nodes[n].get("admin_code"):
                        groups[(name, self.g.nodes[n].get("level"))].append(n)
            for nodes in groups.values():
                if len(nodes) < 2:
                    continue
                ups = {n: {r["id"] for r in self.chain(n)[1:]} for n in nodes}
                names = {n: {r["name"] for r in self.chain(n)[1:]} for n in nodes}
                for n in nodes:
                    wider = sorted((m for m in nodes if m != n and ups[n] < ups[m]), key=lambda m: (len(ups[m]), m))
                    # Merge only when the candidates are one place seen at different depths, and
                    # the parent this node names (if any) is on that place's chain.
                    parent = self.g.nodes[n].get("parent")
                    if wider and all(ups[a] <= ups[b] for a, b in zip(wider, wider[1:])) \
                            and (not parent or parent in names[wider[-1]]):
                        self._canon[n] = wider[-1]
            for n in list(self._canon):  # follow chains of merges
                seen = {n}
                while self._canon[n] in self._canon and self._canon[n] not in seen:
                    seen.add(self._canon[n])
                    self._canon[n] = self._canon[self._canon[n]]
        return self._canon.get(node, node)

    # A place reference is a dict: id, name, level, admin_code, province, lon, lat, node (graph id or None).
    def ref(self, node):
        d = self.g.nodes[node]
        return {"id": node, "name": d.get("name", node), "level": d.get("level") or "other",
                "admin_code": d.get("admin_code") or "", "province": d.get("province") or "",
                "lon": d.get("lon"), "lat": d.get("lat"), "node": node, "parent": d.get("parent") or ""}

    def _admin_ref(self, place):
        node = f"place:{place.code}"
        if node in self.g and self.g.nodes[node].get("type") == "Place":
            ref = self.ref(node)
            ref["lon"] = ref["lon"] if ref["lon"] is not None else place.lon
            ref["lat"] = ref["lat"] if ref["lat"] is not None else place.lat
            ref["province"] = ref["province"] or place.province
            return ref
        parent = self.gaz.by_code.get(place.parent)
        return {"id": node, "name": place.name, "level": place.level, "admin_code": place.code,
                "province": place.province, "lon": place.lon, "lat": place.lat, "node": None,
                "parent": parent.name if parent else ""}

    def _admin_chain(self, code):
        return [self._admin_ref(p) for p in reversed(self.gaz.chain(code))]

    def _pick(self, candidates, below_rank, province=None, parent_name=None):
        """The graph place among ``candidates`` that fits as a parent: above ``below_rank``, named
        ``parent_name`` if one is, in ``province`` if any is, then the nearest level up."""
        nodes = self.g.nodes
        fits = [n for n in candidates if LEVEL_RANK.get(nodes[n].get("level") or "other", 5) < below_rank]
        if province:
            fits = [n for n in fits if nodes[n].get("province") in (None, "", province)] or fits
        if parent_name:
            fits = [n for n in fits if nodes[n].get("name") == parent_name] or fits
        if not fits:
            return None
        return max(fits, key=lambda n: (LEVEL_RANK.get(nodes[n].get("level") or "other", 5),
                                        bool(nodes[n].get("admin_code")), len(nodes[n].get("docs") or []), n))

    def _gaz_parent(self, name, below_rank, province=None, county_hint=None):
        """A parent named ``name`` from the gazetteer: an administrative unit, else a township."""
        places = [p for p in self.gaz.by_name.get(name, []) if LEVEL_RANK[p.level] < below_rank]
        if province:
            places = [p for p in places if p.province == province] or places
        if len(places) == 1:
            return self._admin_chain(places[0].code)
        counties = self.gaz.towns.get(name, [])
        if county_hint:
            counties = [c for c in counties if c == county_hint] or counties
        if province:
            counties = [c for c in counties if self.gaz.by_code.get(c) and self.gaz.by_code[c].province == province] \
                or counties
        if len(counties) == 1 and below_rank > LEVEL_RANK["town"]:
            county = self.gaz.by_code.get(counties[0])
            if county is not None:
                town = {"id": f"place:{name}@{county.name}", "name": name, "level": "town", "admin_code": "",
                        "province": county.province, "lon": None, "lat": None, "node": None, "parent": county.name}
                node = town["id"]
                if node in self.g:
                    town = self.ref(node)
                return [town] + self._admin_chain(county.code)
        return None

    def chain(self, node):
        """``node`` and its ancestors, nearest first, as place references."""
        if node in self._chains:
            return self._chains[node]
        out = self._chain(node, set())  # `seen` guards against located_in cycles
        province = next((r["name"] for r in out if r["level"] == "province"), "") or out[0]["province"]
        for r in out:
            r["province"] = r["province"] or province
        self._chains[node] = out
        return out

    def _chain(self, node, seen):
        seen.add(node)
        d = self.g.nodes[node]
        me = self.ref(node)
        if d.get("admin_code") and d["admin_code"] in self.gaz.by_code:
            chain = self._admin_chain(d["admin_code"])
            chain[0] = dict(chain[0], **{k: v for k, v in me.items() if v not in (None, "")})
            return chain
        rank = LEVEL_RANK.get(me["level"], 5)
        # 1. located_in edges to a place above this one: the nearest level wins.
        ups = [v for _, v, k in self.g.out_edges(node, keys=True)
               if k == "located_in" and v not in seen and self.g.nodes[v].get("type") == "Place"]
        up = self._pick(ups, rank, d.get("province"), d.get("parent"))
        if up is not None:
            return [me] + self._chain(up, seen)
        # 2. the parent attribute, as a graph place, else from the gazetteer.
        parent = d.get("parent")
        if parent:
            up = self._pick([n for n in self.by_name.get(parent, []) if n not in seen], rank, d.get("province"))
            if up is not None:
                return [me] + self._chain(up, seen)
            rest = self._gaz_parent(parent, rank, d.get("province"))
            if rest:
                return [me] + rest
        # 3. a township or village name that the gazetteer knows in one place only.
        if me["level"] == "town":
            counties = self.gaz.towns.get(me["name"], [])
            if len(counties) == 1:
                return [me] + self._admin_chain(counties[0])
        elif me["level"] == "village" and not parent:
            homes = self.gaz.villages.get(me["name"], [])
            if len(homes) == 1:
                town, code = homes[0]
                rest = self._gaz_parent(town, rank, county_hint=code)
                if rest:
                    return [me] + rest
        return [me]

    def org_place(self, org):
        """The place an organisation is located in (the most specific one)."""
        ups = [v for _, v, k in self.g.out_edges(org, keys=True)
               if k == "located_in" and self.g.nodes[v].get("type") == "Place"]
        if not ups:
            return None
        return max(ups, key=lambda n: (self.g.nodes[n].get("level") != "other",
                                       LEVEL_RANK.get(self.g.nodes[n].get("level") or "other", 5), n))


def _roll(chain, level):
    """The element of ``chain`` (nearest first) at ``level``; when the chain skips that level (a
    county directly under its province), the highest element still below it; a place already
    above ``level`` stays itself."""
    if level is None:
        return chain[0]
    target = LEVEL_RANK[level]
    if LEVEL_RANK.get(chain[0]["level"], 5) <= target:
        return chain[0]
    best = chain[0]
    for ref in chain:
        rank = LEVEL_RANK.get(ref["level"], 5)
        if rank == target:
            return ref
        if rank < target:
            break
        best = ref
    return best


def _coords(chain):
    """Coordinates of the nearest element of ``chain`` that has them, and whether they are approximate."""
    for i, ref in enumerate(chain):
        if ref.get("lon") is not None and ref.get("lat") is not None:
            return ref["lon"], ref["lat"], i > 0
    return None, None, True


def place_chain(g, node):
    """The place ``node`` and its ancestors up to the province, nearest first (names, levels, codes),
    from ``located_in`` edges, ``parent`` attributes and the gazetteer.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("place:云阁村@云龙镇", type="Place", name="云阁村", level="village", parent="云龙镇")
    >>> g.add_node("place:云龙镇@琼山区", type="Place", name="云龙镇", level="town", parent="琼山区")
    >>> [(r["name"], r["level"]) for r in place_chain(g, "place:云阁村@云龙镇")]
    [('云阁村', 'village'), ('云龙镇', 'town'), ('琼山区', 'county'), ('海口市', 'city'), ('海南省', 'province')]
    """
    return [dict(r) for r in _Places(g).chain(node)]


def roll_up(g, node, level):
    """The place that ``node`` counts for at ``level`` (see module docstring); ``level=None`` is ``node``.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("place:仰山村@埠前镇", type="Place", name="仰山村", level="village", parent="埠前镇")
    >>> roll_up(g, "place:仰山村@埠前镇", "county")["name"], roll_up(g, "place:仰山村@埠前镇", "city")["admin_code"]
    ('永新县', '360800')
    """
    if level is not None and level not in ROLLUP_LEVELS:
        raise ValueError(f"level must be one of {', '.join(ROLLUP_LEVELS)}")
    return dict(_roll(_Places(g).chain(node), level))


# ---------------------------------------------------------------- adoptions

_GENERIC_HEADS = ("工作机制", "工作法", "模式", "制度", "机制", "做法", "经验", "项目", "工程", "行动", "计划",
                  "品牌", "平台", "体系")


def _program_canon(g):
    """Program node → the node it is a variant of: 强村公司模式 is 强村公司 when the graph holds both
    (a generic head noun — 模式, 制度, 机制, 工作法 … — added to a name the graph also knows)."""
    nodes = {d.get("name"): n for n, d in g.nodes(data=True) if d.get("type") == "Program"}
    out = {}
    for name, n in nodes.items():
        for head in _GENERIC_HEADS:
            if name and name.endswith(head) and len(name) - len(head) >= 2 and name[:-len(head)] in nodes:
                out[n] = nodes[name[:-len(head)]]
                break
    return out


def _program_index(g):
    """Program name or alias → program node."""
    index = {}
    for n, d in g.nodes(data=True):
        if d.get("type") == "Program":
            for name in [d.get("name")] + list(d.get("aliases") or []):
                if name and len(name) >= 2:
                    index.setdefault(name, n)
    for n, d in g.nodes(data=True):  # canonical names win over aliases
        if d.get("type") == "Program" and d.get("name"):
            index[d["name"]] = n
    canon = _program_canon(g)
    return {name: canon.get(n, n) for name, n in index.items()}


_QUOTED = re.compile(r"[“\"「『]([^“”\"「」『』]{2,30})[”\"」』]")


def _spread_program(g, d, index):
    """The program node of a ``spreads_to`` edge: its ``program`` attribute, else a program the
    graph knows, quoted in the evidence sentence (the first after the cue): a name the extractor
    recognised in other documents but not in this sentence. Returns (node, how)."""
    name = d.get("program")
    if name:
        node = index.get(name)
        return (node, "relation") if node else (None, None)
    for ev in d.get("evidence") or []:
        sent = ev.get("sentence") or ""
        cue = sent.find(d.get("cue") or "\0")
        found = [(m.start(), index[m.group(1)]) for m in _QUOTED.finditer(sent) if m.group(1) in index]
        if found:
            after = [f for f in found if f[0] > cue]
            return (after or found)[0][1], "sentence"
    return None, None


def _article_year(g, doc, start=None):
    d = g.nodes.get(f"doc:{doc}") if doc else None
    if not d:
        return None
    if start is not None:
        for a in d.get("articles") or []:
            if a.get("start", 0) <= start < a.get("end", 0) and a.get("year"):
                return a["year"]
    return d.get("year")


def _year_in(sentence, anchors=()):
    """The year ``sentence`` gives for an event at the first of ``anchors`` found in it: the last
    year before it, else the first after; the first year of the sentence if no anchor is found."""
    years = [(m.start(), int(m.group(1))) for m in YEAR.finditer(sentence or "")]
    if not years:
        return None
    for anchor in anchors:
        pos = sentence.find(anchor) if anchor else -1
        if pos >= 0:
            before = [y for p, y in years if p < pos]
            return before[-1] if before else years[0][1]
    return years[0][1]


def _evidence_for(evidence, year, year_source):
    """The evidence item that gives ``year`` (the sentence naming it), else the first."""
    evidence = evidence or []
    if year and year_source == "sentence":
        for ev in evidence:
            if f"{year}年" in (ev.get("sentence") or "").replace(" ", ""):
                return ev
    return evidence[0] if evidence else {}


def _cue_event(cue):
    if not cue:
        return "推广"
    return "学习借鉴" if any(c in cue for c in _LEARN_CUES) else "推广"


def adoption_records(g):
    """Every piece of evidence that a place took up a program, before aggregation: dicts with
    ``program_id``, ``place_id`` (a graph place), ``adopter`` (the place or organisation named),
    ``year``, ``year_source``, ``event``, ``docs``, ``evidence`` and ``via`` (``adopts``,
    ``spreads_to``, or ``spreads_from`` for the place a program came from)."""
    places = _Places(g)
    programs = _program_index(g)
    canon = _program_canon(g)
    out = []
    for u, v, k, d in relation_edges(g):
        if k == "adopts":
            if g.nodes[v].get("type") != "Program":
                continue
            v = canon.get(v, v)
            kind = g.nodes[u].get("type")
            place = u if kind == "Place" else places.org_place(u) if kind == "Organization" else None
            if place is None:
                continue
            place = places.canonical(place)
            year = d.get("year")
            source = d.get("year_source") if year else None
            out.append({"program_id": v, "place_id": place, "adopter": u, "year": year,
                        "year_source": source or ("article" if year else None), "event": d.get("event"),
                        "docs": list(d.get("docs") or []), "evidence": _evidence_for(d.get("evidence"), year, source),
                        "via": "adopts"})
        elif k == "spreads_to":
            prog, _ = _spread_program(g, d, programs)
            if prog is None or g.nodes[u].get("type") != "Place" or g.nodes[v].get("type") != "Place":
                continue
            u, v = places.canonical(u), places.canonical(v)
            names = [g.nodes[v].get("name", "")] + list(g.nodes[v].get("aliases") or [])
            for ev in d.get("evidence") or [{}]:
                doc = ev.get("doc") or (d.get("docs") or [None])[0]
                year = d.get("year") or _year_in(ev.get("sentence"), [d.get("cue")] + names)
                source = "sentence" if year else None
                if not year:
                    year = _article_year(g, doc, ev.get("start"))
                    source = "article" if year else None
                out.append({"program_id": prog, "place_id": v, "adopter": v, "year": year, "year_source": source,
                            "event": _cue_event(d.get("cue")), "docs": [doc] if doc else [], "evidence": ev,
                            "via": "spreads_to"})
                # The place it came from had it by then: the article's year bounds it from above.
                year = _article_year(g, doc, ev.get("start"))
                out.append({"program_id": prog, "place_id": u, "adopter": u, "year": year,
                            "year_source": "article" if year else None, "event": None,
                            "docs": [doc] if doc else [], "evidence": ev, "via": "spreads_from"})
    return out


_SOURCE_RANK = {"sentence": 0, "paragraph": 1, "article": 2, None: 3}
_EVENT_RANK = {"首创": 0, "试点": 1, "学习借鉴": 2, "推广": 3, None: 4}


def _record_order(r):
    # The earliest year any evidence gives (every dated mention bounds the adoption from above);
    # on a tie, a sentence's year before an article's, then the more specific kind of event.
    return (r["year"] or 9999, _SOURCE_RANK.get(r["year_source"], 2), _EVENT_RANK.get(r["event"], 4),
            r["via"] != "adopts")


def adoptions(g, level=None, programs=None):
    """One row per (program, place) — see ``ADOPTION_COLUMNS`` and the module docstring.

    ``level`` rolls places up (village, town, county, city, province); ``programs`` keeps only
    those program names (or families). ``year`` is the earliest year the evidence gives: the year a
    sentence states (``year_source`` sentence) or, for a mention whose sentence states none, the
    year of its article (``article``); ``unknown`` when neither. ``event`` is the kind of adoption of
    that earliest record (首创, 试点, 推广, 学习借鉴), else the most specific one any record gives, else
    ``adoption``. ``doc`` and ``sentence`` are its evidence.
    Rows are sorted by program, year and place.
    """
    if level is not None and level not in ROLLUP_LEVELS:
        raise ValueError(f"level must be one of {', '.join(ROLLUP_LEVELS)}")
    places = _Places(g)
    wanted = set(programs) if programs is not None else None
    groups = defaultdict(list)
    for rec in adoption_records(g):
        pd = g.nodes[rec["program_id"]]
        if wanted is not None and pd.get("name") not in wanted and pd.get("family") not in wanted:
            continue
        chain = places.chain(rec["place_id"])
        target = _roll(chain, level)
        idx = next(i for i, r in enumerate(chain) if r["id"] == target["id"])
        groups[(rec["program_id"], target["id"])].append((rec, chain[idx:]))
    rows = []
    for (prog, place_id), items in groups.items():
        recs = [r for r, _ in items]
        chain = items[0][1]
        place = chain[0]
        best = min(recs, key=_record_order)
        dated = [r for r in recs if r["year"]]
        event = best["event"] or min((r["event"] for r in recs), key=lambda e: _EVENT_RANK.get(e, 4)) or "adoption"
        docs = sorted({doc for r in recs for doc in r["docs"]})
        ev = best["evidence"] or next((r["evidence"] for r in recs if r["evidence"]), {})
        lon, lat, approx = _coords(chain)
        pd = g.nodes[prog]
        adopters = []
        for r in sorted(recs, key=_record_order):
            name = g.nodes[r["adopter"]].get("name", r["adopter"])
            if name not in adopters:
                adopters.append(name)
        rows.append({
            "program": pd.get("name", prog), "family": pd.get("family") or pd.get("name", prog),
            "place": place["name"], "level": place["level"], "admin_code": place["admin_code"],
            "province": place["province"], "year": best["year"] if dated else None,
            "year_source": best["year_source"] if dated else "unknown", "event": event,
            "n_docs": len(docs), "doc": ev.get("doc") or (docs[0] if docs else ""),
            "sentence": (ev.get("sentence") or "").strip(),
            "place_id": place_id, "program_id": prog, "parent": chain[1]["name"] if len(chain) > 1 else place["parent"],
            "adopters": adopters, "lon": lon, "lat": lat, "approx_coords": approx, "docs": docs})
    rows.sort(key=lambda r: (r["program"], r["year"] is None, r["year"] or 0, r["place"], r["place_id"]))
    return rows


def node_labels(rows):
    """A readable, unique label for every place of ``rows``: its name, with the parent (or the id)
    added when two places share a name (两个城西村)."""
    by_name = defaultdict(set)
    info = {}
    for r in rows:
        by_name[r["place"]].add(r["place_id"])
        info[r["place_id"]] = r
    labels = {}
    for name, ids in by_name.items():
        for pid in ids:
            if len(ids) == 1:
                labels[pid] = name
            else:
                parent = info[pid].get("parent")
                labels[pid] = f"{name}@{parent}" if parent else pid
    if len(set(labels.values())) < len(labels):  # parents clash too: fall back to ids
        counts = defaultdict(int)
        for lab in labels.values():
            counts[lab] += 1
        labels = {pid: (lab if counts[lab] == 1 else pid) for pid, lab in labels.items()}
    return labels


def cascades(rows):
    """Long-format cascades from adoption rows: dicts ``node`` (place label), ``cascade`` (program),
    ``time`` (year), ``node_id`` and ``event``; rows without a year are left out. In R:
    ``as_cascade_long(read.csv("cascades.csv"), cascade_node_name = "node", event_time = "time",
    cascade_id = "cascade")``.

    >>> rows = [{"program": "P", "place": "甲县", "place_id": "place:1", "year": 2019, "event": "首创"},
    ...         {"program": "P", "place": "乙县", "place_id": "place:2", "year": None, "event": "adoption"}]
    >>> cascades(rows)
    [{'node': '甲县', 'cascade': 'P', 'time': 2019, 'node_id': 'place:1', 'event': '首创'}]
    """
    labels = node_labels(rows)
    out = [{"node": labels[r["place_id"]], "cascade": r["program"], "time": r["year"], "node_id": r["place_id"],
            "event": r.get("event", "")} for r in rows if r.get("year")]
    out.sort(key=lambda c: (c["cascade"], c["time"], c["node"]))
    return out


def program_table(rows, edges=()):
    """Per-program metadata (SPID-style): first and last year, number of adopting places (and of
    dated ones), the first adopters, explicit spread edges, documents.

    >>> rows = [{"program": "P", "family": "P", "place": "甲县", "year": 2019, "docs": ["a"]},
    ...         {"program": "P", "family": "P", "place": "乙县", "year": 2021, "docs": ["a", "b"]}]
    >>> t = program_table(rows)[0]
    >>> t["first_year"], t["last_year"], t["adopt_count"], t["first_adopters"], t["n_docs"]
    (2019, 2021, 2, ['甲县'], 2)
    """
    by_prog = defaultdict(list)
    for r in rows:
        by_prog[r["program"]].append(r)
    n_edges = defaultdict(int)
    for e in edges:
        if e.get("kind", "explicit") == "explicit":
            n_edges[e["program"]] += 1
    out = []
    for prog, rs in by_prog.items():
        years = [r["year"] for r in rs if r.get("year")]
        first = min(years) if years else None
        docs = sorted({d for r in rs for d in r.get("docs") or []})
        out.append({"program": prog, "family": rs[0].get("family") or prog, "first_year": first,
                    "last_year": max(years) if years else None, "adopt_count": len(rs), "dated_count": len(years),
                    "first_adopters": sorted(r["place"] for r in rs if first is not None and r.get("year") == first),
                    "explicit_edges": n_edges[prog], "n_docs": len(docs), "docs": docs})
    out.sort(key=lambda p: (-p["adopt_count"], p["first_year"] or 9999, p["program"]))
    return out


# ---------------------------------------------------------------- spread edges

def explicit_spread_edges(g, level=None):
    """The ``spreads_to`` edges of the graph with a program: one dict per (program, source, target)
    after rolling places up to ``level`` (edges inside one place at that level are dropped), with
    ``cue``, ``year`` (the sentence's, else the article's), ``doc`` and ``sentence``."""
    places = _Places(g)
    programs = _program_index(g)
    merged = {}
    for u, v, k, d in relation_edges(g, "spreads_to"):
        prog, how = _spread_program(g, d, programs)
        if prog is None or g.nodes[u].get("type") != "Place" or g.nodes[v].get("type") != "Place":
            continue
        u, v = places.canonical(u), places.canonical(v)
        cu, cv = places.chain(u), places.chain(v)
        a, b = _roll(cu, level), _roll(cv, level)
        if a["id"] == b["id"]:
            continue
        evidence = d.get("evidence") or [{}]
        names = [g.nodes[v].get("name", "")] + list(g.nodes[v].get("aliases") or [])
        dated = []
        for ev in evidence:
            y = _year_in(ev.get("sentence"), [d.get("cue")] + names)
            if y:
                dated.append((y, "sentence", ev))
        if not dated:
            for ev in evidence:
                y = _article_year(g, ev.get("doc"), ev.get("start"))
                if y:
                    dated.append((y, "article", ev))
        year, source, ev = min(dated, key=lambda x: x[0]) if dated else (None, None, evidence[0])
        key = (prog, a["id"], b["id"])
        row = {"kind": "explicit", "program": g.nodes[prog].get("name"), "source": a["name"], "target": b["name"],
               "year": year, "year_source": source or "unknown", "cue": d.get("cue") or "",
               "source_level": a["level"], "target_level": b["level"], "source_id": a["id"], "target_id": b["id"],
               "docs": sorted(set(d.get("docs") or [])), "doc": ev.get("doc", ""),
               "sentence": (ev.get("sentence") or "").strip(),
               "evidence": [{"doc": e.get("doc", ""), "sentence": (e.get("sentence") or "").strip()} for e in evidence],
               "program_id": prog, "program_from": how}
        old = merged.get(key)
        if old is None or (row["year"] or 9999) < (old["year"] or 9999):
            if old is not None:
                row["evidence"] = old["evidence"] + row["evidence"]
                row["docs"] = sorted(set(old["docs"]) | set(row["docs"]))
            merged[key] = row
        else:
            old["evidence"] += row["evidence"]
            old["docs"] = sorted(set(old["docs"]) | set(row["docs"]))
    for row in merged.values():
        row["n_docs"] = len(row["docs"])
    return sorted(merged.values(), key=lambda e: (e["program"], e["year"] or 9999, e["source"], e["target"]))


def inferred_spread_edges(rows, p_value_cutoff=0.05, n_edges=None, lam=None):
    """NetInf (:func:`kg.netinf.netinf`, exponential model) over the cascades of adoption ``rows``:
    one dict per inferred edge between places with ``improvement``, ``p_value``, and the
    programs (``cascades``) whose most likely adoption tree uses it. ``lam`` defaults to one over
    the mean gap in years between successive adoptions."""
    labels = node_labels(rows)
    info = {r["place_id"]: r for r in rows}
    data = defaultdict(dict)
    for r in rows:
        data[r["program"]]  # every program is a cascade, dated or not
        if r.get("year"):
            data[r["program"]][r["place_id"]] = r["year"]
    if lam is None:
        lam = exponential_rate(data)
    edges = netinf(data, n_edges=n_edges, p_value_cutoff=p_value_cutoff, lam=lam)
    trees = cascade_trees(data, edges, lam=lam)
    used = defaultdict(list)
    for t in trees:
        if t["network"]:
            used[(t["parent"], t["child"])].append(t["cascade"])
    out = []
    for e in edges:
        a, b = info[e["source"]], info[e["target"]]
        programs = sorted(used.get((e["source"], e["target"]), []))
        out.append({"kind": "inferred", "program": "", "source": labels[e["source"]], "target": labels[e["target"]],
                    "year": None, "cue": "", "improvement": round(e["improvement"], 6),
                    "p_value": e["p_value"] if math.isfinite(e["p_value"]) else None,
                    "n_cascades": len(programs), "cascades": programs,
                    "source_level": a["level"], "target_level": b["level"],
                    "source_id": e["source"], "target_id": e["target"], "lam": lam})
    return out


def spread_edges(g, rows=None, level=None, p_value_cutoff=0.05, n_edges=None, lam=None):
    """Explicit edges (:func:`explicit_spread_edges`) then inferred ones (:func:`inferred_spread_edges`)."""
    if rows is None:
        rows = adoptions(g, level=level)
    return explicit_spread_edges(g, level=level) + inferred_spread_edges(rows, p_value_cutoff=p_value_cutoff,
                                                                          n_edges=n_edges, lam=lam)


def spread_network(rows, edges):
    """A networkx ``MultiDiGraph`` of places (attributes from the adoption rows) and spread edges,
    keyed ``explicit`` or ``inferred``."""
    import networkx as nx
    net = nx.MultiDiGraph()
    for r in rows:
        if r["place_id"] not in net:
            net.add_node(r["place_id"], name=r["place"], level=r.get("level"), admin_code=r.get("admin_code"),
                         province=r.get("province"), lon=r.get("lon"), lat=r.get("lat"))
    for e in edges:
        for end, name, lvl in (("source_id", "source", "source_level"), ("target_id", "target", "target_level")):
            if e[end] not in net:
                net.add_node(e[end], name=e[name], level=e[lvl])
        net.add_edge(e["source_id"], e["target_id"], key=e["kind"],
                     **{k: v for k, v in e.items() if k not in ("source_id", "target_id", "kind")})
    return net


# ---------------------------------------------------------------- outputs

def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return "|".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


def _csv(rows, columns):
    return csv_text(([_cell(r.get(c)) for c in columns] for r in rows), columns)


def html_data(rows, edges, level=None):
    """The data diffusion.html draws: programs (adoptions, edges, evidence), places, a backdrop."""
    gaz = gazetteer()
    labels = node_labels(rows)
    places = {}
    for r in rows:
        places.setdefault(r["place_id"], {"name": labels[r["place_id"]], "level": r["level"],
                                          "province": r["province"], "lon": r["lon"], "lat": r["lat"],
                                          "approx": bool(r.get("approx_coords"))})
    programs = {}
    for r in rows:
        p = programs.setdefault(r["program"], {"name": r["program"], "family": r["family"], "adoptions": [], "edges": []})
        p["adoptions"].append({"place": r["place_id"], "year": r["year"], "year_source": r["year_source"],
                               "event": r["event"], "n_docs": r["n_docs"], "adopters": r["adopters"],
                               "doc": r["doc"], "sentence": r["sentence"]})
    for e in edges:
        for end in ("source_id", "target_id"):
            if e[end] not in places:
                places[e[end]] = {"name": e["source" if end == "source_id" else "target"],
                                  "level": e["source_level" if end == "source_id" else "target_level"],
                                  "province": "", "lon": None, "lat": None}
        item = {"kind": e["kind"], "source": e["source_id"], "target": e["target_id"], "year": e.get("year"),
                "cue": e.get("cue", ""), "improvement": e.get("improvement"), "p_value": e.get("p_value"),
                "evidence": e.get("evidence", [])}
        if e["kind"] == "explicit":
            if e["program"] in programs:
                programs[e["program"]]["edges"].append(item)
        else:
            for prog in e.get("cascades") or []:
                if prog in programs:
                    programs[prog]["edges"].append(item)
    order = sorted(programs.values(), key=lambda p: (-len(p["adoptions"]), p["name"]))
    backdrop = [{"name": p.name, "lon": p.lon, "lat": p.lat} for p in gaz.by_code.values()
                if p.level == "province" and p.lon is not None]
    return {"programs": order, "places": places, "backdrop": backdrop, "cells": _land_cells(), "cell": _CELL,
            "seats": _seats(), "level": level or "", "events": EVENT_LABELS}


_CELL = 0.5  # degrees


@lru_cache(maxsize=1)
def _land_cells():
    """Half-degree cells holding at least one county seat: a rough silhouette of China for the map."""
    cells = {(int(p.lon // _CELL), int(p.lat // _CELL)) for p in gazetteer().by_code.values()
             if p.lon is not None and p.lat is not None}
    return [[round(x * _CELL, 2), round(y * _CELL, 2)] for x, y in sorted(cells)]


@lru_cache(maxsize=1)
def _seats():
    """Prefecture and county seats with coordinates: [lon, lat, name, level] (the close-up backdrop)."""
    return [[round(p.lon, 3), round(p.lat, 3), p.name, p.level] for p in gazetteer().by_code.values()
            if p.level in ("city", "county") and p.lon is not None and p.lat is not None]


def render_html(rows, edges, title="kg diffusion", level=None):
    """diffusion.html as a string: one self-contained page, no network access (see the template).
    Every string reaches the page as JSON data and is displayed with ``textContent``."""
    template = (Path(__file__).resolve().parent / "templates" / "diffusion.html").read_text(encoding="utf-8")
    values = {"title": html.escape(title), "data_json": safe_json(html_data(rows, edges, level))}
    return re.sub(r"\{\{ (title|data_json) \}\}", lambda m: values[m.group(1)], template)


def write_outputs(g, out, level=None, p_value_cutoff=0.05, n_edges=None, lam=None, title=None):
    """Write ``adoptions.csv``, ``cascades.csv``, ``programs.csv``, ``spread_edges.csv`` and
    ``diffusion.html`` to folder ``out``; return the paths by name.

    >>> import networkx as nx, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> sorted(write_outputs(nx.MultiDiGraph(), out))
    ['adoptions.csv', 'cascades.csv', 'diffusion.html', 'programs.csv', 'spread_edges.csv']
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = adoptions(g, level=level)
    explicit = explicit_spread_edges(g, level=level)
    inferred = inferred_spread_edges(rows, p_value_cutoff=p_value_cutoff, n_edges=n_edges, lam=lam) if rows else []
    paths = {name: out / name for name in ("adoptions.csv", "cascades.csv", "programs.csv", "spread_edges.csv",
                                           "diffusion.html")}
    atomic_write(paths["adoptions.csv"], _csv(rows, ADOPTION_COLUMNS))
    atomic_write(paths["cascades.csv"], _csv(cascades(rows), CASCADE_COLUMNS))
    atomic_write(paths["programs.csv"], _csv(program_table(rows, explicit), PROGRAM_COLUMNS))
    atomic_write(paths["spread_edges.csv"], _csv(explicit + inferred, EDGE_COLUMNS))
    n_docs = sum(1 for _, d in g.nodes(data=True) if d.get("type") == "Document")
    n_programs = len({r["program"] for r in rows})
    title = title or (f"kg diffusion: {n_programs} program{'s' if n_programs != 1 else ''}, "
                      f"{n_docs} document{'s' if n_docs != 1 else ''}")
    atomic_write(paths["diffusion.html"], render_html(rows, explicit + inferred, title=title, level=level))
    return {name: str(p) for name, p in paths.items()}


__all__ = ["adoptions", "adoption_records", "cascades", "program_table", "explicit_spread_edges",
           "inferred_spread_edges", "spread_edges", "spread_network", "place_chain", "roll_up", "node_labels",
           "html_data", "render_html", "write_outputs", "ROLLUP_LEVELS", "LEVELS"]
