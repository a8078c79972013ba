"""Extract: a :class:`~kg.io.Document` → one record of the extraction contract (see README).

>>> rec = extract_text("海南省海口市琼山区云龙镇云阁村党总支部书记杜世河介绍，村里种植荔枝。", name="t.txt")
>>> sorted(e["name"] for e in rec["entities"] if e["type"] == "Place")
['云阁村', '云龙镇', '海南省', '海口市', '琼山区']
>>> [(r["type"], r["attrs"].get("role")) for r in rec["relations"] if r["source"] == "Person:杜世河"]
[('holds_role', '书记')]
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

from . import __version__
from .io import InputError, list_corpus, read_file, read_text
from .nlp import load_pipeline
from .nlp.components import sentences as doc_sentences
from . import lexicon
from .nlp.rules import SEASONS, Candidate, byline_persons, generic_place_names as rules_generic_places, is_generic, \
    is_variety_word, word_before
from .relations import Relation, extract_relations, located_in, place_mention_rank

ENTITY_TYPES = ("Place", "Organization", "Program", "Person", "Industry")
RELATION_TYPES = ("located_in", "holds_role", "affiliated_with", "adopts", "establishes",
                  "partners_with", "focuses_on", "evolves_into", "spreads_to")


def extract_text(text, name="<text>"):
    """Extract from a string (the contract record for it)."""
    return extract_document(read_text(text, name=name))


def extract_file(path):
    """Extract from one file; raises :class:`~kg.io.InputError` if it cannot be read."""
    return extract_document(read_file(path))


def extract_corpus(paths, on_error=None):
    """Yield the record of every readable file under ``paths``; report the others to ``on_error``."""
    for path, error in list_corpus(paths):
        if error is None:
            try:
                yield extract_file(path)
                continue
            except InputError as err:
                error = err
        if on_error is not None:
            on_error(error)


def extract_document(doc):
    nlp = load_pipeline()
    sdoc = nlp.make_doc(doc.norm)
    sdoc.user_data["kg_articles"] = [(a.norm_start, a.norm_end) for a in doc.articles]
    sdoc = nlp(sdoc)
    cands = _quoted_programs_first(list(sdoc.user_data.get("kg", [])))
    cands += _byline_candidates(doc)
    cands = _canonical_organizations(cands, doc.norm)
    cands = _resolve_anaphors(cands, doc.articles)
    cands += _villages_of_branches(doc.norm, cands)
    cands += _place_anaphors(doc.norm, cands, doc.articles)
    cands = _varietal_industries(cands, doc.norm)
    cands = _canonical_industries(cands)
    sents = doc_sentences(sdoc)
    relations = []
    for article in doc.articles:
        a_cands = [c for c in cands if article.norm_start <= c.start < article.norm_end]
        a_sents = [(s, e) for s, e in sents if article.norm_start <= s < article.norm_end]
        home = _home_place(doc.norm, article, a_cands)
        relations += extract_relations(doc.norm, a_sents, a_cands, home, article.year)
    relations += located_in(sents, cands)
    relations += _seats_of_established(relations)
    cands, relations = _drop_names_inside_organizations(cands, relations, doc.norm)
    cands, relations = _salient_industries(cands, relations, doc.norm)
    return _record(doc, cands, relations, sents)


# ---------------------------------------------------------------- candidates → entities

def _quoted_programs_first(cands):
    """A quoted name is a program even when it ends like a body does (共建“霍山石斛科技小院”)."""
    quoted = {(c.start, c.end, c.name) for c in cands if c.label == "Program" and c.attrs.get("quoted")}
    return [c for c in cands if not (c.label == "Organization" and any(
        s <= c.start and c.end <= e and c.name == n for s, e, n in quoted))]


def _byline_candidates(doc):
    out = []
    for article in doc.articles:
        for name in byline_persons(article.byline):
            pos = doc.norm.find(name, article.norm_start, min(article.norm_end, article.norm_start + 300))
            if pos >= 0:
                out.append(Candidate(pos, pos + len(name), "Person", name, {"role_hint": "作者"}, "byline"))
    return out


def _canonical_organizations(cands, text):
    """Merge the organisation mentions of one document that name the same body: a name that the
    text also gives with its township spelled out (三门坡荔枝产业链党委 / 三门坡镇荔枝产业链党委), and a
    shorter name that the one longer name of the document ends with (荔枝产业链党委), and a company or
    cooperative called by its brand (七乡源公司, 兴隆合作社)."""
    orgs = [c for c in cands if c.label == "Organization"]
    names = {o.name for o in orgs}
    spelled = {_TOWN_SUFFIX.sub("", n): n for n in names if _TOWN_SUFFIX.search(n)}
    for org in orgs:
        full = spelled.get(org.name)
        if full is None:
            longer = {n for n in names if n != org.name and n.endswith(org.name)}
            full = longer.pop() if len(longer) == 1 else None
        short = _SHORT_COMPANY.fullmatch(org.name)
        if full is None and short:
            # 七乡源公司 for 云南七乡源三七药业有限公司: the brand and the kind of body
            longer = {n for n in names if n != org.name and short.group(1) in n and n.endswith(short.group(2))}
            full = longer.pop() if len(longer) == 1 else None
        if full is not None:
            org.attrs["alias_of"] = org.name
            org.name = full
    return cands


_SHORT_COMPANY = re.compile(r"([\u4e00-\u9fff]{2,4})(公司|集团|合作社)")
_TOWN_SUFFIX = re.compile(r"(?<=[\u4e00-\u9fff]{2})(?:镇|乡|街道)(?=[\u4e00-\u9fff]{2})")


_ANAPHOR_HEADS = {"所": ("研究所", "所"), "院": ("研究院", "学院", "科学院", "院"), "校": ("大学", "学院", "学校"),
                  "站": ("工作站", "站"), "中心": ("中心",)}


def _resolve_anaphors(cands, articles):
    """A bare head (理事会, 合作社, 该所) names the latest organisation of its article before it with
    that head; one with none is dropped."""
    orgs = sorted((c for c in cands if c.label == "Organization" and not c.attrs.get("anaphor")), key=lambda c: c.start)
    keep = []
    for c in cands:
        head = c.attrs.get("anaphor")
        if not head:
            keep.append(c)
            continue
        article = next((a for a in articles if a.norm_start <= c.start < a.norm_end), None)
        lo = article.norm_start if article else 0
        endings = _ANAPHOR_HEADS.get(head, (head,))
        before = [o for o in orgs if lo <= o.start and o.end <= c.start and o.name.endswith(endings)]
        if before:
            target = before[-1]
            c.name = target.name
            c.attrs = {k: v for k, v in target.attrs.items() if k not in ("coordinated", "alias_of")}
            c.attrs["anaphor"] = head
            keep.append(c)
    return keep


_BRANCH_OF_VILLAGE = re.compile(r"([\u4e00-\u9fff]{2,4}(?:村|社区|嘎查))(?:党总支部|党总支|党支部|党委|村委会|居委会)$")


def _villages_of_branches(text, cands):
    """A village the document names through its party branch (东风村党总支) is a place wherever the
    document writes it, even when its name is an ordinary word (东风村是沙集电商的发源地)."""
    covered = [False] * (len(text) + 1)
    for c in cands:
        if c.label == "Place":
            for i in range(c.start, c.end):
                covered[i] = True
    names = {m.group(1) for c in cands if c.label == "Organization" for m in [_BRANCH_OF_VILLAGE.search(c.name)] if m}
    places = sorted((c for c in cands if c.label == "Place"), key=lambda c: c.start)
    out = []
    for name in names:
        if name in rules_generic_places() or any(p.name == name for p in places):
            continue
        for m in re.finditer(re.escape(name), text):
            if not any(covered[m.start():m.end()]):
                # its township: the one the document named last before it, as for any village
                town = next((p for p in reversed(places) if p.end <= m.start() and p.attrs.get("level") == "town"), None)
                out.append(Candidate(m.start(), m.end(), "Place", name,
                                     {"level": "village", "parent": town.name if town else None}, "branch-village"))
                for i in range(m.start(), m.end()):
                    covered[i] = True
    return out


_PLACE_ANAPHOR = re.compile(r"(县里|市里|区里|镇里|乡里|村里)(?![的民])")
_ANAPHOR_LEVEL = {"县": ("county",), "区": ("county",), "市": ("city", "county"), "镇": ("town",), "乡": ("town",),
                  "村": ("village",)}


def _place_anaphors(text, cands, articles):
    """县里, 镇里, 村里 as the subject of what the article says (镇里还与…签订协议, 村里成立合作社): a
    mention of the place of that level the article named last before it."""
    places = sorted((c for c in cands if c.label == "Place"), key=lambda c: c.start)
    out = []
    for m in _PLACE_ANAPHOR.finditer(text):
        article = next((a for a in articles if a.norm_start <= m.start() < a.norm_end), None)
        lo = article.norm_start if article else 0
        levels = _ANAPHOR_LEVEL[m.group(1)[0]]
        before = [p for p in places if lo <= p.start and p.end <= m.start() and p.attrs.get("level") in levels]
        if before and not text[m.start() - 1:m.start()] in ("在", "到", "回", "进", "出"):
            target = before[-1]
            out.append(Candidate(m.start(), m.end(), "Place", target.name,
                                 {k: v for k, v in target.attrs.items() if k != "chain"}, "anaphor"))
    return out


def _seats_of_established(relations):
    """An organisation a place sets up (盱眙县…成立龙虾养殖产业链党委) sits in that place, and one an
    organisation sets up (链党委下设3个功能型党支部) sits where its parent sits, unless its name
    already says where."""
    seats = {(r.source.label, r.source.name): r.target for r in relations if r.type == "located_in"}
    out = []
    for r in relations:
        key = (r.target.label, r.target.name)
        if r.type != "establishes" or key in seats:
            continue
        seat = r.source if r.source.label == "Place" else seats.get((r.source.label, r.source.name))
        if seat is not None:
            out.append(Relation(r.target, seat, "located_in", r.sentence, "seat-of-established"))
            seats[key] = seat
    return out


_PARENT_KINDS = ("university", "institute")


def _drop_names_inside_organizations(cands, relations, text):
    """A place written in short only inside organisation names (浙江 in 浙江大学) is not a mention of
    the place, and an institution written only as the start of its sub-unit's name is not one of its
    own: an entity left with no other mention goes, with its relations."""
    orgs = [c for c in cands if c.label == "Organization"]

    def short_inside(c):
        surface = text[c.start:c.end]
        return (c.label == "Place" and surface != c.name and surface[-1:] not in "省市县区州盟旗镇乡村"
                and any(o.start <= c.start and c.end <= o.end for o in orgs))

    # 中国农业科学院 written only as the start of 中国农业科学院蔬菜花卉研究所 (a bank of its branch: 金乡农商
    # 银行鸡黍支行): the sub-unit is the body the text names; the institution it belongs to is kept as its
    # attribute ``part_of``
    alone = defaultdict(bool)
    for c in orgs:
        if c.attrs.get("kind") in _PARENT_KINDS or c.name.endswith(("银行", "集团", "集团有限公司")):
            longer = next((o for o in orgs if o.start == c.start and o.end > c.end), None)
            alone[c.name] |= longer is None
            if longer is not None:
                longer.attrs.setdefault("part_of", c.name)
    parents_only = {("Organization", n) for n, a in alone.items() if not a}
    names = {(c.label, c.name) for c in cands if not short_inside(c)} - parents_only
    kept = [c for c in cands if (c.label, c.name) in names]
    relations = [r for r in relations
                 if (r.source.label, r.source.name) in names and (r.target.label, r.target.name) in names]
    return kept, relations


_PRODUCT_ENDINGS = frozenset("橙柚梨桃李杏枣莓蕉椒芸菇菌笋薯麦稻粟茶桑蚕蜂鸭鹅羊牛猪虾蟹鱼椰柑橘榧芒荔栗瓜菜花豆米参藕耳姜蒜苗草药果")
_DEVELOPED = re.compile(r"(?:发展|围绕|做强|做大|做优|壮大|培育|主打)$")  # 发展玉米制种: what is developed is an industry
_INDUSTRY_MARKED = re.compile(r"(?:产业|种植|养殖|基地|加工|种养|示范园|合作社|专业合作社)")
_SECTOR_MARKED = re.compile(r"(?:等(?:\d+个)?)?产业")


def _salient_industries(cands, relations, text):
    """Industries are the products and sectors something is built around: keep one that an
    organisation or program focuses on, that the document names twice, or that is marked as an
    industry (荔枝产业, 胡椒种植); drop passing mentions (卖柚子) and sector words that only occur
    inside the names of companies, institutes and departments (菜都种业有限公司, 蔬菜花卉研究所, 林业局)."""
    named_after = [o for o in cands if o.label == "Organization" and o.attrs.get("kind") in
                   ("company", "institute", "university", "government")]
    inside_only = defaultdict(lambda: True)
    counts = defaultdict(int)
    marked, sector_marked = set(), set()
    cooperatives = [o for o in cands if o.label == "Organization" and o.attrs.get("kind") == "cooperative"]
    for c in cands:
        if c.label == "Industry":
            # 蒜都丰源种植专业合作社: an unknown word before 种植 in a cooperative's name, not ending as
            # products do (…羊, …瓜), is its brand
            brand = c.source == "pattern" and c.name[-1] not in _PRODUCT_ENDINGS
            inside_only[c.name] &= any(o.start <= c.start and c.end <= o.end
                                       for o in named_after + (cooperatives if brand else []))
            counts[c.name] += 1
            if _INDUSTRY_MARKED.match(text, c.end) or c.attrs.get("listed") or _DEVELOPED.search(text, max(0, c.start - 3), c.start):
                marked.add(c.name)
            if _SECTOR_MARKED.match(text, c.end):
                sector_marked.add(c.name)
    focused = {(r.target.label, r.target.name) for r in relations if r.type == "focuses_on"
               and not inside_only[r.target.name]}
    kinds = lexicon.industry_kinds()

    def salient(n):
        kind = kinds.get(n)
        if kind in ("channel", "tourism"):  # 电商 sells the product the article is about, 茶旅融合 blends it
            return n in sector_marked  # with tourism, unless it is the 产业 itself
        if kind == "service":  # 民宿, 研学 listed among a village's tourism offers
            return n in sector_marked or counts[n] >= 3
        if kind == "sector":  # 乡村旅游 is named as a sector even in passing
            return True
        return counts[n] >= 2 or n in marked or n in sector_marked or ("Industry", n) in focused

    drop = {n for n in counts if inside_only[n] or not salient(n)}
    kept = [c for c in cands if not (c.label == "Industry" and c.name in drop)]
    relations = [r for r in relations if not any(x.label == "Industry" and x.name in drop for x in (r.source, r.target))]
    return kept, relations


# Category word → the endings of its specific products, tried in turn (稻米 → 石板大米, else 水稻).
_CATEGORY_HEADS = {"茶叶": ("茶",), "茶": ("茶",), "大米": ("米", "稻"), "稻米": ("米", "稻")}


def _canonical_industries(cands):
    """An industry named in short inside a longer name (龙虾 in 龙虾养殖产业链党委) is the document's
    one industry that contains it (小龙虾); a category word (茶叶, 大米) is the document's one
    specific product of that category (白茶, 五常大米, not when it has two: 松阳银猴, 惠明茶); a tourism blend (茶旅, 农文旅) is the
    document's tourism sector (乡村旅游); two names of one product (中华蜜蜂, 中蜂) are the one the
    document uses more, and so are a fresh product and its product (鲜桃, 大桃)."""
    inds = [c for c in cands if c.label == "Industry"]
    counts = Counter(c.name for c in inds)
    for c in inds:
        other = lexicon.industry_synonyms().get(c.name)
        if other in counts and counts[other] >= counts[c.name]:
            c.name = other
    names = {c.name for c in inds}
    kinds = lexicon.industry_kinds()
    for c in inds:
        # 鲜桃 is the fresh fruit of the document's 大桃
        same = {n for n in names if n != c.name and n.endswith(c.name[1:])} if c.name[:1] == "鲜" and len(c.name) > 1 else ()
        if len(same) == 1:
            c.name = same.pop()
            continue
        sectors = {n for n in names if kinds.get(n) == "sector"}
        if kinds.get(c.name) == "tourism" and len(sectors) == 1:
            c.name = sectors.pop()  # 茶旅, 茶旅融合 → the document's 乡村旅游
            continue
        # the variety it is short for (龙虾 → 小龙虾), not a product made of it the document names less (咖啡 → 咖啡豆)
        longer = {n for n in names if n != c.name and c.name in n
                  and (not n.startswith(c.name) or counts.get(n, 0) >= counts[c.name])}
        for head in _CATEGORY_HEADS.get(c.name, ()) if not longer else ():
            longer = {n for n in names if n != c.name and n not in _CATEGORY_HEADS
                      and (n.endswith(head) or lexicon.industry_categories().get(n) == head)}
            if longer:
                break
        if len(longer) == 1:
            c.name = longer.pop()
    return cands


_PLAIN_MODIFIERS = frozenset("优质 特色 有机 绿色 生态 新鲜 精品 高端 品牌 地方 本地 优良 传统 名优 道地 主导 设施 "
                             "高山 野生 特产 农家 山区 原生态 当地 本土 新品种 品种 良种 鲜果 果园 基地 "
                             "套种 间种 间作 轮作 种植 栽种 套作".split())


def _varietal_industries(cands, text):
    """A product the document always writes after the same name or season is a variety of its own:
    红心猕猴桃, 苍溪雪梨 (a county), 五常大米, 武夷岩茶, 冬季马铃薯. A product also written bare or after
    other words (根子荔枝 and 荔枝) keeps its bare name."""
    places = {c.end: c for c in cands if c.label == "Place"
              and c.attrs.get("level") in ("province", "city", "county") and text[c.start:c.end] != c.name}
    tags, kinds = lexicon.word_tags(), lexicon.industry_kinds()
    mentions = defaultdict(list)
    for c in cands:
        if c.label == "Industry" and c.source == "lexicon" and c.name not in kinds:
            mentions[c.name].append(c)
    orgs = [c for c in cands if c.label == "Organization"]
    named = [c for c in cands if c.label in ("Organization", "Program")]
    for name, group in mentions.items():
        modifiers, by_place = set(), False
        # 山西农业大学玉米研究所, 金落黄金茶专业合作社, the “五彩杂粮”品牌 do not say how the document writes
        # its 甜糯玉米, 保靖黄金茶, 杂粮 (a program that begins with it does: “花木产业议事会”)
        outside = [c for c in group if not any(o.start <= c.start and c.end <= o.end and (
            o.label == "Organization" or o.start + (text[o.start] in "“\"") < c.start) for o in named)]
        every, group = group, outside or group
        for c in group:
            place = places.get(c.start)
            by_place |= place is not None
            season = next((w for w in SEASONS if text.startswith(w, c.start - len(w))), None)
            word = text[place.start:c.start] if place else season or word_before(text, c.start, max_len=4)
            if len(word) < 2 and len(group) >= 2 and is_variety_word(text[max(0, c.start - 2):c.start]):
                word = text[c.start - 2:c.start]  # 甜糯玉米, written so throughout: a variety word the word list lacks
            elif not place and not season and (len(word) < 2 or tags.get(word) not in ("n", "ns", "nz", "b")
                                             or lexicon.word_frequency(word) >= 1000 and tags.get(word) != "ns"
                              or word in _PLAIN_MODIFIERS or word in lexicon.industries() or is_generic(word)):
                word = None
            modifiers.add(word)
        if len(modifiers) != 1 or None in modifiers:
            continue
        modifier = modifiers.pop()
        if not by_place and all(any(o.start <= c.start - len(modifier) and c.end <= o.end for o in orgs) for c in group):
            continue  # only in 山口核桃产业链党委: 山口 may be the organisation's town
        for c in every:
            if text.startswith(modifier, c.start - len(modifier)):
                c.start -= len(modifier)
                c.name = modifier + name
    return cands


def _home_place(text, article, cands):
    """The place an article is about: the first place in its title, else in its byline unit,
    else the county- or city-level place it names most."""
    title_end = text.find("\n", article.norm_start)
    title_end = article.norm_end if title_end < 0 else min(title_end, article.norm_end)
    places = [c for c in cands if c.label == "Place"]
    in_title = sorted((c for c in places if article.norm_start <= c.start < title_end), key=lambda c: c.start)
    if in_title:
        # the first chain of the title (海南省海口市：…) → its lowest member
        home = in_title[0]
        while True:
            nxt = next((c for c in in_title if c.start == home.end), None)
            if nxt is None:
                return home
            home = nxt
    in_byline = [c for c in places if c.start < title_end + 80 and article.byline and c.name[:2] in article.byline]
    if in_byline:
        return in_byline[-1]
    counts = Counter(c.name for c in places if c.attrs.get("level") in ("county", "city", "town"))
    if counts:
        best = counts.most_common(1)[0][0]
        return next(c for c in places if c.name == best)
    return None


def _entity_id(c):
    return f"{c.label}:{c.name}"


def _best_attrs(group):
    if group[0].label == "Place":
        group = sorted(group, key=place_mention_rank)  # the same mention located_in follows
    attrs = {}
    for c in group:
        for k, v in c.attrs.items():
            if k in ("role_hint", "coordinated", "alias_of", "chain", "quoted", "head", "ambiguous", "anaphor", "listed"):
                continue
            attrs.setdefault(k, v)
    if group[0].label == "Place":
        attrs.setdefault("level", "other")
        attrs.setdefault("parent", None)
    if group[0].label == "Organization":
        attrs.setdefault("kind", "other")
    return attrs


def _record(doc, cands, relations, sents):
    import bisect
    sent_starts = [s for s, _ in sents]

    def sentence_of(pos):
        i = max(0, bisect.bisect_right(sent_starts, pos) - 1)
        s, e = sents[i] if sents else (0, len(doc.norm))
        return s, e

    def evidence(span, rule=None):
        start, end = doc.to_original(*span)
        out = {"sentence": doc.text[start:end].strip(), "start": start, "end": end}
        if rule:
            out["rule"] = rule
        return out

    groups = defaultdict(list)
    for c in cands:
        groups[_entity_id(c)].append(c)
    roles = defaultdict(set)
    for r in relations:
        if r.type == "holds_role" and r.attrs.get("role"):
            roles[_entity_id(r.source)].add(r.attrs["role"])
    entities = []
    for key, group in groups.items():
        group.sort(key=lambda c: c.start)
        attrs = _best_attrs(group)
        if key in roles:
            attrs["roles"] = sorted(roles[key])
        aliases = sorted({re.sub(r"\s+", "", doc.norm[c.start:c.end]) for c in group if c.source != "anaphor"}
                         - {group[0].name})
        mentions = []
        for c in group:
            start, end = doc.to_original(c.start, c.end)
            mentions.append({"start": start, "end": end, "text": doc.text[start:end],
                             "sentence": evidence(sentence_of(c.start))["sentence"], "source": c.source})
        entities.append({"id": key, "type": group[0].label, "name": group[0].name, "aliases": aliases,
                         "attrs": attrs, "mentions": mentions})
    merged = {}
    for r in relations:
        key = (r.type, _entity_id(r.source), _entity_id(r.target))
        ev = evidence(r.sentence, r.rule)
        if key not in merged:
            merged[key] = {"source": key[1], "target": key[2], "type": r.type, "attrs": dict(r.attrs),
                           "evidence": [ev]}
            continue
        rec = merged[key]
        if ev not in rec["evidence"]:
            rec["evidence"].append(ev)
        old = rec["attrs"]
        if r.attrs.get("year") and (not old.get("year") or (r.attrs.get("year_source") == "sentence" and (
                old.get("year_source") != "sentence" or r.attrs["year"] < old["year"]))):
            old.update({k: r.attrs[k] for k in ("year", "year_source") if k in r.attrs})
        for k, v in r.attrs.items():
            old.setdefault(k, v)
    return {"doc": doc.name, "kg_version": __version__, "encoding": doc.encoding,
            "articles": [a.record() for a in doc.articles],
            "entities": sorted(entities, key=lambda e: (ENTITY_TYPES.index(e["type"]), e["mentions"][0]["start"])),
            "relations": list(merged.values())}


def skeleton(record):
    """What assembly needs of a record, without its mentions' and evidence's text: an entity's
    mentions as their ``starts``, a relation's evidence as its count ``n_evidence``.
    :func:`kg.graph.plan` and :func:`kg.resolve.resolve_keys` accept it in place of the record; a
    build reads the full records only for the evidence it must show (:mod:`kg.incremental`)."""
    entities = []
    for e in record["entities"]:
        e = dict(e, starts=[m["start"] for m in e["mentions"]])
        del e["mentions"]
        entities.append(e)
    relations = []
    for r in record["relations"]:
        r = dict(r, n_evidence=len(r.get("evidence", [])))
        r.pop("evidence", None)
        relations.append(r)
    return {"doc": record["doc"], "kg_version": record.get("kg_version", ""), "articles": record.get("articles", []),
            "entities": entities, "relations": relations}
