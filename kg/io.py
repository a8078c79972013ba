"""Read: files → :class:`Document` (decoded text, normalised text with an offset map, articles).

The normalised text is what the pipeline reads: Simplified characters, full-width digits and
letters folded, PDF line breaks inside sentences rejoined, page numbers and web navigation lines
dropped, HTML tags stripped. ``Document.offsets`` maps every normalised character back to its
position in the original decoded text, so offsets and evidence always point into the file itself.

>>> doc = read_text("瓊中縣推行“積分制”。\\n", name="t.txt")
>>> doc.norm
'琼中县推行“积分制”。\\n'
>>> doc.original(0, 3)
'瓊中縣'
"""
from __future__ import annotations

import contextlib
import html
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import charset_normalizer

HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = (".txt", ".md", *HTML_SUFFIXES)
MAX_BYTES = 50 * 1024 * 1024


class InputError(Exception):
    """A file kg cannot read. ``str(err)`` is a one-line message naming the file and the problem."""

    def __init__(self, path, problem):
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


@dataclass
class Article:
    title: str
    byline: str | None
    year: int | None
    start: int  # offsets into the original text
    end: int
    norm_start: int = field(repr=False, default=0)
    norm_end: int = field(repr=False, default=0)

    def record(self):
        return {"title": self.title, "byline": self.byline, "year": self.year,
                "start": self.start, "end": self.end}


@dataclass
class Document:
    name: str
    source: str
    text: str  # the original decoded text; every offset kg reports indexes this
    encoding: str
    norm: str
    offsets: list  # offsets[i] = original index of norm[i]; offsets[len(norm)] = len(text)
    articles: list = field(default_factory=list)

    def to_original(self, start, end):
        """Map a [start, end) span of the normalised text to the original text."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1

    def original(self, start, end):
        a, b = self.to_original(start, end)
        return self.text[a:b]

    def article_at(self, norm_pos):
        for article in self.articles:
            if article.norm_start <= norm_pos < article.norm_end:
                return article
        return self.articles[-1] if self.articles else None


# ---------------------------------------------------------------- corpus listing and decoding

def list_corpus(paths):
    """Expand files and folders (recursively) into ``(path, error)`` pairs, in a stable order.

    Missing paths come back with an :class:`InputError`; folders contribute their ``.txt``, ``.md``
    and ``.html`` files; a file named explicitly is taken whatever its suffix.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for sub in sorted(path.rglob("*")):
                if sub.is_file() and sub.suffix.lower() in SUFFIXES and not sub.name.startswith("."):
                    yield sub, None
        elif path.is_file():
            yield path, None
        else:
            yield path, InputError(path, "no such file or folder")


def decode(data: bytes, path="<bytes>"):
    """Decode bytes to ``(text, encoding)`` by BOM, then charset detection.

    Raises :class:`InputError` for empty or binary input.
    """
    if not data.strip():
        raise InputError(path, "empty file")
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                raise InputError(path, f"not valid {enc} despite its byte-order mark") from None
            if not text.strip():
                raise InputError(path, "empty file")
            return text, enc
    try:
        # Valid UTF-8 is all but certain to be UTF-8 (a CJK text in GBK or Big5 almost never decodes
        # as UTF-8): skip the statistical detector, which costs more than extraction on short files.
        text = data.decode("utf-8")
        if not text.strip():
            raise InputError(path, "empty file")
        return _check_text(text, path), "utf-8"
    except UnicodeDecodeError:
        pass
    match = charset_normalizer.from_bytes(data).best()
    if match is None:
        raise InputError(path, "binary or undecodable content")
    encoding = match.encoding
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise InputError(path, f"undecodable as detected encoding {encoding}") from None
    if not text.strip():
        raise InputError(path, "empty file")
    return _check_text(text, path), encoding


def _check_text(text, path):
    """Reject decoded text that is really binary (NULs, many control characters)."""
    controls = sum(1 for ch in text[:20_000] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if "\x00" in text or controls > 0.02 * min(len(text), 20_000):
        raise InputError(path, "binary content")
    return text


def read_bytes(path, limit=MAX_BYTES):
    """The bytes of a file; :class:`InputError` if it is missing, a folder, unreadable or too large."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(path, f"too large ({size} bytes; limit {limit})")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file") from None
    except OSError as err:
        raise InputError(path, f"unreadable ({err.strerror or err})") from None


def is_html(path):
    """Whether kg reads a file as HTML (by its suffix)."""
    return Path(path).suffix.lower() in HTML_SUFFIXES


def read_file(path):
    """Read one file into a :class:`Document`; raise :class:`InputError` on any problem."""
    return document_from_bytes(read_bytes(path), path)


def document_from_bytes(data, path):
    """A :class:`Document` from a file's bytes (read here or sent by another machine)."""
    path = Path(path)
    text, encoding = decode(data, path)
    # a page saved as .txt is still a page: its markup is sniffed
    return read_text(text, name=path.name, source=str(path), encoding=encoding, is_html=is_html(path) or None)


def read_text(text, name="<text>", source=None, encoding="utf-8", is_html=None):
    """Build a :class:`Document` from already decoded text."""
    if is_html is None:
        is_html = bool(_HTML_SNIFF.search(text[:2000]))
    norm, offsets = normalise(text, is_html=is_html)
    doc = Document(name=name, source=source or name, text=text, encoding=encoding,
                   norm=norm, offsets=offsets)
    doc.articles = split_articles(doc)
    return doc


# ---------------------------------------------------------------- normalisation with an offset map

_HTML_SNIFF = re.compile(r"<(html|body|div|p|br|span|script|!doctype)\b", re.I)
_HTML_DROP = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_HTML_TAG = re.compile(r"<[^<>]{0,2000}>")
_HTML_BLOCK = re.compile(r"</?(p|div|br|li|h[1-6]|tr|section|article|table|ul|ol)\b", re.I)
_HTML_ENTITY = re.compile(r"&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,10});")

# Lines that are page furniture or web navigation, not article text.
_JUNK_LINE = re.compile(
    r"^\s*(?:"
    r"[-—–·\s]*\d{1,4}[-—–·\s]*"                      # page numbers: 12, - 12 -, —12—
    r"|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?"
    r"|(?:当前位置[:：]?\s*)?首页\s*[>＞»›/].*"        # breadcrumbs
    r"|(?:责任编辑|编辑|审核|校对|监制|来源于|分享到|扫一扫|打印本页|关闭窗口|上一篇|下一篇|相关阅读|相关新闻"
    r"|浏览次数|浏览量|点击数|点击量|阅读量|阅读数|字号|字体)[:：].*"
    r"|(?:分享到|扫一扫在手机打开当前页|【\s*打印\s*】.*|【\s*关闭\s*】.*|【\s*字体.*|返回顶部|网站地图|版权所有.*|.*ICP备.*|.*公网安备.*)"
    r")\s*$", re.M)

# Page counters inside a line of a web page's article head (作者：… 浏览次数：892 字号：大 中 小).
_JUNK_INLINE = re.compile(r"(?:浏览次数|浏览量|点击数|点击量|阅读量|阅读数|阅读次数)\s*[:：]\s*\d*|字号\s*[:：]\s*(?:[大中小]\s*)*")
_PAGE_NUMBER = re.compile(r"^[ \t\u3000]*(?:[-—–·]\s*)?\d{1,4}(?:\s*[-—–·])?[ \t\u3000]*$|^[ \t\u3000]*第\s*\d+\s*页.*$", re.M)
_TERMINAL = "。！？!?；;…”’」』）)】》"
_HEADING_START = re.compile(r"^\s*(?:#|■|●|◆|▲|\*\*|[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\([一二三四五六七八九十\d]+\)|\d+[、.．]\s|[①②③④⑤⑥⑦⑧⑨⑩]|作者|来源|文／|文/|\|)")
_BLOCK_SPLIT = re.compile(r"\n[ \t\u3000]*\n[\s\u3000]*")


@lru_cache(maxsize=1)
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


def _to_simplified(text):
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    # Phrase conversion changed a length somewhere: fall back to character by character so that
    # the offset map stays one to one.
    convert = _t2s().convert
    return "".join(c if len(c := convert(ch)) == 1 else ch for ch in text)


_CORNER_QUOTES = str.maketrans("「」『』", "“”‘’")


_ASCII_PUNCTUATION = re.compile(r"(?<=[\u4e00-\u9fff”’）])([,.;:?!()])(?=[ \t]*(?:[\u4e00-\u9fff“‘（]|$))"
                                r"|(?<=[\u4e00-\u9fff”’）])([,;:?!])(?=[ \t]*[\dA-Za-z])", re.M)
_FULL_WIDTH = dict(zip(",.;:?!()", "，。；：？！（）"))


_ASCII_LIST = re.compile(r"(?:[\u4e00-\u9fff]{1,6}, ?)+[\u4e00-\u9fff]{1,6}?(?:等|[一二三四五六七八九十两]大)")


def _full_width_punctuation(text):
    """ASCII punctuation after Chinese text (药农分散种植,技术靠经验.) in its full-width form, so that
    sentences and clauses split as in text written with Chinese punctuation; the commas of a list
    of short items (冰糖橙,富硒米,苗绣等; 蜜柚, 茶, 陶瓷三大产业) become 、. Decimals and abbreviations (1.3亿, U.S.) are not
    after Chinese text and stay."""
    text = _ASCII_LIST.sub(lambda m: m.group().replace(",", "、"), text)
    return _ASCII_PUNCTUATION.sub(lambda m: _FULL_WIDTH[m.group()], text)


def _pair_quotes(text):
    """One kind of quotation marks: corner brackets (「」, Traditional texts) become “”, and straight
    quotes that pair up in a line ("党建+电商") become “ and ”, so that the rules see one convention."""
    text = text.translate(_CORNER_QUOTES)
    if '"' not in text:
        return text
    lines = []
    for line in text.split("\n"):
        if line.count('"') % 2 == 0:
            parts = line.split('"')
            line = "".join(p + ("“" if i % 2 == 0 else "”") for i, p in enumerate(parts[:-1])) + parts[-1]
        lines.append(line)
    return "\n".join(lines)


class _Folding(dict):
    """A ``str.translate`` table: NFKC for a character when it stays one character (full-width
    digits, letters, spaces), filled in as characters are first seen."""

    def __missing__(self, code):
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        keep = len(folded) == 1 and (folded.isascii() and folded.isalnum() or folded == " ")
        self[code] = folded if keep else ch
        return self[code]


_FOLDING = _Folding()


class _Edit:
    """A string plus, for each character, its index in the original text."""

    def __init__(self, text):
        self.text = text
        self.index = list(range(len(text)))

    def delete(self, spans):
        """Remove the given sorted, non-overlapping [start, end) spans."""
        if not spans:
            return
        parts, idx, pos = [], [], 0
        for start, end in spans:
            parts.append(self.text[pos:start])
            idx.extend(self.index[pos:start])
            pos = end
        parts.append(self.text[pos:])
        idx.extend(self.index[pos:])
        self.text, self.index = "".join(parts), idx

    def replace(self, spans):
        """Replace [start, end) spans with one character each (the new char maps to ``start``)."""
        if not spans:
            return
        parts, idx, pos = [], [], 0
        for start, end, repl in spans:
            parts.append(self.text[pos:start])
            idx.extend(self.index[pos:start])
            parts.append(repl)
            idx.extend([self.index[start]] * len(repl))
            pos = end
        parts.append(self.text[pos:])
        idx.extend(self.index[pos:])
        self.text, self.index = "".join(parts), idx


def _strip_html(edit):
    edit.delete([m.span() for m in _HTML_DROP.finditer(edit.text)])
    edit.delete(_outside_main_content(edit.text))
    spans = []
    for m in _HTML_TAG.finditer(edit.text):
        spans.append((m.start(), m.end(), "\n\n" if _HTML_BLOCK.match(m.group()) else ""))
    edit.replace(spans)
    spans = []
    for m in _HTML_ENTITY.finditer(edit.text):
        value = html.unescape(m.group())
        if value != m.group():
            spans.append((m.start(), m.end(), value))
    edit.replace(spans)


_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)\s*>")
_CONTAINERS = frozenset("div article section main td table tbody body center".split())
_VOID = frozenset("br hr img input meta link area base col embed source track wbr param".split())
_SENTENCE_END = re.compile(r"[。！？]")
_SITE_SUFFIX = re.compile(r"\s*(?:_|\||-|—|－)\s*[^_|]{0,30}(?:网|频道|平台|政府|门户|中心|在线|日报|官网)[^<]{0,40}(?=</title)", re.I)


def _outside_main_content(text):
    """Spans of a web page outside its article: everything but the page's heading (its last <h1>
    before the article, else its <title> without the site's name) and the smallest block that
    holds most of the page's sentences. Menus, link lists, sidebars and footers go with them."""
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]
    if len(ends) < 3:
        return []
    stack, blocks, headings, title = [], [], [], None
    for m in _TAG_NAME.finditer(text):
        closing, name, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if name in _VOID or selfclosing:
            continue
        if not closing:
            stack.append((name, m.start(), m.end()))
            continue
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == name:
                _, start, inner = stack[depth]
                del stack[depth:]
                if name in _CONTAINERS:
                    blocks.append((start, m.end()))
                elif name == "h1":
                    headings.append((start, m.end()))
                elif name == "title":
                    title = (start, m.end())
                break
    import bisect
    need = 0.7 * len(ends)
    held = [(b, bisect.bisect_left(ends, b[1]) - bisect.bisect_left(ends, b[0])) for b in blocks]
    main = min((b for b, n in held if n >= need), key=lambda b: b[1] - b[0], default=None)
    if main is None:
        return []
    keep = [main]
    heading = next((h for h in reversed(headings) if h[1] <= main[0]), None)
    if heading is not None:
        keep.insert(0, (heading[0], main[1]))  # the heading, the byline after it, the article
        keep = keep[:1]
    elif title is not None:
        suffix = _SITE_SUFFIX.search(text, title[0], title[1])
        keep.insert(0, (title[0], suffix.start() if suffix else title[1]))
    spans, pos = [], 0
    for start, end in keep:
        if start > pos:
            spans.append((pos, start))
        pos = max(pos, end)
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def _rejoin_spans(text):
    """Spans of line breaks that cut a sentence (PDF output): body text that does not end a sentence,
    followed by more body text."""
    spans = []
    for m in _BLOCK_SPLIT.finditer(text):
        before_start = text.rfind("\n", 0, m.start()) + 1
        before = text[before_start:m.start()].rstrip()
        after_end = text.find("\n", m.end())
        after = text[m.end(): after_end if after_end >= 0 else len(text)]
        if not before or not after or before[-1] in _TERMINAL or before.endswith(("  ",)):
            continue
        is_body = len(before) >= 20 and any(p in before for p in "，,。、；")
        if is_body and not _HEADING_START.match(after) and not _HEADING_START.match(before[:2]):
            spans.append(m.span())
    return spans


_MENU_ITEM = re.compile(r"^[ \t\u3000]*[^\s。，；：:,;！？!?、“”\"]{1,8}[ \t\u3000]*$")
_LINK_BAR = re.compile(r"^[^\n。，；]*?(?:[^\s|｜/>»]{1,12}\s*[|｜/>»]\s*){3,}[^\n。，；]*$", re.M)


def _menu_spans(text):
    """Spans of a page's navigation written out as text: runs of four or more short lines with no
    sentence punctuation (首页 / 新闻中心 / 乡镇动态 …), and bars of links (首页 | 要闻 | 党建 | 视频)."""
    spans, run = [], []
    for m in re.finditer(r"[^\n]*\n?", text):
        line = m.group().rstrip("\n")
        if not line.strip():
            continue
        if _MENU_ITEM.match(line):
            run.append((m.start(), m.start() + len(line)))
            continue
        spans += _menu_run(text, run)
        run = []
    spans += _menu_run(text, run)
    spans += [m.span() for m in _LINK_BAR.finditer(text)]
    return sorted(set(spans))


_SENTENCE_LINE = re.compile(r"[。！？!?][”’」』）)]?\s*$|[。！？][^\n]{8,}")
_KEPT_TAIL_LINE = re.compile(r"^\s*(?:[（(].*[）)]|(?:作者|来源|供稿|通讯员|撰稿|单位)\s*[:：/].*)\s*$")


def _trailing_list_spans(text):
    """Spans of what follows a page's last sentence when it is a list of three or more lines without
    a sentence among them (related news, 热点排行, 主办单位 …); an author line in brackets stays."""
    lines = [m for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    last = max((i for i, m in enumerate(lines) if _SENTENCE_LINE.search(m.group())), default=None)
    if last is None or len(lines) - last - 1 < 3:
        return []
    return [m.span() for m in lines[last + 1:] if not _KEPT_TAIL_LINE.match(m.group())]


_NAV_WORDS = frozenset("首页 主页 网站首页 新闻中心 新闻 要闻 视频 图片 专题 专题专栏 政务公开 互动 登录 注册 手机版 "
                       "联系我们 网站地图 返回顶部 通知公告 工作动态 English 无障碍".split())


def _menu_run(text, run):
    """A run of short lines is a menu when it is four lines or more and names a page of the site
    (首页, 新闻中心 …); a journal's table of contents (市委组织部 …) is not."""
    if len(run) >= 4 and any(text[s:e].strip() in _NAV_WORDS for s, e in run):
        return run
    return []


def _running_header_spans(text):
    """Spans of running headers and footers (a report's title repeated at every page break of a
    PDF): a line next to a page number that the text has more than once. Its first occurrence
    stays when it is not next to a page number (the title at the top)."""
    beside = {}  # line text -> [(start, end) next to a page number]
    for m in _PAGE_NUMBER.finditer(text):
        for start, end in (_line_after(text, m.end()), _line_before(text, m.start())):
            line = text[start:end].strip()
            if 4 <= len(line) <= 60 and not _PAGE_NUMBER.fullmatch(line):
                beside.setdefault(line, set()).add((start, end))
    spans = set()
    for line, places in beside.items():
        every = [(m.start(), m.end()) for m in re.finditer(r"^[ \t\u3000]*" + re.escape(line) + r"[ \t\u3000]*$", text, re.M)]
        if len(every) < 2:
            continue
        spans.update(every if every[0] in places else every[1:])
    return sorted(spans)


def _merge_spans(spans):
    """Sorted spans with overlaps joined (what :meth:`_Edit.delete` needs)."""
    out = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _line_after(text, pos):
    while pos < len(text) and text[pos] == "\n" or text[pos:pos + 1].isspace():
        pos += 1
    end = text.find("\n", pos)
    return pos, len(text) if end < 0 else end


def _line_before(text, pos):
    end = pos
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return text.rfind("\n", 0, end) + 1, end


def _wrap_width(lines):
    """The width a text is hard-wrapped at (PDF or e-mail text: most lines of one length, give or
    take two characters), or None."""
    lengths = [len(line.rstrip()) for line in lines if len(line.strip()) >= 10]
    if len(lengths) < 6:
        return None
    count = Counter(lengths)
    near = {w: count[w] + count[w + 1] + count[w + 2] for w in range(10, max(lengths) + 1)}
    best = max(near, key=near.get)
    # a page of lines under 24 characters is a list (related links, a table of contents), not prose
    return best if best >= 24 and near[best] >= 0.4 * len(lengths) else None


def _unwrap_spans(text):
    """Line breaks of hard-wrapped text that do not end a paragraph: after a full-width line,
    before a line that is neither indented nor a heading."""
    width = _wrap_width(text.split("\n"))
    if width is None:
        return []
    spans = []
    for m in re.finditer(r"\n", text):
        before = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        after_end = text.find("\n", m.end())
        after = text[m.end():after_end if after_end >= 0 else len(text)]
        if len(before.rstrip()) >= width - 1 and after.strip() and not after[:1].isspace() \
                and not _HEADING_START.match(after):
            spans.append(m.span())
    return spans


def normalise(text, is_html=False):
    """Return ``(norm, offsets)``: the text kg analyses and the map back to ``text``.

    >>> norm, offsets = normalise("村里成立了合作社，引进了新品种，建起了关\\n\\n键的冷库，２０２３年投产。")
    >>> norm
    '村里成立了合作社，引进了新品种，建起了关键的冷库，2023年投产。'
    >>> offsets[20]
    22
    """
    edit = _Edit(text)
    if "\r" in text:
        edit.delete([m.span() for m in re.finditer(r"\r(?=\n)", text)])
        edit.replace([(m.start(), m.end(), "\n") for m in re.finditer(r"\r", edit.text)])
    if is_html:
        _strip_html(edit)
    edit.delete(_running_header_spans(edit.text))
    edit.delete(_merge_spans(_menu_spans(edit.text)))
    edit.delete([m.span() for m in _JUNK_LINE.finditer(edit.text) if m.end() > m.start()])
    edit.delete([m.span() for m in _JUNK_INLINE.finditer(edit.text)])
    edit.delete(_trailing_list_spans(edit.text))
    edit.delete(_rejoin_spans(edit.text))
    edit.delete(_unwrap_spans(edit.text))
    folded = _full_width_punctuation(_pair_quotes(edit.text.translate(_FOLDING)))
    norm = _to_simplified(folded)
    offsets = edit.index + [len(text)]
    return norm, offsets


# ---------------------------------------------------------------- article splitting

_BYLINE = re.compile(
    r"^[ \t\u3000]*(?:■|◆|●)\s*(?P<unit>[^\n]{2,60})$"
    r"|^[ \t\u3000]*(?:作者|文|来源|撰稿|供稿|通讯员)\s*[:：/／|]\s*(?P<author>[^\n]{2,60})$"
    r"|^[ \t\u3000]*(?P<name>[\u4e00-\u9fff]{2,4}(?:[ \u3000]+[\u4e00-\u9fff]{2,4}){0,3})[ \t\u3000]*$", re.M)
_TITLE_HEADING = re.compile(r"^#\s+(?P<title>[^\n]{2,120})$", re.M)
YEAR = re.compile(r"(?<![\d.])((?:19[5-9]|20[0-4])\d)\s*年")  # a year as Chinese text writes it
_DATE = re.compile(r"((?:19[5-9]|20[0-4])\d)\s*(?:年|[-./])\s*\d{1,2}\s*(?:月|[-./])\s*\d{1,2}")


def _clean_title(line):
    line = re.sub(r"^[#\s|*]+|[\s*]+$", "", line)
    line = re.sub(r"^\|\s*[^|]{1,20}\s*\|\s*", "", line)  # "| 三亚市 | title" section tags
    return re.sub(r"\s+", " ", line).strip()


def _previous_line(text, pos):
    """The nearest non-empty line ending before ``pos``: (start, end) or None."""
    end = pos
    while end > 0:
        line_end = end - 1 if text[end - 1] == "\n" else end
        start = text.rfind("\n", 0, line_end) + 1
        if text[start:line_end].strip():
            return start, line_end
        end = start
        if start == 0:
            break
    return None


def _looks_like_title(line):
    line = line.strip()
    return 4 <= len(line) <= 40 and not re.search(r"[。；！？]$", line)


def _person_line(line):
    from .lexicon import surnames
    names = line.split()
    return all(n[0] in surnames() or n[:2] in surnames() for n in names)


def _article_year(body):
    """The year a text gives for itself: a full date if there is one, else the latest year it names."""
    date = _DATE.search(body[:400]) or _DATE.search(body[-400:])
    if date:
        return int(date.group(1))
    years = [int(y) for y in YEAR.findall(body)]
    return max(years) if years else None


def split_articles(doc):
    """Split a document into articles at bylines (■ unit lines, 作者：…) and top-level headings."""
    text = doc.norm
    starts = {}  # norm start -> (title, byline)
    byline_lines = [m.start() for m in _BYLINE.finditer(text) if m.group("unit") or m.group("author")]
    for m in _BYLINE.finditer(text):
        prev = _previous_line(text, m.start())
        if prev and any(prev[0] - 1 <= b < prev[1] for b in byline_lines):
            continue  # 来源：… then 作者：…: one byline on two lines
        byline = re.split(r"\s{2,}|\u3000|发布时间|时间[:：]|日期[:：]|【", (m.group("unit") or m.group("author") or m.group("name")).strip())[0].strip()
        if m.group("name") and not (prev and _looks_like_title(text[prev[0]:prev[1]]) and _person_line(byline)):
            continue  # a bare line of names counts only right under a title
        if prev and len(text[prev[0]:prev[1]].strip()) <= 80:
            starts[prev[0]] = (_clean_title(text[prev[0]:prev[1]]), byline)
        else:
            starts.setdefault(m.start(), ("", byline))
    for m in _TITLE_HEADING.finditer(text):
        if not any(abs(m.start() - s) < 3 for s in starts):
            starts[m.start()] = (_clean_title(m.group("title")), None)
    if not starts or min(starts) > 0:
        first = re.search(r"\S[^\n]*", text)
        if first is not None and (not starts or first.start() < min(starts)):
            line = first.group()
            starts[first.start()] = (_clean_title(line) if len(line) <= 80 else "", None)
    positions = sorted(starts)
    articles = []
    for i, start in enumerate(positions):
        end = positions[i + 1] if i + 1 < len(positions) else len(text)
        if not text[start:end].strip():
            continue
        title, byline = starts[start]
        ostart, oend = doc.to_original(start, end)
        articles.append(Article(title=title, byline=byline, year=_article_year(text[start:end]),
                                start=ostart, end=oend, norm_start=start, norm_end=end))
    if not articles:
        articles.append(Article(title="", byline=None, year=None, start=0, end=len(doc.text),
                                norm_start=0, norm_end=len(text)))
    return articles


@contextlib.contextmanager
def atomic_open(path, mode="w"):
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path``, on any
    error (or interruption) it is removed: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, mode, **({"encoding": "utf-8"} if "b" not in mode else {})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write(path, data, mode="w"):
    """Write ``data`` to ``path`` through a temporary file and a rename (see :func:`atomic_open`)."""
    with atomic_open(path, mode) as f:
        f.write(data)
