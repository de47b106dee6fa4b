#!/usr/bin/env python3
"""Builds dong.csv and meeting_places.csv of jangteo-geo from public source files.

Usage: python3 build.py SOURCES_DIR
SOURCES_DIR holds the four files named in SOURCES below, copied unchanged from the repositories
and commits README.md names; their SHA-256 is checked first, so the output is reproducible.
Standard library only.
"""

import csv
import hashlib
import io
import json
import math
import re
import sys
from pathlib import Path

SOURCES = {
    "submunicipalities": (
        "skorea-submunicipalities-2018-topo.json",
        "a93eb12b3eca379e225e7b5312a0b735145486c67bc887b244abccdcc7387b94",
    ),
    "municipalities": (
        "skorea-municipalities-2018-topo-simple.json",
        "f27afa0240e1a93f5befdc65ef9ea9e1d95584edf7173740391e8812a7896a9c",
    ),
    "provinces": (
        "skorea-provinces-2018-topo-simple.json",
        "af3999094b7ca9ef291d666a7ae6317454775c82a0ff5d3f470498b2265fbf6b",
    ),
    "stations": (
        "전국도시철도역사정보표준데이터.csv",
        "af7b507a724567cae902056a1fc2c2aef6ab695cfbceb0cbf86529e76627e29f",
    ),
}

EARTH_RADIUS_KM = 6371.0088
STATION_SOURCE = "data.go.kr/data/15013205"


def haversine_km(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def read_source(directory, key):
    name, digest = SOURCES[key]
    raw = (directory / name).read_bytes()
    actual = hashlib.sha256(raw).hexdigest()
    if actual != digest:
        sys.exit(f"{name}: sha256 {actual}, expected {digest}")
    return raw


def topology(raw):
    """The features of a TopoJSON file's only object, each as (properties, rings of (lng, lat))."""
    topo = json.loads(raw)
    (scale_x, scale_y) = topo["transform"]["scale"]
    (shift_x, shift_y) = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)

    def ring(indexes):
        points = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    (collection,) = topo["objects"].values()
    for geometry in collection["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        yield geometry["properties"], [[ring(r) for r in polygon] for polygon in polygons]


def centroid(polygons):
    """The area-weighted centroid (holes subtract), on a local equirectangular plane."""
    lat0 = math.radians(polygons[0][0][0][1])
    k = math.cos(lat0)
    total = cx = cy = 0.0
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
                cross = (x1 * k) * y2 - (x2 * k) * y1
                total += cross
                cx += (x1 * k + x2 * k) * cross
                cy += (y1 + y2) * cross
    if abs(total) < 1e-15:
        points = [p for polygon in polygons for ring in polygon for p in ring]
        return (sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points))
    return (cy / (3 * total), cx / (3 * total) / k)


def sigungu_name(name):
    # KOSTAT writes a city's district as one word ("수원시장안구"); Kakao and addresses write
    # "수원시 장안구".
    match = re.fullmatch(r"(.+?시)(.+구)", name)
    return f"{match.group(1)} {match.group(2)}" if match else name


def build_dongs(directory):
    provinces = {p["code"]: p["name"] for p, _ in topology(read_source(directory, "provinces"))}
    municipalities = {
        p["code"]: sigungu_name(p["name"]) for p, _ in topology(read_source(directory, "municipalities"))
    }
    rows = []
    for properties, polygons in topology(read_source(directory, "submunicipalities")):
        code = properties["code"]
        lat, lng = centroid(polygons)
        radius = max(
            haversine_km(lat, lng, plat, plng)
            for polygon in polygons
            for ring in polygon
            for plng, plat in ring
        )
        rows.append(
            {
                "adm_code": code,
                "sido": provinces[code[:2]],
                "sigungu": municipalities[code[:5]],
                "dong": properties["name"],
                "lat": f"{lat:.5f}",
                "lng": f"{lng:.5f}",
                "radius_km": f"{radius:.5f}",
            }
        )
    rows.sort(key=lambda row: row["adm_code"])
    return rows


def build_stations(directory):
    text = read_source(directory, "stations").decode("cp949")
    places = []
    for row in csv.DictReader(io.StringIO(text)):
        try:
            lat, lng = float(row["역위도"]), float(row["역경도"])
        except ValueError:
            continue
        if not (33.0 < lat < 39.0 and 124.0 < lng < 132.0):
            continue
        name = row["역사명"].strip()
        name = name if name.endswith("역") else f"{name}역"
        line = row["노선명"].strip()
        # One place per station: the same name within 500 m is a transfer between lines, whose
        # first listed entrance coordinates are kept.
        for place in places:
            if place["base"] == name and haversine_km(lat, lng, place["lat"], place["lng"]) < 0.5:
                if line not in place["lines"]:
                    place["lines"].append(line)
                break
        else:
            places.append({"base": name, "lat": lat, "lng": lng, "lines": [line]})
    return [
        {
            "kind": "subway_station",
            "name": f"{place['base']} ({' · '.join(place['lines'])})",
            "lat": f"{place['lat']:.5f}",
            "lng": f"{place['lng']:.5f}",
            "source": STATION_SOURCE,
        }
        for place in places
    ]


def write(path, fields, rows):
    # The crate splits lines on commas without a CSV parser: no field may hold a comma or quote.
    for row in rows:
        for value in row.values():
            if "," in value or '"' in value or "\n" in value:
                sys.exit(f"{path.name}: field {value!r} holds a comma, quote or line break")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    directory = Path(sys.argv[1])
    here = Path(__file__).resolve().parent
    dongs = build_dongs(directory)
    write(here / "dong.csv", ["adm_code", "sido", "sigungu", "dong", "lat", "lng", "radius_km"], dongs)
    stations = build_stations(directory)
    write(here / "meeting_places.csv", ["kind", "name", "lat", "lng", "source"], stations)
    print(f"dong.csv: {len(dongs)} rows; meeting_places.csv: {len(stations)} rows")


if __name__ == "__main__":
    main()
