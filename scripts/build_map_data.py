"""Rebuild ``public/geodata/land.json``, the coastlines the maps are drawn from.

The source is Natural Earth's 1:10m land polygons (public domain) as TopoJSON, from the
npm package ``world-atlas``. This script is needed only to change the vendored file, never
at run time::

    .venv/bin/python scripts/build_map_data.py            # runs `npm pack world-atlas@2.0.2`
    .venv/bin/python scripts/build_map_data.py --tarball world-atlas-2.0.2.tgz

It keeps the area the site needs (Europe to East Asia), projects it to Web Mercator in
integer units, simplifies it (Douglas–Peucker) and drops islets too small to see, so the
file stays small and the site does no trigonometry on coastlines at run time.
"""

import argparse
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from public.geodata import (  # noqa: E402  (the repository root is put on the path first)
    LAND_FILE,
    clip_ring,
    dedupe,
    latitude_at,
    mercator,
    ring_area,
    simplify,
)

PACKAGE = "world-atlas@2.0.2"
MEMBER = "package/land-10m.json"

# The area kept, in degrees: from Iceland and Portugal to Japan, from southern Vietnam to
# the North Cape.
WEST, SOUTH, EAST, NORTH = -25.0, 8.0, 150.0, 72.0
# One world-width in integer units: 2**18, about 150 m at the equator per unit.
WORLD_SIZE = 2**18
KM_PER_UNIT_AT_EQUATOR = 40_075 / WORLD_SIZE
# Points closer than this to the simplified line, on the ground, are dropped: under two
# pixels at the largest zoom the site draws (300 km across a map 480 pixels wide). With
# islets under 2 km² left out, this keeps the file under 300 KB.
TOLERANCE_KM = 1.0
MIN_AREA_KM2 = 2.0

type Point = tuple[float, float]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tarball", type=Path, help=f"the npm tarball of {PACKAGE}")
    args = parser.parse_args()
    topology = _load_topology(args.tarball)
    rings = [ring for degrees in _rings(topology) if (ring := _prepare(degrees)) is not None]
    _write(rings)
    points = sum(len(ring) for ring in rings)
    print(f"{LAND_FILE}: {len(rings)} rings, {points} points, {LAND_FILE.stat().st_size} bytes")


def _load_topology(tarball: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        if tarball is None:
            name = subprocess.run(
                ["npm", "pack", PACKAGE, "--pack-destination", tmp, "--silent"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            tarball = Path(tmp) / name
        with tarfile.open(tarball) as archive:
            return json.load(archive.extractfile(MEMBER))


def _rings(topology: dict) -> list[list[Point]]:
    """Every ring (outline or hole) of the land polygons, as (longitude, latitude)."""
    scale_x, scale_y = topology["transform"]["scale"]
    move_x, move_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        arcs.append(points)

    def ring(indices: list[int]) -> list[Point]:
        points: list[Point] = []
        for index in indices:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc[1:] if points else arc)
        return points

    rings = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings += [ring(indices) for polygon in polygons for indices in polygon]
    return rings


def _prepare(ring: list[Point]) -> list[tuple[int, int]] | None:
    """Clip a ring to the area kept, project, quantise and simplify it; None if nothing is left."""
    clipped = clip_ring(_unwrap(ring), (WEST, SOUTH, EAST, NORTH))
    if len(clipped) < 3:
        return None
    projected = dedupe([_project(lon, lat) for lon, lat in clipped])
    simplified = dedupe(simplify(projected, TOLERANCE_KM, scale=_km_per_unit))
    if len(simplified) < 3:
        return None
    mid_y = sum(y for _x, y in simplified) / len(simplified)
    if abs(ring_area(simplified)) * _km_per_unit((0, mid_y)) ** 2 < MIN_AREA_KM2:
        return None
    return simplified


def _unwrap(ring: list[Point]) -> list[Point]:
    """Make longitudes continuous where a ring crosses the antimeridian (Chukotka).

    Natural Earth jumps from 180 to -180 there; clipped as it is, that jump would become
    two lines straight across the map, 65° and 69° north.
    """
    result = [ring[0]]
    offset = 0.0
    for (previous, _lat), (longitude, latitude) in pairwise(ring):
        if longitude - previous > 180:
            offset -= 360
        elif previous - longitude > 180:
            offset += 360
        result.append((longitude + offset, latitude))
    # A ring that starts on the far side of the antimeridian ends up a world too far west.
    shift = 360 * math.ceil((-180 - min(lon for lon, _lat in result)) / 360)
    return [(longitude + shift, latitude) for longitude, latitude in result]


def _project(longitude: float, latitude: float) -> tuple[int, int]:
    x, y = mercator(latitude, longitude, WORLD_SIZE)
    return round(x), round(y)


def _km_per_unit(point: tuple[int, int]) -> float:
    """Ground kilometres per projected unit where ``point`` lies (Mercator stretches north)."""
    return KM_PER_UNIT_AT_EQUATOR * math.cos(math.radians(latitude_at(point[1], WORLD_SIZE)))


def _write(rings: list[list[tuple[int, int]]]) -> None:
    """One ring per line (first point absolute, then steps) so a rebuild diffs readably."""
    lines = []
    for ring in rings:
        numbers = list(ring[0])
        for (x0, y0), (x1, y1) in pairwise(ring):
            numbers += [x1 - x0, y1 - y0]
        lines.append(json.dumps(numbers, separators=(",", ":")))
    header = {
        "source": f"Natural Earth 1:10m land (public domain), npm {PACKAGE}, {MEMBER}",
        "made_by": "scripts/build_map_data.py",
        "projection": "Web Mercator, y down, x = (longitude + 180) / 360 * world_size",
        "world_size": WORLD_SIZE,
        "extent_degrees": [WEST, SOUTH, EAST, NORTH],
        "tolerance_km": TOLERANCE_KM,
        "min_area_km2": MIN_AREA_KM2,
    }
    fields = ",\n".join(
        f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in header.items()
    )
    rings_json = ",\n".join(lines)
    LAND_FILE.write_text(f'{{\n{fields},\n "rings": [\n{rings_json}\n]}}\n', encoding="utf-8")


if __name__ == "__main__":
    main()
