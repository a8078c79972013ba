"""The reader: encodings, Traditional text, PDF line breaks, article splitting, bad input."""
import pytest

from kg.io import InputError, decode, list_corpus, read_file, read_text

TEXT = ("海南省琼中黎族苗族自治县全面推行兼职委员制。琼中县在全县13个社区推行“红色物业”，"
        "由县委组织部牵头，社区党组织书记担任召集人，定期召开联席会议研究解决群众关心的问题。")
TRAD = ("海南省瓊中黎族苗族自治縣全面推行兼職委員制。瓊中縣在全縣13個社區推行「紅色物業」，"
        "由縣委組織部牽頭，社區黨組織書記擔任召集人，定期召開聯席會議研究解決群眾關心的問題。")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk"])
def test_reads_each_encoding(tmp_path, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes(TEXT.encode(encoding))
    doc = read_file(path)
    assert doc.text == TEXT
    assert doc.norm.startswith("海南省琼中黎族苗族自治县")


def test_reads_big5_traditional_and_maps_offsets_to_original(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(TRAD.encode("big5"))
    doc = read_file(path)
    assert doc.text == TRAD
    assert "琼中县在全县13个社区推行" in doc.norm  # processed in Simplified form
    start = doc.norm.index("红色物业")
    assert doc.original(start, start + 4) == "紅色物業"


def test_traditional_extraction_points_into_original_text():
    from kg.extract import extract_text
    rec = extract_text(TRAD, name="t.txt")
    names = {e["name"] for e in rec["entities"]}
    assert "琼中黎族苗族自治县" in names and "红色物业" in names
    for ent in rec["entities"]:
        for m in ent["mentions"]:
            assert TRAD[m["start"]:m["end"]] == m["text"]


def test_rejoins_lines_broken_inside_a_sentence():
    raw = ("我们整合了海口农商行的金融资源，推出了便利的富农贷和花卉贷等项目，帮助花农解决后顾之忧，并建立了海口农商\n\n"
           "行联络站。\n\n## 强链 推动产业由弱变强\n\n下一段。")
    doc = read_text(raw)
    assert "海口农商行联络站" in doc.norm
    assert "\n\n## 强链" in doc.norm  # a heading is not joined
    i = doc.norm.index("农商行联络站")
    assert doc.original(i, i + 3) == "农商\n\n行"


def test_drops_page_numbers_and_web_navigation():
    raw = ("首页 > 新闻中心 > 基层动态\n\n某县推行积分制管理，取得良好成效，群众满意度明显提升\n\n— 12 —\n\n"
           "，村级事务公开透明。\n\n责任编辑：王五\n\n【打印】【关闭】\n")
    doc = read_text(raw)
    assert "首页" not in doc.norm and "责任编辑" not in doc.norm and "打印" not in doc.norm
    assert "提升，村级事务公开透明" in doc.norm.replace("\n", "")


def test_html_is_stripped_with_offsets_kept():
    raw = "<html><body><p>浙江省安吉县&nbsp;推行“积分制”。</p><script>alert(1)</script></body></html>"
    doc = read_text(raw, name="p.html")
    assert "alert" not in doc.norm and "<p>" not in doc.norm
    i = doc.norm.index("安吉县")
    assert doc.original(i, i + 3) == "安吉县"


def test_splits_a_file_into_articles_with_title_byline_and_year():
    raw = ("海南省海口市：做强链上党建\n\n■中共海口市委组织部\n\n2024年，海口市成立4个产业链党委。\n\n"
           "江苏省镇江市：党建引领基层治理\n\n■中共镇江市委社会工作部\n\n2023年，镇江市推行网格化管理。\n")
    doc = read_text(raw)
    assert [(a.title, a.byline, a.year) for a in doc.articles] == [
        ("海南省海口市：做强链上党建", "中共海口市委组织部", 2024),
        ("江苏省镇江市：党建引领基层治理", "中共镇江市委社会工作部", 2023)]
    second = doc.articles[1]
    assert raw[second.start:second.end].startswith("江苏省镇江市")


def test_seed_journal_issue_splits_into_many_articles():
    from conftest import SEEDS
    doc = read_file(SEEDS / "001_d92f204b041c1c56.txt")
    assert len(doc.articles) >= 5


@pytest.mark.parametrize("content,problem", [(b"", "empty file"), (b"  \n\t ", "empty file"),
                                             (bytes(range(256)) * 20, "binary")])
def test_bad_files_raise_one_line_errors(tmp_path, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_file(path)
    message = str(info.value)
    assert str(path) in message and problem in message and "\n" not in message


def test_missing_path_is_reported_not_raised(tmp_path):
    listed = list(list_corpus([tmp_path / "nope.txt"]))
    assert len(listed) == 1 and isinstance(listed[0][1], InputError)
    assert "no such file" in str(listed[0][1])


def test_folder_is_read_recursively(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.txt").write_text("内容", encoding="utf-8")
    (tmp_path / "a" / "y.md").write_text("内容", encoding="utf-8")
    (tmp_path / "a" / "z.png").write_bytes(b"\x89PNG")
    names = sorted(p.name for p, _ in list_corpus([tmp_path]))
    assert names == ["x.txt", "y.md"]


def test_decode_rejects_invalid_utf16_bom():
    with pytest.raises(InputError):
        decode(b"\xff\xfe\x00\xd8", "x.txt")


WRAPPED = """调研报告：茶叶产业链党建
  近年来，福建省宁德市福鼎市坚持党建引领，把白茶产业作为富民强村的主导产业，在点
头镇组建白茶产业链党委，由镇党委书记担任链长，联合12个村党支部和8家茶企抱团发展。
  （一）支部引领。各村党支部推行“支部+合作社+茶农”模式，党员带头改造低产茶园，
统一管理、统一收购，2023年全镇茶农人均增收3200元。
- 2 -
调研报告：茶叶产业链党建
一、主要成效
  全镇白茶种植面积达到3.6万亩，茶叶加工企业发展到46家，形成了种植、加工、销售、文
旅融合的全产业链。
"""


def test_hard_wrapped_lines_are_rejoined_and_running_headers_dropped():
    doc = read_text(WRAPPED, name="w.txt")
    assert "在点头镇组建白茶产业链党委" in doc.norm  # a name cut by the wrap is whole again
    assert "抱团发展。\n" in doc.norm  # a paragraph still ends its line
    assert "“支部+合作社+茶农”模式，党员带头改造低产茶园，统一管理" in doc.norm
    assert doc.norm.count("调研报告：茶叶产业链党建") == 1  # the title stays, the page header goes
    assert "\n一、主要成效\n" in doc.norm  # headings stay lines of their own
    assert "文旅融合" in doc.norm
    start = doc.norm.index("点头镇")
    assert doc.original(start, start + 3) == "点\n头镇"


def test_lists_of_short_lines_are_not_taken_for_wrapped_text():
    links = "\n".join(["福鼎市点头镇白茶产业链党委成立", "霞浦县海带产业党建联盟签约共建", "寿宁县下党乡推行积分制管理",
                       "柘荣县太子参产业链党委揭牌运行", "周宁县礼门乡推行红色物业试点", "屏南县四坪村文创团队入驻"])
    assert read_text(links, name="p.txt").norm.count("\n") == 5


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>平和：“蜜柚书记”带富一方_乡村振兴_平和新闻网</title></head><body>
<div class="top"><a href="/">首页</a> | <a href="/news">新闻中心</a> | <a href="/gov">平和县人民政府</a></div>
<ul class="nav"><li><a href="/a">福州市委组织部召开会议</a></li><li><a href="/b">厦门市思明区开展活动</a></li></ul>
<div class="main"><div class="article">
<h1>平和：“蜜柚书记”带富一方</h1>
<div class="info"><span>来源：平和县融媒体中心</span><br><span>作者：林晓峰</span><span>浏览次数：892</span></div>
<div class="body"><p>2021年，福建省漳州市平和县在全县推行“蜜柚书记”机制，由村党支部书记牵头组建蜜柚专业合作社。</p>
<p>坂仔镇心田村党支部书记黄志明说，合作社统一品牌、统一销售，蜜柚收购价每斤提高了三毛钱。</p>
<p>目前，全县已有86个村推行这一机制，带动果农增收。</p></div>
</div><div class="side"><h3>热点排行</h3><a href="/c">南靖县土楼旅游火爆</a><a href="/d">华安县推行积分制</a></div></div>
<div class="footer">友情链接：<a href="#">漳州新闻网</a> 版权所有 平和县融媒体中心</div></body></html>"""


def test_a_web_page_keeps_its_article_and_drops_menus_lists_and_footer():
    doc = read_text(PAGE, name="p.html", is_html=True)
    assert "推行“蜜柚书记”机制" in doc.norm and "坂仔镇心田村党支部书记黄志明说" in doc.norm
    for junk in ("新闻中心", "福州市委组织部", "热点排行", "南靖县", "华安县", "友情链接", "浏览次数", "平和新闻网"):
        assert junk not in doc.norm, junk
    assert [(a.title, a.byline) for a in doc.articles] == [("平和：“蜜柚书记”带富一方", "平和县融媒体中心")]
    from kg.extract import extract_document
    rec = extract_document(doc)
    assert "林晓峰" in {e["name"] for e in rec["entities"] if e["type"] == "Person"}  # 作者： on its own line
    for ent in rec["entities"]:
        for m in ent["mentions"]:
            assert PAGE[m["start"]:m["end"]] == m["text"]


COPIED_PAGE = """首页
新闻中心
本地要闻
乡镇动态
视频
南靖：土楼脚下的“红色议事厅”
来源：南靖县融媒体中心  发布时间：2023-05-06
2022年，福建省漳州市南靖县书洋镇在塔下村推行“红色议事厅”，村里的大事小情由党员和村民代表一起商量。
塔下村党支部书记张明辉说，议事厅开办以来，村民提出的68条建议已办结61条。
（作者：林晓峰）
热点排行
华安县仙都镇推行积分制管理
平和县坂仔镇蜜柚喜获丰收
长泰区岩溪镇举办党员培训班
"""


def test_a_copied_web_page_loses_its_menu_and_the_lists_after_the_article():
    norm = read_text(COPIED_PAGE, name="c.txt").norm
    assert "书洋镇在塔下村推行“红色议事厅”" in norm and "（作者：林晓峰）" in norm
    for junk in ("新闻中心", "乡镇动态", "热点排行", "华安县", "坂仔镇", "岩溪镇"):
        assert junk not in norm, junk
    assert "南靖：土楼脚下的“红色议事厅”" in norm  # the title stays


def test_quotation_marks_are_one_kind_for_the_rules_and_offsets_stay():
    text = "2020年，瓊中縣推行「紅色物業」。萧县学习借鉴砀山\"党建+电商\"模式,引入\"订单+托管\"。\n他说\"好"
    doc = read_text(text, name="q.txt")
    assert "推行“红色物业”" in doc.norm and "砀山“党建+电商”模式" in doc.norm and "“订单+托管”" in doc.norm
    assert doc.norm.endswith('他说"好')  # a line with an unpaired quote is left alone
    start = doc.norm.index("“红色物业”")
    assert doc.original(start, start + 6) == "「紅色物業」"


def test_ascii_punctuation_after_chinese_is_full_width_and_lists_keep_their_items():
    text = "2023年,县里推行\"订单+托管\".药农分散种植,技术靠经验;推动苹果,核桃, 花椒等产业.亩产1.5吨,共2,000户."
    doc = read_text(text, name="p.txt")
    assert "2023年，县里推行“订单+托管”。药农分散种植，技术靠经验；" in doc.norm
    assert "推动苹果、核桃、 花椒等产业。" in doc.norm and "亩产1.5吨，共2,000户。" in doc.norm
    assert len(doc.norm) == len(text)


def test_a_page_saved_as_txt_is_read_as_html(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("<html><body><nav>首页 | 要闻</nav><p>2021年，安吉县推行“积分制”。</p>"
                    "<script>var x=1;</script></body></html>", encoding="utf-8")
    doc = read_file(page)
    assert "<p>" not in doc.norm and "var x" not in doc.norm and "安吉县推行“积分制”" in doc.norm
