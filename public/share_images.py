"""Share images: what a link preview shows (``og:image``) of a page without a photo.

A page with a published photo shares that photo (``structured_data.py``). Every other
page shares a picture of its map: a 1200 × 630 PNG, the size link previews (WeChat,
Facebook, LinkedIn, Slack …) crop to least, of the same land, places and links its SVG
map shows (``maps.py``), drawn here with Pillow. Without a map of its own a page shares
the map of what it lists (the partnerships), and a page about nothing on a map (search)
the whole land the site's maps cover.

**No text in the picture.** A preview shows the page's title and description beside
it, in the page's language; a picture without words is the same in every language, so
it is drawn once for all three (and needs no Chinese font on the server). What the
picture shows is said in ``og:image:alt``, in the page's language.

**Drawn once, named by what it shows.** The file's name is a hash of what is drawn
(the frame, each marker's position and colour, the links, the coastline data and
``VERSION``), so the same map on another page, language or process finds the same
file, a changed map gets a new name (a preview cached by a partner site never shows
stale pixels), and the name may be cached forever. A render checks that the file
exists (one ``stat``; on object storage a shared-cache entry, as for photo
renditions) and draws it only when it does not: about 0.1 s, once. Files go through
the storage API and are written atomically (``images.store_atomically``), as
renditions are. Pages without a photo cost no query more: the places come from what
the page fetched already.
"""

import functools
import hashlib
import io
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.storage import Storage, default_storage
from PIL import Image, ImageDraw

from programmes.models import Mission, Organisation, Outcome, Partnership, Region
from programmes.models.images import (
    STORED_KEY,
    STORED_SECONDS,
    is_stored,
    local_path,
    store_atomically,
)

from . import maps
from .geodata import LAND_FILE, load_land

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
# Bump when the drawing changes: every picture gets a new name, so none is served stale.
VERSION = 1
DIRECTORY = "share"
# Drawn at this multiple and scaled down: smooth coastlines and circles from ImageDraw,
# which does not anti-alias.
SUPERSAMPLE = 2
LAYOUT = maps.Layout(
    width=WIDTH,
    height=HEIGHT,
    padding_x=150,
    padding_y=100,
    min_span_km=600,
    single_span_km=2000,
    marker_radius=16,
    font_size=0,  # no labels
    number_size=0,
)
# The map's colours (site.css: .map__sea, .map__land, .map__link, .map__place).
SEA = "#dce8f2"
LAND = "#f7f5ef"
COAST = "#8ea2b3"
BRAND = "#154273"
PRIMARY = "#b3261e"
PRIMARY_OUTLINE = "#0b0c0c"
MARKER_OUTLINE = "#ffffff"
CURVE_STEPS = 48


@dataclass(frozen=True)
class ShareMap:
    """What a share picture shows: places (the page's own in red) and links between them."""

    places: tuple[tuple[float, float, bool], ...]  # latitude, longitude, primary
    links: tuple[tuple[int, int], ...] = ()  # indexes into ``places``


@dataclass(frozen=True)
class ShareImage:
    url: str
    width: int
    height: int


@dataclass
class _Marker:
    """A place on the picture, in its pixels; ``number`` parts markers on one spot."""

    x: float
    y: float
    number: int
    primary: bool


# Which places each page shows. -----------------------------------------------------------


def region_map(region: Region) -> ShareMap:
    """The region and the places within it, as its page's map."""
    return _share_map([region, *maps.places_within(region)], primary={region.pk})


def partnerships_map(partnerships: Iterable[Partnership]) -> ShareMap:
    """Both ends of each partnership, joined (a partnership's page, the home page, lists)."""
    regions: list[Region] = []
    pairs = []
    for partnership in partnerships:
        for region in (partnership.home_region, partnership.partner_region):
            if region not in regions:
                regions.append(region)
        pairs.append((partnership.home_region, partnership.partner_region))
    return _share_map(regions, pairs=pairs)


def mission_map(mission: Mission) -> ShareMap:
    """Where the mission went, else the two ends of its partnership."""
    destinations = [r for r in mission.destinations.all() if _has_coordinates(r)]
    if destinations:
        return _share_map(destinations, primary={r.pk for r in destinations})
    return partnerships_map([mission.partnership])


def organisation_map(organisation: Organisation) -> ShareMap:
    region = organisation.region
    return _share_map([region] if region else [], primary={region.pk} if region else set())


def outcome_map(outcome: Outcome) -> ShareMap:
    return partnerships_map([outcome.partnership])


WHOLE_MAP = ShareMap(places=())


def _has_coordinates(region: Region | None) -> bool:
    return region is not None and region.latitude is not None and region.longitude is not None


def _share_map(
    regions: Sequence[Region],
    *,
    primary: set[int] = frozenset(),
    pairs: Sequence[tuple[Region, Region]] = (),
) -> ShareMap:
    """Only the places with coordinates, and only links whose two ends are on the map."""
    placed = [r for r in regions if _has_coordinates(r)]
    index = {region.pk: number for number, region in enumerate(placed)}
    links = tuple(
        (index[home.pk], index[partner.pk])
        for home, partner in pairs
        if home.pk in index and partner.pk in index and home.pk != partner.pk
    )
    return ShareMap(
        places=tuple((float(r.latitude), float(r.longitude), r.pk in primary) for r in placed),
        links=links,
    )


# Drawing and storing. --------------------------------------------------------------------


def share_image(share_map: ShareMap, storage: Storage | None = None) -> ShareImage | None:
    """The stored picture of ``share_map``, drawn and stored now if it is not there yet.

    ``None`` when it cannot be stored (the storage is down): the page then has no
    ``og:image`` rather than failing.
    """
    storage = storage or default_storage
    frame, markers = _layout(share_map)
    name = _name(frame, markers, share_map.links)
    try:
        if not is_stored(storage, name):
            store_atomically(storage, name, _draw(frame, markers, share_map.links))
            if local_path(storage, name) is None:
                # As is_stored() would after asking: the next render need not ask the bucket.
                cache.set(STORED_KEY + name, True, STORED_SECONDS)
        url = storage.url(name)
    except OSError:
        logger.warning("Cannot store the share image %s", name, exc_info=True)
        return None
    return ShareImage(url=url, width=WIDTH, height=HEIGHT)


def _layout(share_map: ShareMap) -> tuple[maps.Frame, list[_Marker]]:
    """The frame fitted to the places (the whole land without any), and their markers."""
    land = load_land()
    points = [land.project(latitude, longitude) for latitude, longitude, _ in share_map.places]
    frame = maps.fit_frame(points, LAYOUT) if points else _whole_land()
    markers = []
    for number, (point, place) in enumerate(zip(points, share_map.places, strict=True)):
        x, y = frame.to_view(point)
        markers.append(_Marker(x=x, y=y, number=number + 1, primary=place[2]))
    maps.spread(markers, LAYOUT.marker_radius)
    return frame, markers


@functools.cache
def _whole_land() -> maps.Frame:
    """The frame that shows all the land the coastline data covers, centred."""
    left, top, right, bottom = load_land().extent
    scale = min(WIDTH / (right - left), HEIGHT / (bottom - top))
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    return maps.Frame(
        left=centre_x - WIDTH / 2 / scale,
        top=centre_y - HEIGHT / 2 / scale,
        scale=scale,
        width=WIDTH,
        height=HEIGHT,
    )


@functools.cache
def _land_digest() -> str:
    return hashlib.sha256(LAND_FILE.read_bytes()).hexdigest()


def _name(frame: maps.Frame, markers: list[_Marker], links: Sequence[tuple[int, int]]) -> str:
    """``share/<hash>.png``: the hash of everything that decides the picture's pixels."""
    drawn = {
        "version": VERSION,
        "land": _land_digest(),
        "frame": [round(value, 6) for value in (frame.left, frame.top, frame.scale)],
        "size": [frame.width, frame.height],
        "markers": [[round(m.x, 2), round(m.y, 2), m.primary] for m in markers],
        "links": [list(link) for link in links],
    }
    digest = hashlib.sha256(json.dumps(drawn, sort_keys=True).encode()).hexdigest()
    return f"{DIRECTORY}/{digest[:32]}.png"


def _draw(frame: maps.Frame, markers: list[_Marker], links: Sequence[tuple[int, int]]) -> bytes:
    """The picture as PNG bytes: sea, land, the links as curves, then the markers."""
    k = SUPERSAMPLE
    image = Image.new("RGB", (WIDTH * k, HEIGHT * k), SEA)
    draw = ImageDraw.Draw(image)
    for ring in maps.land_rings(frame):
        draw.polygon([(x * k, y * k) for x, y in ring], fill=LAND, outline=COAST, width=k)
    for start, end in links:
        curve = _curve((markers[start].x, markers[start].y), (markers[end].x, markers[end].y))
        draw.line([(x * k, y * k) for x, y in curve], fill=BRAND, width=4 * k, joint="curve")
    radius = LAYOUT.marker_radius * k
    for marker in sorted(markers, key=lambda m: m.primary):  # the page's own on top
        x, y = marker.x * k, marker.y * k
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=PRIMARY if marker.primary else BRAND,
            outline=PRIMARY_OUTLINE if marker.primary else MARKER_OUTLINE,
            width=3 * k,
        )
    image = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _curve(start: tuple[float, float], end: tuple[float, float]) -> list[tuple[float, float]]:
    """The map's curve between two places (``maps.curve_control``) as a polyline."""
    control = maps.curve_control(start, end)
    if control is None:
        return [start, end]
    points = []
    for step in range(CURVE_STEPS + 1):
        t = step / CURVE_STEPS
        points.append(
            (
                (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t**2 * end[0],
                (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t**2 * end[1],
            )
        )
    return points
