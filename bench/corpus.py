"""A generated corpus for the benchmark: short reports (300–900 characters) on party-building and
rural revitalisation, written from templates with places from kg's gazetteer (province → city →
county → town → village), people, programs and industries from kg's lexicons, and years.

    python bench/corpus.py 1000 /tmp/corpus          # writes /tmp/corpus/00000.txt ...

The same ``n`` and ``seed`` always give the same files. :func:`mutate` rewrites a fraction of them
(for the incremental rebuild).
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "kg" / "data"

GIVEN = list("建国志强文华红梅海燕立新晓东明辉德明春花秀英国庆伟平丽娟永刚桂兰玉兰金凤")
ROLES = ["党支部书记", "党总支书记", "村委会主任", "第一书记", "驻村工作队队长", "镇党委书记", "县委书记", "合作社理事长"]
UNIVERSITIES = ["浙江大学", "中国农业大学", "南京农业大学", "华中农业大学", "西北农林科技大学", "四川农业大学",
                "云南农业大学", "海南大学", "福建农林大学", "山东农业大学"]
EVENTS = ["学习借鉴", "复制推广", "借鉴"]

TITLES = [
    "{county}{town}：{program}激活乡村治理",
    "{industry}串起致富链——{county}{program}见闻",
    "{village}的“{program}”之路",
    "党建引领{industry}产业振兴：来自{county}的报道",
    "{province}{county}探索{program}新路径",
]
BYLINES = ["■中共{county}委组织部", "来源：{city}日报", "作者：{author}", "本报记者 {author}", "{county}融媒体中心"]

PARAGRAPHS = [
    "{year}年，{province}{city}{county}在全县推行“{program}”，由{town}{village}党支部书记{person}牵头落实，"
    "把{industry}产业发展、环境整治、乡风文明等纳入统一管理，每季度公示一次。",
    "{town}党委牵头，联合{village}等{n}个村党组织和{m}家企业，成立{town}{industry}产业链党委，"
    "统一技术标准、统一品牌营销，带动{n2}户农户增收。",
    "{village}成立{village}{industry}专业合作社，与{university}签订合作协议，聘请专家担任技术顾问，"
    "每年开展田间培训{n}场，{year}年全村{industry}销售额突破{m}万元。",
    "“过去各家各户单打独斗，现在抱团闯市场，心里踏实多了。”{village}{role}{person}介绍，"
    "村集体经营性收入超过{m}万元，{n}名党员带头领办项目。",
    "{year2}年，{province2}{county2}学习借鉴{county}“{program}”经验，在全县{n}个村推广，"
    "由县委组织部统筹，镇村两级党组织抓落实。",
    "{county}的做法很快被周边借鉴。{year2}年，{county2}{event}{county}“{program}”经验，"
    "围绕{industry2}组建产业党建联盟，目前已吸纳企业、合作社{n}余家。",
    "为解决人才短缺难题，{county}选派{n}名科技特派员下沉到{industry}专业村，{university}教授{person2}"
    "担任{village}科技特派员，每月在村里住满{d}天。",
    "{town}{village}党总支书记{person}表示，推行“{program}”以来，村民参与村务的积极性明显提高，"
    "{year}年共收集意见建议{m}条，办结率达到{pct}%。",
    "目前，{county}已建成{industry}基地{n}个，种植面积{m}亩，形成了从种植、加工到销售的完整产业链，"
    "{n2}名返乡青年加入合作社。",
    "{city}委组织部负责人表示，将在全市推广{county}“{program}”经验，{year2}年底前实现行政村全覆盖，"
    "并把{industry}产业纳入考核。",
]


def _load_places():
    places = {}
    for line in open(DATA / "places.jsonl", encoding="utf-8"):
        p = json.loads(line)
        places[p["code"]] = p
    towns = defaultdict(list)  # county code -> town names
    for line in open(DATA / "towns.tsv", encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        name, code = line.rstrip("\n").split("\t")[:2]
        towns[code].append(name)
    villages = defaultdict(list)  # (county code, town) -> village names
    with gzip.open(DATA / "villages.tsv.gz", "rt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3 and not line.startswith("#") and parts[0].endswith("村"):
                villages[(parts[2], parts[1])].append(parts[0])
    counties = []
    for p in places.values():
        if p["level"] != "county" or not towns.get(p["code"]):
            continue
        city = places.get(p["parent"] or "")
        province = places.get(city["parent"] or "") if city else None
        if city is None or province is None or city["level"] != "city":
            continue
        counties.append((province["name"], city["name"], p["name"], p["code"]))
    return sorted(counties), towns, villages


def _lexicon(name, key="name"):
    return [json.loads(line)[key] for line in open(DATA / name, encoding="utf-8") if line.strip()]


class Generator:
    def __init__(self, seed=0):
        self.rng = random.Random(seed)
        self.counties, self.towns, self.villages = _load_places()
        self.programs = [p for p in _lexicon("programs.jsonl") if len(p) >= 3]
        self.industries = [i for i in _lexicon("industries.jsonl") if len(i) >= 2]
        surnames = (DATA / "surnames.txt").read_text(encoding="utf-8").split("\n")
        self.surnames = [s for line in surnames if not line.startswith("#") for s in line.split()]

    def _person(self):
        r = self.rng
        return r.choice(self.surnames[:100]) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))

    def _place(self):
        r = self.rng
        province, city, county, code = r.choice(self.counties)
        town = r.choice(self.towns[code])
        villages = self.villages.get((code, town)) or [town[:2] + "村"]
        return province, city, county, town, r.choice(villages)

    def article(self, i):
        r = self.rng
        province, city, county, town, village = self._place()
        province2, _, county2, _, _ = self._place()
        year = r.randint(2012, 2022)
        slots = dict(province=province, city=city, county=county, town=town, village=village,
                     province2=province2, county2=county2, year=year, year2=year + r.randint(1, 3),
                     program=r.choice(self.programs), industry=r.choice(self.industries),
                     industry2=r.choice(self.industries), person=self._person(), person2=self._person(),
                     author=self._person(), role=r.choice(ROLES), university=r.choice(UNIVERSITIES),
                     event=r.choice(EVENTS))
        target = r.randint(300, 900)
        head = r.choice(TITLES).format(**slots) + "\n" + r.choice(BYLINES).format(**slots) + "\n\n"
        paras = list(PARAGRAPHS)
        r.shuffle(paras)
        body, text = [], head
        for p in paras * 3:
            para = p.format(n=r.randint(3, 60), n2=r.randint(100, 3000), m=r.randint(10, 900),
                            pct=r.randint(80, 99), d=r.randint(5, 20), **slots)
            if len(text) + len(para) + 2 > 900 and len(text) >= 300:
                break
            body.append(para)
            text = head + "\n\n".join(body) + "\n"
            if len(text) >= target:
                break
        return text


def generate(n, out, seed=0):
    """Write ``n`` articles to folder ``out`` (``00000.txt`` ...); returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed)
    paths = []
    for i in range(n):
        path = out / f"{i:05d}.txt"
        path.write_text(gen.article(i), encoding="utf-8")
        paths.append(path)
    return paths


def mutate(paths, fraction=0.01, seed=1):
    """Rewrite ``fraction`` of ``paths`` with new articles; returns the paths changed."""
    gen = Generator(seed)
    rng = random.Random(seed)
    chosen = sorted(rng.sample(list(paths), max(1, round(len(paths) * fraction))))
    for i, path in enumerate(chosen):
        Path(path).write_text(gen.article(i), encoding="utf-8")
    return chosen


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    paths = generate(args.n, args.out, args.seed)
    chars = sum(len(p.read_text(encoding="utf-8")) for p in paths)
    print(f"{len(paths)} articles, {chars} characters → {args.out}")


if __name__ == "__main__":
    main()
