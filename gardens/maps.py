"""The coverage map: municipality outlines drawn as server-side SVG, no tiles and no JavaScript.

The outlines come from data/reference/kommuner_2024_simplified.geojson (Kartverket, CC BY 4.0,
WGS84). Reading and projecting 0.6 MB of GeoJSON takes far longer than rendering a page, so the
projected paths are computed once per version of the file (keyed on its mtime) and kept in memory.
"""

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .models import Coverage, Garden

GEOJSON_PATH = Path(settings.BASE_DIR) / "data" / "reference" / "kommuner_2024_simplified.geojson"

# Equirectangular projection: a degree of longitude at ~63° N (the network's latitude) is
# cos(63°) of a degree of latitude, so scaling x by that keeps Trøndelag and Innlandet in shape.
SCALE = 100.0  # SVG units per degree of latitude
X_FACTOR = math.cos(math.radians(63.0))
LON_ORIGIN, LAT_ORIGIN = 4.0, 72.0  # west of Norway's west coast, north of its north cape
PRECISION = 1  # decimals; 0.1 unit is about 100 m, finer than the simplified outlines

# Okabe–Ito and Paul Tol colours: told apart by people with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#882255",
    "#56B4E9",
    "#D55E00",
    "#999933",
    "#44AA99",
    "#332288",
)

# How far beyond the covered municipalities the map reaches (share of the covered area's size),
# so that each garden is seen among its neighbours.
MARGIN = 0.12
ASPECT = 0.8  # width / height of the drawn area: Norway is tall, the page is not


@dataclass(frozen=True)
class Shape:
    """One municipality's outline, projected: an SVG path and its bounding box."""

    number: str
    name: str
    d: str
    bbox: tuple[float, float, float, float]  # min x, min y, max x, max y
    label_at: tuple[float, float]


@dataclass
class MapGarden:
    """A garden in the legend: its colour and the municipalities it covers today."""

    garden: Garden
    colour: str
    pattern_id: str
    coverages: list[Coverage] = field(default_factory=list)

    @property
    def has_inferred(self) -> bool:
        return any(c.is_inferred for c in self.coverages)


@dataclass
class MapArea:
    """A drawn municipality: its shape and, if covered, by which gardens."""

    shape: Shape
    gardens: list[MapGarden]
    inferred: bool
    href: str = ""
    name: str = ""  # the portal's name; the map file may give the Sami or Kven form first
    labelled: bool = False  # wide enough for its name to be written on it

    @property
    def fill(self) -> str:
        if not self.gardens:
            return ""
        first = self.gardens[0]
        return f"url(#{first.pattern_id})" if self.inferred else first.colour

    @property
    def title(self) -> str:
        names = ", ".join(g.garden.name for g in self.gardens)
        return f"{self.name or self.shape.name} – {names}" if names else self.shape.name


@dataclass
class CoverageMap:
    """Everything the map page draws."""

    view_box: str
    hatch_size: float
    label_size: float
    areas: list[MapArea]
    legend: list[MapGarden]
    not_drawn: list[Coverage]  # covered municipalities without an outline in the file

    @property
    def hatch_stripe(self) -> float:
        return round(self.hatch_size / 2, 2)

    @property
    def covered_areas(self) -> list[MapArea]:
        return [a for a in self.areas if a.gardens]

    @property
    def has_inferred(self) -> bool:
        return any(a.inferred for a in self.areas)


def _project(lon: float, lat: float) -> tuple[float, float]:
    return (
        round((lon - LON_ORIGIN) * X_FACTOR * SCALE, PRECISION),
        round((LAT_ORIGIN - lat) * SCALE, PRECISION),
    )


def _ring_path(ring: list) -> tuple[str, list[tuple[float, float]]]:
    points: list[tuple[float, float]] = []
    for lon, lat, *_ in ring:
        point = _project(lon, lat)
        if not points or point != points[-1]:  # rounding merges close points; draw each once
            points.append(point)
    if len(points) < 3:
        return "", points
    return "M" + " ".join(f"{x:g},{y:g}" for x, y in points) + "Z", points


def _area_centroid(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Area and centroid of a ring (shoelace); the bbox centre for degenerate rings."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-9:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return 0.0, (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


def _shape(feature: dict) -> Shape | None:
    properties = feature.get("properties") or {}
    geometry = feature.get("geometry") or {}
    number = str(properties.get("kommunenummer") or "")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    parts: list[str] = []
    all_points: list[tuple[float, float]] = []
    best = (-1.0, 0.0, 0.0)
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            d, points = _ring_path(ring)
            if not d:
                continue
            parts.append(d)
            all_points.extend(points)
            if index == 0:  # label inside the largest outer ring, not on an island
                candidate = _area_centroid(points)
                if candidate[0] > best[0]:
                    best = candidate
    if not number or not parts:
        return None
    xs, ys = [p[0] for p in all_points], [p[1] for p in all_points]
    return Shape(
        number=number,
        name=str(properties.get("name") or number),
        d="".join(parts),
        bbox=(min(xs), min(ys), max(xs), max(ys)),
        label_at=(round(best[1], 1), round(best[2], 1)),
    )


@functools.lru_cache(maxsize=2)
def _shapes_for(path: str, mtime_ns: int) -> dict[str, Shape]:
    """Projected shapes by municipality number; cached per file version (the mtime is the key)."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    shapes = (_shape(feature) for feature in data.get("features", []))
    return {shape.number: shape for shape in shapes if shape is not None}


def municipality_shapes(path: Path | None = None) -> dict[str, Shape]:
    """All municipality outlines, projected; empty if the file is missing or unreadable."""
    path = path or GEOJSON_PATH
    try:
        return _shapes_for(str(path), path.stat().st_mtime_ns)
    except (OSError, ValueError):
        return {}


def _view_box(shapes: list[Shape]) -> tuple[float, float, float, float]:
    min_x = min(s.bbox[0] for s in shapes)
    min_y = min(s.bbox[1] for s in shapes)
    max_x = max(s.bbox[2] for s in shapes)
    max_y = max(s.bbox[3] for s in shapes)
    margin = max(max_x - min_x, max_y - min_y, 20.0) * MARGIN
    width, height = max_x - min_x + 2 * margin, max_y - min_y + 2 * margin
    # Widen (or heighten) to a fixed shape, so the map fills its frame without cut-off edges.
    grow_x, grow_y = max(0.0, height * ASPECT - width), max(0.0, width / ASPECT - height)
    return min_x - margin - grow_x / 2, min_y - margin - grow_y / 2, width + grow_x, height + grow_y


def _overlaps(bbox: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    x, y, width, height = box
    return bbox[2] >= x and bbox[0] <= x + width and bbox[3] >= y and bbox[1] <= y + height


def build_coverage_map(gardens: list[Garden], *, path: Path | None = None) -> CoverageMap | None:
    """The map of `gardens` (each with `coverage_now` prefetched); None if nothing can be drawn.

    Draws the covered municipalities and every neighbour within the margin around them;
    a municipality covered by two gardens takes the first garden's colour (a stated coverage
    before an inferred one) and links to find-your-garden, which lists both.
    """
    shapes = municipality_shapes(path)
    legend = [
        MapGarden(garden=garden, colour=PALETTE[i % len(PALETTE)], pattern_id=f"hatch-{i}",
                  coverages=list(garden.coverage_now))
        for i, garden in enumerate(gardens)
    ]
    by_number: dict[str, list[tuple[MapGarden, Coverage]]] = {}
    not_drawn: list[Coverage] = []
    for entry in legend:
        for coverage in entry.coverages:
            if coverage.municipality.number in shapes:
                by_number.setdefault(coverage.municipality.number, []).append((entry, coverage))
            else:
                not_drawn.append(coverage)
    if not by_number:
        return None

    box = _view_box([shapes[number] for number in by_number])
    areas = []
    for number, shape in shapes.items():
        if not _overlaps(shape.bbox, box):
            continue
        covering = sorted(by_number.get(number, []), key=lambda pair: pair[1].is_inferred)
        area = MapArea(
            shape=shape,
            gardens=[entry for entry, _ in covering],
            inferred=bool(covering) and covering[0][1].is_inferred,
        )
        if covering:
            area.name = covering[0][1].municipality.name
        if len(covering) == 1:
            area.href = covering[0][0].garden.get_absolute_url()
        elif covering:
            area.href = covering[0][1].municipality.get_absolute_url()
        areas.append(area)
    # Covered areas last, so their outlines sit on top of the neighbours' borders.
    areas.sort(key=lambda a: (bool(a.gardens), a.shape.number))
    x, y, width, height = box
    label_size = round(max(width, height) / 80, 2)
    _place_labels([a for a in areas if a.gardens], label_size)
    return CoverageMap(
        view_box=f"{x:.1f} {y:.1f} {width:.1f} {height:.1f}",
        hatch_size=round(max(width, height) / 200, 2),
        label_size=label_size,
        areas=areas,
        legend=legend,
        not_drawn=not_drawn,
    )


def _place_labels(areas: list[MapArea], size: float) -> None:
    """Name the covered municipalities whose names fit: wide enough, and clear of names placed
    already (the largest first), so that Skaun's name does not run into Orkland's."""
    placed: list[tuple[float, float, float, float]] = []
    for area in sorted(areas, key=lambda a: -(a.shape.bbox[2] - a.shape.bbox[0]) * (a.shape.bbox[3] - a.shape.bbox[1])):
        half_width, half_height = 0.3 * size * len(area.name), 0.6 * size
        if area.shape.bbox[2] - area.shape.bbox[0] < 1.6 * half_width:
            continue
        x, y = area.shape.label_at
        box = (x - half_width, y - half_height, x + half_width, y + half_height)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        area.labelled = True
