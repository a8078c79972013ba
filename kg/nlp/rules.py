"""Rule-based entity recognisers: plain functions from text to :class:`Candidate` spans.

They are the mechanism; the words they look for (head nouns, cue words, lexicons, the gazetteer)
live in ``kg/data``. The spaCy components in :mod:`kg.nlp.components` wrap these functions.

>>> [c.name for c in find_programs("2019年，该县推行“红色代办”机制。")]
['红色代办']
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from .. import lexicon
from ..gazetteer import LEVEL_RANK, gazetteer

CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
OPEN_QUOTES = "“\"「『‘"
CLOSE_QUOTES = "”\"」』’"
_QUOTED = re.compile(r"[“\"「『‘]([^“”\"「」『』‘’\n]{2,30})[”\"」』’]")
# Parts of speech that end a name when walking left from its head.
_STOP_TAGS = {"v", "p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "d", "r", "m", "q", "y", "e",
              "o", "t", "ad", "vd", "zg", "df", "mq", "rr", "rz", "tg", "f"}
# Verbs that do occur inside names (乡村振兴服务队, 矛盾调解中心).
_NAME_VERBS = frozenset("发展 建设 振兴 服务 治理 帮扶 促进 创新 研究 管理 调解 互助 监督 教育 培训 合作 "
                        "生产 种植 养殖 加工 销售 经营 开发 保护 规划 设计 示范 引领 科技 推广 孵化 检测 "
                        "育种 繁育 营销 物流 运营 投资 咨询 救援 宣讲 志愿 党建 快递 配送 执法 监管 监察 保障 运输".split())
# Verbs that name disciplines in the names of colleges and institutes (沈阳应用生态研究所).
_DISCIPLINE_VERBS = frozenset("应用 服务 环境 资源 控制 测试 分析 计算 评价 监测".split())


@dataclass
class Candidate:
    start: int
    end: int
    label: str  # Place, Organization, Program, Person, Industry
    name: str  # canonical name
    attrs: dict = field(default_factory=dict)
    source: str = "rule"


def is_cjk(ch):
    return "\u4e00" <= ch <= "\u9fff"


def _automaton(words):
    auto = ahocorasick.Automaton()
    for word in words:
        auto.add_word(word, word)
    auto.make_automaton()
    return auto


def find_longest(auto, text):
    """Leftmost-longest non-overlapping matches."""
    for end, word in auto.iter_long(text):
        yield end - len(word) + 1, end + 1, word


# ---------------------------------------------------------------- where does a name begin?

def word_before(text, pos, max_len=6):
    """The longest dictionary word ending at ``pos`` (backward maximum matching)."""
    tags = lexicon.word_tags()
    for length in range(min(max_len, pos), 1, -1):
        word = text[pos - length:pos]
        if word in tags:
            return word
    return text[pos - 1:pos]


_NOUN_TAGS = {"n", "ns", "nr", "nrt", "nrfg", "nz", "nt", "s", "j", "x", "ng", "b", "l", "an", "eng"}


def name_start(text, end, max_chars=16, floor=0, known=None, verbs=_NAME_VERBS, nouns_only=False,
               strict_chars=False, keep=frozenset()):
    """Walk left from ``end`` over name-like words; return where the name begins.

    Stops at punctuation, digits, verbs and function words (from the word list's tags and
    ``stop_word`` cues), so that 成立云龙花卉苗木 gives the start of 云龙. ``known`` maps the end of
    an already recognised name (a place, a person) to its start: such a name is taken whole.
    ``verbs`` are the verbs allowed inside the name; ``nouns_only`` admits nothing but nouns;
    ``strict_chars`` also stops at single characters tagged as verbs, adverbs or prepositions
    (用好, 建强, 如), which organisation names do not contain; ``keep`` are words that never stop it.
    """
    tags = lexicon.word_tags()
    stops = lexicon.cue_set("stop_word")
    pos = end
    while pos > floor and end - pos < max_chars:
        if known and pos in known and known[pos] >= floor and end - known[pos] <= max_chars:
            pos = known[pos]
            continue
        if not is_cjk(text[pos - 1]):
            break
        word = word_before(text, pos)
        if known:
            # Never let a dictionary word straddle the end of a recognised name (遵义市|委).
            cut = next((e for e in range(pos - 1, pos - len(word), -1) if e in known), None)
            if cut is not None:
                word = text[cut:pos]
        if pos - len(word) < floor:
            break
        # 三七 is a product, not a number; 第七网格党支部: an ordinal names a unit
        tag = "n" if word in lexicon.industries() or _ORDINAL.fullmatch(word) else tags.get(word, "x")
        if word in stops and word not in keep and not (word in verbs and pos == end) \
                and not (word in _NAME_COUNTERS and pos - 1 > floor and is_cjk(text[pos - 2]) and text[pos - 2] not in _NUMERALS):
            break  # a name verb right before the head is part of the name (农业服务有限公司)
        if len(word) == 1:
            # Single characters of proper names (黄杜, 东岚) carry unreliable tags: stop only at
            # function characters (and, for organisations, at single-character verbs), and at the
            # unit of a number (2022年)
            if word in _FUNCTION_CHARS or (strict_chars and word in _SINGLE_VERBS) or text[pos - 2:pos - 1].isdigit():
                break
        elif (tag in _STOP_TAGS and word not in verbs) or (tag == "v" and word not in verbs) \
                or (nouns_only and tag not in _NOUN_TAGS and word not in verbs):
            break
        pos -= len(word)
    return pos


_ORDINAL = re.compile(r"第[一二三四五六七八九十\d]{1,3}")
# Counters that also make names (16家企业 but 郭家沟, 王家村): a stop only after a numeral.
_NAME_COUNTERS = frozenset("家")
_NUMERALS = frozenset("0123456789０１２３４５６７８９一二三四五六七八九十百千万两几多数")

# Single-character verbs that do not occur inside organisation names (用好驻村工作队, 建强产业链大党委).
_SINGLE_VERBS = frozenset("用设落推抓做搞促让给要会能可须需使令靠依按据经到去来入进赴建获系自听看找跟")
_FUNCTION_CHARS = frozenset("的地得了着过在和与及或并而且把被对向从到于以为由给让使将也都又还就才只再很最更太已曾是有"
                            "这那此其该各每本全某等个名位所座条处次如若即兼")


def splits_word(text, start):
    """True when position ``start`` falls inside a two-character dictionary word (精|简村)."""
    return start > 0 and is_cjk(text[start - 1]) and text[start - 1:start + 1] in lexicon.word_tags()


def is_variety_word(word):
    """Two characters before a product that the word list does not know and that hold no function
    character, verb or place suffix: a variety's own word (甜糯 of 甜糯玉米)."""
    return len(word) == 2 and all(map(is_cjk, word)) and word not in lexicon.word_tags() \
        and not any(ch in _FUNCTION_CHARS or ch in _SINGLE_VERBS or ch in "村镇乡县市区省" for ch in word)


def tokens(text):
    """Backward-maximum-matching tokens of a short string (for genericness checks)."""
    out, pos = [], len(text)
    while pos > 0:
        word = word_before(text, pos)
        out.append(word)
        pos -= len(word)
    return out[::-1]


def is_generic(modifier, extra=()):
    """True when a modifier has nothing that names a particular thing (村, 产业链, 基层 …)."""
    generic = lexicon.cue_set("generic_modifier")
    if modifier in generic or modifier in extra:
        return True  # 链上: a generic word the word list would split
    words = [w for w in tokens(modifier) if w.strip()]
    return all(w in generic or w in extra or w in _FUNCTION_CHARS for w in words)


# ---------------------------------------------------------------- places

_SUFFIX = re.compile(r"(街道|社区|居委会|嘎查|苏木|新区|开发区|高新区|科技城|产业园|工业园|园区|小区|大厦|镇|乡|村)")
_SUFFIX_LEVEL = {"街道": "town", "镇": "town", "乡": "town", "苏木": "town",
                 "村": "village", "社区": "village", "居委会": "village", "嘎查": "village",
                 "新区": "other", "开发区": "other", "高新区": "other", "科技城": "other",
                 "产业园": "other", "工业园": "other", "园区": "other", "小区": "other", "大厦": "other"}
# What may not follow a village/town suffix for it to be a place (村级, 村民, 乡村, 镇街 …).
# 雁洋镇长教村: after a township, 长 may begin the name of one of its villages, not make 镇长
_VILLAGE_NEXT = re.compile(r"[\u4e00-\u9fff]{2,3}(?:村|社区|嘎查)")
_NOT_AFTER = {"村": "级民委务集干规两组庄寨情貌容落医嫂官史风长公", "乡": "村镇贤愁音亲土里情镇间长", "镇": "街级域区委长",
              "社区": "化级", "街道": "办级", "园区": "化"}
_GENERIC_PLACE_NAMES = frozenset(
    "农村 乡村 新农村 行政村 自然村 示范村 重点村 试点村 先进村 后进村 贫困村 脱贫村 软弱涣散村 空壳村 薄弱村 "
    "城中村 中心村 传统村 红色村 文明村 星级村 民族村 少数民族村 美丽乡村 特色村 样板村 全村 本村 该村 各村 每村 "
    "村村 城乡 乡镇 各乡镇 全乡 本乡 该乡 集镇 城镇 小城镇 特色小镇 小镇 全镇 本镇 该镇 各镇 乡镇街道 镇街 各街道 "
    "社区 城市社区 农村社区 各社区 该社区 本社区 新社区 老旧小区 小区 街道 园区 工业园区 产业园区 开发区 新区 "
    "科技城 产业园 工业园 全区 全县 全市 老区 苏区 边区 景区 城区 矿区 林区 牧区 山区 库区 社区内 "
    "经济开发区 经济技术开发区 高新技术产业开发区 高新区 "
    "乡村振兴示范村 和美乡村 宜居宜业和美乡村 城乡社区 易地扶贫搬迁安置社区 安置社区 搬迁社区 涉农社区 "
    "签约村 结对村 帮扶村 共建村 联建村 示范社区 试点社区 薄弱社区 基层社区 商住小区 驻村 包村 进村 入村 强村 "
    "兴村 富村 穷村 邻村 各村 村村 一村 二村 新村 老村 本村 外村 整村 全村 淘宝村 产茶村 专业村 产业村 "
    "联村 扶村 驻镇 帮镇 驻乡 包镇 包乡 农业农村 "
    "明星村 富裕村 模范村 亿元村 千万元村 百万元村 电商村 旅游村 网红村 生态村 卫生村 平安村 法治村 善治村 "
    "嘎查村 牧区嘎查 苏木镇 一星村 二星村 三星村 四星村 五星村 小山村 小渔村".split())


@lru_cache(maxsize=1)
def _industry_words():
    return tuple(sorted(lexicon.industries(), key=len, reverse=True))


def generic_place_names():
    """Words made with a place suffix that name no place (示范村, 乡镇, 社区 …)."""
    return _GENERIC_PLACE_NAMES


def _place_surface_ok(text, start, end):
    """False for gazetteer hits inside a longer ordinary word: 新华社, 海口路, 振兴区 in 振兴区域,
    和政 in 和政策."""
    if text[end:end + 1] in ("路", "街", "社", "号", "牌"):
        return False
    if text[end:end + 1] == "人" and text[start:end] not in gazetteer().by_name:
        return False  # 广东人也爱吃: people from a place, not the place
    surface = text[start:end]
    if text[end - 1:end + 1] in _SUFFIX_WORDS:
        return False  # 和县|级, 振兴区|域
    if len(surface) >= 3 and (surface[-1] in "省市县区州盟旗镇乡" or surface.endswith(("街道", "苏木"))):
        # 浙西南山区 is not 南山区, 闽北山乡 not 北山乡: a direction word runs into the name; nor is 沿海城市 海城市
        return not (text[start - 1:start + 1] in _DIRECTION_WORDS) and not (
            splits_word(text, start) and lexicon.word_frequency(text[start - 1:start + 1]) >= 1000
            and text[start - 1] not in "省市县区州盟旗镇乡村")  # but 龙岩市|长汀县: 市长 ends a place
    if surface[-1:] in "县旗" and surface in gazetteer().by_name:
        return not splits_word(text, start)  # 萧县学习…: 县学 after a two-character county is not a word
    if splits_word(text, start) or splits_word(text, end) and not text.startswith(_industry_words(), end) \
            and lexicon.word_frequency(text[end - 1:end + 1]) > 0:
        return False  # 霍山石斛: a place names its product even when 山石 is a word; 辽宁|兴达: 宁兴 is a rare one
    tags = lexicon.word_tags()
    # inside a longer word: 哈密 in 哈密瓜, 新兴 in 新兴产业
    return not any(text[a:b] in tags for a in range(max(0, start - 2), start + 1)
                   for b in range(end, min(len(text), end + 2) + 1) if (a, b) != (start, end) and b - a >= 3)


_DIRECTION_WORDS = frozenset("东南 西南 东北 西北 南北 东西 中南 华南 华北 华东 华中 西部 东部 南部 北部 中部 闽北 闽南 闽东 "
                             "闽西 浙南 浙北 浙西 浙东 苏北 苏南 皖南 皖北 湘西 湘南 鄂西 豫西 陕南 陕北 川西 黔东 桂西 粤北 "
                             "粤东 粤西 冀南 晋南 晋北 辽西 鲁西 鲁南".split())
_SUFFIX_WORDS = frozenset("区域 市场 县城 区位 市民 镇街 县级 市级 区级 省级 乡级 镇级 县域 市域 区县 市县 省市 县乡 乡镇 "
                          "县直 市直 区直 省直 县属 市属 区属".split())


@lru_cache(maxsize=1)
def _place_automaton():
    gaz = gazetteer()
    tags = lexicon.word_tags()
    # 林业局, 良种场, 工业园区: township-level units named like the bodies they are, not names
    towns = {t for t in gaz.towns if len(t) >= 3 and t not in _GENERIC_PLACE_NAMES
             and not any(t.endswith(g) for g in ("社区", "办事处"))
             and not (t[-1] in "局场站所区" and tags.get(t, "ns") not in ("ns", "nr", "nrt", "nz"))
             and not (t[:2] in gaz.by_name or t[:3] in gaz.by_name)}  # 曹县大集镇 is a county + a town
    return _automaton(set(gaz.by_name) | set(gaz.by_short) | towns)


def find_places(text):
    """Place candidates in ``text``: gazetteer names and short forms, then townships, villages and
    communities by suffix. Codes, levels and parents are settled by :func:`resolve_places`."""
    gaz = gazetteer()
    found = []
    covered = [False] * (len(text) + 1)
    for start, end, word in _place_matches(text):
        if not _place_surface_ok(text, start, end):
            continue
        if word not in gaz.by_name and _SUFFIX.match(text, end) and _SUFFIX.match(text, end).group() in (
                "村", "镇", "乡", "社区", "街道", "居委会"):
            continue  # 响水村, 江西村: a village named like a county, not the county
        if word not in gaz.by_name and word in gaz.by_short and _starts_known_local_name(text, start, end, gaz):
            continue  # 巴彦 of 巴彦查干嘎查 is not 巴彦县
        if word in gaz.by_name or word in gaz.by_short:
            options = gaz.by_name.get(word) or gaz.by_short.get(word)
            cand = Candidate(start, end, "Place", options[0].name,
                             {"level": options[0].level, "codes": [p.code for p in options],
                              "short": word not in gaz.by_name}, "gazetteer")
        else:  # township name
            after = text[end:end + 1]
            if after and after in _NOT_AFTER.get(word[-1], "") and not _VILLAGE_NEXT.match(text, end):
                continue
            cand = Candidate(start, end, "Place", word,
                             {"level": "town", "county_codes": gaz.towns[word]}, "gazetteer")
        found.append(cand)
        for i in range(start, end):
            covered[i] = True
    ends = {c.end: c for c in found}
    for m in _SUFFIX.finditer(text):
        s_start, s_end = m.span()
        suffix = m.group()
        if covered[s_start] or covered[s_end - 1]:
            continue
        after = text[s_end:s_end + 1]
        if after and after in _NOT_AFTER.get(suffix, "") and not (suffix in "镇乡" and _VILLAGE_NEXT.match(text, s_end)):
            continue
        cand = _suffix_place(text, s_start, s_end, suffix, ends, gaz)
        if cand is not None:
            found.append(cand)
            ends[cand.end] = cand
            for i in range(cand.start, cand.end):
                covered[i] = True
    return sorted(_prefer_local_short_forms(text, found), key=lambda c: c.start)


def _place_matches(text):
    """Leftmost-longest gazetteer matches, and after a match that is no place (从江 of 记者从江苏省),
    the matches that begin inside it (江苏省)."""
    auto = _place_automaton()
    pos = 0
    while pos < len(text):
        for last, word in auto.iter_long(text, pos):
            start, end = last - len(word) + 1, last + 1
            yield start, end, word
            if not _place_surface_ok(text, start, end):
                pos = start + 1  # search again from inside the rejected match
                break
        else:
            return


def _starts_known_local_name(text, start, end, gaz):
    """True when a short form begins a township or village name the gazetteer knows (巴彦查干嘎查),
    or a Mongolian one written only with transliteration characters (乌兰套海嘎查, not 乌兰县)."""
    m = _SUFFIX.search(text, end, end + 7)
    if m is None:
        return False
    if m.group() in ("嘎查", "苏木") and all(ch in lexicon.transliteration_chars() for ch in text[start:m.start()]):
        return True
    if m.start() == end:
        return False
    name = text[start:m.end()]
    return name in gaz.villages or name in gaz.towns


_LOCAL_NAME_AFTER = re.compile(r"[\u4e00-\u9fff]{1,4}?(?:社区|小区|嘎查)")


def _prefer_local_short_forms(text, found):
    """Short forms of townships and villages the article names in full (云龙 after 云龙镇, 三门坡
    after 三门坡镇) win over national short forms at the same place (云龙区, 三门县)."""
    shorts = {}
    for c in found:
        if c.attrs.get("level") in ("town", "village"):
            stem = re.sub(r"(街道|社区|居委会|镇|乡|村)$", "", c.name)
            if len(stem) >= 2 and stem != c.name:
                shorts.setdefault(stem, c)
    if not shorts:
        return found
    auto = _automaton(shorts)
    kept = [c for c in found if not c.attrs.get("short")]
    taken = [False] * (len(text) + 1)
    for c in kept:
        for i in range(c.start, c.end):
            taken[i] = True
    national = {c.start: c for c in found if c.attrs.get("short")}
    for start, end, stem in find_longest(auto, text):
        if any(taken[start:end]) or _LOCAL_NAME_AFTER.match(text, end):
            continue  # 石牌东社区, 和睦新村社区: the stem begins the name of a place inside the township
        full = shorts[stem]
        kept.append(Candidate(start, end, "Place", full.name,
                              {k: v for k, v in full.attrs.items() if k != "chain"}, "short form"))
        for i in range(start, end):
            taken[i] = True
    for c in national.values():
        if not any(taken[c.start:c.end]):
            kept.append(c)
    return kept


def _suffix_place(text, s_start, s_end, suffix, ends, gaz):
    level = _SUFFIX_LEVEL[suffix]
    if s_start in ends:
        return None  # 琼中县社区: the communities of a place, not a place of their own
    known = gaz.villages if level == "village" else gaz.towns if level == "town" else {}
    floor = max((e for e in ends if e < s_start), default=0)
    name_from = name_start(text, s_start, max_chars=8 if level == "other" else 6, nouns_only=True, verbs=(),
                           floor=floor)
    # Right after another place (a chain like 云龙镇云阁村): the name is what lies between; a short form
    # before a building or an estate is part of its name (东昌金融大厦).
    for gap in range(1, 6):
        prev = ends.get(s_start - gap)
        if prev is not None and suffix in ("小区", "大厦") and not _full_admin(text, prev):
            break
        if prev is not None:
            stem = text[s_start - gap:s_start]
            rows = known.get(text[s_start - gap:s_end], ()) if level == "village" and all(map(is_cjk, stem)) else ()
            if any(town == prev.name or code == prev.attrs.get("admin_code") for town, code in rows) \
                    or rows and len(stem) >= 2 and not any(ch in "的和与及或在了着过把被并" for ch in stem) \
                    and not _inside_generic(text, s_start - gap, s_end) \
                    and not _common_verb(stem):
                # the gazetteer has this village under the place before it (王乐井乡曾记畔村, 会川镇本庙村),
                # or has villages of this name and it is no generic word or common verb (联村党委, 先进村,
                # 宜川县组织村党组织书记…)
                return Candidate(s_start - gap, s_end, "Place", text[s_start - gap:s_end], {"level": level}, "chain")
            if (s_start - gap >= name_from or _chain_stem(stem)) and _stem_ok(stem) \
                    and (len(stem) >= 2 or text[s_start - gap:s_end] in known) \
                    and not _inside_generic(text, s_start - gap, s_end) \
                    and not _common_verb(stem):
                return Candidate(s_start - gap, s_end, "Place", text[s_start - gap:s_end], {"level": level}, "chain")
            break
    # A name the document has given in full before (额仁宝力格嘎查, then 在额仁宝力格嘎查建设).
    for name in sorted({c.name for c in ends.values() if c.name.endswith(suffix) and len(c.name) > len(suffix) + 1},
                       key=len, reverse=True):
        if text.startswith(name, s_end - len(name)) and s_end - len(name) >= floor:
            return Candidate(s_end - len(name), s_end, "Place", name, {"level": level}, "same-document")
    # A name the gazetteer knows (longest first), if it starts at a word boundary.
    for length in range(min(6, s_start - floor), 1, -1):
        start = s_start - length
        name = text[start:s_end]
        stem = name[:-len(suffix)]
        if name in known and (_stem_ok(stem) or _transliterated(stem)) and not _inside_generic(text, start, s_end) \
                and not splits_word(text, start) and (start == floor or not _common_word(stem)) \
                and (not any(ch in _FUNCTION_CHARS for ch in stem) or _transliterated(stem)):
            return Candidate(start, s_end, "Place", name, {"level": level}, "gazetteer")
    # Otherwise a short proper name before the suffix (townships must be known or in a chain:
    # 椰乡, 荔乡 are nicknames).
    if level == "town":
        return None
    longest = 8 if level == "other" else 6 if suffix == "嘎查" else 4  # Mongolian names are long: 呼和哈达嘎查
    start = name_from if level == "other" else max(name_from, s_start - longest)
    if suffix == "嘎查":  # transliteration characters are not nouns to name_start (呼和哈达)
        start = s_start
        while start > floor and s_start - start < longest and text[start - 1] in lexicon.transliteration_chars():
            start -= 1
    name = text[start:s_end]
    stem = name[:-len(suffix)]
    if not (2 <= len(stem) <= longest) or _inside_generic(text, start, s_end):
        return None
    if splits_word(text, start) or not _stem_ok(stem) or any(_common_word(w) for w in tokens(stem)):
        return None
    if text[s_end:s_end + 1] == "里" or text.startswith(("（社区", "(社区", "、社区", "和社区"), s_end) \
            or len(_NUMERAL_CHARS.findall(stem)) >= 2 or stem[-1] in "大强名" \
            or stem[0] in "种养产卖" and (len(stem) == 2 or stem[1:] in lexicon.industries()) or any(
            len(w) > 1 and lexicon.word_tags().get(w) in ("v", "vd", "vn") for w in tokens(stem)):
        return None  # 想查村里的账, 精简村（社区）, 百企兴百村, 产茶大村, 种茶村: not names of villages
    if any(w in lexicon.industries() for w in tokens(stem)):
        return None  # 民宿村, 拉面村: villages known for a trade, not named
    if is_generic(stem, extra=("美丽", "和美", "宜居", "示范", "重点", "试点", "薄弱", "先进", "红色", "特色",
                               "传统", "民族", "少数", "贫困", "脱贫", "安置", "搬迁", "中心", "星级", "文明")):
        return None
    return Candidate(start, s_end, "Place", name, {"level": level}, "suffix")


def _transliterated(stem):
    """A stem written in transliteration characters only (呼和哈达)."""
    chars = lexicon.transliteration_chars()
    return len(stem) >= 2 and all(ch in chars for ch in stem)


_NUMERAL_CHARS = re.compile(r"[一二三四五六七八九十百千万两]")


def _common_word(word, threshold=300):
    """An ordinary word (精简, 试点, 整治) rather than a proper name."""
    if len(word) < 2:
        return False
    tag = lexicon.word_tags().get(word)
    return tag is not None and tag not in ("ns", "nr", "nrt", "nz") and lexicon.word_frequency(word) >= threshold


def _chain_stem(stem):
    """Between two places of a chain, a stem may hold characters that elsewhere end a name
    (背崩乡地东村, 于家村): all but conjunctions and particles."""
    tags = lexicon.word_tags()
    return (len(stem) >= 2 and all(is_cjk(ch) for ch in stem) and not any(ch in "的和与及或在了着过把被并而且等" for ch in stem)
            and not any(tags.get(w) in ("v", "vn", "p", "d", "c") if len(w) > 1 else w in _SINGLE_VERBS
                        for w in tokens(stem) + [stem[:2], stem[:3]]))


def _common_verb(word):
    """A verb too common to name a village in a chain (宜川县组织村…, 推进村…)."""
    return lexicon.word_tags().get(word) in ("v", "vn") and lexicon.word_frequency(word) >= 1500


def _stem_ok(stem):
    """A place name's stem: Chinese characters, no counter or determiner, not an administrative word
    (but a community may be named for its street: 萍乡路社区)."""
    named_for_street = stem[-1:] in "路街巷里苑" or stem.endswith(("新村", "花园"))
    return (len(stem) >= 1 and all(is_cjk(ch) for ch in stem) and stem[0] not in "全各每本该此其这那某县市区省镇乡村"
            and not stem.endswith("之")  # 辣椒之乡: a title, not a township
            and not any(ch in "个名所座条处" for ch in stem) and stem not in _GENERIC_PLACE_NAMES
            and not stem.endswith(("街道", "社区", "乡村", "农村"))
            and (named_for_street or not any(ch in "村镇乡" for ch in stem[1:]))
            and not any(w in lexicon.cue_set("stop_word") and not (w in _NAME_COUNTERS and i > 0)
                        for i, w in enumerate(tokens(stem))))


def _inside_generic(text, start, end):
    """True when text[start:end], or it extended left by a few characters, is a generic word
    (美乡村 inside 和美乡村)."""
    return any(text[max(0, start - k):end] in _GENERIC_PLACE_NAMES for k in range(0, 4)) \
        or any(text[j:end] in _GENERIC_PLACE_NAMES and not _SUFFIX.fullmatch(text[j:end]) for j in range(start + 1, end - 1)) \
        or text[start:end].endswith(("乡村", "农村"))


def resolve_places(cands, text):
    """Settle codes, canonical names, levels and parents for the place candidates of one article.

    Ambiguous names and short forms are resolved by the other places the article names; short
    forms that are also common words are kept only when the article supports them.
    """
    gaz = gazetteer()
    context = set()
    for c in cands:
        codes = c.attrs.get("codes") or []
        if len(codes) == 1 and not gaz.needs_context(text[c.start:c.end]) \
                and not (c.attrs.get("short") and gaz.by_code[codes[0]].level == "county"):
            context.update(p.code for p in gaz.chain(codes[0]))
    for c in cands:
        codes = c.attrs.get("codes") or []
        if len(codes) > 1:
            for code in codes:
                if context & {p.code for p in gaz.chain(code)[:-1]}:
                    context.update(p.code for p in gaz.chain(code))
                    break
    kept = []
    for c in cands:
        codes = c.attrs.pop("codes", None)
        short = c.attrs.pop("short", False)
        surface = text[c.start:c.end]
        if codes is not None:
            supported = [code for code in codes
                         if code in context or context & {p.code for p in gaz.chain(code)[:-1]}]
            if gaz.needs_context(surface) or (short and gaz.by_code[codes[0]].level == "county"):
                # An ordinary word (合作, 东方), or a county's short form, is a place only next to its
                # own full name or its parent (新兴 is not 新兴县 because the article names 广东省).
                supported = [code for code in supported if code in context or gaz.by_code[code].parent in context
                             and gaz.by_code[gaz.by_code[code].parent].level != "province"]
            county_short = short and gaz.by_code[codes[0]].level == "county"
            if not supported and (gaz.needs_context(surface) or (short and len(codes) > 1) or county_short):
                continue
            choice = supported[0] if supported else (codes[0] if len(codes) == 1 else None)
            if choice is None:
                # Unresolved ambiguity: prefer the highest level, keep the name without a code.
                options = sorted((gaz.by_code[code] for code in codes), key=lambda p: LEVEL_RANK[p.level])
                c.name, c.attrs["level"] = options[0].name, options[0].level
                c.attrs["ambiguous"] = True
            else:
                place = gaz.by_code[choice]
                c.name = place.name
                c.attrs.update(_admin_attrs(place))
        elif "county_codes" in c.attrs:
            options = c.attrs.pop("county_codes")
            supported = [code for code in options if code in context]
            if supported:
                county = gaz.by_code[supported[0]]
                c.attrs.update(parent=county.name, parent_code=county.code, province=county.province)
        kept.append(c)
    _attach_parents(kept, text)
    return kept


def _admin_attrs(place):
    gaz = gazetteer()
    attrs = {"level": place.level, "admin_code": place.code, "province": place.province}
    if place.parent and place.parent in gaz.by_code:
        attrs["parent"] = gaz.by_code[place.parent].name
        attrs["parent_code"] = place.parent
    if place.lon is not None:
        attrs["lon"], attrs["lat"] = place.lon, place.lat
    return attrs


def _attach_parents(cands, text):
    """Parents for townships, villages and other places: the chain in the text
    (海口市琼山区云龙镇云阁村), else the gazetteer's township list checked against the article,
    else the nearest preceding place of a higher level in the article."""
    gaz = gazetteer()
    by_end = {}
    for c in cands:
        by_end.setdefault(c.end, c)
    names_in_article = {c.name for c in cands}
    for i, c in enumerate(cands):
        level = c.attrs.get("level")
        prev = by_end.get(c.start)
        if prev is not None and prev is not c and LEVEL_RANK[prev.attrs.get("level", "other")] < LEVEL_RANK.get(level, 5):
            c.attrs["parent"] = prev.name
            c.attrs["chain"] = True
            if prev.attrs.get("admin_code") and level == "town":
                c.attrs.setdefault("province", prev.attrs.get("province"))
            continue
        if c.attrs.get("parent") or c.attrs.get("admin_code"):
            continue
        if level == "village":
            towns = [town for town, _ in gaz.villages.get(c.name, ()) if town in names_in_article]
            if towns:
                c.attrs["parent"] = towns[0]
                continue
        # the nearest preceding place one level up (a village's township), else any level up
        rank = LEVEL_RANK.get(level, 5)
        earlier = [p for p in reversed(cands[:i]) if p.name != c.name]
        wanted = [r for r in range(rank - 1, -1, -1)] if level != "other" else [LEVEL_RANK["county"], LEVEL_RANK["city"]]
        for want in wanted:
            prev = next((p for p in earlier if LEVEL_RANK.get(p.attrs.get("level"), 5) == want), None)
            if prev is not None:
                c.attrs["parent"] = prev.name
                break


# ---------------------------------------------------------------- organisations

@lru_cache(maxsize=1)
def _head_automaton():
    return _automaton(lexicon.org_heads())


_HEADS_THAT_START_WORDS = frozenset(["中学", "小学", "报社", "学会"])
_COORD_TAIL = re.compile(r"等\s*[\d一二三四五六七八九十两百]*\s*[个家支所座]?$|(?<=[镇乡村区县])[\d一二三四五六七八九十两]+\s*[个家支所座]$"
                         r"|(?P<listed>(?<=[\u4e00-\u9fff])[\d一二三四五六七八九十两]+\s*[个家支所座])$")
# the end of a list of short names right before a count (黄花菜、小杂粮|2个产业链党委)
_COUNTED_LIST = re.compile(r"[^、和与及等的了在和]{2,10}、[^、和与及等的了在和，。；]{2,10}$")
_TEAM_KINDS = {"team"}


def find_organizations(text, places=()):
    """Organisations: a head noun (党委, 研究院, 合作社 …) with its modifier span.

    Coordinated lists share the head: 云龙花卉苗木、三门坡荔枝等2个产业链党委 → two organisations.
    Names keep the lowest place of a leading administrative chain (海口市琼山区云龙镇云阁村党总支部 →
    云阁村党总支部) and drop a leading 中共.
    """
    heads = lexicon.org_heads()
    out = []
    matches = list(find_longest(_head_automaton(), text))
    head_ends = {e for _, e, _ in matches}
    known = {c.end: c.start for c in places}
    people = [c for c in places if c.label == "Person"]
    places = [c for c in places if c.label == "Place"]
    place_at = {c.start: c for c in places}
    place_end = {c.end: c for c in places}
    tags = lexicon.word_tags()
    not_org = lexicon.cues("not_organization")
    for h_start, h_end, head in matches:
        kind = heads[head]
        if any(text.startswith(w, h_end - len(w)) or text.startswith(w, h_start) for w in not_org if head in w):
            continue  # 新格局, 以人民为中心, 中心工作: words made with a head noun
        if text[h_end:h_end + 1] in ("化", "制", "式") and kind != "party":
            continue
        if (text[h_start:h_end + 1] in tags or text[h_start:h_end + 2] in tags) \
                and not text.startswith(lexicon.cues("person_role"), h_end):
            continue  # 党组 in 党组织, 联盟 in 联盟化: the head is part of a longer word
        if head in _HEADS_THAT_START_WORDS and (splits_word(text, h_end) or text[h_start - 1:h_start] in "先要都也就又还才再已会能没不"):
            continue  # 集中学习, 上报社区: the head's last character begins the next word; 党员先学会: a verb
        learned = kind in ("university", "institute")
        verbs = (_NAME_VERBS | _DISCIPLINE_VERBS if learned else _NAME_VERBS) | _SEASON_WORDS
        start = name_start(text, h_start, max_chars=18, known=known, nouns_only=True, strict_chars=True, verbs=verbs,
                           keep=_DISCIPLINE_VERBS if learned else frozenset())
        if learned and text[start - 1:start] == "与":
            # 南开大学旅游与服务学院: a discipline joined by 与 inside a college of a university
            parent = next((m for m in matches if start - 6 <= m[1] <= start - 2 and heads[m[2]] in ("university", "institute")
                           and all(is_cjk(ch) and ch not in _FUNCTION_CHARS for ch in text[m[1]:start - 1])), None)
            if parent is not None:
                start = name_start(text, parent[0], max_chars=18, known=known, nouns_only=True, strict_chars=True)
        body = next((o for o in reversed(out) if o.end == h_start and not o.attrs.get("anaphor")), None)
        if kind == "party" and body is not None and body.attrs.get("kind") in ("company", "cooperative", "association", "other"):
            start = body.start  # 北京华远恒泰物业服务有限公司党支部: the party body of a named company
        if kind in ("company", "cooperative"):
            start = _brand_start(text, start, h_start, place_at, place_end)
        start = _after_member_descriptor(text, start, h_start, place_at)
        if text[start - 1:start] in CLOSE_QUOTES and (start == h_start or is_generic(text[start:h_start])):
            # “茶博士”党员服务队: the quoted name, then the kind of body
            q = max(text.rfind(q, 0, start - 1) for q in OPEN_QUOTES)
            if 0 <= q and h_start - q <= 16 and not re.search(r"[。！？；，,;!?]", text[q:start]):
                start = q  # (not across a sentence: …的‘绿色银行’。”村党支部书记)
        if kind in _TEAM_KINDS:
            # 河南大学三亚研究院郭敬功团队: a team named after a person is its own organisation
            # (affiliated with the institute); 河北农业大学食用菌专家服务团 keeps its institution.
            inner = [e for e in head_ends if start < e < h_start]
            if inner and any(max(inner) <= c.start and c.end <= h_start for c in people):
                start = max(inner)
            elif text[start - 1:start] == "驻" and start - 1 in head_ends:
                # 四川省农科院驻柑子坪村工作队: the sending institution is part of the team's name.
                start = name_start(text, start - 1, max_chars=14, known=known, nouns_only=True)
        if text.startswith("中共", start):
            start += 2
        start = _trim_chain(text, start, h_start, place_at)
        modifier = text[start:h_start]
        coord = _COORD_TAIL.search(text, max(0, start - 6), start)
        if coord and coord.group("listed") and not (text.startswith("产业", coord.end()) and _COUNTED_LIST.search(
                text, max(0, coord.start() - 24), coord.start())):
            coord = None  # 成立黄花菜、小杂粮2个产业链党委 is a list; 成立2个产业链党委, …等单位和12个村党支部 are not
        if coord and coord.end() == start:
            # 曲子镇、洪德镇等乡镇党委 → 曲子镇党委: an administrative category is not part of the name.
            shared = text[h_start:h_end] if modifier.endswith(("乡镇", "村", "社区", "镇", "乡", "街道", "村级")) \
                else text[start:h_end]
            for item_start, item_end in _list_items(text, coord.start(), known):
                item = text[item_start:item_end]
                # 寿光市斟灌果蔬专业合作社等46家合作社: the item is a whole name already
                name = _clean_org(item if item.endswith(head) else item + shared)
                # The mention is the item itself: 云龙花卉苗木 in 云龙花卉苗木、三门坡荔枝等2个产业链党委.
                out.append(Candidate(item_start, item_end, "Organization", name, {"kind": kind, "coordinated": True}))
            continue
        has_name = any(start <= c.start and c.end <= h_start for c in places + people) or any(
            start <= o.start and o.end <= h_start for o in out if o.attrs.get("kind") in ("university", "institute"))
        bare = modifier.replace("“", "").replace("”", "")
        if bare.endswith(("村级", "镇级", "乡级", "县级", "市级", "各级")) and kind in ("cooperative", "party", "company"):
            continue  # 洛川县村级合作社联营, 果区村级合作社: the bodies of a level, not one body
        if kind == "government" and _NUMBERED_SLOGAN.match(bare):
            continue  # 三区一中心: a slogan
        if kind in ("cooperative", "company") and bare and not has_name and all(
                w in lexicon.industries() or w in _TRADE_WORDS for w in tokens(bare)):
            continue  # 三七种植合作社, 农机专业合作社: a kind of cooperative, not one
        if kind == "party" and bare and not has_name and all(w in lexicon.industries() for w in tokens(bare)):
            continue  # 电商党支部, 拉面党支部: the branches of a trade, not one branch
        # a team named for its product is named (马铃薯科技服务团)
        has_name = has_name or kind in _TEAM_KINDS and any(
            w in lexicon.industries() and w not in lexicon.industry_kinds() for w in tokens(bare))
        if not modifier or len(bare) < 2 and not has_name or (not has_name and (is_generic(bare, extra=heads) or all(
                _common_word(w, 200) or w in heads or w in _FUNCTION_CHARS or w in lexicon.cue_set("generic_modifier")
                for w in tokens(bare)))):
            if modifier in _ANAPHOR_MODIFIERS and not text[h_end:h_end + 1] in ("们", "等"):
                # 理事会会长陈国良, 合作社与…签订: a bare head refers back to a named organisation.
                # 产业链党委下设…: a category of body refers back to the body of that category
                said = modifier + head if modifier in _CATEGORY_ANAPHORS else head
                out.append(Candidate(h_start - len(modifier), h_end, "Organization", said,
                                     {"kind": kind, "anaphor": said}, "anaphor"))
            continue
        out.append(Candidate(start, h_end, "Organization", _clean_org(text[start:h_end]), {"kind": kind}))
    return out


_COMPANY_DESCRIPTORS = ("农业龙头企业", "龙头企业", "电商平台", "合作伙伴")
_COUNTED = re.compile(r"^[一二三四五六七八九十两几多数百千万]+[家个名位支批所座条处户种类项只头]")


def _brand_start(text, start, h_start, place_at, place_end):
    """Where a company's name begins when its brand words are not nouns (新县九里文旅发展有限公司,
    厦门鹭岛优选供应链有限公司, 砀山县梨都优品电子商务有限公司): at the place just before them, if
    nothing between is a function word, a count or a verb of the sentence; a descriptor at the start
    is not part of the name (龙头企业内蒙古科沁牧业有限公司)."""
    for e in range(start - 1, max(0, start - 7), -1):
        place = place_end.get(e)
        if place is None:
            continue
        gap = text[e:start]
        words = tokens(gap)
        if _transliterated(gap) or all(is_cjk(ch) and ch not in _GAP_STOPS for ch in gap) and not _COUNTED.match(gap) and not any(
                len(w) > 1 and (w in lexicon.cue_set("stop_word") or lexicon.word_tags().get(w) in _GAP_STOP_TAGS)
                for w in words):  # single characters are judged by _GAP_STOPS (梨都, 菜都)
            start = place.start
            while start in place_end:  # 北京平谷苏子峪…: the chain the place ends
                start = place_end[start].start
        break
    # 龙头企业内蒙古科沁牧业有限公司, 枸杞深加工企业中宁县杞乡红生物科技有限公司: what kind of company it is
    # comes before the name (but 企业管理咨询有限公司 is a name)
    cut = text.rfind("企业", start, h_start - 4)
    if cut >= 0 and cut + 2 in place_at:
        return cut + 2
    for descriptor in _COMPANY_DESCRIPTORS:
        if text.startswith(descriptor, start) and h_start - start - len(descriptor) >= 2:
            return start + len(descriptor)
    return start


_MEMBER_DESCRIPTOR = re.compile(r"(?:成员单位|成员|会员单位|会员|单位|企业|主体|代表|高校|院校|科研院所)$")


def _after_member_descriptor(text, start, h_start, place_at):
    """联盟成员单位青川县唐家河菌业有限公司, 链上企业寿光市…党支部: what the body is to something else,
    written before its name, is not part of it."""
    for pos in range(start + 2, h_start):
        if pos in place_at and _MEMBER_DESCRIPTOR.search(text, start, pos):
            return pos
    return start


# What may not stand between a place and a company's brand words: particles, prepositions, pronouns.
_GAP_STOPS = frozenset("的地得了着过在和与及或并而且把被对向从到于以为由给让使将也又还就才只再很最更太已曾是有这那此其该各每等个名位所座条处次")
_GAP_STOP_TAGS = {"p", "c", "u", "uj", "ul", "r", "rr", "rz", "d", "t", "q", "y", "e"}


_TRADE_WORDS = frozenset("种植 养殖 种养 加工 销售 营销 专业 农机 农业 电商 产销 生产 服务 植保 流通 贸易 合作 股份 发展 科技".split())
_NUMBERED_SLOGAN = re.compile(r"^[一二三四五六七八九十两双]+[\u4e00-\u9fff]{1,2}[一二三四五六七八九十两双]")
_CATEGORY_ANAPHORS = frozenset(["产业链", "产业", "联合", "链"])
_ANAPHOR_MODIFIERS = frozenset(["", "该", "这个", "此", "本", "村", "社区", "镇", "乡", "县", "市", "区", "村级", "嘎查",
                                "苏木", "县委", "市委", "区委", "州委", "旗委"]) | _CATEGORY_ANAPHORS
_SHORT_ANAPHOR = re.compile(r"该(所|院|校|公司|合作社|联盟|协会|中心|站|团队)")


def _clean_org(name):
    return re.sub(r"[“”\"「」『』‘’\s]", "", name)


def _trim_chain(text, start, end, place_at):
    """Skip the upper part of a leading administrative chain written in full (海南省海口市琼山区
    云龙镇云阁村党总支部 → 云阁村党总支部); a place without its suffix is part of the name
    (诸暨市枫源香榧专业合作社 stays whole)."""
    pos = start
    last = None
    while pos in place_at and place_at[pos].end <= end and _full_admin(text, place_at[pos]):
        last = place_at[pos]
        pos = last.end
    if last is not None and last.start > start:
        return last.start
    return start


def _full_admin_text(surface):
    return surface[-1:] in "省市县区州盟旗镇乡村" or surface.endswith(("街道", "社区"))


def _full_admin(text, place):
    return text[place.end - 1:place.end] in "省市县区州盟旗镇乡村" or text[place.start:place.end].endswith(("街道", "社区"))


# Seasons that name varieties (冬季马铃薯, 冬早蔬菜) and may lead a list item.
SEASONS = ("反季节", "冬季", "春季", "夏季", "秋季", "冬早", "早春", "冬春", "秋冬")


_SEASON_WORDS = frozenset(SEASONS)


def _list_items(text, end, known=None):
    """Items of a 、-separated list ending at ``end`` (the first item's start found by name_start)."""
    items = []
    pos = end
    while True:
        sep = max(text.rfind("、", 0, pos), text.rfind("和", max(0, pos - 12), pos),
                  text.rfind("及", max(0, pos - 12), pos), text.rfind("与", max(0, pos - 12), pos))
        item_start = name_start(text, pos, max_chars=12, known=known, verbs=_NAME_VERBS | _SEASON_WORDS)
        if sep >= 0 and sep + 1 >= item_start - 0 and sep + 1 < pos and sep >= pos - 12:
            items.append((sep + 1, pos))
            pos = sep
            if len(items) > 12:
                break
            continue
        if item_start < pos:
            items.append((item_start, pos))
        break
    return [(s, e) for s, e in items[::-1] if e - s >= 2]


# ---------------------------------------------------------------- programs

@lru_cache(maxsize=1)
def _program_automaton():
    return _automaton(lexicon.programs())


def program_family(name):
    """The family a program belongs to: from the lexicon, a family pattern, or its own name."""
    known = lexicon.programs().get(name) or lexicon.programs().get(_PROGRAM_HEADS.sub("", name))
    if known:
        return known[1]
    for family, pattern in lexicon.program_families():
        if pattern.search(name):
            return family
    return re.sub(r"(工作法|工作机制|机制|模式|制度|工程|项目|行动|计划|品牌)$", "", name) or name


def _program(start, end, name, source, **attrs):
    known = lexicon.programs().get(name)
    canonical = name
    if known:
        # A lexicon alias keeps its own wording when it is the fuller name (科技特派员制度) or, quoted,
        # another wording (“街乡吹哨、部门报到” is not rewritten as 吹哨报到); 积分制管理 is 积分制.
        rest = name[len(known[0]):] if name.startswith(known[0]) else None
        if rest in ("", "管理") or rest is None and not attrs.get("quoted"):
            canonical = known[0]
    elif name.endswith("制管理"):
        canonical = name[:-2]
    return Candidate(start, end, "Program", canonical,
                     {"family": program_family(canonical), **attrs}, source)


_USED_AS_PROGRAM = ("推广到", "推广至", "引入", "引进", "落地", "开班", "开课", "覆盖", "走进", "走出", "升级",
                    "在全", "模式", "经验", "做法")
# Generic last words of program names that, alone, refer back to the program (夜校 for 田埂夜校).
_PROGRAM_SHORT_SUFFIXES = ("夜校", "讲堂", "课堂", "学堂", "驿站", "小院", "超市", "书屋", "工坊", "议事会", "议事厅",
                           "夜话", "食堂", "代办")
_NOT_PROGRAM_ENDINGS = ("器", "者", "员", "人", "家", "长", "们", "感", "力", "心", "化", "性", "风", "气", "味", "效应",
                        "钢铁", "理念", "思路", "精神", "意识", "格局", "目标", "愿景", "使命", "难题", "问题")
_NUMBERED = re.compile(r"^[一二三四五六七八九十两双多百千万\d]+[\u4e00-\u9fff]")
_PRACTICE_AFTER = ("的做法", "的经验", "的模式", "的机制", "的工作法")
# The parties of a formula model (“党支部+合作社+农户”), not steps of a method (“理论授课+案例教学”).
_FORMULA_AGENT = re.compile(r"党建|支部|党委|党组织|合作社|农户|[果茶菜药椒蔗牧]农|[牧养种]殖?户|企业|公司|基地|协会|联盟|网格|"
                            r"村集体|村|社区|园区|专家|院士|乡贤|能人|龙头|电商|银行|工作队|特派员")
_SECOND_COUNT = re.compile(r"[一二三四五六七八九十两双百千万\d]")
_SLOGAN_MARK = re.compile(r"了|^[一二三四五六七八九十\d]+号")
_COUNTED_SLOGAN = re.compile(r"^[一二三四五六七八九十两\d]+个")
# One and a measure word make idioms, not models: 一条龙, 一片叶, 一盘棋, 一张网.
_MEASURE_IDIOM = re.compile(r"^(?:[一两双][条片张盘站把个份根支本座面块门线股杆口颗粒朵棵架道套批项位名](?!.*[一二三四五六七八九十两双])"
                            r"|\d+后$)")  # and generations: 90后
_UPGRADE_CUES = ("升级为", "拓展为", "迭代为", "发展为", "升级成", "延伸为")
_STRONG_VERBS = re.compile(r"(推行|实行|推广|试点|实施|建立|探索|首创|创新|借鉴|复制|引入|深化|落实|启动|开展|升级为)([\u4e00-\u9fff]{2,10}?)"
                           r"(制度|机制|工作法|模式|工程|行动|计划|制(?![作品造种定约衡止订成备图]))(?![\u4e00-\u9fff]{0,1}[度])")
_LEADING_VERBS = re.compile(r"(?:推行|实行|推广|试点|实施|建立|探索|首创|创新|借鉴|复制|引入|深化|落实|启动|开展|全面|大力|积极)+")


def _head_after(text, pos, heads):
    """A program head noun right after ``pos``, or after a short noun run (数字治理平台)."""
    after = text[pos:pos + 10].lstrip("等的")
    for head in heads:
        if after.startswith(head):
            return head
    m = re.match(r"[\u4e00-\u9fff]{1,4}?(" + "|".join(_STRONG_HEADS) + ")", after)
    if m and not any(w in lexicon.cue_set("stop_word") for w in tokens(m.group()[:-len(m.group(1))])):
        return m.group()
    return None


_HONOUR_ENDINGS = ("示范村", "文明村", "示范镇", "示范乡", "示范社区", "示范县", "先进村", "先进集体", "先进单位",
                   "先进个人", "标兵", "模范", "明星村", "红旗村", "五好支部", "示范点", "示范基地")
_STRONG_HEADS = ("工作机制", "工作法", "机制", "模式", "工程", "行动", "计划", "项目", "品牌", "制度", "平台")
# a name that ends as a program (…机制, …积分制, 议事六步法, “三字诀”)
_PROGRAM_HEADS = re.compile("(" + "|".join(_STRONG_HEADS) + "|制|步法|字法|字诀)$")


def find_programs(text):
    """Programs: quoted names used as programs, lexicon names used as programs, programs named by
    a head noun after a verb of adoption (推行乡贤理事会制度), and numbered models (四领模式)."""
    heads = lexicon.cues("program_head")
    not_after = lexicon.cues("not_program_after")
    verbs = ("推行", "实施", "推广", "实行", "首创", "借鉴", "复制", "引入", "试点", "推出", "打造", "开展", "启动",
             "探索", "创新", "建立", "创建", "深化", "叫响", "擦亮", "构建", "升级", "采取", "采用", "运用", "依托", "通过",
             "试行", "定为", "设立", "举办", "召开", "开设", "组织一次", "开办", "推进")
    known = lexicon.programs()
    usage = lexicon.program_usage()
    gaz = gazetteer()
    out = []
    quoted_spans = []
    maybe = []
    for m in _QUOTED.finditer(text):
        inner = re.sub(r"\s+", "", m.group(1))
        if not CJK.search(inner) and not re.search(r"\d", inner):
            continue
        after = text[m.end():m.end() + 8].lstrip("等的")
        before = text[max(0, m.start() - 8):m.start()]
        head = _head_after(text, m.end(), heads)
        in_lexicon = inner in known
        if not in_lexicon and any(after.startswith(w) for w in not_after):
            continue
        if not in_lexicon and re.search(r"[，,。；;！!？?]", inner):
            continue
        if not in_lexicon and "、" in inner and (head is None or text.startswith("的", m.end())
                                                  and not text.startswith(_PRACTICE_AFTER, m.end())):
            continue  # “小事不出村、大事不出镇”, “立得住、叫得响”的品牌: slogans
        if not in_lexicon and _COUNTED_SLOGAN.match(inner) and head is None:
            continue  # “三个一批”, “两个覆盖”: counted slogans, unless a head names them (“三个一”工程)
        if inner in gaz.by_name or inner in gaz.by_short or inner in lexicon.cue_set("not_program") and not (
                head and head.endswith(_STRONG_HEADS)):
            continue  # “头雁” is a metaphor for a leader, but “头雁”工程 a program
        if not in_lexicon and head is None and lexicon.word_tags().get(inner) == "i":
            continue  # “一穷二白”, “各自为战”: idioms
        if not in_lexicon and head is None and inner.endswith(_HONOUR_ENDINGS):
            continue  # 被确定为“全国乡村治理示范村”, 获评“全国文明村”: a title the place was given
        # a name that ends as a program does (…机制, …工程) or as a program's venue does (…夜校, …小院)
        ends_as_program = bool(_PROGRAM_HEADS.search(inner)) or len(inner) >= 4 and inner.endswith(
            _PROGRAM_SHORT_SUFFIXES + ("积分",)) or "+" in inner and (
            len(_FORMULA_AGENT.findall(inner)) >= 2 or inner.startswith(("党建+", "支部+", "党组织+")))
        after_verb = before.endswith(verbs) or before[:-1].endswith(verbs)
        if (_MEASURE_IDIOM.match(inner) or _SLOGAN_MARK.search(inner)) and not in_lexicon:
            continue  # 一条龙, “一号工程”, “一片叶子富了一方百姓”: idioms, ranks and sentences
        # 三规范三提升, 一村一企, 四议两公开: a formula of counts names a model; 三统一, 十不准 need a head
        numbered = bool(_NUMBERED.match(inner)) and len(inner) >= 3 and bool(_SECOND_COUNT.search(inner, 2, len(inner) - 1))
        upgraded = after.startswith(_UPGRADE_CUES) or before.endswith(_UPGRADE_CUES)
        # 从“输血”到“造血”, 从“各自为战”到“抱团经营”: a change of state, unless what changes is a model
        from_to = after.startswith("到") or before.endswith(("从", "由", "到")) or before[-1:] in ("从", "由")
        evolving = upgraded or from_to and (in_lexicon or ends_as_program or numbered or "+" in inner)
        if not (in_lexicon or head or upgraded) and ("的" in inner or _common_word(inner, 100) or len(inner) < 3
                                                     or inner.endswith(_NOT_PROGRAM_ENDINGS)):
            continue  # 一块坚硬的钢铁, 安家, 加速器: figures of speech, not programs
        used_as_program = after.startswith(_USED_AS_PROGRAM) and before[-1:] in ("把", "将", "的", "")
        # the next item of a list of quoted programs (推出“硒砂瓜积分”“小杂粮积分”)
        listed = bool(quoted_spans) and quoted_spans[-1][1] == m.start() - len(re.match(r"[、和与及]?", text[m.start() - 1:m.start()]).group())
        if in_lexicon or head or ends_as_program or after_verb or numbered or evolving or used_as_program or listed:
            out.append(_program(m.start(), m.end(), inner, "quoted", quoted=True, head=head))
            quoted_spans.append((m.start(), m.end()))
        else:
            maybe.append((m.start(), m.end(), inner))
    # A name used as a program once in the document is a program wherever it is quoted, and
    # wherever it is written at all when it is long enough to be unambiguous (田埂夜校);
    # its generic last word then refers to it too (沙堤村办起了第一期夜校).
    accepted = {c.name: c for c in out}
    for start, end, inner in maybe:
        canonical = lexicon.programs().get(inner, (inner,))[0]
        if canonical in accepted:
            out.append(_program(start, end, inner, "quoted", quoted=True))
            quoted_spans.append((start, end))
    names = {n: c for n, c in accepted.items() if len(n) >= 3 and CJK.search(n)}
    if names:
        short = {}
        for n in names:
            for suffix in _PROGRAM_SHORT_SUFFIXES:
                if n.endswith(suffix) and len(n) > len(suffix) + 1:
                    short.setdefault(suffix, set()).add(n)
        surfaces = dict(names) | {suf: names[next(iter(ns))] for suf, ns in short.items() if len(ns) == 1}
        for start, end, word in find_longest(_automaton(surfaces), text):
            if any(s <= start < e for s, e in quoted_spans) or text[start - 1:start] in OPEN_QUOTES:
                continue
            full = surfaces[word].name if word not in names else word
            out.append(_program(start, end, full, "same-document", short=word != full))
            quoted_spans.append((start, end))
    taken = list(quoted_spans)
    for m in _STRONG_VERBS.finditer(text):
        start, end = m.start(2), m.end(3)
        lead = _LEADING_VERBS.match(text, start, end)
        if lead:
            start = lead.end()  # 探索推行强村公司模式 → 强村公司模式
        name = text[start:end]
        if any(s <= start < e for s, e in taken) or name in lexicon.cue_set("generic_program"):
            continue
        if is_generic(m.group(2), extra=("工作", "管理", "考核", "激励", "保障", "运行", "协调", "联动", "长效", "常态化",
                                           "服务", "领导", "责任", "监督", "评价", "培训", "选拔", "轮训", "帮扶", "联系")):
            continue
        words = tokens(m.group(2))
        # a long name is specific even when every word is common (农业职业经理人培育工程), and so is one
        # with a word the word list does not know (党员联塘工作法, 党员村播计划)
        oov = any(len(w) == 1 and w not in _FUNCTION_CHARS and w not in _SINGLE_VERBS for w in words)
        if "的" in m.group(2) or (len(m.group(2)) < 6 or m.group(3) not in ("工程", "行动", "计划")) and not (
                oov and m.group(3) in ("工作法", "工程", "行动", "计划")) and not any(
                w in known or w in lexicon.org_heads() or (len(w) >= 2 and not _common_word(w, 300)
                                                            and w not in lexicon.cue_set("generic_modifier"))
                for w in words):
            continue
        out.append(_program(start, end, name, "verb-head"))
        taken.append((start, end))
    verb_before = re.compile("(?:" + "|".join(verbs) + ")[^，。；]{0,4}$")
    for start, end, word in find_longest(_program_automaton(), text):
        if any(s <= start < e or s < end <= e for s, e in taken):
            continue
        kind = usage.get(word)
        head = _head_after(text, end, heads)
        if kind == "org_like" and not (head or re.search(r"(推行|推广|探索|实行|借鉴|复制)(?:组建|成立|建立|打造)?$",
                                                         text[max(0, start - 6):start])):
            continue
        if kind == "role_like" and not head:
            continue
        if not head and text.count(word) < 2 and not verb_before.search(text, max(0, start - 10), start):
            continue  # 村企结对, 东西部协作 named once in passing: a practice the text mentions, not a model it reports
        if head and head in ("制度", "制", "模式", "机制", "工作法", "工程", "行动", "计划") \
                and word not in text[start:end + len(head)][len(word):]:
            name = word + head
            out.append(_program(start, end + len(head), name, "lexicon"))
        else:
            out.append(_program(start, end, word, "lexicon"))
    # X长制: a post made a system (河长制, 林长制, 湾长制, 街巷长制), not 家长制
    for m in re.finditer(r"([\u4e00-\u9fff]{1,2})长制", text):
        x = m.group(1) if m.group(1) in lexicon.word_tags() else m.group(1)[-1]
        start = m.end() - len(x) - 2
        if x in ("家", "首", "厂", "校", "院", "班", "组") or x[-1] in _FUNCTION_CHARS \
                or any(s <= start < e or s < m.end() <= e for s, e in taken + [(c.start, c.end) for c in out]):
            continue
        out.append(_program(start, m.end(), x + "长制", "post-system"))
        taken.append((start, m.end()))
    for m in re.finditer(r"[一二三四五六七八九十两双\d][\u4e00-\u9fff]{1,6}?(模式|工作法|机制)", text):
        if any(s <= m.start() < e for s, e in taken) or text[m.start() - 1:m.start()] in CLOSE_QUOTES:
            continue
        name = m.group()
        if name in lexicon.cue_set("generic_program") or re.match(r"^[一二三四五六七八九十两双\d]+[个项条种大套是步年级次]", name):
            continue
        out.append(_program(m.start(), m.end(), name, "numbered"))
    return out


# ---------------------------------------------------------------- people

@lru_cache(maxsize=1)
def _person_patterns():
    surnames = sorted(lexicon.surnames(), key=len, reverse=True)
    surname = "(?:" + "|".join(surnames) + ")"
    roles = "|".join(map(re.escape, lexicon.cues("person_role")))
    after = "|".join(map(re.escape, lexicon.cues("speech_after_name") + lexicon.cues("title_after_name")))
    return {
        "role_before": re.compile(f"(?:{roles})(?P<name>{surname}[\u4e00-\u9fff]{{1,2}})"),
        "cue_after": re.compile(f"(?P<name>{surname}[\u4e00-\u9fff]{{1,2}}?)(?:{after})"),
        "list_before_title": re.compile(
            f"(?P<names>{surname}[\u4e00-\u9fff]{{1,2}}(?:、{surname}[\u4e00-\u9fff]{{1,2}})+)(?:院士|教授|同志|研究员|博士|等)"),
        "comrade": re.compile(f"(?P<name>{surname}[\u4e00-\u9fff]{{1,2}})同志"),
        "reporter": re.compile(f"(?:本报讯|通讯员|记者|作者|文/|文／)\\s*[:：]?\\s*[(（]?\\s*(?P<name>{surname}[\u4e00-\u9fff]{{1,2}})\\s*[)）\\s，,]"),
    }


_NAME_BOUNDARY = set("在说等和与带担作是的为将到从对向也还就把被率介表告认坦指强感回谈提笑来由任常曾现已每负牵组多先坚积兼亲原"
                     "正又便则再均都帮蹲挨一"
                     "、，。；：:）)”’（(,.!?！？ \n")
_BAD_GIVEN = set("的了在和与是为等说表书记主任村镇县市区省党委员会所队部局院校社之其这那个们")
_LAST_GIVEN = set("和之")  # end three-character names (郑德和), never two


_ADDRESS_TERMS = frozenset("阿姨 大姐 大哥 大爷 大叔 大妈 大娘 奶奶 爷爷 阿婆 阿公 老师 师傅 老汉 嫂 姐 哥".split())


def _name_ok(name, strict=True):
    """A plausible personal name: not an ordinary word; with ``strict`` (no role word before it)
    neither its given name nor its first two characters an ordinary word either (严格工, 查对象,
    由专家 are not names, but 书记王建设 is)."""
    if name[1:] in _ADDRESS_TERMS:
        return False  # 潘阿姨, 王大姐: how people are addressed, not their names
    if len(name) < 2 or any(ch in _BAD_GIVEN for ch in name[1:-1]) or not all(is_cjk(ch) for ch in name) \
            or name[-1] in _BAD_GIVEN and not (len(name) == 3 and name[-1] in _LAST_GIVEN):
        return False
    tags = lexicon.word_tags()
    if len(name) == 3 and tags.get(name[:2]) not in (None, "nr", "nrt", "nrfg") and lexicon.word_frequency(name[:2]) >= 5000:
        return False  # 乡贤信息库: a very common word (信息) does not start a name
    if tags.get(name) in ("ns", "nt", "nz", "s") or name in gazetteer().by_name or name in gazetteer().by_short \
            or lexicon.word_frequency(name) >= 1000:
        return False  # 莫斯科, 香港: places, even when the word list tags them as names
    if strict and name[0] in _AMBIGUOUS_SURNAMES and (len(name) < 3 or name[-1] in "长员官师手"):
        return False  # 和工, 常因, 楼栋长
    if strict and any(lexicon.word_frequency(part) >= 1000 for part in (name[1:], name[:2]) if len(part) >= 2):
        return False  # 顾问团 (顾问 is tagged as a name in the word list)
    for part in ({name, name[1:], name[:2]} if strict else {name}):
        tag = tags.get(part)
        if len(part) >= 2 and tag is not None and tag not in ("nr", "nrt", "nrfg") and not (part == name[1:] and tag == "nz") \
                and lexicon.word_frequency(part) >= (100 if part == name else 50):
            return False
    return True


def _best_name(text, start, strict=False):
    """The end of the name starting at ``start``: two or three characters (three or four with a
    compound surname), chosen by the cue word or boundary character that follows."""
    cue_words = lexicon.cues("speech_after_name") + lexicon.cues("title_after_name") + lexicon.cues("person_role")
    surname_len = 2 if text[start:start + 2] in lexicon.surnames() else 1
    two, three = start + surname_len + 1, start + surname_len + 2
    strict = strict or text[start] in _AMBIGUOUS_SURNAMES
    for end in (two, three):
        if text.startswith(cue_words, end) and _name_ok(text[start:end], strict) and text[end - 1] not in _LAST_GIVEN:
            return end
    # 何勇兼任…, 叶青担任…, 刘洋则负责…: a word that begins with a character rarely ending a name
    if text[two:two + 1] in _RARE_LAST_GIVEN and (text[two:two + 2] in lexicon.word_tags() or text[two] in "则也还都又便再均"):
        return two if _name_ok(text[start:two], False) else None  # (after a role: 顾明兼任… is 顾明)
    for end in (three, two):
        if end <= len(text) and (end == len(text) or text[end] in _NAME_BOUNDARY) and _name_ok(text[start:end], strict):
            return end
    return None


_RARE_LAST_GIVEN = frozenset("兼担作则多曾现均又便再也还都亲率本")


# Surnames that are also common function characters or word starts: their names need the strict check.
_AMBIGUOUS_SURNAMES = frozenset("和都曾常管严宿顾楼莫于向将从与由为时成全才安强关党万司修")


def find_persons(text):
    """Named people from role, speech and title context (书记杜世河, 沈其荣院士, 王芳表示)."""
    pats = _person_patterns()
    found = {}
    for m in pats["role_before"].finditer(text):
        s = m.start("name")
        if text[s] in "和与同及":
            continue  # 村干部和蚌农一起…: the conjunction, not the surname 和
        e = _best_name(text, s)
        if e:
            found.setdefault(s, Candidate(s, e, "Person", text[s:e], {"role_hint": text[m.start():s]}, "role"))
    speech = lexicon.cues("speech_after_name")
    for m in pats["cue_after"].finditer(text):
        s, e = m.start("name"), m.end("name")
        if s in found or not _name_ok(text[s:e]):
            continue
        if s > 0 and is_cjk(text[s - 1]) and not _left_boundary_ok(text, s) \
                and not (text[s - 1] == "的" and text.startswith(speech, e)):
            continue
        found[s] = Candidate(s, e, "Person", text[s:e], {}, "cue")
    for m in pats["reporter"].finditer(text):
        s_, e_ = m.start("name"), m.end("name")
        if s_ not in found and _name_ok(text[s_:e_], strict=False):
            found[s_] = Candidate(s_, e_, "Person", text[s_:e_], {"role_hint": "作者"}, "byline")
    for m in pats["list_before_title"].finditer(text):
        parts = m.group("names").split("、")
        if not all(_name_ok(part) and not part.startswith(_industry_words()) for part in parts):
            continue  # 板栗罐头、栗子糕等, 大黄鱼、鲍鱼等: a list of things, not of people
        pos = m.start("names")
        for part in parts:
            if pos not in found:
                found[pos] = Candidate(pos, pos + len(part), "Person", part, {}, "list")
            pos += len(part) + 1
    for s, e, hint in _transliterated_names(text):
        for k in [k for k, c in found.items() if c.start < e and s < c.end]:
            del found[k]  # a Han-surname reading of part of it (艾力 of 吐尔逊·艾力, 阿木日 of 阿木日哈)
        found[s] = Candidate(s, e, "Person", text[s:e], {"role_hint": hint} if hint else {}, "transliteration")
    return sorted(found.values(), key=lambda c: c.start)


_WORDS_AFTER_NAMES = frozenset("多次 多年 一直 一起 一边 带领 带着 介绍 表示 说道 先后 曾经 已经 每天 经常 亲自 也是 还是 都是 "
                               "来到 来自 来了 都在 也在".split())
_NAME_DOT = re.compile(r"[·•‧・]")
_TRANSLIT_CUES = re.compile(r"(作者|通讯员|记者|牧民)\s*[:：]?\s*$")


def _transliterated_names(text):
    """Names transliterated from Mongolian, Uyghur, Kazakh or Tibetan, which have no Chinese
    surname: written with a middle dot (买买提江·吾斯曼), or of two to eight transliteration
    characters after a role (党支部书记额尔敦巴雅尔说, 第一书记扎西是…; three after 作者：). Yields
    (start, end, role)."""
    chars = lexicon.transliteration_chars()
    roles = lexicon.cues("person_role")
    out = []
    taken = 0
    for m in _NAME_DOT.finditer(text):
        if m.start() < taken:
            continue
        start = m.start()
        while start > 0 and m.start() - start < 8 and text[start - 1] in chars:
            start -= 1
        end, parts = m.end(), 1
        while True:
            stop = end
            while stop < len(text) and stop - end < 8 and text[stop] in chars:
                stop += 1
            if stop - end < 2:
                break
            end, parts = stop, parts + 1
            if not _NAME_DOT.match(text, end):
                break
            end += 1
        end = end if not _NAME_DOT.match(text, end - 1) else end - 1
        while text[end - 1] in "和与" and end - 1 > m.end() + 1:
            end -= 1  # 吐尔逊·艾力和村民…
        while end - 2 > m.end() + 1 and text[end - 2:end] in _WORDS_AFTER_NAMES:
            end -= 2  # 艾尔肯·吾买尔多次…
        if end - 1 > m.end() + 1 and text[end - 1:end + 1] in _WORDS_AFTER_NAMES:
            end -= 1  # 艾尔肯·买买提来到…
        if parts >= 2 and m.start() - start >= 2 and text[start - 1:start] not in OPEN_QUOTES:
            out.append((start, end, _role_before(text, start, roles)))
            taken = end
    for i, ch in enumerate(text):
        if ch not in chars or i < taken or (i > 0 and text[i - 1] in chars):
            continue
        role = _role_before(text, i, roles)
        cue = _TRANSLIT_CUES.search(text, max(0, i - 8), i)
        if not role and not cue:
            continue
        end = i
        while end < len(text) and end - i < 8 and text[end] in chars:
            end += 1
        while end - i > 3 and text[end - 1] in "和与":
            end -= 1
        after = text[end:end + 1]
        # two characters only right after a role, and only if the word list knows no such word (书记扎西是…)
        shortest = 2 if role and lexicon.word_tags().get(text[i:i + 2]) in (None, "nr", "nrt", "ns") else 3
        if end - i >= shortest and (not after or after in _NAME_BOUNDARY or text.startswith(lexicon.cues("speech_after_name"), end)) \
                and lexicon.word_frequency(text[i:end]) == 0 and not _NAME_DOT.match(text, end):
            out.append((i, end, role or cue.group(1)))
            taken = end
    return out


def _role_before(text, pos, roles):
    """The role word that ends right before ``pos`` (书记 in 党支部书记额尔敦巴雅尔), or None."""
    if not text.endswith(roles, 0, pos):  # one C-level test for the common case: no role here
        return None
    return next(r for r in roles if text.endswith(r, 0, pos))


def _left_boundary_ok(text, s):
    """A name preceded by a CJK character needs that character to end a role or an institution."""
    word = word_before(text, s)
    return word in lexicon.cue_set("person_role") or text[s - 1] in "院所局部委社司队校园站馆心会团厂场学"


_BYLINE_NAME = re.compile(r"^(?:作者|文|撰稿|通讯员|记者)?\s*[:：/／]?\s*([\u4e00-\u9fff]{2,3})(?:\s+[\u4e00-\u9fff]{2,3})*\s*$")


def byline_persons(byline):
    """People named in a byline (作者：杨铭; 刘子璇 梁沛沛), none for a unit (中共…委组织部)."""
    if not byline or any(h in byline for h in ("委", "部", "局", "报", "社", "中心", "办")):
        return []
    words = re.findall(r"[\u4e00-\u9fff·]+", re.sub(r"^(作者|文|撰稿|通讯员|记者)\s*[:：/／]?", "", byline))
    surnames = lexicon.surnames()
    return [n for n in words if len(n) <= 3 and (n[0] in surnames or n[:2] in surnames) and _name_ok(n)
            or 3 <= len(n) <= 12 and all(ch in lexicon.transliteration_chars() or ch == "·" for ch in n)]


# ---------------------------------------------------------------- industries

@lru_cache(maxsize=1)
def _industry_automaton():
    return _automaton(lexicon.industries())


_INDUSTRY_CONTEXT = re.compile(r"(种植|养殖|种养|栽培|产业(?!链|园|带|集群|协会|基地|示范|港|项目|升级|结构|布局|政策|工人))")
# 围绕黄花菜、蔬菜、胡辣汤、化妆刷等特色产业, 以花椒、甜樱桃、黄果柑三大产业: the items of a list of industries
_LIST_LEADS = ("已形成", "形成", "推动", "发展", "围绕", "聚焦", "做强", "做优", "做大", "培育", "打造", "壮大", "主打",
               "包括", "涵盖", "以及", "还有", "间套种", "套种", "间种", "种植", "养殖", "栽种")
_INDUSTRY_LIST = re.compile(r"((?:[\u4e00-\u9fff]{1,5}[、,] ?)+[\u4e00-\u9fff]{1,5})"
                            r"(?:(?:等(?:\d+个|[一二三四五六七八九十两]大)?|[一二三四五六七八九十两\d]大)"
                            r"(?:特色|主导|优势|支柱|富民|新兴|传统|农业|种养|杂粮|林果|水果|果蔬|畜牧|渔业|海洋|林下){0,2}"
                            r"产业(?!链|党|联盟)"
                            # 红芸豆、莜麦、胡麻等小杂粮: a list of products of one category
                            r"|等(?:特色|道地|优质|林下)?(?:小杂粮|杂粮|经济作物|作物|中药材|药材|农特产品|土特产|特色农产品|林果|畜产品)"
                            r"(?!加工))")
_GENERIC_INDUSTRY = frozenset(
    "特色 主导 传统 新兴 优势 农业 乡村 现代 高效 生态 富民 支柱 重点 绿色 数字 集体 村级 新型 未来 战略性 "
    "相关 各类 本土 地方 当地 全 上下游 一二三 第一 第二 第三 二三 特色农业 现代农业 高效农业 热带农业 热带高效农业 "
    "主导产业 新业态 融合 产业 农村 县域 村集体 文化 科技 服务 工业 农 经济 发展 优势特色 特色优势 规模 "
    "多元 配套 关联 循环 低空 海洋 健康 养老 有机 标准化 规模化 集约化 机械化 设施 立体 林下 套种 间作 "
    "科学 优质 精品 高产 大户 朝阳 夕阳 当家 美丽 幸福 致富 增收 百亿 千亿 新型 首位 龙头 优质高效 农村电商 "
    "两大 三大 四大 五大 六大 这一 该 全链条 全产业 仿野生 高垄 起垄 覆膜 轮作 套种 间作 稻田 庭院 订单 托管 "
    "规模养殖 散养 圈养 放养 林下 大棚 露地 住宿 餐饮 村庄餐饮 经贸 商贸 物流 金融 体育 教育 医疗 卫生 零售 批发 "
    "人工 边缘 周边 沿线 一带 区域 规范 科学化 规范化".split())
_NOT_PRODUCT_ENDINGS = ("户", "民", "农", "田", "地", "员", "部", "社", "场", "区", "棚", "园")
# A product joined to what is done with it names one sector: 小麦制种; 毛竹加工 only as X加工产业
# or X加工等产业 (月柿加工 alone is the 月柿 industry).
_INDUSTRY_COMPOUND = re.compile(r"制种|(?:深|精深)?加工(?=(?:等\w{0,3})?产业)")
# One-character products (竹, 茶) are industries only as X产业 after a word boundary (在竹产业中).
_CHAR_INDUSTRY = re.compile(r"([\u4e00-\u9fff])(?=产业)")
# the head of a body built around one industry, after the industry's name
_INDUSTRY_BODY = re.compile(r"(产业链?(?:联合)?(?:大)?(?:党委|党总支|党支部|党建联盟|党建联合体|联合党委|联盟))$")
_PROCESS_WORDS = frozenset("种植 养殖 种养 加工 生产 销售 产业".split())  # 中蜂|养殖 in a list: the product is 中蜂
_CHAIN_LINKS = ("繁育", "育种", "营销", "销售", "流通", "仓储", "物流", "服务", "加工", "生产", "种植", "养殖")
_TOURISM = re.compile(r"([\u4e00-\u9fff]{2})旅游(?!局|集团|公司|协会|发展|部门|资源|线路|产品|企业|景区)")
_GENERIC_TOURISM = frozenset("发展 推动 特色 旅游 乡村振兴 农村 国内 国际 全国 全省 全市 全县 当地".split())


def find_industries(text, places=(), organizations=()):
    """Industries: lexicon products and sectors, X产业 / X种植 / X养殖 for unknown X, and the X of a
    body built around an industry (竹山县绿松石产业链党委, 绿松石产业党建联盟)."""
    in_place = [False] * (len(text) + 1)
    for c in places:
        for i in range(c.start, c.end):
            in_place[i] = True
    place_spans = [(c.start, c.end) for c in places]
    brands = lexicon.industry_categories()
    out, last_end = {}, 0
    for start, end, word in find_longest(_industry_automaton(), text):
        if start < last_end or word.endswith("红") and text[end:end + 1] in "色军旗星":
            continue  # 遵义红色文化 is not 遵义红 tea
        # a product named with its place (松阳银猴, 湄潭翠芽) holds the place; others stay out of places
        if any(in_place[start:end]) and not (word in brands and all(
                start <= s and e <= end for s, e in place_spans if s < end and start < e)):
            continue
        m = _INDUSTRY_COMPOUND.match(text, end)
        if m and lexicon.industry_kinds().get(word) is None:
            end = m.end()
        elif brands.get(word) == "茶" and not word.endswith("茶") and text[end:end + 1] == "茶" \
                and text[end + 1:end + 2] not in ("业", "叶", "园", "场", "厂"):
            end += 1  # 狗牯脑茶, but not 湄潭翠芽茶业有限公司
        out[start] = Candidate(start, end, "Industry", text[start:end], {}, "lexicon")
        last_end = end
    chars = {w for w, kind in lexicon.industry_kinds().items() if kind == "char"}
    for m in _CHAR_INDUSTRY.finditer(text):
        start = m.start()
        if m.group(1) not in chars or in_place[start] or any(s <= start < c.end for s, c in out.items()):
            continue
        before = word_before(text, start)
        if is_cjk(before[-1:] or " ") and lexicon.word_tags().get(before) not in _STOP_TAGS:
            continue  # 黑山羊产业: a longer name we do not know
        out[start] = Candidate(start, start + 1, "Industry", m.group(1), {}, "pattern")
    # 边境旅游, 海滨旅游, 夜间旅游: a kind of tourism the lexicon does not name is a sector too
    for m in _TOURISM.finditer(text):
        start = m.start()
        if in_place[start] or any(s <= start < c.end for s, c in out.items()) or word_before(text, m.end(1)) != m.group(1) \
                or lexicon.word_tags().get(m.group(1)) not in ("n", "nz", "t", "vn", "s", "ns") or m.group(1) in _GENERIC_TOURISM:
            continue
        out[start] = Candidate(start, m.end(), "Industry", m.group(), {"kind": "sector"}, "pattern")
    for m in _INDUSTRY_LIST.finditer(text):
        items = [(i.start(), i.end()) for i in CJK_RUN.finditer(text, m.start(1), m.end(1))]
        # from the last item back: a list is of one kind, and it begins where an item has words of the
        # sentence before it (已形成|演出服、汉服, 新的增长点,推动|冰糖橙,富硒米)
        for item_start, end in reversed(items):
            start = item_start
            while start < end and (text[start] in _FUNCTION_CHARS or any(
                    text.startswith(w, start) and len(w) > 1 for w in _LIST_LEADS)):
                start += next((len(w) for w in _LIST_LEADS if text.startswith(w, start)), 1)
            named = name_start(text, end, max_chars=5, verbs=(), nouns_only=True, strict_chars=True)
            if named > start and end - named >= 2:
                start = named  # 形成|淡水珍珠: where a name would begin, unless it leaves one character (演出|服)
            stem = text[start:end]
            known = next((c for s, c in out.items() if s <= start < c.end), None)
            if known is not None:
                if known.start == start and known.end < end and end - start <= 4 and text[known.end:end] not in _PROCESS_WORDS:
                    known.end, known.name = end, stem  # 富硒|米: the item names the product
                known.attrs["listed"] = True  # a product the list names as an industry
            elif any(in_place[start:end]) or lexicon.industry_kinds().get(stem) != "char" and (
                    len(stem) < 2 or is_generic(stem, extra=_GENERIC_INDUSTRY)
                    or lexicon.word_frequency(stem) >= 1500 or lexicon.word_tags().get(stem) in ("v", "a", "ad")
                    or stem.endswith(("业", "生产", "经营", "入股", "服务"))):
                break  # 住宿、体育、经贸等产业: sectors of the economy; and nothing before is listed
            else:
                for inner in [s for s, c in out.items() if start < s and c.end <= end]:
                    del out[inner]  # 红芸豆 listed: the item, not the 芸豆 inside it
                out[start] = Candidate(start, end, "Industry", stem, {"listed": True}, "list")
            if start > item_start:
                break
    for m in _INDUSTRY_CONTEXT.finditer(text):
        start = name_start(text, m.start(), max_chars=4, verbs=(), nouns_only=True, strict_chars=True)
        while start < m.start() and in_place[start]:
            start += 1
        cut = max(stem_pos for stem_pos in [start] + [i + 1 for i in range(start, m.start() - 1) if text[i] in "村镇乡县市区"])
        start = cut  # 东兴村|亚麻种植: the place before the product is not part of it
        stem = text[start:m.start()]
        if stem.endswith("树") and len(stem) >= 3 or stem.endswith("树") and stem[:-1] in lexicon.industry_kinds():
            stem = stem[:-1]  # 梨树种植: the tree's fruit
        if len(stem) < 2 and lexicon.industry_kinds().get(stem) != "char" or stem in _GENERIC_INDUSTRY \
                or is_generic(stem, extra=_GENERIC_INDUSTRY):
            continue
        words = tokens(stem)
        if words[-1] in _GENERIC_INDUSTRY:
            continue  # 茶园生态种植: how something is grown, not what
        while words[0] in _GENERIC_INDUSTRY:  # 特色凤梨种植 → 凤梨
            start += len(words.pop(0))
        stem = text[start:m.start()]
        if len(stem) < 2 or any(lexicon.word_tags().get(w) in ("s", "f", "r") for w in tokens(stem)):
            continue  # 村里种植, 当地养殖
        if stem in lexicon.cue_set("person_role") or stem.endswith(_NOT_PRODUCT_ENDINGS):
            continue  # 农户种植, 大户养殖, 冬闲田种植: who grows, and where, not what
        if lexicon.word_tags().get(stem) in ("v", "vn", "vd", "a", "ad", "d", "nr") or lexicon.word_frequency(stem) >= 1500:
            continue  # 制约产业发展, 规范养殖, 拓宽产业 (tagged as a name): a verb or an ordinary word, not a product
        if m.group(1) == "产业" and (splits_word(text, start) or stem[-1] in "大小强新好优"
                                     or lexicon.word_frequency(stem) >= 2000):
            continue  # 共富大产业, 区域产业: an unknown X of X产业 is a product's own word
        if any(c.end == m.start() and c.source == "lexicon" for c in out.values()):
            continue  # 查干|肉牛养殖: the known product is the industry
        known = out.get(start)
        rest = text[known.end:m.start()] if known is not None else ""
        if known is not None and known.source == "lexicon" and 1 <= len(rest) <= 2 and (
                lexicon.word_tags().get(rest, "n") in ("n", "ng", "nz") if len(rest) == 2
                else rest not in _FUNCTION_CHARS and rest not in _SINGLE_VERBS):
            out[start] = Candidate(start, m.start(), "Industry", stem, {}, "pattern")  # 稻鱼|鸭种养: one system
            continue
        if any(s <= start < c.end for s, c in out.items()):
            continue
        if stem in gazetteer().by_short or stem in gazetteer().by_name:
            continue
        out[start] = Candidate(start, m.start(), "Industry", stem, {}, "pattern")
    for org in organizations:
        m = _INDUSTRY_BODY.search(org.name)
        if not m or text[org.end - len(m.group(1)):org.end] != m.group(1):
            continue
        end = org.end - len(m.group(1))
        start = max([org.start] + [p.end for p in places if org.start <= p.start and p.end <= end])
        stem = text[start:end]
        if not 2 <= len(stem) <= 5 or any(s < end and start < c.end for s, c in out.items()) \
                or is_generic(stem, extra=_GENERIC_INDUSTRY) or not all(map(is_cjk, stem)) \
                or lexicon.word_tags().get(stem) in ("v", "a", "ad", "ns") or stem[-1] in "村镇乡县市区" \
                or stem.endswith(_CHAIN_LINKS) or stem.endswith("业"):
            continue  # 种薯繁育产业链党支部: a link of the chain, named for what it does; 果业: a sector
        out[start] = Candidate(start, end, "Industry", stem, {}, "body-name")
    found = sorted(out.values(), key=lambda c: c.start)
    # 蜂糖李产业: the one-character product inside a longer name is that name's
    return [c for c in found if not any(o is not c and o.start <= c.start and c.end <= o.end and o.end - o.start > c.end - c.start
                                        and c.source == "pattern" for o in found)]
