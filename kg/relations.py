"""Relations between the entities of one document, each with the sentence that supports it.

Rules work sentence by sentence on the recognised mentions: an entity, a cue word between or
around the mentions, and the order of the arguments. Cue words are data (``kg/data/relation_cues.jsonl``);
the rule name that produced a relation travels with its evidence.

>>> from kg.extract import extract_text
>>> rec = extract_text("2021年，浙江省安吉县在全县推行“积分制”。", name="t.txt")
>>> [(r["type"], r["source"], r["target"], r["attrs"].get("year")) for r in rec["relations"] if r["type"] == "adopts"]
[('adopts', 'Place:安吉县', 'Program:积分制', 2021)]
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from . import lexicon
from .io import YEAR

CLAUSE_BREAK = re.compile(r"[，,：:；;]")


@dataclass
class Relation:
    source: object  # Candidate
    target: object
    type: str
    sentence: tuple  # (start, end) in the normalised text
    rule: str
    attrs: dict = field(default_factory=dict)


@lru_cache(maxsize=None)
def relation_cues():
    table = defaultdict(list)
    for row in lexicon._jsonl("relation_cues.jsonl"):
        table[row["kind"]].append(row["text"])
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in table.items()}


@lru_cache(maxsize=None)
def cue_pattern(kind):
    return "(?:" + "|".join(map(re.escape, relation_cues()[kind])) + ")"


def _between(text, a, b):
    return text[a.end:b.start] if a.end <= b.start else ""


def _is_agent(c):
    return c.label in ("Place", "Organization")


class _Sentence:
    def __init__(self, start, end, mentions):
        self.start, self.end = start, end
        self.mentions = sorted(mentions, key=lambda c: (c.start, -c.end))


def extract_relations(text, sentence_spans, mentions, home_place=None, article_year=None):
    """All relations of one article. ``home_place`` (a Place candidate) stands in for a subject the
    sentence leaves out (在社区实行兼职委员制 in an article about 琼中县)."""
    out = []
    by_sentence = []
    ms = sorted(mentions, key=lambda c: c.start)
    article_places = [c for c in ms if c.label == "Place"]
    for s, e in sentence_spans:
        inside = [c for c in ms if s <= c.start and c.end <= e]
        by_sentence.append(_Sentence(s, e, inside))
    programs = [c for c in ms if c.label == "Program"]
    for sent in by_sentence:
        recent = next((p for p in reversed(programs) if p.end <= sent.start), None)  # what 这一做法 refers to
        out += _roles(text, sent)
        out += _adopts(text, sent, home_place, article_year)
        out += _establishes(text, sent)
        out += _partners(text, sent)
        out += _focuses(text, sent)
        out += _evolves(text, sent)
        out += _spreads(text, sent, home_place, article_places, recent)
    out += _learners_adopt(out, programs, article_year, text)
    out += _sector_focus(ms, sentence_spans)
    out += _main_industry_focus(ms, sentence_spans, out)
    out += _village_posts(text, by_sentence, out, home_place)
    return _dedupe(out)


def _dedupe(relations):
    seen, out = set(), []
    for r in relations:
        if r.source is r.target or (r.source.label, r.source.name) == (r.target.label, r.target.name):
            continue
        key = (r.type, r.source.label, r.source.name, r.target.label, r.target.name, r.sentence)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


# ---------------------------------------------------------------- located_in

def place_mention_rank(c):
    """Sort key over the mentions of one place, best first: the first, since an article places a
    village or town where it introduces it (a later chain may come from inside an organisation's
    name: 金寨县东莲茶叶专业合作社 does not put 东莲村 in 金寨县 directly)."""
    return c.start


def located_in(sentence_spans, mentions):
    """located_in at the level of entities: each place to its one parent (the chain in the text,
    else the gazetteer or the article's context, as settled by place resolution), each
    organisation to the lowest place its name contains. Evidence: a sentence naming both, else
    the child's first."""
    out = []

    def sentence_with(a, b=None):
        for s, e in sentence_spans:
            if any(s <= m.start < e for m in a) and (b is None or any(s <= m.start < e for m in b)):
                return s, e
        return None

    by_entity = defaultdict(list)
    for c in mentions:
        by_entity[(c.label, c.name)].append(c)
    for (label, name), group in by_entity.items():
        if label == "Place":
            best = min(group, key=place_mention_rank)
            parent = best.attrs.get("parent")
            parents = by_entity.get(("Place", parent), []) if parent != name else []
            if parents:
                span = sentence_with(group, parents) or sentence_with(group)
                rule = "chain" if best.attrs.get("chain") else "gazetteer" if best.attrs.get("admin_code") else "context"
                out.append(Relation(best, parents[0], "located_in", span, rule))
        elif label == "Organization":
            for org in group:
                inner = [p for p in mentions if p.label == "Place" and org.start <= p.start and p.end <= org.end]
                if inner:
                    out.append(Relation(org, inner[-1], "located_in", sentence_with([org]), "org-name"))
                    break
    return [r for r in out if r.sentence is not None]


# ---------------------------------------------------------------- holds_role / affiliated_with

_MEMBER_KINDS = {"university", "institute", "company", "cooperative", "association", "team"}
_LEADING_ROLE = re.compile(r"(书记|队长|主任|团长|会长|理事长|站长|社长|组长|村长|院长|所长|局长|部长|董事长|总经理|经理|"
                           r"负责人|首席专家|委员|镇长|乡长|县长|市长|区长|主席|特派员|指导员|网格员)")


def _role_type(holder, role):
    """A leading or serving role (书记, 队长, 首席专家, 科技特派员) is held; a post at an institution
    (教授, 研究员, 院士) is an affiliation."""
    if holder.label == "Organization" and holder.attrs.get("kind") in _MEMBER_KINDS and not _LEADING_ROLE.search(role):
        return "affiliated_with"
    return "holds_role"


# Posts that only a body of these kinds has (理事长 of a cooperative, 会长 of an association).
_BRANCH_LEVEL = re.compile(r"(?:党支部|党总支|党小组|支部)$")  # branches, not committees, belong to who set them up
_HEAD_POSTS = {"理事长": ("cooperative", "association"), "社长": ("cooperative",), "会长": ("association",),
               "董事长": ("company",), "总经理": ("company",), "队长": ("team",), "站长": ("institute", "government")}


def _role_text(segment):
    roles = lexicon.cues("person_role")
    seg = segment.strip("“”\"、 ")
    if not seg or len(seg) > 12 or re.match(r"^(?:选派|派驻|派出|委派)", seg):
        return None  # 山东农业大学选派的驻村第一书记: the sender, not where the role is held
    if any(seg.endswith(r) or r in seg for r in roles):
        return re.sub(r"[“”\"]", "", seg)
    return None


def _roles(text, sent):
    out = []
    persons = [c for c in sent.mentions if c.label == "Person"]
    holders = [c for c in sent.mentions if c.label in ("Organization", "Place")]
    for p in persons:
        # [org|place] role [、 [org|place] role]* person — walk left from the person.
        pos = p.start
        for h in sorted((h for h in holders if h.end <= pos), key=lambda h: -h.end):
            if h.end > pos:
                continue
            if any(o is not h and o.start <= h.start and h.end <= o.end for o in holders if o.end <= pos):
                continue  # the place inside 云阁村党总支部 is not the holder
            role = _role_text(text[h.end:pos])
            if role is None:
                break
            first, *more = role.split("、")
            village = _place_of(h, sent) if more else None
            for extra in more:
                # 金厂村党支部书记、村委会主任赵德福: the second post is the village's
                if extra.startswith(("村委会", "村民委员会", "居委会", "社区居委会")) and village is not None \
                        and village.attrs.get("level") == "village" and _role_text(extra):
                    out.append(Relation(p, village, "holds_role", (sent.start, sent.end), "role-before", {"role": extra}))
            role = first if more and _role_text(first) else role
            rtype = _role_type(h, role)
            out.append(Relation(p, h, rtype, (sent.start, sent.end), "role-before", {"role": role}))
            pos = h.start
            while pos > sent.start and text[pos - 1] in "、，, ":
                pos -= 1
        # person 担任 / 任 [place|org] role
        after = text[p.end:sent.end]
        m = re.match(r"^(?:在|曾|现)?(?:担任|任|出任|兼任|被聘为|受聘为|作为|挂职)", after)
        if m:
            for h in holders:
                if h.start >= p.end + m.end() and h.start - (p.end + m.end()) <= 2:
                    while any(o.start == h.end for o in holders):  # 勐库镇冰岛村: the lowest place
                        h = next(o for o in holders if o.start == h.end)
                    role = re.match(r"^[“”\"]?([\u4e00-\u9fff]{2,8}?)[”\"]?(?:[，。、；]|期间|以来|$|一职)", text[h.end:sent.end])
                    if role and _role_text(role.group(1)):
                        out.append(Relation(p, h, _role_type(h, role.group(1)), (sent.start, sent.end), "serves-as",
                                            {"role": role.group(1)}))
                    break
        # 链党委…聘请四川农业大学教授罗思远担任首席专家: a post with no holder named is the subject's
        m = re.match(r"^(?:受聘)?(?:担任|出任)([\u4e00-\u9fff]{2,6}?)(?:[，。；、,;]|$)", after)
        if m and _role_text(m.group(1)):
            subject = next((h for h in holders if h.label == "Organization" and h.start - sent.start <= 8
                            and not any(o.label == "Organization" and o.end <= h.start for o in holders)), None)
            if subject is not None and subject.end <= p.start:
                out.append(Relation(p, subject, "holds_role", (sent.start, sent.end), "post-of-subject",
                                    {"role": m.group(1)}))
        # person 任/兼任/被推选为 理事长 (of the cooperative the sentence named before): 赵国庆任理事长
        m = re.match(r"^[^，。；]{0,6}?(?:兼任|担任|任|被推选为|被选为|当选为|当选)(" + "|".join(_HEAD_POSTS) + r")", after)
        if m:
            kinds = _HEAD_POSTS[m.group(1)]
            body = next((h for h in reversed(holders) if h.label == "Organization" and h.end <= p.start
                         and h.attrs.get("kind") in kinds), None)
            if body is not None:
                out.append(Relation(p, body, "holds_role", (sent.start, sent.end), "post-of-body", {"role": m.group(1)}))
        # person 作为 role 常驻 place: 曾庆林作为科技特派员常驻周田村
        m = re.match(r"^[^，。；]{0,4}?(?:作为|以)([\u4e00-\u9fff]{2,8}?)(?:身份)?(?:常驻|驻|派驻|入驻|扎根|下沉到|蹲点)", after)
        if m and _role_text(m.group(1)):
            pos = p.end + m.end()
            place = next((h for h in holders if h.label == "Place" and 0 <= h.start - pos <= 2), None)
            if place is not None:
                out.append(Relation(p, place, "holds_role", (sent.start, sent.end), "serves-in", {"role": m.group(1)}))
    # Teams named after a person, inside an institution: 河南大学三亚研究院郭敬功团队.
    for team in (c for c in sent.mentions if c.label == "Organization" and c.attrs.get("kind") == "team"):
        for other in sent.mentions:
            if other.label == "Organization" and other.end == team.start:
                out.append(Relation(team, other, "affiliated_with", (sent.start, sent.end), "team-of"))
                for person in persons:
                    if team.start <= person.start and person.end <= team.end:
                        out.append(Relation(person, other, "affiliated_with", (sent.start, sent.end), "team-of"))
    # Sub-units inside their institution's name: 南京农业大学园艺学院 → 南京农业大学; and the party
    # body of a company: 赤峰禾丰米业有限公司党支部 → 赤峰禾丰米业有限公司.
    orgs = [c for c in sent.mentions if c.label == "Organization"]
    for outer in orgs:
        for inner in orgs:
            if inner is not outer and outer.start == inner.start and inner.end < outer.end and not outer.attrs.get("anaphor") \
                    and (inner.attrs.get("kind") in ("university", "institute")
                         or inner.attrs.get("kind") in ("company", "cooperative", "association") and outer.attrs.get("kind") == "party"):
                out.append(Relation(outer, inner, "affiliated_with", (sent.start, sent.end), "sub-unit"))
    # 中国科学院武汉植物园韩启明院士, 该所郑宏远院士: an institution, a name, then the title.
    for p in persons:
        title = re.match(r"^(院士|教授|副教授|研究员|副研究员|博士|专家|高级农艺师|工程师)", text[p.end:sent.end])
        org = next((h for h in holders if h.label == "Organization" and h.end == p.start), None)
        if title and org is not None:
            out.append(Relation(p, org, _role_type(org, title.group(1)), (sent.start, sent.end), "org-name-title",
                                {"role": title.group(1)}))
    # 陈晓燕由漳州市农业农村局选派, 来自四川农业大学的专家王某: the sending institution.
    for p in persons:
        for h in holders:
            if h.label != "Organization":
                continue
            gap = _between(text, p, h)
            after = text[h.end:min(sent.end, h.end + 8)]
            if re.fullmatch(r"(?:由|系|是|为|来自|毕业于)", gap) and (gap != "由" or re.match(r"^(?:选派|派驻|派出|委派|推荐)", after)):
                out.append(Relation(p, h, "affiliated_with", (sent.start, sent.end), "sent-by"))
            gap2 = _between(text, h, p)
            if re.fullmatch(r"(?:选派|派驻|派出|委派)的?[\u4e00-\u9fff]{0,8}?", gap2) and _role_text(gap2.split("的")[-1] or "专家") \
                    or re.fullmatch(r"(?:选派|派驻|派出|委派)[^，。；,;]{2,20}?" + _VILLAGE_POST.pattern, gap2):
                # 四川省农业农村厅派驻白鹤村第一书记孙志刚: the sending body
                out.append(Relation(p, h, "affiliated_with", (sent.start, sent.end), "sent-by"))
    return out


# ---------------------------------------------------------------- adopts / establishes

_PREPOSITION_BEFORE = re.compile(r"(?:在|与|和|同|跟|对|向|为|给|依托|通过|借助|面向|到|至|从|及|、|以|把|将)$")
_NOT_SUBJECT_BEFORE = re.compile(r"(?:在|与|和|同|跟|对|向|为|给|帮助|联合|依托|带动|指导|吸纳|通过|借助|面向|覆盖|到|至|从|"
                                 r"及|、|以|把|将|让|使|组织|动员|邀请|引进|引入|成立|组建|建立|推动|支持|服务|结对|帮扶)$")


def _chain_start(c, ends):
    """The first member of the administrative chain that ``c`` ends (江苏省淮安市盱眙县 → 江苏省)."""
    while c.start in ends:
        c = ends[c.start]
    return c


def _subject_before(text, sent, pos, cue_kind):
    """The subject of a verb at ``pos``: the first place or organisation of the sentence that is
    not the object of a preposition (与X, 在X, 依托X), taking the lowest member of an
    administrative chain (江苏省淮安市盱眙县 → 盱眙县); ``由X`` names the agent outright. There
    must be a cue of ``cue_kind`` between the subject and ``pos``."""
    agents = [c for c in sent.mentions if _is_agent(c) and c.end <= pos]
    agents = [c for c in agents if not any(o is not c and o.start <= c.start and c.end <= o.end and o.end <= pos
                                           for o in agents)]
    ends = {c.end: c for c in agents}
    heads = [c for c in agents if not (c.end in {o.start for o in agents})]  # last member of each chain
    cue = cue_pattern(cue_kind)
    for c in heads:
        chain_start = c
        while chain_start.start in ends:
            chain_start = ends[chain_start.start]
        if text[max(sent.start, chain_start.start - 1):chain_start.start] == "由":
            if re.search(cue, text[c.end:pos]):
                return c
    # 推动际会村党支部成立…: an agent right before the verb is its subject
    nearest = max(heads, key=lambda c: c.end, default=None)
    if nearest is not None and re.match(r"^(?:牵头|带头|率先|先后|联合|共同|积极|主动|还|又|也|已)?" + cue, text[nearest.end:pos]) \
            and not _PREPOSITION_BEFORE.search(text[max(sent.start, nearest.start - 4):nearest.start]):
        return nearest  # (推动) X 成立: also the agent a causative verb makes act
    starts = {c.start for c in agents}
    # the verb's own clause first (武穴市依托…，沈丘县在此基础上制定…: 沈丘县), then the sentence
    clause_start = max([sent.start] + [sent.start + m.end() for m in CLAUSE_BREAK.finditer(text[sent.start:pos])])
    in_clause = [c for c in heads if c.start >= clause_start  # not inside a 在…的 phrase (在…集中的厦门市)
                 and not re.search(r"[在从到对向]", text[clause_start:_chain_start(c, ends).start])]
    for c in in_clause + heads:
        chain_start = c
        while chain_start.start in ends:
            chain_start = ends[chain_start.start]
        before = text[max(sent.start, chain_start.start - 4):chain_start.start]
        if _NOT_SUBJECT_BEFORE.search(before):
            continue
        if text[c.end:c.end + 1] == "的" and c.end + 1 in starts:
            continue  # 益阳市的桃江县: the possessor is not the subject
        if re.search(cue, text[c.end:pos]) and pos - c.end <= 60:
            return c
    return None


_RELATIVE_YEAR = {"今年": 0, "本年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
_RELATIVE_YEAR_RE = re.compile("|".join(_RELATIVE_YEAR))


def _year_near(text, sent, pos, article_year=None):
    """The year the sentence gives for an event at ``pos``: the last year before it, else the first
    after; 今年/去年/前年 count from the article's year, 同年 from the year named before."""
    found = [(m.start(), int(m.group(1))) for m in YEAR.finditer(text, sent.start, sent.end)]
    for m in re.finditer("同年|同一年|当年|次年|翌年|第二年|转年", text[sent.start:sent.end]):
        # 同年, 当年: the last year the text named before this sentence; 次年: the year after it
        earlier = list(YEAR.finditer(text, max(0, sent.start - 600), sent.start))
        if earlier:
            found.append((sent.start + m.start(), int(earlier[-1].group(1)) + (0 if m.group() in ("同年", "同一年", "当年") else 1)))
    if article_year:
        found += [(m.start(), article_year + _RELATIVE_YEAR[m.group()])
                  for m in _RELATIVE_YEAR_RE.finditer(text, sent.start, sent.end)]
    found.sort()
    before = [y for p, y in found if p < pos]
    after = [y for p, y in found if p >= pos]
    return before[-1] if before else (after[0] if after else None)


def _paragraph_year(text, sent):
    """The year a story has reached when a sentence names none: the last year named earlier in its
    paragraph (2015年，…推广“三堂共治”。推广过程中，…升级为“三堂一网”)."""
    start = text.rfind("\n", 0, sent.start) + 1
    earlier = [m for m in YEAR.finditer(text, start, sent.start)]
    return int(earlier[-1].group(1)) if earlier else None


def _adoption(subject, prog, sent, text, rule, article_year, extra_event=None):
    year = _year_near(text, sent, prog.start, article_year)
    attrs = {"program": prog.name}
    paragraph_year = _paragraph_year(text, sent)
    if year:
        attrs.update(year=year, year_source="sentence")
    elif paragraph_year:
        attrs.update(year=paragraph_year, year_source="paragraph")
    elif article_year:
        attrs.update(year=article_year, year_source="article")
    event = extra_event or _event(text[max(sent.start, prog.start - 30):prog.end + 6])
    if event:
        attrs["event"] = event
    return Relation(subject, prog, "adopts", (sent.start, sent.end), rule, attrs)


# (one lazy run, not nested repeats: those backtrack for seconds on a long sentence)
_PILOT_PLACES = re.compile(r"在([^，。；在]{2,78}?)(?:先行先试|开展试点|进行试点|试点|试行|率先推行|推行|推开|铺开)")


_INSTRUMENT = re.compile(r"[”\"]?[\u4e00-\u9fff]{0,6}?为(?:总|重要|主要|有力)?(?:抓手|载体|主线|突破口|切入点|纽带|牵引|平台)")
_BROUGHT_TO = re.compile(r"^[”\"]?(?:[^，。；,;]{0,6}?)(?:引入|引进到|引进|推广到|推广至|复制到|带到|落地)")
_TIME_ONLY = re.compile(r"^\s*(?:\d{4}年(?:以来|起|后|底|初)?|近年来|目前|此后|随后|后来|如今)?\s*[“\"]?$")


def _adopts(text, sent, home_place, article_year):
    """Who adopts which program: the subject of an adoption verb before the program (2019年，X县推行
    “P”), the article's place when the sentence has no subject, the places where a program is piloted
    or brought (在A镇、B镇开展试点; 把“P”引入C镇), and a place's own program (D村的“P”开班)."""
    out = []
    verbs = cue_pattern("adopt_verb")
    progs = [c for c in sent.mentions if c.label == "Program"]
    places = [c for c in sent.mentions if c.label == "Place"]
    for prog in progs:
        window = text[max(sent.start, prog.start - 30):prog.start]
        brought = _BROUGHT_TO.match(text[prog.end:sent.end])
        # 以“共同缔造”为总抓手: the program is what the subject works through
        instrument = text[max(sent.start, prog.start - 1):prog.start] == "以" and _INSTRUMENT.match(text, prog.end)
        if re.search(verbs, window) or re.search(verbs, text[prog.end:prog.end + 6]) or instrument:
            subject = _subject_before(text, sent, prog.start, "adopt_verb")
            rule = "subject-verb-program"
            if subject is None and instrument:
                subject = next((c for c in reversed(_top_of_chains([c for c in sent.mentions if _is_agent(c)]))
                                if c.end <= prog.start - 1 and not CLAUSE_BREAK.search(text[c.end:prog.start])), None)
            if subject is None and home_place is not None and (
                    re.search(verbs, text[max(sent.start, prog.start - 12):prog.start])
                    or re.search(verbs, text[prog.end:prog.end + 6]) and not brought):
                subject, rule = home_place, "article-subject"
            if subject is not None:
                subject = _formula_lead(subject, prog, sent)
                # the body the text names adopts (柑园村党支部推行“积分制”); kg.diffusion counts it for its place,
                # and so does each body listed with it (濮院镇、乌镇镇在推行“三堂一网”时)
                for agent in _listed_with(text, sent, subject):
                    out.append(_adoption(agent, prog, sent, text, rule, article_year))
        # 把“P”引入/推广到/引进 C镇: the place the program is brought to adopts it.
        m = brought
        clause = re.split(r"[，。；,;：:]", text[sent.start:prog.start])[-1]
        if m and clause.endswith(("把", "将")):
            # 通元镇党委把“村民说事”推广到全镇: the one who promotes it has it
            outer = [c for c in sent.mentions if _is_agent(c) and not any(
                o is not c and _is_agent(o) and o.start <= c.start and c.end <= o.end for o in sent.mentions)]
            promoter = next((c for c in reversed(_top_of_chains(outer)) if c.end <= prog.start and prog.start - c.end <= 4), None)
            if promoter is not None:
                out.append(_adoption(promoter, prog, sent, text, "promoter", article_year, "推广"))
        # … 把“P”推广到C镇, or “P”模式先后复制推广到C县、D县 (the program is what the clause is about)
        if m and (clause.endswith(("把", "将")) or not clause.strip("“”\" ") or _TIME_ONLY.match(clause)):
            pos = prog.end + m.end()
            stop = re.search(r"[，。；,;]|$", text[pos:sent.end]).start() + pos  # the list of places it reached
            for p in _top_of_chains([p for p in places if 0 <= p.start - pos <= 12 or pos <= p.start and p.end <= stop]):
                out.append(_adoption(p, prog, sent, text, "brought-to", article_year, "推广"))
        # “P”…2020年被泰和县借鉴: the place after 被 adopts, in the year just before 被.
        for pm in re.finditer(r"被", text[prog.end:sent.end]):
            pos = prog.end + pm.end()
            agent = next((p for p in places if 0 <= p.start - pos <= 1), None)
            # 被X借鉴/引进: X adopts; 被X推广到Y: X promotes, Y adopts (the spread rules handle it)
            if agent is not None and re.match(r"^[^，。；]{0,6}?(?:" + cue_pattern("learn_cue") + "|采用|引进|引入|移植)",
                                              text[agent.end:sent.end]):
                while any(o.start == agent.end for o in places):
                    agent = next(o for o in places if o.start == agent.end)
                out.append(_adoption(agent, prog, sent, text, "passive", article_year, "学习借鉴"))
                year = _year_near(text, sent, prog.end + pm.start() + 1, article_year)
                if year:
                    out[-1].attrs.update(year=year, year_source="sentence")
        # D村的“P”: a place's own program.
        owner = next((p for p in places if p.end <= prog.start and text[p.end:prog.start] in ("的", "的“", "“", "")
                      and prog.start - p.end <= 2), None)
        if owner is not None and re.match(r"^[^，。；,;]{0,4}?(?:" + verbs + "|开班|开课|开讲|启动|运行|上线)", text[prog.end:sent.end]):
            # D村的“P”开班 (the program does something right after it; not D村的“P”…，后来…推行)
            out.append(_adoption(owner, prog, sent, text, "place-own-program", article_year))
    # 在A镇、B镇开展试点: each place pilots the sentence's program.
    for m in _PILOT_PLACES.finditer(text, sent.start, sent.end):
        targets = _top_of_chains([p for p in places if m.start(1) <= p.start and p.end <= m.end(1)])
        prog = next((p for p in reversed(progs) if p.end <= m.start()), None) or next(
            (p for p in progs if p.start >= m.end()), None)
        if prog is None:
            continue
        event = "试点" if re.search("试", m.group()) else None
        for p in targets:
            out.append(_adoption(p, prog, sent, text, "piloted-in", article_year, event))
    return out


_BRANCH = re.compile(r"(?:党支部|党总支部|党总支|党委|党工委|两委|村委会|居委会)$")


def _formula_lead(subject, prog, sent):
    """A formula names the body that leads it (“联盟+基地+农户”): when an organisation is the subject
    and another organisation of the sentence, before the formula, is that body (…组建椅圈镇草莓产业党建
    联盟，推行“联盟+基地+农户”), the latter adopts it."""
    lead = prog.name.split("+")[0] if "+" in prog.name else ""
    if subject.label != "Organization" or len(lead) < 2 or subject.name.endswith(lead):
        return subject
    led = [c for c in sent.mentions if c.label == "Organization" and c.end <= prog.start and c.name.endswith(lead)]
    return led[-1] if led else subject


def _place_of_branch(agent, sent):
    """A village's or town's own party branch partners on behalf of the place (柑园村党支部 → 柑园村)."""
    if agent.label != "Organization" or not _BRANCH.search(agent.name):
        return agent
    stem = _BRANCH.sub("", agent.name)
    inner = [p for p in sent.mentions if p.label == "Place" and agent.start <= p.start and p.end <= agent.end]
    if inner and inner[-1].name == stem and inner[-1].attrs.get("level") in ("village", "town"):
        return inner[-1]
    return agent


def _event(window):
    for kind in ("首创", "试点", "推广", "学习借鉴"):
        if re.search(cue_pattern("event_" + kind), window):
            return kind
    return None


def _establishes(text, sent):
    out = []
    verbs = cue_pattern("establish_verb")
    programs = [c for c in sent.mentions if c.label == "Program"]
    agents = [c for c in sent.mentions if _is_agent(c)]
    for org in (c for c in sent.mentions if c.label == "Organization"):
        # 金寨茶叶产业链党委由油坊店乡党委牵头组建: set up by the agent after 由
        by = re.match(r"^[^，。；]{0,4}?由", text[org.end:sent.end])
        if by:
            agent = next((a for a in agents if a.start == org.end + by.end()), None)
            if agent is not None and re.match(r"^(?:牵头|负责|联合[^，。；]{0,12}?)?" + verbs, text[agent.end:sent.end]):
                out.append(Relation(agent, org, "establishes", (sent.start, sent.end), "set-up-by-agent"))
                continue
        lo = max(sent.start, org.start - 24)
        # a verb inside a program's name (村党组织领办合作社经验) sets nothing up
        window = "".join("·" if any(p.start <= i < p.end for p in programs) else text[i] for i in range(lo, org.start))
        verb = re.search(verbs + r"([^，。；]*)$", window)
        if not verb:
            continue
        tail = verb.group(verb.lastindex)  # what lies between the verb and the organisation
        if re.search(r"[与同跟][^，。；]*$", tail) and any(
                o.label == "Organization" and lo + verb.start(verb.lastindex) <= o.start and o.end <= org.start
                for o in sent.mentions):
            continue  # 领办的A与B签订: B is A's partner, not set up
        subject = _subject_before(text, sent, org.start, "establish_verb")
        if subject is None or (subject.start <= org.start < subject.end):
            continue  # no subject: the article's place is rarely who set it up (4 of 28 in the gold sets)
        out.append(Relation(subject, org, "establishes", (sent.start, sent.end), "subject-verb-org"))
        if subject.label == "Organization" and (org.attrs.get("kind") == "team" or _BRANCH_LEVEL.search(org.name)):
            # 联盟成立党员服务队, 产业链党委下设3个党支部: the new body belongs to the one that set it up
            out.append(Relation(org, subject, "affiliated_with", (sent.start, sent.end), "set-up-by"))
    return out


# ---------------------------------------------------------------- partners_with

def _partners(text, sent):
    """A 与 B 签约/结对/共建 (and A 联合 B): partners. A chain counts as its lowest place
    (环县与天津市津南区 → 津南区); with no A before 与 (并与B签约), A is the sentence's latest agent."""
    out = []
    cue = cue_pattern("partner_verb")
    agents = [c for c in sent.mentions if _is_agent(c)]
    agents = [c for c in agents if not any(o is not c and o.start <= c.start and c.end <= o.end for o in agents)]
    ends = {c.end: c for c in agents}
    agents = [c for c in agents if c.end not in {o.start for o in agents}]  # lowest member of each chain

    def chain_start(c):
        while c.start in ends:
            c = ends[c.start]
        return c.start

    def rule(gap, after):
        if re.fullmatch(r"(?:与|和|同|跟|联合|携手)", gap) and re.match(r"^[^，。；]{0,10}?" + cue, after):
            return "A-with-B"
        if re.fullmatch(r"[^，。；]{0,6}?(?:与|同|和)", gap) and re.search(cue, after[:12]):
            return "A-with-B"
        if re.fullmatch(r"[^，。；]{0,4}" + cue + r"[^，。；]{0,4}", gap):
            return "A-verb-B"
        return None

    paired = set()
    for i, a in enumerate(agents):
        for b in agents[i + 1:]:
            found = rule(text[a.end:chain_start(b)], text[b.end:min(sent.end, b.end + 16)])
            if found:
                out.append(Relation(a, b, "partners_with", (sent.start, sent.end), found))
                paired.add(id(b))
    for b in agents:
        start = chain_start(b)
        if id(b) in paired or not re.search(r"(?:^|[，,])(?:并|还|也|已|又)?(?:与|同)$", text[max(sent.start, start - 3):start]):
            continue
        if not re.match(r"^[^，。；]{0,10}?" + cue, text[b.end:min(sent.end, b.end + 16)]):
            continue
        earlier = [a for a in agents if a.end <= start and a is not b]
        if earlier:
            out.append(Relation(_place_of_branch(earlier[-1], sent), b, "partners_with", (sent.start, sent.end),
                                "with-B-after-subject"))
    return out


# ---------------------------------------------------------------- focuses_on

_INDUSTRY_MARK = re.compile(r"^(?:产业链|产业|种植|养殖|加工|种养|基地|示范园|产业园|园区|主产区)")


_SECTOR = re.compile(r"([\u4e00-\u9fff])(?:业|农牧|产业)(?:有限|股份|发展|专业|合作|集团|公司|科技)")


_VILLAGE_POST = re.compile(r"(第一书记|驻村工作队队长|驻村队长)[^，。；,;]{0,16}$")


def _village_posts(text, sentences, found, home_place):
    """A first secretary (驻村第一书记) holds the post in a village: the village the sentence puts them
    in (到西峪村任职), else the village the article last named before them, else the article's place
    if it is a village."""
    placed = {r.source.name for r in found if r.type == "holds_role" and r.target.label == "Place"
              and r.target.attrs.get("level") == "village"}
    out, last_village = [], None
    for sent in sentences:
        villages = [c for c in sent.mentions if c.label == "Place" and c.attrs.get("level") == "village"]
        for p in (c for c in sent.mentions if c.label == "Person"):
            role = _VILLAGE_POST.search(text[max(sent.start, p.start - 24):p.start])
            if role is None or p.name in placed:
                continue
            after = [v for v in villages if v.start >= p.end]
            before = [v for v in villages if v.end <= p.start]
            village = after[0] if after else before[-1] if before else last_village
            if village is None and home_place is not None and home_place.attrs.get("level") == "village":
                village = home_place
            if village is not None:
                placed.add(p.name)
                out.append(Relation(p, village, "holds_role", (sent.start, sent.end), "village-post",
                                    {"role": role.group(1)}))
        if villages:
            last_village = villages[-1]
    return out


def main_industry(mentions):
    """The industry an article is about: the one it names most, at least three times and twice as
    often as any other, or None."""
    counts = Counter(c.name for c in mentions if c.label == "Industry")
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < 3 or len(ranked) > 1 and ranked[0][1] < 2 * ranked[1][1]:
        return None
    return next(c for c in mentions if c.label == "Industry" and c.name == ranked[0][0])


def _main_industry_focus(mentions, sentence_spans, found):
    """Formulas (“党支部+合作社+农户”) and the links of an industry chain (种薯繁育产业链党支部) that
    name no product are about the article's main industry."""
    main = main_industry(mentions)
    focused = {(r.source.label, r.source.name) for r in found if r.type == "focuses_on"}
    industries = {c.name: c for c in mentions if c.label == "Industry"}
    out, seen = [], set()
    for c in mentions:
        key = (c.label, c.name)
        if key in focused or key in seen or c.label not in ("Program", "Organization"):
            continue
        target = main if c.label == "Program" and "+" in c.name or c.label == "Organization" and "产业链" in c.name else None
        if target is None and c.attrs.get("kind") in ("team", "alliance", None):
            # 橙医生党员服务队, 赣南橙链党建联盟, 党员包片种芸工作法: named with the product's own character
            sharing = [ind for name, ind in industries.items() if _PRODUCT_CHAR.search(name) and _PRODUCT_CHAR.search(name).group() in c.name]
            target = sharing[0] if len(sharing) == 1 else None
        if target is None:
            continue
        sentence = next(((s, e) for s, e in sentence_spans if s <= c.start < e), None)
        if sentence is not None:
            seen.add(key)
            out.append(Relation(c, target, "focuses_on", sentence, "main-industry" if target is main else "product-character"))
    return out


# The character a product's name ends with, when it is its own (橙 of 脐橙, 芸 of 大芸; not 业, 品, 茶 of 茶叶).
_PRODUCT_CHAR = re.compile(r"[橙柚梨桃李杏枣莓蕉椒芸菇菌笋薯麦稻粟茶桑蚕蜂鸭鹅羊牛猪虾蟹鱼椰柑橘榧芒荔栗](?=$)")


def _sector_focus(mentions, sentence_spans):
    """Companies and cooperatives named for a sector (茗香茶业有限公司, 陇羊农牧发展有限公司) focus on the
    article's industry that shares the sector's character (茶叶, 湖羊)."""
    out = []
    industries = {}
    for c in mentions:
        if c.label == "Industry":
            industries.setdefault(c.name, c)
    for org in (c for c in mentions if c.label == "Organization" and c.attrs.get("kind") in ("company", "cooperative")):
        m = _SECTOR.search(org.name)
        if not m or m.group(1) in "种农商物产企实事就创":
            continue
        hits = [ind for name, ind in industries.items() if m.group(1) in name]
        sentence = next(((s, e) for s, e in sentence_spans if s <= org.start < e), None)
        if len(hits) == 1 and sentence is not None:
            out.append(Relation(org, hits[0], "focuses_on", sentence, "sector-name"))
    return out


def _focuses(text, sent):
    """An organisation or program focuses on an industry its name contains (三门坡荔枝产业链党委),
    or on a marked industry of its sentence (围绕荔枝产业, 在小龙虾产业中推行…, 发展胡椒种植): each
    marked industry goes to the nearest organisation or program of its clause, else of its sentence."""
    out = []
    cue = cue_pattern("focus_cue")
    industries = [c for c in sent.mentions if c.label == "Industry"]
    # a university teaches and researches an industry; it is not built around one
    agents = [c for c in sent.mentions if c.label in ("Organization", "Program") and c.attrs.get("kind") != "university"]
    for c in agents:
        for ind in industries:
            if c.start <= ind.start and ind.end <= c.end:
                out.append(Relation(c, ind, "focuses_on", (sent.start, sent.end), "name"))
    for ind in industries:
        if any(c.start <= ind.start and ind.end <= c.end for c in agents):
            continue
        marked = _INDUSTRY_MARK.match(text[ind.end:ind.end + 3]) or re.search(
            cue + r"$", text[max(sent.start, ind.start - 6):ind.start])
        if not marked:
            continue
        def distance(c):
            lo, hi = (ind.end, c.start) if ind.end <= c.start else (c.end, ind.start)
            return (bool(CLAUSE_BREAK.search(text[lo:hi])), abs(hi - lo))
        # among organisations, companies and cooperatives work in the industry their sentence marks; a
        # party committee or an institute beside it is rarely built around it (3 of 35 in the gold sets)
        candidates = [c for c in agents if not (c.start <= ind.start < c.end)
                      and (c.label == "Program" or c.attrs.get("kind") in ("company", "cooperative", "alliance"))]
        if candidates:
            best = min(candidates, key=distance)
            out.append(Relation(best, ind, "focuses_on", (sent.start, sent.end), "same-sentence"))
    return out


# ---------------------------------------------------------------- evolves_into

def _evolves(text, sent):
    out = []
    progs = [c for c in sent.mentions if c.label == "Program"]
    cue = cue_pattern("evolve_cue")
    for i, a in enumerate(progs):
        for b in progs[i + 1:]:
            gap = text[a.end:b.start]
            before = text[max(sent.start, a.start - 3):a.start]
            if re.fullmatch(r"[”\"]?(?:到|至)[“\"]?", gap) and re.search(r"(?:从|由)[“\"]?$", before):
                out.append(Relation(a, b, "evolves_into", (sent.start, sent.end), "from-A-to-B"))
            elif re.fullmatch(r"[^，。；]{0,8}?" + cue + r"[^，。；]{0,3}", gap):
                out.append(Relation(a, b, "evolves_into", (sent.start, sent.end), "A-upgraded-to-B"))
    return out


# ---------------------------------------------------------------- spreads_to

_SCOPE = {"全省": "province", "全区": "county", "全市": "city", "全州": "city", "全盟": "city", "全县": "county",
          "全旗": "county", "全镇": "town", "全乡": "town"}
_EXPERIENCE = re.compile(r"^[“\"]?[^，。；“”]{0,14}?[”\"]?(?:的)?(?:经验|做法|模式|工作法|机制|样板)")


def _place_of(agent, sent):
    """A place for an agent: itself, or the lowest place its name contains (茶陵县委组织部 → 茶陵县)."""
    if agent.label == "Place":
        return agent
    inner = [p for p in sent.mentions if p.label == "Place" and agent.start <= p.start and p.end <= agent.end]
    return inner[-1] if inner else None


def _top_of_chains(places):
    """Places that are not the upper part of an administrative chain (宜昌市|兴山县 → 兴山县)."""
    starts = {p.start for p in places}
    return [p for p in places if p.end not in starts]


def _experience_owner(text, places, lo, hi):
    """The place whose experience a sentence talks about (安定区“支部建在产业链上”的经验, 栖霞经验)."""
    for p in reversed([p for p in places if lo <= p.start and p.end <= hi]):
        if _EXPERIENCE.match(text[p.end:hi]):
            return p
    return None


def _scope_target(origin, scope, article_places):
    """The place at the level of 全市/全省/全县 that contains ``origin`` and that the article names:
    up the parents the article gives, then up the gazetteer."""
    from .gazetteer import gazetteer
    wanted = _SCOPE[scope]
    by_name = {p.name: p for p in article_places}
    place, seen = origin, set()
    while place is not None and place.name not in seen:
        seen.add(place.name)
        if place is not origin and place.attrs.get("level") == wanted:
            return place
        code = place.attrs.get("admin_code")
        if code:
            names = [p.name for p in gazetteer().chain(code) if p.level == wanted]
            hit = next((by_name[n] for n in names if n in by_name and by_name[n] is not origin), None)
            if hit is not None:
                return hit
        place = by_name.get(place.attrs.get("parent"))
    return None


def _listed_with(text, sent, agent):
    """``agent`` and the agents listed before it (A、B和C推行…), each the lowest of its chain."""
    agents = _top_of_chains([c for c in sent.mentions if _is_agent(c) and c.label == agent.label
                             and c.attrs.get("level") == agent.attrs.get("level")])
    ends = {c.end: c for c in sent.mentions if _is_agent(c)}
    before, c = [], agent
    while True:
        first = _chain_start(c, ends)
        prev = next((o for o in agents if o.end == first.start - 1 and text[o.end:first.start] in "、和及"), None)
        if prev is None or prev in before:
            break
        before.append(prev)
        c = prev
    after, c = [], agent
    while True:
        nxt = next((o for o in agents if _chain_start(o, ends).start == c.end + 1 and text[c.end:c.end + 1] in "、和及"), None)
        if nxt is None or nxt in after:
            break
        after.append(nxt)
        c = nxt
    return before[::-1] + [agent] + after


def _learners_adopt(relations, programs, article_year, text):
    """A place that learned a program from another (B学习借鉴A的经验; …，海宁市、平湖市相继学习借鉴)
    adopts it."""
    by_name = {p.name: p for p in programs}
    have = {(r.source.name, r.target.name) for r in relations if r.type == "adopts"}
    out = []
    for r in relations:
        prog = by_name.get(r.attrs.get("program"))
        if r.type == "spreads_to" and r.rule == "B-learns-from-A" and prog is not None and (r.target.name, prog.name) not in have:
            sent = _Sentence(r.sentence[0], r.sentence[1], [])
            out.append(_adoption(r.target, prog, sent, text, "learner", article_year, "学习借鉴"))
            have.add((r.target.name, prog.name))
    return out


def _spreads(text, sent, home_place, article_places=(), recent_program=None):
    """Spread edges of a sentence; ``recent_program`` (the article's program named last before it) is
    what 这一做法, 荣星村的做法 or a bare 学习借鉴 refers to when the sentence names none."""
    out = []
    learn = cue_pattern("learn_cue")
    promote = cue_pattern("promote_cue")
    places = [c for c in sent.mentions if c.label == "Place"]
    progs = [c for c in sent.mentions if c.label == "Program"]

    def program_near(lo, hi):
        """The first program in [lo, hi), else the last one before lo (…“农业共营制”经验…学习借鉴崇州做法)."""
        inside = [p for p in progs if lo <= p.start < hi]
        before = [p for p in progs if p.end <= lo]
        return inside[0] if inside else before[-1] if before else (progs[0] if progs else None)

    # B 学习借鉴 A 的 P 经验 (and B1、B2 等地学习借鉴…); B 到 A 取经/学习
    for m in re.finditer(learn, text[sent.start:sent.end]):
        pos, end = sent.start + m.start(), sent.start + m.end()
        if text[end:end + 1] in ("：", ":"):
            continue  # 二、借鉴：宜川县因地制宜: a heading that names the learner, not the source
        clause_start = max([sent.start] + [sent.start + b.end() for b in CLAUSE_BREAK.finditer(text[sent.start:pos])])
        visited = next((p for p in places if p.end <= pos and re.fullmatch(r"[^，。；]{0,4}", text[p.end:pos])
                        and re.search(r"(?:到|赴|去|向|前往)$", text[max(clause_start, p.start - 3):p.start])), None)
        if visited is not None:
            source = visited
            agents = [c for c in sent.mentions if _is_agent(c) and clause_start <= c.start and c.end <= visited.start]
        else:
            source = next((p for p in _top_of_chains(places) if p.start >= end and p.start - end <= 12), None)
            # …推广桐乡“三堂一网”做法，海宁市、平湖市相继学习借鉴: the experience named before the learners
            source = source or _experience_owner(text, places, sent.start, clause_start)
            agents = [c for c in sent.mentions if _is_agent(c) and clause_start <= c.start and c.end <= pos]
        learners = _top_of_chains([p for p in (_place_of(c, sent) for c in agents) if p is not None])
        if not learners and clause_start > sent.start:
            # 宜川县组织…赴洛川县观摩，学习借鉴洛川县的经验: the subject of the sentence learns
            subjects = _top_of_chains([p for p in (_place_of(c, sent) for c in sent.mentions
                                                   if _is_agent(c) and c.end <= clause_start) if p is not None])
            first = subjects[0] if subjects else None
            learners = [first] if first is not None and source is not None and first.name != source.name \
                and text[first.start - 1:first.start] not in "到赴向" else []
        if not learners and home_place is not None and clause_start == sent.start:
            learners = [home_place]
        if source is None or not learners:
            continue
        # 同属丹东市的凤城市: the possessor does not learn
        learners = [b for b in learners if not (text[b.end:b.end + 1] == "的" and any(o.start == b.end + 1 for o in places))]
        prog = program_near(source.end, source.end + 6)  # A“P”经验, A的“P”模式; else what was named before
        implied = prog is None and recent_program is not None  # 相继学习借鉴: the program named before
        prog = prog or recent_program
        for b in learners:
            if b.name == source.name:
                continue
            attrs = {"cue": m.group()}
            if prog:
                attrs["program"] = prog.name
            if implied:
                attrs["implied"] = True
            out.append(Relation(source, b, "spreads_to", (sent.start, sent.end), "B-learns-from-A", attrs))
    # A 的 P 经验 推广到 B / 在 B 推广 / 在全市推广
    for m in re.finditer(promote, text[sent.start:sent.end]):
        pos, end = sent.start + m.start(), sent.start + m.end()
        if text.rfind("《", sent.start, pos) > text.rfind("》", sent.start, pos):
            continue  # 《关于推广“飞地抱团”模式…的实施意见》: the title of a document
        # 推广五寨县的做法: the owner after the cue, else before it (洛川县的…模式在全市推广)
        after = next((p for p in places if 0 <= p.start - end <= 1 and _EXPERIENCE.match(text[p.end:sent.end])), None)
        origin = after or _experience_owner(text, places, sent.start, pos)
        prog = program_near(origin.end if origin else sent.start, pos) if progs else recent_program if origin else None
        if origin is None and prog is not None:
            # the program's adopter named earlier in the sentence, else the article's place
            origin = next((p for p in reversed(_top_of_chains(places)) if p.end <= prog.start), None) or home_place
        if prog is None or origin is None:
            continue
        # the places of the clause after the cue (推广到普洱市孟连县、西盟县), each the lowest of its chain
        targets = [p for p in _top_of_chains([p for p in places if p.start >= end and not CLAUSE_BREAK.search(text[end:p.start])])
                   if p is not origin]
        at = text.rfind("在", sent.start, pos)
        if not targets and at >= 0:
            targets = _top_of_chains([p for p in places if at < p.start and p.end <= pos and p is not origin])
        scope = re.search("(全省|全市|全州|全盟|全县|全区|全旗|全镇|全乡)",
                          text[max(sent.start, min(pos - 8, at if at >= 0 and pos - at <= 16 else pos)):end + 4])
        if not targets and scope:
            target = _scope_target(origin, scope.group(1), article_places)
            targets = [target] if target is not None else []
        for t in targets[:6]:
            if t.name != origin.name:
                out.append(Relation(origin, t, "spreads_to", (sent.start, sent.end), "promoted-to",
                                    {"program": prog.name, "cue": m.group()}))
    return out
