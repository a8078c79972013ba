"""Incremental output: a build's files from the store, copying what did not change.

Every element of the graph (:func:`kg.graph.plan`) gets a *fingerprint*: its id, the documents it
is made of (name and content, in order) and, for a relation, the names of its ends. An element
with the fingerprint it had in the previous build has the same piece in every file
(:mod:`kg.export`), so its piece is copied from the previous file: ``OUT/kg.index.npz`` keeps the
fingerprints and the byte range of every piece in every file. Only the other elements are
computed, from the full records of just the documents they need (an element keeps the evidence
of its first mentions, so a place named in a thousand documents needs the first few of them);
the rest comes from the records' skeletons (:func:`kg.extract.skeleton`). The viewer page is made
from the pieces of its elements, and keeps the positions of the nodes it had.

Every file is written from scratch when one of them is not as the index describes it (edited,
removed, left by an interrupted build) or when kg's extraction or output code changed.

>>> import tempfile, pathlib
>>> from kg.extract import extract_text
>>> from kg.extract import skeleton
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> rec = extract_text("2021年，浙江省安吉县推行积分制。", name="a.txt")
>>> docs = [Doc("a.txt", "hash-a", skeleton(rec))]
>>> first = write_outputs(docs, lambda keys: {"hash-a": rec}, out, version="v1")
>>> first.computed == first.elements > 0
True
>>> write_outputs(docs, lambda keys: {"hash-a": rec}, out, version="v1").computed
0
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__, export, viz
from .graph import MAX_EVIDENCE, edge_attrs, node_attrs, plan
from .io import atomic_open, atomic_write

INDEX = "kg.index.npz"
PAGE_PIECES = viz.PagePieces()
HTML = "graph.html"
MERGES = "merges.csv"
_LOAD_BATCH = 256  # full records read from the store at a time


@dataclass
class Doc:
    """A document of the build: its name (a record's ``doc``), its content key, its skeleton."""
    name: str
    key: str
    skeleton: dict


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
    for name in ("export.py", "graph.py", "resolve.py", "incremental.py", "viz.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:20]


def write_outputs(docs, load, out, version, title=None):
    """Write every output of a build of ``docs`` (:class:`Doc`, in corpus order) into ``out``.

    ``load(keys)`` returns ``{key: full record}`` for content keys; it is called only for the
    documents whose evidence a changed element needs. ``version`` is the store's pipeline version.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    version = output_version(version)
    skeletons = [d.skeleton for d in docs]
    p = plan(skeletons)
    node_ids, edge_ids = list(p.nodes), list(p.edges)
    hows = list(p.nodes.values()) + list(p.edges.values())
    n_nodes, n = len(node_ids), len(node_ids) + len(edge_ids)
    first_name = {key: skeletons[m[0][0]]["entities"][m[0][1]]["name"] for key, m in p.keys.members.items()}

    def name_of(node):
        return first_name.get(node)

    ids = [f"N\x1f{x}" for x in node_ids] + [f"E\x1f{u}\x1f{v}\x1f{k}" for u, v, k in edge_ids]
    fp = _fingerprints(hows, docs, edge_ids, n_nodes, {key: m[0] for key, m in p.keys.members.items()})

    old = _load_index(out, version)
    clean = np.zeros(n, dtype=bool)
    oi = np.full(n, -1, dtype=np.int64)
    if old is not None:
        pos = {x: i for i, x in enumerate(old["ids"])}
        oi = np.fromiter((pos.get(x, -1) for x in ids), dtype=np.int64, count=n)
        clean = (oi >= 0) & (old["fp"][np.maximum(oi, 0)] == fp)

    # the elements to compute, from the records of the documents whose evidence they need
    dirty = np.nonzero(~clean)[0]
    need = {}
    for e in dirty:
        how = hows[e]
        if how[0] in ("entity", "relation"):
            part = "entities" if how[0] == "entity" else "relations"
            seen = 0
            for i, j in how[1]:
                need.setdefault(i, set()).add((part, j))
                item = skeletons[i][part][j]
                seen += len(item["starts"]) if part == "entities" else item["n_evidence"]
                if seen >= MAX_EVIDENCE:
                    break
    records = _with_evidence(skeletons, need, docs, load)
    attrs = {}
    for e in dirty:
        e = int(e)
        attrs[e] = node_attrs(records, hows[e]) if e < n_nodes else edge_attrs(records, hows[e])
    del records

    # signatures (what the GraphML and GEXF heads declare), old ones for copied elements
    old_sigs = [tuple(tuple(x) for x in s) for s in old["signatures"]] if old is not None else []
    sig_index = {}
    old_to_new = np.array([sig_index.setdefault(s, len(sig_index)) for s in old_sigs] or [0], dtype=np.int64)
    sig = np.zeros(n, dtype=np.int64)
    if old is not None:
        sig[clean] = old_to_new[old["sig"][oi[clean]]]
    for e in dirty.tolist():
        d = attrs[e]
        s = export.node_signature(node_ids[e], d) if e < n_nodes else export.edge_signature(edge_ids[e - n_nodes][2], d)
        sig[e] = sig_index.setdefault(s, len(sig_index))
    sigs = list(sig_index)
    node_types = export.attribute_types(sigs[s] for s in _first_seen(sig[:n_nodes]))
    edge_types = export.attribute_types(sigs[s] for s in _first_seen(sig[n_nodes:]))

    graph_attrs = {"kg_version": skeletons[0].get("kg_version", "") if skeletons else ""}
    ranges = {}
    for fmt in export.FORMATS + (PAGE_PIECES,):
        def piece(e, fmt=fmt):
            if e < n_nodes:
                text = fmt.node(node_ids[e], attrs[e])
            else:
                u, v, k = edge_ids[e - n_nodes]
                text = fmt.edge(u, v, k, attrs[e], name_of)
            return None if text is None else text.encode("utf-8")

        parts = fmt.parts(graph_attrs, node_types, edge_types)
        ranges[fmt.filename] = _write_file(out / fmt.filename, fmt.separator, parts, piece, clean, oi, n_nodes,
                                           old["ranges"][fmt.filename] if old is not None else None)

    del attrs
    nodes, edges, total = _page_pieces(p, skeletons, node_ids, edge_ids, out, ranges[PAGE_PIECES.filename])
    title = title or f"kg: {len(docs)} documents"
    positions = dict(zip(old["page_ids"], old["page_xy"])) if old is not None else None
    html, placed = viz.render_page(nodes, edges, title, total=total, positions=positions)
    atomic_write(out / HTML, html)
    export.write_merge_log(p.keys.merges, out / MERGES)

    _save_index(out, version, ids, fp, sig, sigs, ranges, placed)
    return Written(elements=n, nodes=n_nodes, edges=n - n_nodes, computed=len(dirty),
                   full_records=len(need))


# ------------------------------------------------------------------ fingerprints and records

def _fingerprints(hows, docs, edge_ids, n_nodes, first_member):
    """A number per element that changes when what it is made of changes: the documents (name and
    content) and the entities or relations in them it comes from, and for a relation the first
    entity of each of its ends (its name is in relations.csv). Only ever compared with the same
    element's number in the previous build, made by the same Python (tuples of ints hash the same
    in every process)."""
    token = [int.from_bytes(hashlib.blake2b(f"{d.name}\0{d.key}".encode("utf-8"), digest_size=8).digest(), "little")
             for d in docs]
    fp = np.empty(len(hows), dtype=np.int64)
    for e, how in enumerate(hows):
        kind = how[0]
        if kind == "entity":
            fp[e] = hash(tuple([token[i] ^ j for i, j in how[1]]))
        elif kind == "relation":
            u, v, _ = edge_ids[e - n_nodes]
            (iu, ju), (iv, jv) = first_member[u], first_member[v]
            fp[e] = hash((tuple([token[i] ^ j for i, j in how[1]]), token[iu] ^ ju, token[iv] ^ jv))
        else:
            fp[e] = hash((token[how[1]],) + how[2:])
    return fp


def _with_evidence(skeletons, need, docs, load):
    """The skeletons, with the full entities and relations listed in ``need`` ({record index:
    {(part, index)}}) put back from the full records (read a batch at a time, the rest dropped)."""
    records = list(skeletons)
    wanted = sorted(need)
    for b in range(0, len(wanted), _LOAD_BATCH):
        batch = wanted[b:b + _LOAD_BATCH]
        full = load([docs[i].key for i in batch])
        for i in batch:
            rec = full[docs[i].key]
            rec = dict(rec, doc=docs[i].name)
            merged = dict(skeletons[i], entities=list(skeletons[i]["entities"]),
                          relations=list(skeletons[i]["relations"]))
            for part, j in need[i]:
                merged[part][j] = rec[part][j]
            records[i] = merged
    return records


def _first_seen(values):
    """Distinct values of an array in order of first appearance."""
    if len(values) == 0:
        return []
    distinct, first = np.unique(values, return_index=True)
    return [int(v) for v in distinct[np.argsort(first)]]


# ------------------------------------------------------------------ files

def _write_file(path, separator, parts, piece, clean, oi, n_nodes, old_ranges):
    """One output file: head, node pieces, middle, edge pieces, tail. An element that is not
    ``clean`` gets ``piece(e)`` (bytes, or None if it is not in this file); the pieces of clean
    elements are copied from the previous file, as one range wherever they were next to each
    other there. Returns the (start, length) of every element's piece (-1: not in this file)."""
    head, middle, tail = (x.encode("utf-8") for x in parts)
    sep = separator.encode("utf-8")
    n = len(clean)
    start = np.full(n, -1, dtype=np.int64)
    length = np.full(n, -1, dtype=np.int64)
    if old_ranges is not None:
        o_start, o_len = old_ranges
        o_rank = np.cumsum(o_len >= 0) - 1
        copied = clean & (o_len[np.maximum(oi, 0)] >= 0)
    else:
        copied = np.zeros(n, dtype=bool)
    order = np.nonzero(copied | ~clean)[0]
    # a new run wherever the piece is computed, or is not the next piece of the previous file
    same = np.zeros(len(order), dtype=bool)
    if old_ranges is not None and len(order):
        rank = np.where(copied[order], o_rank[np.maximum(oi[order], 0)], -2)
        same[1:] = (copied[order][1:] & copied[order][:-1] & (rank[1:] == rank[:-1] + 1)
                    & ((order[1:] >= n_nodes) == (order[:-1] >= n_nodes)))
    breaks = np.nonzero(~same)[0].tolist() + [len(order)]
    old_file = open(path, "rb") if old_ranges is not None else None
    try:
        with atomic_open(path, "wb") as f:
            f.write(head)
            pos = len(head)
            section, first = 0, True
            for a, b in zip(breaks[:-1], breaks[1:]):
                e = int(order[a])
                if e >= n_nodes and section == 0:
                    f.write(middle)
                    pos += len(middle)
                    section, first = 1, True
                if not copied[e]:
                    text = piece(e)
                    if text is None:
                        continue
                    if not first:
                        f.write(sep)
                        pos += len(sep)
                    f.write(text)
                    start[e], length[e] = pos, len(text)
                    pos += len(text)
                    first = False
                    continue
                if not first:
                    f.write(sep)
                    pos += len(sep)
                first = False
                run = order[a:b]
                src = oi[run]
                lo, hi = int(o_start[src[0]]), int(o_start[src[-1]] + o_len[src[-1]])
                _copy(old_file, f, lo, hi - lo)
                start[run] = pos + (o_start[src] - lo)
                length[run] = o_len[src]
                pos += hi - lo
            if section == 0:
                f.write(middle)
            f.write(tail)
    finally:
        if old_file is not None:
            old_file.close()
    return start, length


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
            raise OSError(f"{src.name}: shorter than kg.index.npz says")
        dst.write(chunk)
        count -= len(chunk)


def _stat(path):
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns]


def _save_index(out, version, ids, fp, sig, sigs, ranges, placed):
    files = {name: _stat(out / name) for name in ranges}
    meta = {"version": version, "files": files, "signatures": sigs}
    arrays = {"meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
              "ids": np.frombuffer("\0".join(ids).encode("utf-8"), dtype=np.uint8),
              "fp": fp, "sig": sig,
              "page_ids": np.frombuffer("\0".join(placed).encode("utf-8"), dtype=np.uint8),
              "page_xy": np.array(list(placed.values()), dtype=np.float64).reshape(-1, 2)}
    for i, (name, (start, length)) in enumerate(ranges.items()):
        arrays[f"start{i}"], arrays[f"length{i}"] = start, length
    with atomic_open(out / INDEX, "wb") as f:
        np.savez(f, **arrays)


def _load_index(out, version):
    """The previous build's index if it is for this version and every file is as it describes."""
    path = out / INDEX
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(z["meta"].tobytes().decode("utf-8"))
            if meta.get("version") != version:
                return None
            for name, st in meta["files"].items():
                if _stat(out / name) != st:
                    return None
            text = z["ids"].tobytes().decode("utf-8")
            page = z["page_ids"].tobytes().decode("utf-8")
            return {"ids": text.split("\0") if text else [], "fp": z["fp"], "sig": z["sig"],
                    "signatures": meta["signatures"],
                    "ranges": {name: (z[f"start{i}"], z[f"length{i}"]) for i, name in enumerate(meta["files"])},
                    "page_ids": page.split("\0") if page else [], "page_xy": [tuple(x) for x in z["page_xy"]]}
    except (OSError, ValueError, KeyError):
        return None


# ------------------------------------------------------------------ the viewer page

def _page_pieces(p, skeletons, node_ids, edge_ids, out, ranges):
    """The pieces of what the viewer page carries (:func:`kg.viz.page_graph`: every entity, or the
    MAX_IN_PAGE most connected, and the relations between them), read from the page pieces just
    written (``ranges``: where each element's piece is); and the number of entities."""
    n_nodes = len(node_ids)
    entities = [e for e, x in enumerate(node_ids) if p.nodes[x][0] == "entity"]
    index = {x: e for e, x in enumerate(node_ids)}
    relations = [(e, index[u], index[v]) for e, (u, v, k) in enumerate(edge_ids, n_nodes)
                 if p.edges[(u, v, k)][0] == "relation"]
    total = len(entities)
    if total > viz.MAX_IN_PAGE:
        degree = np.zeros(n_nodes, dtype=np.float64)
        for _, a, b in relations:
            degree[a] += 1
            degree[b] += 1
        mentions = {e: sum(len(skeletons[i]["entities"][j]["starts"]) for i, j in p.nodes[node_ids[e]][1])
                    for e in entities}
        entities = sorted(entities, key=lambda e: (-(degree[e] + 0.25 * mentions[e]), node_ids[e]))[:viz.MAX_IN_PAGE]
        entities.sort()
    keep = set(entities)
    start, length = ranges
    with open(out / PAGE_PIECES.filename, "rb") as f:
        text = f.read()

    def piece(e):
        return viz.read_piece(text[int(start[e]):int(start[e] + length[e])].decode("utf-8"))

    nodes = [piece(e) for e in entities]
    edges = [piece(e) for e, a, b in relations if a in keep and b in keep]
    return nodes, edges, total
