"""Vendored coastlines and the plane geometry the maps need.

``land.json`` holds Natural Earth's land polygons for Europe to East Asia, already
projected to Web Mercator in integer units (``scripts/build_map_data.py`` makes it; see
``README.md`` here). This module reads it and offers the few operations the maps use:
projecting a coordinate the same way, clipping a ring to a box and simplifying a line.
Pure Python and no Django, so the build script can share it.
"""

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LAND_FILE = Path(__file__).with_name("land.json")

type Point = tuple[float, float]
type Box = tuple[float, float, float, float]  # (min x, min y, max x, max y)


@dataclass(frozen=True)
class Ring:
    """One closed ring of a land polygon (an outline or a hole), with its bounding box."""

    points: tuple[tuple[int, int], ...]
    box: Box


@dataclass(frozen=True)
class Land:
    world_size: int
    extent: Box  # the projected area the file covers; there is no land data outside it
    rings: tuple[Ring, ...]

    def project(self, latitude: float, longitude: float) -> Point:
        return mercator(latitude, longitude, self.world_size)


@cache
def load_land() -> Land:
    """The vendored land rings, read once per process."""
    data = json.loads(LAND_FILE.read_text(encoding="utf-8"))
    rings = []
    for numbers in data["rings"]:
        x, y = numbers[0], numbers[1]
        points = [(x, y)]
        for index in range(2, len(numbers), 2):
            x, y = x + numbers[index], y + numbers[index + 1]
            points.append((x, y))
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        rings.append(Ring(tuple(points), (min(xs), min(ys), max(xs), max(ys))))
    west, south, east, north = data["extent_degrees"]
    min_x, max_y = mercator(south, west, data["world_size"])
    max_x, min_y = mercator(north, east, data["world_size"])
    return Land(data["world_size"], (min_x, min_y, max_x, max_y), tuple(rings))


# Web Mercator is undefined at the poles; it is cut where web maps cut it.
MAX_LATITUDE = 85.05


def mercator(latitude: float, longitude: float, world_size: float) -> Point:
    """Web Mercator with y pointing down, in units of a world ``world_size`` wide."""
    phi = math.radians(max(-MAX_LATITUDE, min(MAX_LATITUDE, latitude)))
    x = (longitude + 180) / 360 * world_size
    y = (math.pi - math.log(math.tan(math.pi / 4 + phi / 2))) / (2 * math.pi) * world_size
    return x, y


def latitude_at(y: float, world_size: float) -> float:
    """The inverse of :func:`mercator` for y: the latitude of a projected point."""
    return math.degrees(math.atan(math.sinh(math.pi - 2 * math.pi * y / world_size)))


def clip_ring(ring: list[Point], box: Box) -> list[Point]:
    """Sutherland–Hodgman: the part of a polygon ring inside an axis-aligned box.

    A concave ring may come back with zero-width bridges along the box's edges. They
    are invisible when filled, and the maps clip a little outside what they show.
    """
    min_x, min_y, max_x, max_y = box
    edges = [
        (lambda p: p[0] >= min_x, lambda a, b: _at_x(a, b, min_x)),
        (lambda p: p[0] <= max_x, lambda a, b: _at_x(a, b, max_x)),
        (lambda p: p[1] >= min_y, lambda a, b: _at_y(a, b, min_y)),
        (lambda p: p[1] <= max_y, lambda a, b: _at_y(a, b, max_y)),
    ]
    points = ring
    for inside, crossing in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    result.append(crossing(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(crossing(previous, point))
            previous = point
        points = result
    return points


def _at_x(a: Point, b: Point, x: float) -> Point:
    return x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])


def _at_y(a: Point, b: Point, y: float) -> Point:
    return a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y


def simplify[P: Point](
    points: list[P], tolerance: float, *, scale: Callable[[P], float] | None = None
) -> list[P]:
    """Douglas–Peucker, without recursion: drop points within ``tolerance`` of the line.

    ``scale`` turns a point's distance into the unit of ``tolerance`` where that unit
    varies across the ring (ground kilometres on a Mercator map). Both ends are kept.
    """
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        farthest, distance = first, 0.0
        for index in range(first + 1, last):
            px, py = points[index]
            if length:
                d = abs(dy * (px - ax) - dx * (py - ay)) / length
            else:
                d = math.hypot(px - ax, py - ay)
            if scale is not None:
                d *= scale(points[index])
            if d > distance:
                farthest, distance = index, d
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def dedupe[P: Point](points: list[P]) -> list[P]:
    """Drop repeated points, including a closing point equal to the first."""
    result = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(result) > 1 and result[0] == result[-1]:
        result.pop()
    return result


def ring_area(points: list[Point]) -> float:
    """The signed area of a closed ring (shoelace formula)."""
    return (
        sum(
            x1 * y2 - x2 * y1
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
        )
        / 2
    )
