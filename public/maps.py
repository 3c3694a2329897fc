"""Maps drawn on the server as inline SVG: a region and its cities, the two ends of a
partnership, all partnerships at once.

No tiles, no JavaScript, nothing from another origin: the coastlines are vendored
Natural Earth data (``geodata/``), places come from the regions' coordinates, and the
page gets a finished SVG plus a legend that is also the map's text alternative.

**Land and sea only, no borders.** The maps show where places lie, not whose territory
is where: drawing national borders in East Asia means taking sides in disputes that
the site's Chinese partners and visitors care about, and borders add nothing a label
does not say.

Everything here is computed in SVG user units so the template only writes numbers:
the frame is fitted to the places, the coastline is clipped and simplified to that
frame (cached per frame), and labels are placed beside their markers where they do
not collide; a place whose label does not fit keeps its number, which the legend
explains.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from django.utils.translation import gettext

from programmes.models import Cluster, Partnership, Region

from .geodata import clip_ring, dedupe, latitude_at, load_land, ring_area, simplify
from .svg import number, text_width
from .templatetags.public_site import TranslatedText, translated

EARTH_CIRCUMFERENCE_KM = 40_075

type Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Layout:
    """The size of one kind of map and of what is drawn on it, in SVG user units."""

    width: int
    height: int
    padding_x: float  # room around the outermost places, for their labels
    padding_y: float
    min_span_km: float  # the least ground distance shown across, with several places
    single_span_km: float  # … and with one place, enough to recognise the coast around it
    marker_radius: float
    font_size: float  # of the places' names
    number_size: float  # of the numbers in the markers


# A region's map is fitted to its cities; about 480 CSS pixels wide on a desktop and the
# full column on a phone, so the labels stay readable at both.
REGION_LAYOUT = Layout(480, 360, 70, 36, 300, 1200, 11, 15, 12)
# Partnerships join places on two continents: a wide map, shown smaller on a phone.
WIDE_LAYOUT = Layout(640, 320, 70, 40, 1500, 1500, 14, 19, 16)


@dataclass(frozen=True)
class Frame:
    """Which part of the projected world a map shows, and at what scale."""

    left: float
    top: float
    scale: float  # SVG units per projected unit
    width: int
    height: int

    def to_view(self, point: tuple[float, float]) -> tuple[float, float]:
        return (point[0] - self.left) * self.scale, (point[1] - self.top) * self.scale


@dataclass(frozen=True)
class Label:
    x: str
    y: str
    anchor: str  # SVG text-anchor: start, middle or end


@dataclass
class Place:
    region: Region
    number: int
    name: TranslatedText
    x: float
    y: float
    primary: bool = False
    clusters: list[Cluster] = field(default_factory=list)
    label: Label | None = None

    @property
    def cx(self) -> str:
        return number(self.x)

    @property
    def cy(self) -> str:
        return number(self.y)


@dataclass(frozen=True)
class Connection:
    partnership: Partnership
    home: Place | None
    partner: Place | None
    path: str  # the curve between both ends; "" when one end is not on the map


@dataclass(frozen=True)
class MapFigure:
    kind: str  # "region", "partnership" or "overview": which legend the template shows
    title: str  # the accessible name of the SVG
    width: int
    height: int
    land: str  # the SVG path of the coastlines
    places: list[Place]
    connections: list[Connection]
    marker_radius: float
    font_size: float
    number_size: float

    @property
    def numbered(self) -> bool:
        """Markers carry numbers explained by a list, unless the map shows just its subject."""
        return not (len(self.places) == 1 and self.places[0].primary)

    @property
    def element_id(self) -> str:
        return f"map-{self.kind}"


def places_within(region: Region) -> list[Region]:
    """The places a region's page shows inside it: its children, and for a province or
    city also their children (Zhejiang, its city Ningbo and Ningbo's district Zhenhai).
    A country stops at its provinces and cities: all their cities would crowd its map.

    Uses what ``Region.objects.for_detail_page()`` prefetched: no queries.
    """
    if region.kind == Region.Kind.COUNTRY:
        return list(region.children.all())
    return [place for child in region.children.all() for place in [child, *child.children.all()]]


def region_map(region: Region) -> MapFigure | None:
    """The region (if it has coordinates) and the places within it that have them."""
    regions = [r for r in [region, *places_within(region)] if _has_coordinates(r)]
    if not regions:
        return None
    name = translated(region, "name")
    if regions == [region]:
        title = gettext("Map: where %(region)s lies.") % {"region": name}
    else:
        title = gettext(
            "Map of %(region)s and the places in it, numbered as in the list that follows."
        ) % {"region": name}
    return _draw(
        "region",
        title,
        regions,
        REGION_LAYOUT,
        primary=region,
        connections=[],
    )


def partnership_map(partnership: Partnership) -> MapFigure | None:
    """Both ends of a partnership, joined by a curve."""
    return _partnerships_map(
        "partnership",
        gettext("Map of %(home)s and %(partner)s, the two ends of this partnership.")
        % {
            "home": translated(partnership.home_region, "name"),
            "partner": translated(partnership.partner_region, "name"),
        },
        [partnership],
    )


def overview_map(partnerships: Iterable[Partnership]) -> MapFigure | None:
    """Every partnership's two ends, for the home page."""
    return _partnerships_map(
        "overview",
        gettext(
            "Map of the partnerships: the places they join, numbered as in the list that follows."
        ),
        partnerships,
    )


def _partnerships_map(
    kind: str, title: str, partnerships: Iterable[Partnership]
) -> MapFigure | None:
    partnerships = list(partnerships)
    regions: dict[int, Region] = {}
    for partnership in partnerships:
        for region in (partnership.home_region, partnership.partner_region):
            if _has_coordinates(region):
                regions.setdefault(region.pk, region)
    if not regions:
        return None
    return _draw(kind, title, list(regions.values()), WIDE_LAYOUT, connections=partnerships)


def _has_coordinates(region: Region) -> bool:
    return region.latitude is not None and region.longitude is not None


def _draw(
    kind: str,
    title: str,
    regions: list[Region],
    layout: Layout,
    *,
    connections: list[Partnership],
    primary: Region | None = None,
) -> MapFigure:
    land = load_land()
    world = [land.project(float(r.latitude), float(r.longitude)) for r in regions]
    frame = _fit(world, layout)
    places = []
    for index, (region, point) in enumerate(zip(regions, world, strict=True), start=1):
        x, y = frame.to_view(point)
        places.append(
            Place(
                region=region,
                number=index,
                name=translated(region, "name"),
                x=x,
                y=y,
                primary=region == primary,
                clusters=list(region.clusters.all()) if kind == "region" else [],
            )
        )
    _spread(places, layout.marker_radius)
    _place_labels(places, layout)
    by_region = {place.region.pk: place for place in places}
    return MapFigure(
        kind=kind,
        title=title,
        width=layout.width,
        height=layout.height,
        land=land_path(frame),
        places=places,
        connections=[
            _connection(p, by_region.get(p.home_region_id), by_region.get(p.partner_region_id))
            for p in connections
        ],
        marker_radius=layout.marker_radius,
        font_size=layout.font_size,
        number_size=layout.number_size,
    )


def _fit(points: list[tuple[float, float]], layout: Layout) -> Frame:
    """The frame that shows all points with room around them, at least the minimum span."""
    land = load_land()
    xs, ys = [x for x, _y in points], [y for _x, y in points]
    centre_x, centre_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    latitude = latitude_at(centre_y, land.world_size)
    km_per_unit = EARTH_CIRCUMFERENCE_KM / land.world_size * math.cos(math.radians(latitude))
    span_km = layout.single_span_km if len(points) == 1 else layout.min_span_km
    scales = [layout.width / (span_km / km_per_unit)]
    if max(xs) > min(xs):
        scales.append((layout.width - 2 * layout.padding_x) / (max(xs) - min(xs)))
    if max(ys) > min(ys):
        scales.append((layout.height - 2 * layout.padding_y) / (max(ys) - min(ys)))
    scale = min(scales)
    margin = layout.marker_radius * 2 / scale
    left = _shift_inside(
        centre_x - layout.width / 2 / scale,
        layout.width / scale,
        (land.extent[0], land.extent[2]),
        (min(xs) - margin, max(xs) + margin),
    )
    top = _shift_inside(
        centre_y - layout.height / 2 / scale,
        layout.height / scale,
        (land.extent[1], land.extent[3]),
        (min(ys) - margin, max(ys) + margin),
    )
    return Frame(left=left, top=top, scale=scale, width=layout.width, height=layout.height)


def _shift_inside(
    start: float, size: float, data: tuple[float, float], keep: tuple[float, float]
) -> float:
    """Move a frame's edge so it shows no area beyond the coastline data (an empty sea
    would suggest there is no land), as far as the places stay in view (``keep``)."""
    if start < data[0]:
        return min(data[0], keep[0])
    if start + size > data[1]:
        return max(data[1] - size, keep[1] - size)
    return start


# Drawn coastlines keep detail down to this many SVG units; smaller islets are left out.
_TOLERANCE = 0.7
_MIN_AREA = 2.0
# The coastline is clipped this far outside the visible area, so the clip's edges never show.
_OVERDRAW = 4


@lru_cache(maxsize=256)
def land_path(frame: Frame) -> str:
    """The land inside ``frame`` as one SVG path in integer SVG units, cached per frame."""
    margin = _OVERDRAW / frame.scale
    box = (
        frame.left - margin,
        frame.top - margin,
        frame.left + frame.width / frame.scale + margin,
        frame.top + frame.height / frame.scale + margin,
    )
    min_box_area = _MIN_AREA / frame.scale**2
    parts = []
    for ring in load_land().rings:
        left, top, right, bottom = ring.box
        if not _overlaps(ring.box, box) or (right - left) * (bottom - top) < min_box_area:
            continue
        points = _thin(list(ring.points), _TOLERANCE / frame.scale)
        if not _inside(ring.box, box):
            points = clip_ring(points, box)
        if len(points) < 3:
            continue
        view = [frame.to_view(point) for point in points]
        view = simplify([*view, view[0]], _TOLERANCE)[:-1]
        rounded = dedupe([(round(x), round(y)) for x, y in view])
        if len(rounded) >= 3 and abs(ring_area(rounded)) >= _MIN_AREA:
            parts.append(_path_data(rounded))
    return "".join(parts)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _inside(a: Box, b: Box) -> bool:
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


def _thin(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Drop points closer than ``tolerance`` to the last one kept: a cheap first pass, so
    clipping and Douglas–Peucker see few points when a continent is drawn small."""
    if not points:
        return points
    kept = [points[0]]
    for x, y in points[1:]:
        last_x, last_y = kept[-1]
        if abs(x - last_x) > tolerance or abs(y - last_y) > tolerance:
            kept.append((x, y))
    return kept


def _path_data(points: list[tuple[int, int]]) -> str:
    """``M x y`` then relative steps, the shortest way to write a ring: "M10 20l3-2 4 5z"."""
    parts = [f"M{points[0][0]} {points[0][1]}l"]
    first = True
    for (x0, y0), (x1, y1) in pairwise(points):
        for value in (x1 - x0, y1 - y0):
            parts.append(f"{'' if first or value < 0 else ' '}{value}")
            first = False
    parts.append("z")
    return "".join(parts)


def _connection(partnership: Partnership, home: Place | None, partner: Place | None) -> Connection:
    """A curve bowed towards the north between both ends, like a great circle on this map."""
    if home is None or partner is None:
        return Connection(partnership, home, partner, "")
    dx, dy = partner.x - home.x, partner.y - home.y
    length = math.hypot(dx, dy)
    if length < 1:
        return Connection(partnership, home, partner, "")
    normal_x, normal_y = -dy / length, dx / length
    if normal_y > 0:
        normal_x, normal_y = -normal_x, -normal_y
    bow = length * 0.18
    control = (home.x + dx / 2 + normal_x * bow, home.y + dy / 2 + normal_y * bow)
    path = (
        f"M{number(home.x)} {number(home.y)}"
        f"Q{number(control[0])} {number(control[1])} {number(partner.x)} {number(partner.y)}"
    )
    return Connection(partnership, home, partner, path)


def _spread(places: list[Place], radius: float) -> None:
    """Push apart markers that would cover each other (Enschede and West Flanders on a
    map of Eurasia), each by as little as it takes: a marker may then sit up to its own
    size away from the spot it stands for, which is how printed maps do it too."""
    for _round in range(20):
        moved = False
        for index, place in enumerate(places):
            for other in places[index + 1 :]:
                dx, dy = other.x - place.x, other.y - place.y
                distance = math.hypot(dx, dy)
                overlap = 2 * radius + 1 - distance
                if overlap <= 0:
                    continue
                if distance < 0.01:  # the same spot: part them in a direction of their own
                    angle = other.number * 2.4  # the golden angle, in radians
                    dx, dy, distance = math.cos(angle), math.sin(angle), 1.0
                place.x -= dx / distance * overlap / 2
                place.y -= dy / distance * overlap / 2
                other.x += dx / distance * overlap / 2
                other.y += dy / distance * overlap / 2
                moved = True
        if not moved:
            return


# Where a label may go around its marker, in order of preference.
_POSITIONS = (
    "right",
    "left",
    "above",
    "below",
    "above-right",
    "below-right",
    "above-left",
    "below-left",
)


def _place_labels(places: list[Place], layout: Layout) -> None:
    """Give each place a label beside its marker where it fits without covering another
    marker or label; the page's own region first, then in the legend's order."""
    radius, size = layout.marker_radius, layout.font_size
    bounds = (2, 2, layout.width - 2, layout.height - 2)
    labels: list[Box] = []
    for place in sorted(places, key=lambda p: (not p.primary, p.number)):
        width = text_width(place.name, size, bold=True)
        others = [p for p in places if p is not place]
        for position in _POSITIONS:
            label, box = _candidate(place, position, width, radius, size)
            if (
                _inside(box, bounds)
                and not any(_overlaps(box, other) for other in labels)
                and not any(_covers(box, (p.x, p.y), radius + 1) for p in others)
            ):
                place.label = label
                labels.append(box)
                break


def _covers(box: Box, centre: tuple[float, float], radius: float) -> bool:
    """Whether ``box`` overlaps the circle at ``centre``: its nearest point lies within it."""
    nearest_x = min(max(centre[0], box[0]), box[2])
    nearest_y = min(max(centre[1], box[1]), box[3])
    return math.hypot(nearest_x - centre[0], nearest_y - centre[1]) < radius


def _candidate(
    place: Place, position: str, width: float, radius: float, size: float
) -> tuple[Label, Box]:
    """The label at ``position`` around ``place``, and the box its text covers."""
    gap = 3
    ascent, descent = 0.8 * size, 0.25 * size
    diagonal = radius * 0.85  # just clear of the marker's circle
    x, y = place.x, place.y
    if position == "right":
        left, baseline = x + radius + gap, y + 0.3 * size
    elif position == "left":
        left, baseline = x - radius - gap - width, y + 0.3 * size
    elif position == "above":
        left, baseline = x - width / 2, y - radius - gap - descent
    elif position == "below":
        left, baseline = x - width / 2, y + radius + gap + ascent
    else:
        vertical, horizontal = position.split("-")
        baseline = y - diagonal - descent if vertical == "above" else y + diagonal + ascent
        left = x + diagonal if horizontal == "right" else x - diagonal - width
    anchor = {"right": "start", "left": "end", "above": "middle", "below": "middle"}.get(
        position, "start" if position.endswith("right") else "end"
    )
    anchor_x = {"start": left, "middle": left + width / 2, "end": left + width}[anchor]
    box = (left, baseline - ascent, left + width, baseline + descent)
    return Label(number(anchor_x), number(baseline), anchor), box
