"""Build kg's place gazetteer from jionlp's china_location data (and cpca's county coordinates).

Run once by a developer when the upstream data changes; the outputs are committed:

    python scripts/build_gazetteer.py

writes ``kg/data/places.jsonl`` (provinces, prefectures and counties: code, name, short form,
level, parent code, province, longitude/latitude where cpca has them) and ``kg/data/towns.tsv``
(township-level names with the code of their county) and ``kg/data/villages.tsv.gz`` (village and
community names with their township and county code). jionlp (Apache-2.0) and cpca (MIT) are
needed only here, not at run time.
"""
import csv
import gzip
import io
import json
import os
import sys
import zipfile
import contextlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "kg" / "data"


def _jionlp_location_text():
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        import jionlp
    path = Path(jionlp.__file__).parent / "dictionary" / "china_location.zip"
    with zipfile.ZipFile(path) as zf:
        return zf.read("china_location.txt").decode("utf-8")


def _cpca_coordinates():
    try:
        import cpca
    except ImportError:
        print("cpca not installed: places get no coordinates", file=sys.stderr)
        return {}
    path = Path(cpca.__file__).parent / "resources" / "adcodes.csv"
    coords = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["longitude"] and row["latitude"]:
                coords[row["adcode"][:6]] = (float(row["longitude"]), float(row["latitude"]))
    return coords


def build():
    text = _jionlp_location_text()
    coords = _cpca_coordinates()
    places, towns, villages = [], [], []
    town = None
    province = city = county = None
    for line in text.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        fields = line.strip().split("\t")
        if not fields[0]:
            continue
        if depth == 0 and len(fields) == 3:
            name, code, short = fields
            province = dict(code=code, name=name, short=short, level="province", parent=None, province=name)
            places.append(province)
            city = None
        elif depth == 1 and len(fields) == 3:
            name, code, short = fields
            if code == province["code"] or "直辖" in name:  # 直辖市, 省直辖县级行政区划: no real city level
                city = province
                continue
            shorts = [s for s in short.split("/") if s]
            city = dict(code=code, name=name, short=shorts[0] if shorts else name, level="city",
                        parent=province["code"], province=province["name"])
            places.append(city)
        elif depth == 2 and len(fields) == 3:
            name, code, short = fields
            if code == city["code"]:  # cities without counties (东莞市, 儋州市) repeat themselves
                county = city
                continue
            county = dict(code=code, name=name, short=short, level="county",
                          parent=city["code"], province=province["name"])
            places.append(county)
        elif depth == 3:
            town = fields[0]
            towns.append((town, county["code"]))
        elif depth == 4:
            villages.append((fields[0], town, county["code"]))
    for place in places:
        lonlat = coords.get(place["code"])
        if lonlat:
            place["lon"], place["lat"] = lonlat
    return places, towns, villages


def main():
    places, towns, villages = build()
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "places.jsonl", "w", encoding="utf-8") as f:
        for place in places:
            f.write(json.dumps(place, ensure_ascii=False) + "\n")
    with open(OUT / "towns.tsv", "w", encoding="utf-8") as f:
        f.write("# township-level divisions: name<TAB>county code. Source: see SOURCES.md\n")
        for name, code in sorted(set(towns), key=lambda t: (t[1], t[0])):
            f.write(f"{name}\t{code}\n")
    with gzip.open(OUT / "villages.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        # sorted by name: kg reads the file without parsing it (kg.gazetteer.Villages)
        for name, town, code in sorted(set(villages), key=lambda v: (v[0], v[2], v[1])):
            f.write(f"{name}\t{town}\t{code}\n")
    print(f"{len(places)} places, {len(towns)} towns, {len(villages)} villages", file=sys.stderr)


if __name__ == "__main__":
    main()
