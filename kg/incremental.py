"""Incremental output: a build's files from the store, computing only what changed.

The last build's plan is kept in the store (:class:`kg.store.PlanState`): its documents, and every
entity and relation of every document with the key or edge it went to. A rebuild compares the
documents with the last build's (by name and content) and works from the difference only:

- the entities of added documents get their keys; people of a name that appears in an added or
  removed document are resolved again together (a person's key depends on the people of that
  name before it), and so are the places without parent whose name gained or lost its only place
  with a parent (:mod:`kg.resolve`). Entities whose key changed make their documents *touched*.
- the elements made of added, removed or touched documents' entities and relations are computed
  again from all their members (read from the plan tables, not from the records), and so are the
  relations of an entity whose name (its first member's) changed, since relations.csv shows it.
- an element shows the evidence of its first members: what it showed before is reused from its
  previous piece, and only the full records of the documents with new evidence are read.

Elements are in the files sorted by id (nodes, then edges), so an element's place does not depend
on the others: the pieces of every other element are copied from the previous files as byte
ranges. ``OUT/kg.index`` keeps the ids, the byte range of every piece in every file and what
the viewer page needs (``OUT/kg.page-pieces`` keeps its piece of each entity and relation). The
page keeps the positions its nodes had. A rebuild writes byte for byte what a fresh build writes.

Every file is written from scratch when one of them is not as the index describes it (edited,
removed, left by an interrupted build), when the index and the plan tables are not of the same
build, or when kg's extraction or output code changed.

>>> import tempfile, pathlib
>>> from kg.extract import extract_text, skeleton
>>> from kg.store import Key, Store
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> rec = extract_text("2021年，浙江省安吉县推行积分制。", name="a.txt")
>>> with Store(out / "kg.sqlite") as store:
...     key = Key("hash-a", False)
...     store.put([(key, json.dumps(rec), json.dumps(skeleton(rec)), None, 1, 0.0)])
...     first = write_outputs([Doc("a.txt", key)], store, out)
...     again = write_outputs([Doc("a.txt", key)], store, out)
>>> first.computed == first.elements > 0, again.computed
(True, 0)
"""
from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import mmap
import os
import sys
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__, export, viz
from .graph import (MAX_EVIDENCE, STRUCTURE_EDGES, STRUCTURE_NODES, article_attrs, article_nodes, doc_node, document_attrs, edge_key, entity_attrs,
                    evidence_count, evidence_items, mention_weights, mentioned_in_attrs, part_of_attrs, relation_attrs)
from .io import atomic_open, atomic_write
from .resolve import entity_key, is_named_place, parentless_key, person_keys, _neighbours
from .store import DocState, EntityRow, RelationRow

INDEX = "kg.index"
PAGE_PIECES = viz.PagePieces()
FORMATS = export.FORMATS + (PAGE_PIECES,)
HTML = "graph.html"
MERGES = "merges.csv"
_LOAD_BATCH = 256  # records read from the store at a time


@dataclass
class Doc:
    """A document of the build: its name (a record's ``doc``) and its content key."""
    name: str
    key: object


@dataclass
class Written:
    elements: int = 0  # nodes and edges
    nodes: int = 0
    edges: int = 0
    computed: int = 0  # elements computed (the others were copied from the previous files)
    full_records: int = 0  # documents whose full record was read


def output_version(pipeline_version):
    """What every piece depends on besides its element: extraction (``pipeline_version``) and the
    code that turns records into pieces."""
    h = hashlib.sha256(f"{__version__}\0{pipeline_version}\0{sys.version_info[:2]}".encode("utf-8"))
    here = Path(__file__).resolve().parent
    for name in ("export.py", "graph.py", "resolve.py", "incremental.py", "store.py", "viz.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:20]


def write_outputs(docs, store, out, title=None):
    """Write every output of a build of ``docs`` (:class:`Doc`, in corpus order, each stored in
    ``store``, a :class:`kg.store.Store`) into ``out``, and record its plan in the store."""
    return Outputs(store, out, title).write(docs)


class Outputs:
    """The outputs of one build into folder ``out``: :meth:`prepare` reads what the last build left
    (a build calls it while its files are being extracted), :meth:`write` writes every file."""

    def __init__(self, store, out, title=None):
        self.store, self.out, self.title = store, Path(out), title
        self.prepared = False

    def prepare(self, contents):
        """Read the last build's index and plan, and the members of what the documents that
        ``contents`` (``{name: content key}`` of this build's files) no longer has took part in."""
        self.out.mkdir(parents=True, exist_ok=True)
        self.version = output_version(self.store.version)
        self.state = self.store.plan_state()
        old = _load_index(self.out, self.version)
        if old is not None and (not old["generation"] or old["generation"] != self.state.generation()):
            old = None
        self.old = old
        self.last = self.state.docs() if old is not None else None
        if self.last:
            gone = [s.doc for name, s in self.last.items() if contents.get(name) != s.key]
            self.state.entities_with_keys({r.key for r in self.state.entities_of(gone)})
            self.state.relations_on({_edge(r) for r in self.state.relations_of(gone) if _is_edge(r)})
        self.prepared = True

    def write(self, docs):
        """Write every file for ``docs`` (:class:`Doc`, in corpus order); returns :class:`Written`."""
        if not self.prepared:
            self.prepare({d.name: d.key for d in docs})
        return _write(docs, self.store, self.out, self.title, self.version, self.state, self.old, self.last)


def _write(docs, store, out, title, version, state, old, last):
    change = _change(docs, last)
    if change.afresh:
        old = None
    delta = _Delta(change)
    _read_added(delta, docs, store)
    _resolve(delta, state)
    _entities(delta, state)
    _relations(delta, state)
    _documents(delta)
    evidence, full_records = _evidence(delta, old, out, store, docs)

    nodes = _sequence(old["node_ids"] if old else [], delta.nodes, delta.node_candidates)
    edges = _sequence(old["edge_ids"] if old else [], set(map(_edge_id, delta.edges)),
                      set(map(_edge_id, delta.edge_candidates)))
    n_nodes = len(nodes.ids)
    graph_attrs = {"kg_version": delta.kg_version.get(change.serials[0], "") if docs else ""}
    names = _names(delta, nodes, old)

    def name_of(key):
        return names[bisect.bisect_left(nodes.ids, key)]

    def attrs_of(e):
        """The attributes of the element at position ``e`` (a computed one)."""
        x, edge = _element(e, nodes, edges)
        return delta.attrs(x if edge is None else edge, evidence)

    with contextlib.ExitStack() as stack:
        if old is None:
            ranges, facts = _write_all(out, nodes, edges, attrs_of, name_of, graph_attrs)
            cook = None
            start, length = ranges[PAGE_PIECES.filename]
            sources = ((_mapped(stack, out / PAGE_PIECES.filename),), np.zeros(len(start), dtype=np.int64),
                       start, length)
        else:
            recipes, ranges, facts, pieces, oi = _plan_changed(nodes, edges, attrs_of, name_of, graph_attrs, old)
            # the page's pieces: the previous ones (their file kept open while it is replaced), the new ones
            page = _mapped(stack, out / PAGE_PIECES.filename)
            cook = _Cook(out, recipes)
            del recipes
            sources = _page_sources(page, old["ranges"][PAGE_PIECES.filename], oi, pieces)
        del evidence
        export.write_merge_log(_merge_log(delta, state), out / MERGES)
        # the plan is recorded first (if the files then fail, the index and the plan are of different
        # builds), by a thread: SQLite works without Python's lock while this one makes the page
        generation = uuid.uuid4().hex if change.unique_names else ""
        saving = stack.enter_context(ThreadPoolExecutor(1)).submit(_save_state, delta, state, generation)
        entities, relations, total = _page_elements(facts, n_nodes)
        table = facts.page_table(nodes.ids, names, entities, relations, sources)
        title = title or f"kg: {len(docs)} documents"
        positions = dict(zip(old["page_ids"], old["page_xy"])) if old is not None else None
        html, placed = viz.render_page(table, title, total=total, positions=positions)
        del table
        atomic_write(out / HTML, html, "wb")
        saving.result()
    if cook is not None:
        cook.wait()
    _save_index(out, version, generation, nodes.ids, edges.ids, names, facts, ranges, placed)
    return Written(elements=n_nodes + len(edges.ids), nodes=n_nodes, edges=len(edges.ids),
                   computed=int(nodes.computed.sum() + edges.computed.sum()), full_records=full_records)


# ------------------------------------------------------------------ what changed

@dataclass
class _Change:
    """This build's documents against the last build's (``last``: doc number → DocState; empty when
    everything is made afresh)."""
    serials: list  # doc number of each document, in corpus order
    pos: dict  # doc number -> position in this build
    names: dict  # doc number -> name, of this build's documents and the last build's
    last: dict
    gone: set  # doc numbers of the last build's documents not in this one
    added: list  # positions of the documents new to the graph
    afresh: bool
    unique_names: bool  # two documents of one name share their document node: such a build is not kept


def _change(docs, last):
    """How ``docs`` differ from the last build's documents (``last``: name → DocState, or None).
    A document is the same if its name and content are; if the documents kept are not in the
    same order as before, everything is made afresh."""
    names = [d.name for d in docs]
    unique = len(set(names)) == len(names)
    afresh = last is None or not unique
    serials, added, kept_pos = [], [], []
    if not afresh:
        number = max((s.doc for s in last.values()), default=0) + 1
        for pos, d in enumerate(docs):
            s = last.get(d.name)
            if s is not None and s.key == d.key:
                serials.append(s.doc)
                kept_pos.append(s.pos)
            else:
                serials.append(number)
                number += 1
                added.append(pos)
        afresh = any(b <= a for a, b in zip(kept_pos, kept_pos[1:]))
    if afresh:
        serials, added, last = list(range(1, len(docs) + 1)), list(range(len(docs))), {}
    last = {s.doc: s for s in last.values()}
    kept = set(serials)
    names_of = {s.doc: s.name for s in last.values()}
    names_of.update(zip(serials, names))
    return _Change(serials=serials, pos={s: i for i, s in enumerate(serials)}, names=names_of, last=last,
                   gone={d for d in last if d not in kept}, added=added, afresh=afresh, unique_names=unique)


@dataclass
class _Delta:
    """What a build changes in the plan, filled stage by stage (:func:`_read_added`,
    :func:`_resolve`, :func:`_entities`, :func:`_relations`, :func:`_documents`)."""
    change: _Change
    docs: list = field(default_factory=list)  # DocState of the added documents
    kg_version: dict = field(default_factory=dict)  # doc number -> kg version, of the first document
    added: dict = field(default_factory=dict)  # (doc, j) -> EntityRow of the added documents
    added_relations: list = field(default_factory=list)  # RelationRow of the added documents
    gone: list = field(default_factory=list)  # EntityRow of the removed documents
    rekeyed: list = field(default_factory=list)  # (old, new) EntityRow of kept documents whose key changed
    members: dict = field(default_factory=dict)  # entity key -> (rows before, rows now), each in merge order
    moved: list = field(default_factory=list)  # (old, new) RelationRow of kept documents whose edge changed
    supports: dict = field(default_factory=dict)  # edge -> (rows before, rows now), each in order
    nodes: dict = field(default_factory=dict)  # node id -> its attributes or, for entities, None (computed later)
    node_candidates: set = field(default_factory=set)  # ids of nodes that may have changed
    edges: dict = field(default_factory=dict)  # edge (u, v, k) -> its attributes or None (relations)
    edge_candidates: set = field(default_factory=set)
    touched: tuple = ((), ())  # numbers of the kept documents with an entity rekeyed, and their EntityRows
    merges: dict = field(default_factory=dict)  # (doc, j) -> (phase, merge log row or None), recomputed

    def attrs(self, x, evidence):
        """The attributes of node ``x`` or edge ``x`` (``(u, v, k)``), computed from their members
        and ``evidence`` (:func:`_evidence`) for entities and relations."""
        edge = isinstance(x, tuple)
        d = (self.edges if edge else self.nodes)[x]
        if d is None:
            rows = (self.supports if edge else self.members)[x][1]
            make = relation_attrs if edge else entity_attrs
            d = make([(self.change.names[r.doc], _item(r)) for r in rows], _evidence_of(evidence, "er"[edge], rows))
        return d


def _item(row):
    return json.loads(row.item)


def _read_added(delta, docs, store):
    """The entity and relation rows of the added documents, from their skeletons (entities that
    resolve with others get their key in :func:`_resolve`)."""
    change = delta.change
    for s in change.last.values():
        delta.kg_version[s.doc] = s.kg_version
    for b in range(0, len(change.added), _LOAD_BATCH):
        batch = change.added[b:b + _LOAD_BATCH]
        stored = store.get_many((docs[p].key for p in batch), column="skeleton")
        for p in batch:
            d, serial = docs[p], change.serials[p]
            skeleton = json.loads(stored[d.key].record)
            delta.kg_version[serial] = skeleton.get("kg_version", "")
            articles = skeleton.get("articles", [])
            delta.docs.append(DocState(serial, d.name, d.key, p, delta.kg_version[serial],
                                       json.dumps(articles, ensure_ascii=False)))
            entities, relations = _rows(serial, skeleton)
            delta.added.update(((r.doc, r.j), r) for r in entities)
            delta.added_relations.extend(relations)


def _rows(doc, skeleton):
    """Entity and relation rows of one document: entities resolved on their own get their key,
    people and places without code or parent get none yet (their ``bucket`` says with what they
    resolve)."""
    entities = []
    neighbours = None
    for j, ent in enumerate(skeleton["entities"]):
        name, context = ent["name"], None
        found = entity_key(ent)
        if found is not None:
            key, reason = found
            phase, bucket = 0, f"named:{name}" if is_named_place(ent) else None
        elif ent["type"] == "Person":
            if neighbours is None:
                neighbours = _neighbours(skeleton)
            key, reason, phase, bucket = None, "", 0, f"person:{name}"
            context = json.dumps(sorted(neighbours.get(ent["id"], ())), ensure_ascii=False)
        elif ent["type"] == "Place":
            key, reason, phase, bucket = None, "", 1, f"parentless:{name}"
        else:
            continue  # not a type the graph has
        entities.append(EntityRow(doc, j, key, phase, bucket, reason, context, name, evidence_count(ent),
                                  json.dumps(ent, ensure_ascii=False)))
    local = {ent["id"]: j for j, ent in enumerate(skeleton["entities"])}
    relations = [RelationRow(doc, j, None, None, edge_key(rel["type"], rel.get("attrs", {})),
                             local.get(rel["source"], -1), local.get(rel["target"], -1), evidence_count(rel),
                             json.dumps(rel, ensure_ascii=False))
                 for j, rel in enumerate(skeleton["relations"])]
    return entities, relations


def _bucket_name(bucket):
    return bucket.split(":", 1)[1]


def _resolve(delta, state):
    """Keys for the added people and places without code or parent, and the kept entities whose
    key changed (``delta.rekeyed``): the people of every name an added or removed document has,
    and the places without parent of every name whose only place with a parent changed."""
    change = delta.change
    last = bool(change.last)
    delta.gone = state.entities_of(change.gone) if change.gone else []
    changing = delta.gone + list(delta.added.values())
    rekeyed = {}

    # places without parent join the only place of their name with a parent, if there is one
    names = {_bucket_name(r.bucket) for r in changing if r.bucket and r.bucket.startswith(("named:", "parentless:"))}
    before, after = defaultdict(set), defaultdict(set)
    for r in state.entities_in_buckets(f"named:{n}" for n in names) if last and names else []:
        before[_bucket_name(r.bucket)].add(r.key)
        if r.doc not in change.gone:
            after[_bucket_name(r.bucket)].add(r.key)
    for r in delta.added.values():
        if r.bucket and r.bucket.startswith("named:"):
            after[_bucket_name(r.bucket)].add(r.key)
    shifted = [n for n in names if parentless_key(n, before[n]) != parentless_key(n, after[n])]
    for r in state.entities_in_buckets(f"parentless:{n}" for n in shifted) if last and shifted else []:
        if r.doc not in change.gone:
            key, reason = parentless_key(_bucket_name(r.bucket), after[_bucket_name(r.bucket)])
            if key != r.key:
                rekeyed[(r.doc, r.j)] = (r, r._replace(key=key, reason=reason))
    for at, r in delta.added.items():
        if r.key is None and r.phase == 1:
            key, reason = parentless_key(_bucket_name(r.bucket), after[_bucket_name(r.bucket)])
            delta.added[at] = r._replace(key=key, reason=reason)

    # people of a name are resolved together, in merge order
    names = {_bucket_name(r.bucket) for r in changing if r.bucket and r.bucket.startswith("person:")}
    people = defaultdict(list)
    for r in state.entities_in_buckets(f"person:{n}" for n in names) if last and names else []:
        if r.doc not in change.gone:
            people[_bucket_name(r.bucket)].append(r)
    for r in delta.added.values():
        if r.bucket and r.bucket.startswith("person:"):
            people[_bucket_name(r.bucket)].append(r)
    for name, rows in people.items():
        rows.sort(key=lambda r: (change.pos[r.doc], r.j))
        contexts = [{tuple(x) for x in json.loads(r.context)} for r in rows]
        for r, (key, reason) in zip(rows, person_keys(name, contexts)):
            if (r.doc, r.j) in delta.added:
                delta.added[(r.doc, r.j)] = r._replace(key=key, reason=reason)
            elif key != r.key:
                rekeyed[(r.doc, r.j)] = (r, r._replace(key=key, reason=reason))
    delta.rekeyed = list(rekeyed.values())


def _merge_order(pos):
    return lambda r: (r.phase, pos[r.doc], r.j)


def _entities(delta, state):
    """The members, before and now, of every entity key that gained, lost or changed members."""
    change = delta.change
    moved = {(old.doc, old.j) for old, _ in delta.rekeyed}
    arriving = list(delta.added.values()) + [new for _, new in delta.rekeyed]
    keys = {r.key for r in delta.gone} | {old.key for old, _ in delta.rekeyed} | {r.key for r in arriving}
    before = defaultdict(list)
    for r in state.entities_with_keys(keys) if change.last and keys else []:
        before[r.key].append(r)
    now = {key: [r for r in before.get(key, ()) if r.doc not in change.gone and (r.doc, r.j) not in moved]
           for key in keys}
    for r in arriving:
        now[r.key].append(r)
    last_pos = {d: s.pos for d, s in change.last.items()}
    for key in keys:
        rows_before = sorted(before.get(key, ()), key=_merge_order(last_pos))
        rows_now = sorted(now[key], key=_merge_order(change.pos))
        delta.members[key] = (rows_before, rows_now)
        delta.node_candidates.add(key)
        if rows_now:
            delta.nodes[key] = None


def _first_name(rows):
    return rows[0].name if rows else None


def _relations(delta, state):
    """The supporting relations, before and now, of every edge that gained or lost some, and of
    the edges at an entity whose name changed."""
    change = delta.change
    key_of = {(r.doc, r.j): r.key for r in delta.added.values()}
    touched = sorted({new.doc for _, new in delta.rekeyed})
    touched_entities = state.entities_of(touched) if touched else []
    rekeyed = {(new.doc, new.j): new for _, new in delta.rekeyed}
    key_of.update(((r.doc, r.j), rekeyed.get((r.doc, r.j), r).key) for r in touched_entities)
    delta.touched = (touched, touched_entities)

    def edge_of(r):
        return r._replace(u=key_of.get((r.doc, r.sj)), v=key_of.get((r.doc, r.tj)))

    delta.added_relations = [edge_of(r) for r in delta.added_relations]
    for r in state.relations_of(touched) if touched else []:
        new = edge_of(r)
        if (new.u, new.v) != (r.u, r.v):
            delta.moved.append((r, new))
    gone = state.relations_of(change.gone) if change.gone else []
    arriving = delta.added_relations + [new for _, new in delta.moved]
    edges = {_edge(r) for r in gone + [old for old, _ in delta.moved] + arriving if _is_edge(r)}
    renamed = [key for key, (rows_before, rows_now) in delta.members.items()
               if rows_before and rows_now and _first_name(rows_before) != _first_name(rows_now)]
    moved = {(old.doc, old.j) for old, _ in delta.moved}
    for r in state.relations_touching(renamed) if renamed else []:
        if _is_edge(r) and r.doc not in change.gone and (r.doc, r.j) not in moved:
            edges.add(_edge(r))
    before = defaultdict(list)
    for r in state.relations_on(edges) if change.last and edges else []:
        before[_edge(r)].append(r)
    now = {e: [r for r in before.get(e, ()) if r.doc not in change.gone and (r.doc, r.j) not in moved] for e in edges}
    for r in arriving:
        if _is_edge(r):
            now[_edge(r)].append(r)
    last_pos = {d: s.pos for d, s in change.last.items()}
    for e in edges:
        rows_now = sorted(now[e], key=lambda r: (change.pos[r.doc], r.j))
        delta.supports[e] = (sorted(before.get(e, ()), key=lambda r: (last_pos[r.doc], r.j)), rows_now)
        delta.edge_candidates.add(e)
        if rows_now:
            delta.edges[e] = None


def _is_edge(r):
    return r.u is not None and r.v is not None and r.u != r.v


def _edge(r):
    return (r.u, r.v, r.k)


def _edge_id(e):
    return "\x1f".join(e)


def _documents(delta):
    """Document and article nodes, part_of and mentioned_in edges of the added and removed
    documents, and the mentioned_in edges of the touched ones (their entities changed keys)."""
    change = delta.change
    by_doc = defaultdict(list)
    for r in delta.added.values():
        by_doc[r.doc].append(r)
    for s in delta.docs:
        articles = json.loads(s.articles)
        _document_elements(delta, s.name, articles, by_doc[s.doc], present=True)
    gone = defaultdict(list)
    for r in delta.gone:
        gone[r.doc].append(r)
    for d in change.gone:
        s = change.last[d]
        _document_elements(delta, s.name, json.loads(s.articles), gone[d], present=False)
    touched, rows = delta.touched
    rekeyed = {(new.doc, new.j): new for _, new in delta.rekeyed}
    before, now = defaultdict(list), defaultdict(list)
    for r in rows:
        before[r.doc].append(r)
        now[r.doc].append(rekeyed.get((r.doc, r.j), r))
    for d in touched:
        s = change.last[d]
        articles = json.loads(s.articles)
        for found, present in ((before[d], False), (now[d], True)):
            for (key, where), weight in _mentions(s.name, articles, found).items():
                delta.edge_candidates.add((key, where, "mentioned_in"))
                if present:
                    delta.edges[(key, where, "mentioned_in")] = mentioned_in_attrs(weight)


def _mentions(name, articles, rows):
    return mention_weights(name, articles, [(r.key, json.loads(r.item)["starts"]) for r in rows])


def _document_elements(delta, name, articles, rows, present):
    nodes = {doc_node(name): document_attrs(name, articles)}
    edges = {}
    for a, node in enumerate(article_nodes(name, articles)):
        nodes[node] = article_attrs(name, articles, a)
        edges[(node, doc_node(name), "part_of")] = part_of_attrs()
    for (key, where), weight in _mentions(name, articles, rows).items():
        edges[(key, where, "mentioned_in")] = mentioned_in_attrs(weight)
    delta.node_candidates.update(nodes)
    delta.edge_candidates.update(edges)
    if present:
        delta.nodes.update(nodes)
        delta.edges.update(edges)


# ------------------------------------------------------------------ evidence

def _covers(counts):
    """How many evidence items each member gives, in order: the first MAX_EVIDENCE in all."""
    out, left = [], MAX_EVIDENCE
    for n in counts:
        take = min(n, left)
        out.append(take)
        left -= take
    return out


def _prefix(rows):
    """``(row, cover)`` of the members whose evidence an element shows."""
    out, left = [], MAX_EVIDENCE
    for r in rows:
        if left <= 0:
            break
        take = min(r.n, left)
        if take:
            out.append((r, take))
        left -= take
    return out


def _evidence_of(evidence, part, rows):
    out = []
    for r, cover in _prefix(rows):
        out.extend(evidence[(part, r.doc, r.j)][:cover])
    return out


def _evidence(delta, old, out, store, docs):
    """``{(part, doc, j): evidence items}`` for the first members of every element computed, and how
    many full records were read: items an element showed before are taken from its previous
    graph.json piece, the others from the full records."""
    change = delta.change
    known = {}
    if old is not None:
        json_ranges = old["ranges"][export.FORMATS[0].filename]
        with open(out / export.FORMATS[0].filename, "rb") as f:
            def previous(part, index, rows_before):
                if index < 0 or json_ranges[1][index] < 0 or not rows_before:
                    return
                f.seek(int(json_ranges[0][index]))
                ev = json.loads(f.read(int(json_ranges[1][index])))["evidence"]
                at = 0
                for r, cover in _prefix(rows_before):
                    known[(part, r.doc, r.j)] = ev[at:at + cover]
                    at += cover

            for key, (rows_before, rows_now) in delta.members.items():
                if rows_now:
                    previous("e", _find(old["node_ids"], key), rows_before)
            n_nodes = len(old["node_ids"])
            for e, (rows_before, rows_now) in delta.supports.items():
                if rows_now:
                    i = _find(old["edge_ids"], _edge_id(e))
                    previous("r", i + n_nodes if i >= 0 else -1, rows_before)
    evidence, wanted = {}, defaultdict(list)
    for part, groups in (("e", delta.members), ("r", delta.supports)):
        for _, rows_now in groups.values():
            for r, cover in _prefix(rows_now):
                items = known.get((part, r.doc, r.j))
                if items is not None and len(items) >= cover:
                    evidence[(part, r.doc, r.j)] = items
                else:
                    wanted[r.doc].append((part, r.j))
    del known
    by_serial = dict(zip(change.serials, docs))
    wanted_docs = sorted(wanted, key=change.pos.__getitem__)
    for b in range(0, len(wanted_docs), _LOAD_BATCH):
        batch = wanted_docs[b:b + _LOAD_BATCH]
        stored = store.get_many(by_serial[d].key for d in batch)
        for d in batch:
            rec = json.loads(stored[by_serial[d].key].record)
            for part, j in wanted[d]:
                item = rec["entities" if part == "e" else "relations"][j]
                evidence[(part, d, j)] = evidence_items(change.names[d], item)[:MAX_EVIDENCE]
    return evidence, len(wanted_docs)


def _find(ids, x):
    """The index of ``x`` in the sorted list ``ids``, -1 if it is not there."""
    i = bisect.bisect_left(ids, x)
    return i if i < len(ids) and ids[i] == x else -1


# ------------------------------------------------------------------ order

@dataclass
class _Sequence:
    """The ids of one section (nodes or edges) in order, with the index each had in the last
    build (``old``, -1: new) and whether it is computed (else copied)."""
    ids: list
    old: np.ndarray
    computed: np.ndarray


def _sequence(old_ids, present, candidates):
    """The sorted ids of this build: ``old_ids`` without the ``candidates`` that are no longer
    ``present``, with the new ones."""
    if not old_ids:  # everything is new
        ids = sorted(present)
        return _Sequence(ids, np.full(len(ids), -1, dtype=np.int64), np.ones(len(ids), dtype=bool))
    gone, new = [], []
    for x in candidates:
        i = _find(old_ids, x)
        if i >= 0 and x not in present:
            gone.append(i)
        elif i < 0 and x in present:
            new.append(x)
    gone.sort()
    new.sort()
    keep = np.ones(len(old_ids), dtype=bool)
    keep[gone] = False
    old_index = np.arange(len(old_ids), dtype=np.int64)[keep]
    at = np.array([bisect.bisect_left(old_ids, x) for x in new], dtype=np.int64)
    at -= np.searchsorted(np.array(gone, dtype=np.int64), at)
    ids = np.array(old_ids, dtype=object)[keep] if old_ids else np.array([], dtype=object)
    ids = np.insert(ids, at, np.array(new, dtype=object)).tolist() if new else ids.tolist()
    old_index = np.insert(old_index, at, -1)
    computed = np.zeros(len(ids), dtype=bool)
    computed[[bisect.bisect_left(ids, x) for x in present]] = True
    return _Sequence(ids, old_index, computed)


def _names(delta, nodes, old):
    """The name of every node (an entity's first member's; '' for others), by position."""
    if old is not None:
        names = np.array(old["names"], dtype=object)[np.maximum(nodes.old, 0)]
        names[nodes.old < 0] = ""
    else:
        names = np.full(len(nodes.ids), "", dtype=object)
    for key, (_, rows_now) in delta.members.items():
        if rows_now:
            names[bisect.bisect_left(nodes.ids, key)] = _first_name(rows_now)
    return names.tolist()


# ------------------------------------------------------------------ files

class _File:
    """An output file being made: head, node pieces, middle, edge pieces, tail, with the separator
    between two pieces of a section, into a ``sink`` (:class:`_Direct` or :class:`_Recipe`); keeps
    the position of the end."""

    def __init__(self, sink, fmt, head, middle):
        self.sink, self.middle = sink, middle
        self.sep = fmt.separator.encode("utf-8")
        self.sink.write(head)
        self.pos = len(head)
        self.first, self.section = True, 0

    def edges(self):
        """Start the edge section."""
        self.sink.write(self.middle)
        self.pos += len(self.middle)
        self.first, self.section = True, 1

    def _next(self):
        if not self.first:
            self.sink.write(self.sep)
            self.pos += len(self.sep)
        self.first = False
        return self.pos

    def write(self, text):
        """Write one piece; returns where it starts."""
        start = self._next()
        self.sink.write(text)
        self.pos += len(text)
        return start

    def copy(self, offset, count):
        """Copy ``count`` bytes at ``offset`` of the previous file; returns where they start."""
        start = self._next()
        self.sink.copy(offset, count)
        self.pos += count
        return start

    def end(self, tail):
        if self.section == 0:
            self.edges()
        self.sink.write(tail)


class _Direct:
    """A file written as it is made."""

    def __init__(self, f):
        self.f = f

    def write(self, data):
        self.f.write(data)

    def copy(self, offset, count):
        raise AssertionError("a file written from scratch copies nothing")


class _Recipe:
    """A file to be made from the previous one: bytes to write and ``(offset, count)`` ranges of
    the previous file to copy, in order (:func:`_cook`)."""

    def __init__(self):
        self.steps, self.pending = [], []

    def write(self, data):
        self.pending.append(data)

    def copy(self, offset, count):
        self._flush()
        self.steps.append((offset, count))

    def _flush(self):
        if self.pending:
            self.steps.append(b"".join(self.pending))
            self.pending = []

    def done(self):
        self._flush()
        return self.steps


def _cook(out, recipes):
    """Make every file of ``recipes`` (``{filename: steps}``) in folder ``out`` from its previous
    version, each written atomically."""
    out = Path(out)
    for name, steps in recipes.items():
        with open(out / name, "rb") as src, atomic_open(out / name, "wb") as f:
            for step in steps:
                if isinstance(step, tuple):
                    _copy(src, f, *step)
                else:
                    f.write(step)


class _Cook:
    """:func:`_cook` in a process of its own when the files are large (their bytes are copied in
    the kernel there, while this process makes the viewer page), else here. The recipes go to
    the other process through a file: a pipe would hold this one until that one has started."""
    BIG = 64 << 20  # bytes of previous files above which a process is worth starting

    def __init__(self, out, recipes):
        self.process = None
        if sum(os.path.getsize(out / name) for name in recipes) < self.BIG:
            _cook(out, recipes)
            return
        import multiprocessing
        import pickle
        self.recipes = out / f".kg-recipes.{os.getpid()}.tmp"
        with open(self.recipes, "wb") as f:
            pickle.dump(recipes, f, protocol=pickle.HIGHEST_PROTOCOL)
        self.process = multiprocessing.get_context("spawn").Process(target=_cook_from, args=(str(self.recipes),),
                                                                     name="kg-write")
        self.process.start()

    def wait(self):
        if self.process is not None:
            self.process.join()
            self.recipes.unlink(missing_ok=True)
            if self.process.exitcode != 0:
                raise OSError(f"writing the outputs failed (exit code {self.process.exitcode})")


def _cook_from(path):
    """:func:`_cook` with the recipes of file ``path`` (in the output folder)."""
    import pickle
    with open(path, "rb") as f:
        recipes = pickle.load(f)
    os.unlink(path)
    _cook(Path(path).parent, recipes)


def _parts(fmt, graph_attrs, node_types, edge_types):
    return [x.encode("utf-8") for x in fmt.parts(graph_attrs, node_types, edge_types)]


def _element(e, nodes, edges):
    """``(node id, None)`` or ``(None, (u, v, k))`` of position ``e``."""
    n_nodes = len(nodes.ids)
    return (nodes.ids[e], None) if e < n_nodes else (None, tuple(edges.ids[e - n_nodes].split("\x1f")))


def _pieces(e, values, nodes, edges, name_of):
    """The piece of element ``e`` (its :class:`kg.export.Values`) in every file, as bytes or None."""
    x, edge = _element(e, nodes, edges)
    out = []
    for fmt in FORMATS:
        text = fmt.node(x, values) if edge is None else fmt.edge(*edge, values, name_of)
        out.append(None if text is None else text.encode("utf-8"))
    return out


_NO_YEAR = -(1 << 62)


@dataclass
class _Facts:
    """What the index keeps of each element besides its pieces: its signature (an index into
    ``signatures``) and its row in the viewer page (:func:`kg.viz.node_row`, :func:`kg.viz.edge_row`):
    an entity's or a relation's type (``kind``, an index into ``kinds``; -1: neither), an entity's
    mentions (-1: not an entity), aliases (\\x1e-joined) and family, a relation's ends (node
    positions; -1: not a relation), year, weight and program."""
    sig: np.ndarray
    signatures: dict  # signature -> index
    kinds: dict  # entity or relation type -> index
    kind: np.ndarray
    mentions: np.ndarray  # by node
    aliases: np.ndarray  # by node
    family: np.ndarray  # by node
    ends: np.ndarray  # by edge
    year: np.ndarray  # by edge
    weight: np.ndarray  # by edge
    program: np.ndarray  # by edge
    detail: np.ndarray  # length of the detail in the element's page piece, -1: none
    docs: np.ndarray  # length of its documents' texts there

    NUMBERS = ("sig", "kind", "mentions", "ends", "year", "weight", "detail", "docs")
    STRINGS = ("aliases", "family", "program")

    @classmethod
    def empty(cls, n_nodes, n_edges):
        return cls(sig=np.zeros(n_nodes + n_edges, dtype=np.int64), signatures={}, kinds={},
                   kind=np.full(n_nodes + n_edges, -1, dtype=np.int64), mentions=np.full(n_nodes, -1, dtype=np.int64),
                   aliases=np.full(n_nodes, "", dtype=object), family=np.full(n_nodes, "", dtype=object),
                   ends=np.full((n_edges, 2), -1, dtype=np.int64), year=np.full(n_edges, _NO_YEAR, dtype=np.int64),
                   weight=np.zeros(n_edges, dtype=np.int64), program=np.full(n_edges, "", dtype=object),
                   detail=np.full(n_nodes + n_edges, -1, dtype=np.int64),
                   docs=np.full(n_nodes + n_edges, -1, dtype=np.int64))

    @classmethod
    def carried(cls, old, nodes, edges, oi):
        """The facts of the elements copied from the last build (``oi``: the old index of each)."""
        n_nodes = len(nodes.ids)
        facts = cls.empty(n_nodes, len(edges.ids))
        old_sigs = [tuple(tuple(x) for x in s) for s in old["signatures"]]
        facts.signatures.update((s, i) for i, s in enumerate(dict.fromkeys(old_sigs)))
        facts.kinds.update((k, i) for i, k in enumerate(old["kinds"]))
        sig_map = np.array([facts.signatures[s] for s in old_sigs] or [0], dtype=np.int64)
        here = oi >= 0
        facts.sig[here] = sig_map[old["sig"][oi[here]]]
        for name in ("kind", "detail", "docs"):
            getattr(facts, name)[here] = old[name][oi[here]]
        node_map = np.full(len(old["node_ids"]), -1, dtype=np.int64)
        node_map[nodes.old[nodes.old >= 0]] = np.nonzero(nodes.old >= 0)[0]
        for section, index, names in ((nodes, nodes.old, ("mentions", "aliases", "family")),
                                      (edges, edges.old, ("ends", "year", "weight", "program"))):
            here = index >= 0
            for name in names:
                getattr(facts, name)[here] = old[name][index[here]]
        ends = facts.ends
        facts.ends = np.where(ends >= 0, node_map[np.maximum(ends, 0)], -1)
        return facts

    def record(self, e, values, pieces, nodes, edges):
        """Take the facts of computed element ``e`` from its :class:`kg.export.Values` and its
        ``pieces`` (:func:`_pieces`)."""
        x, edge = _element(e, nodes, edges)
        d = values.attrs
        page = pieces[-1]
        self.detail[e] = self.docs[e] = -1
        if page is not None:
            self.detail[e] = page.index(b"\t")
            self.docs[e] = page.index(b"\t", self.detail[e] + 1) - self.detail[e] - 1
        n_nodes = len(nodes.ids)
        self.kind[e] = -1
        if edge is None:
            s = export.node_signature(x, values)
            self.mentions[e], self.aliases[e], self.family[e] = -1, "", ""
            if d.get("type") not in STRUCTURE_NODES:
                row = viz.node_row(x, d)
                self.kind[e] = self.kinds.setdefault(row["type"], len(self.kinds))
                self.mentions[e] = row["mentions"]
                self.aliases[e] = "\x1e".join(row["aliases"])
                self.family[e] = row["family"] or ""
        else:
            s = export.edge_signature(edge[2], values)
            i = e - n_nodes
            self.ends[i], self.year[i], self.weight[i], self.program[i] = -1, _NO_YEAR, 0, ""
            if d.get("type", edge[2]) not in STRUCTURE_EDGES:
                row = viz.edge_row(*edge, d)
                self.kind[e] = self.kinds.setdefault(row["type"], len(self.kinds))
                self.ends[i] = (bisect.bisect_left(nodes.ids, edge[0]), bisect.bisect_left(nodes.ids, edge[1]))
                self.year[i] = row["year"] if isinstance(row["year"], int) else _NO_YEAR
                self.weight[i] = row["weight"]
                self.program[i] = row["program"] or ""
        self.sig[e] = self.signatures.setdefault(s, len(self.signatures))

    def types(self, n_nodes):
        """The attribute types the GraphML and GEXF heads declare, for nodes and for edges."""
        sigs = list(self.signatures)
        return (export.attribute_types(sigs[s] for s in _first_seen(self.sig[:n_nodes])),
                export.attribute_types(sigs[s] for s in _first_seen(self.sig[n_nodes:])))

    def page_table(self, node_ids, names, entities, relations, sources):
        """The :class:`kg.viz.PageTable` of the page's ``entities`` and ``relations`` (positions),
        their details and texts from their page pieces: ``sources`` = ``(buffers, which, start,
        length)``, the piece of element ``e`` is ``length[e]`` bytes at ``start[e]`` of
        ``buffers[which[e]]``."""
        buffers, which, start, length = sources
        kinds = list(self.kinds)
        at = np.full(len(node_ids), -1, dtype=np.int64)
        at[entities] = np.arange(len(entities))
        edge_at = relations - len(node_ids)
        fields = []
        for chosen in (entities, relations):
            a, d, o = start[chosen], self.detail[chosen], self.docs[chosen]
            cut = [x.tolist() for x in (a, a + d, a + d + 1, a + d + 1 + o, a + d + o + 2, a + length[chosen] - 1)]
            b = which[chosen].tolist()
            fields.append((b",".join([buffers[i][x:y] for i, x, y in zip(b, cut[0], cut[1])]),
                           [buffers[i][x:y] for i, x, y in zip(b, cut[2], cut[3])],
                           [buffers[i][x:y] for i, x, y in zip(b, cut[4], cut[5])]))
        ents = entities.tolist()
        return viz.PageTable(
            ids=[node_ids[e] for e in ents], names=[names[e] for e in ents],
            types=[kinds[k] for k in self.kind[entities].tolist()], mentions=self.mentions[entities].tolist(),
            aliases=[a.split("\x1e") if a else [] for a in self.aliases[entities].tolist()],
            families=[f or None for f in self.family[entities].tolist()],
            src=at[self.ends[edge_at, 0]].tolist(), dst=at[self.ends[edge_at, 1]].tolist(),
            relation_types=[kinds[k] for k in self.kind[relations].tolist()],
            years=[None if y == _NO_YEAR else y for y in self.year[edge_at].tolist()],
            weights=self.weight[edge_at].tolist(), programs=[p or None for p in self.program[edge_at].tolist()],
            details=fields[0][0], edge_details=fields[1][0],
            texts=tuple(b"\x1e".join(x for x in fields[0][i] + fields[1][i] if x) for i in (1, 2)))


def _first_seen(values):
    """Distinct values of an array in order of first appearance."""
    if len(values) == 0:
        return []
    distinct, first = np.unique(values, return_index=True)
    return [int(v) for v in distinct[np.argsort(first)]]


_HEAD_LATER = ("graph.graphml", "graph.gexf")  # their heads declare every element's attributes


def _write_all(out, nodes, edges, attrs_of, name_of, graph_attrs):
    """Every file from scratch, in one pass over the elements (each one's attributes are made,
    written in every format and dropped). The pieces of GraphML and GEXF go to a temporary file
    first, then after the head their heads declare. Returns (ranges, facts)."""
    n_nodes, n = len(nodes.ids), len(nodes.ids) + len(edges.ids)
    facts = _Facts.empty(n_nodes, len(edges.ids))
    starts = [np.full(n, -1, dtype=np.int64) for _ in FORMATS]
    lengths = [np.full(n, -1, dtype=np.int64) for _ in FORMATS]
    with contextlib.ExitStack() as stack:
        files = []
        for fmt in FORMATS:
            head, middle, _ = _parts(fmt, graph_attrs, {}, {})
            later = fmt.filename in _HEAD_LATER
            f = stack.enter_context(atomic_open(out / (f"{fmt.filename}.body" if later else fmt.filename), "wb"))
            files.append(_File(_Direct(f), fmt, b"" if later else head, middle))
        for e in range(n):
            if e == n_nodes:
                for w in files:
                    w.edges()
            values = export.Values(attrs_of(e))
            pieces = _pieces(e, values, nodes, edges, name_of)
            facts.record(e, values, pieces, nodes, edges)
            for i, (w, text) in enumerate(zip(files, pieces)):
                if text is not None:
                    starts[i][e], lengths[i][e] = w.write(text), len(text)
        for fmt, w in zip(FORMATS, files):
            w.end(_parts(fmt, graph_attrs, {}, {})[2])
    node_types, edge_types = facts.types(n_nodes)
    for i, fmt in enumerate(FORMATS):
        if fmt.filename in _HEAD_LATER:
            body = out / f"{fmt.filename}.body"
            head = _parts(fmt, graph_attrs, node_types, edge_types)[0]
            with open(body, "rb") as src, atomic_open(out / fmt.filename, "wb") as f:
                f.write(head)
                _copy(src, f, 0, os.path.getsize(body))
            body.unlink()
            starts[i][lengths[i] >= 0] += len(head)
    ranges = {fmt.filename: (starts[i], lengths[i]) for i, fmt in enumerate(FORMATS)}
    return ranges, facts


def _plan_changed(nodes, edges, attrs_of, name_of, graph_attrs, old):
    """The recipe of every file (:class:`_Recipe`): the pieces of the elements not computed are
    copied from the previous files, as one range wherever they were next to each other there.
    Returns (recipes, ranges, facts, computed pieces by position, old index by position)."""
    n_nodes, n = len(nodes.ids), len(nodes.ids) + len(edges.ids)
    old_nodes = len(old["node_ids"])
    oi = np.concatenate([nodes.old, np.where(edges.old >= 0, edges.old + old_nodes, -1)])
    computed = np.concatenate([nodes.computed, edges.computed])
    computed_at = np.nonzero(computed)[0].tolist()
    attrs = {e: export.Values(attrs_of(e)) for e in computed_at}
    pieces = {e: _pieces(e, attrs[e], nodes, edges, name_of) for e in computed_at}

    # what the index keeps: copied from the last build, then the computed elements'
    facts = _Facts.carried(old, nodes, edges, oi)
    for e in computed_at:
        facts.record(e, attrs[e], pieces[e], nodes, edges)
    node_types, edge_types = facts.types(n_nodes)

    # runs: a computed element alone, or copied elements that were next to each other before
    brk = np.ones(n, dtype=bool)
    if n > 1:
        brk[1:] = computed[1:] | computed[:-1] | (oi[1:] != oi[:-1] + 1)
    if 0 < n_nodes < n:
        brk[n_nodes] = True
    run_start = np.nonzero(brk)[0]
    run_end = np.append(run_start[1:], n)
    files, spans, tails = [], [], []
    for fmt in FORMATS:
        head, middle, tail = _parts(fmt, graph_attrs, node_types, edge_types)
        files.append(_File(_Recipe(), fmt, head, middle))
        tails.append(tail)
        o_start, o_len = old["ranges"][fmt.filename]
        lo, hi = _run_spans(o_start, o_len, oi[run_start], oi[run_end - 1])
        spans.append((lo, hi, lo.tolist(), (hi - lo).tolist()))
    block = np.full((len(FORMATS), len(run_start)), -1, dtype=np.int64)
    new_start = [np.full(n, -1, dtype=np.int64) for _ in FORMATS]
    new_len = [np.full(n, -1, dtype=np.int64) for _ in FORMATS]
    for r, a in enumerate(run_start.tolist()):
        if a == n_nodes:
            for w in files:
                w.edges()
        if computed[a]:
            for i, (w, text) in enumerate(zip(files, pieces[a])):
                if text is not None:
                    new_start[i][a], new_len[i][a] = w.write(text), len(text)
            continue
        for i, w in enumerate(files):
            count = spans[i][3][r]
            if count > 0:
                block[i, r] = w.copy(spans[i][2][r], count)
    for w, tail in zip(files, tails):
        w.end(tail)
    run_of = np.repeat(np.arange(len(run_start)), run_end - run_start)
    copied = ~computed
    src = np.maximum(oi, 0)
    for i, fmt in enumerate(FORMATS):
        o_start, o_len = old["ranges"][fmt.filename]
        here = copied & (o_len[src] >= 0)
        new_start[i][here] = block[i, run_of[here]] + (o_start[src[here]] - spans[i][0][run_of[here]])
        new_len[i][here] = o_len[src[here]]
    recipes = {fmt.filename: w.sink.done() for fmt, w in zip(FORMATS, files)}
    ranges = {fmt.filename: (new_start[i], new_len[i]) for i, fmt in enumerate(FORMATS)}
    return recipes, ranges, facts, pieces, oi


def _run_spans(o_start, o_len, first, last):
    """``(lo, hi)`` byte spans in a previous file of the pieces of old elements ``first..last``
    (one run each; lo == hi: none of them is in that file)."""
    n = len(o_len)
    if n == 0:
        return np.zeros(len(first), dtype=np.int64), np.zeros(len(first), dtype=np.int64)
    present = o_len >= 0
    index = np.arange(n)
    nxt = np.minimum.accumulate(np.where(present, index, n)[::-1])[::-1]
    prv = np.maximum.accumulate(np.where(present, index, -1))
    a = nxt[np.clip(first, 0, n - 1)]
    b = prv[np.clip(last, 0, n - 1)]
    has = (first >= 0) & (a <= b) & (a < n) & (b >= 0)
    lo = np.where(has, o_start[np.clip(a, 0, n - 1)], 0)
    hi = np.where(has, o_start[np.clip(b, 0, n - 1)] + o_len[np.clip(b, 0, n - 1)], 0)
    return lo, hi


def _copy(src, dst, offset, count):
    """Copy ``count`` bytes at ``offset`` of file ``src`` to the end of ``dst``, in the kernel
    where it can (a rebuild copies most of a gigabyte)."""
    if hasattr(os, "copy_file_range"):
        dst.flush()
        while count > 0:
            done = os.copy_file_range(src.fileno(), dst.fileno(), count, offset)
            if done <= 0:
                break
            offset += done
            count -= done
        if count == 0:
            return
    src.seek(offset)
    while count > 0:
        chunk = src.read(min(count, 1 << 24))
        if not chunk:
            raise OSError(f"{src.name}: shorter than {INDEX} says")
        dst.write(chunk)
        count -= len(chunk)


def _page_sources(page, old_ranges, oi, pieces):
    """Where each element's page piece is (:meth:`_Facts.page_table`): in the previous file
    ``page`` at its old range, or, computed, among ``pieces`` (joined into a second buffer)."""
    old_start, old_length = old_ranges
    here = np.maximum(oi, 0)
    start, length = old_start[here].copy(), old_length[here].copy()
    which = np.zeros(len(oi), dtype=np.int64)
    new = [(e, p[-1]) for e, p in pieces.items() if p[-1] is not None]
    if new:
        at = np.array([e for e, _ in new], dtype=np.int64)
        sizes = np.array([len(p) for _, p in new], dtype=np.int64)
        which[at], length[at] = 1, sizes
        start[at] = np.cumsum(sizes) - sizes
    return (page, b"".join(p for _, p in new)), which, start, length


def _mapped(stack, path):
    """The bytes of file ``path``, mapped (empty files cannot be)."""
    f = stack.enter_context(open(path, "rb"))
    if os.path.getsize(path) == 0:
        return b""
    return stack.enter_context(contextlib.closing(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)))


def _stat(path):
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns]


def _joined(strings):
    return np.frombuffer("\0".join(strings).encode("utf-8"), dtype=np.uint8)


def _split(array):
    text = array.tobytes().decode("utf-8")
    return text.split("\0") if text else []


def _save_index(out, version, generation, node_ids, edge_ids, names, facts, ranges, placed):
    files = {name: _stat(out / name) for name in ranges}
    meta = {"version": version, "generation": generation, "files": files, "signatures": list(facts.signatures),
            "kinds": list(facts.kinds)}
    arrays = {"node_ids": _joined(node_ids), "edge_ids": _joined(edge_ids), "names": _joined(names),
              "page_ids": _joined(placed), "page_xy": np.array(list(placed.values()), dtype=np.float64).reshape(-1, 2)}
    arrays.update((name, getattr(facts, name)) for name in facts.NUMBERS)
    arrays.update((name, _joined(getattr(facts, name).tolist())) for name in facts.STRINGS)
    for i, (name, (start, length)) in enumerate(ranges.items()):
        arrays[f"start{i}"], arrays[f"length{i}"] = start, length
    _write_arrays(out / INDEX, meta, arrays)


def _write_arrays(path, meta, arrays):
    """A file of numpy arrays that :func:`_read_arrays` maps without reading: a line of JSON (the
    ``meta`` and where each array is), then the arrays' bytes, each at a multiple of 8."""
    place, at = {}, 0
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        arrays[name] = a
        place[name] = [at, a.dtype.str, list(a.shape)]
        at += -(-a.nbytes // 8) * 8
    head = json.dumps({"meta": meta, "arrays": place}, ensure_ascii=False).encode("utf-8") + b"\n"
    head += b" " * (-len(head) % 8)
    with atomic_open(path, "wb") as f:
        f.write(head)
        for a in arrays.values():
            f.write(a.tobytes())
            f.write(b"\0" * (-a.nbytes % 8))


def _read_arrays(path):
    """``(meta, {name: array})`` of a file :func:`_write_arrays` wrote (the arrays map the file)."""
    with open(path, "rb") as f:
        line = f.readline()
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if os.path.getsize(path) > len(line) else b""
    head = json.loads(line)
    start = len(line) + (-len(line) % 8)
    arrays = {}
    for name, (at, dtype, shape) in head["arrays"].items():
        count = int(np.prod(shape))
        arrays[name] = (np.frombuffer(data, dtype=np.dtype(dtype), count=count, offset=start + at).reshape(shape)
                        if count else np.zeros(shape, dtype=np.dtype(dtype)))
    return head["meta"], arrays


def _load_index(out, version):
    """The previous build's index if it is for this version and every file is as it describes."""
    try:
        meta, z = _read_arrays(out / INDEX)
        if meta.get("version") != version:
            return None
        for name, st in meta["files"].items():
            if _stat(out / name) != st:
                return None
        old = {"generation": meta["generation"], "node_ids": _split(z["node_ids"]),
               "edge_ids": _split(z["edge_ids"]), "names": _split(z["names"]),
               "signatures": meta["signatures"], "kinds": meta["kinds"],
               "ranges": {name: (z[f"start{i}"], z[f"length{i}"]) for i, name in enumerate(meta["files"])},
               "page_ids": _split(z["page_ids"]), "page_xy": [tuple(x) for x in z["page_xy"].tolist()]}
        old.update((name, z[name]) for name in _Facts.NUMBERS)
        for name in _Facts.STRINGS:
            values = _split(z[name])
            count = len(old["node_ids"]) if name != "program" else len(old["edge_ids"])
            old[name] = np.array(values if values else [""] * count, dtype=object)
        return old
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ------------------------------------------------------------------ the viewer page

def _page_elements(facts, n_nodes):
    """The positions of what the viewer page carries (:func:`kg.viz.page_graph`: every entity, or
    the MAX_IN_PAGE most connected, and the relations between them), and the number of entities."""
    entities = np.nonzero(facts.mentions >= 0)[0]
    is_relation = facts.ends[:, 0] >= 0
    total = len(entities)
    if total > viz.MAX_IN_PAGE:
        ends = facts.ends[is_relation]
        degree = np.bincount(ends.ravel(), minlength=n_nodes).astype(np.float64)
        score = degree[entities] + 0.25 * facts.mentions[entities]
        entities = np.sort(entities[np.lexsort((entities, -score))[:viz.MAX_IN_PAGE]])
    keep = np.zeros(n_nodes, dtype=bool)
    keep[entities] = True
    ends = facts.ends
    relations = np.nonzero(is_relation & keep[np.maximum(ends[:, 0], 0)] & keep[np.maximum(ends[:, 1], 0)])[0]
    return entities, relations + n_nodes, total


# ------------------------------------------------------------------ the merge log and the plan

def _merge_rows(delta):
    """``{(doc, j): (phase, merge log row or None)}`` of the members of the entity keys recomputed
    that are new to their key or whose row changed."""
    names = delta.change.names

    def row(key, r, first):
        if r.name == first.name:
            return None
        return json.dumps({"kept": first.name, "merged": r.name, "type": _item(r)["type"], "key": key,
                           "doc": names[r.doc], "reason": r.reason}, ensure_ascii=False)

    out = {}
    for key, (before, now) in delta.members.items():
        old = {(r.doc, r.j): row(key, r, before[0]) for r in before}
        for r in now:
            text = row(key, r, now[0])
            if (r.doc, r.j) not in old or old[(r.doc, r.j)] != text:
                out[(r.doc, r.j)] = (r.phase, text)
    return out


def _merge_log(delta, state):
    """The merge log (:func:`kg.resolve.resolve_keys`'s ``merges``): the last build's rows, those
    of the entities recomputed replaced, in merge order."""
    change = delta.change
    rows = {}
    if change.last:
        gone = change.gone
        rows = {(doc, j): (phase, text) for doc, phase, j, text in state.merges() if doc not in gone}
    delta.merges = _merge_rows(delta)
    rows.update(delta.merges)
    found = [(phase, change.pos[doc], j, text) for (doc, j), (phase, text) in rows.items() if text is not None]
    return [json.loads(text) for *_, text in sorted(found)]


def _save_state(delta, state, generation):
    """Record this build's plan (what changed of it) with the index's ``generation``."""
    change = delta.change
    positions = [(change.pos[d], d) for d, s in change.last.items() if d in change.pos and change.pos[d] != s.pos]
    merges = delta.merges
    entities = [(r, merges.pop((r.doc, r.j))[1]) for r in delta.added.values()]
    state.save(generation, docs=delta.docs, entities=entities, relations=delta.added_relations,
               merges=[(text, doc, j) for (doc, j), (_, text) in merges.items()], gone=sorted(change.gone),
               positions=positions, rekeyed=[(new.key, new.reason, new.doc, new.j) for _, new in delta.rekeyed],
               moved=[(new.u, new.v, new.doc, new.j) for _, new in delta.moved], everything=change.afresh)
