"""Key figures as small horizontal bar charts, laid out here and drawn as inline SVG.

Only figures in the same unit can share an axis, so there is one chart per unit with
two or more figures: percentages on a scale of 0–100, counts, US dollars, tonnes,
kilometres. Ranks are never charted: a longer bar for a lower place would mislead;
nor is a unit with a negative figure, which would need an axis in the middle.
A range ("5 to 6 million") is a bar to the lower value and a lighter piece to the
upper one. The figures table on the same page stays the complete text version; see
``templates/includes/chart.html`` for how the two are tied together for screen readers.

The layout (positions and sizes in SVG user units) is computed here so the template
only writes numbers, and tests can check bar widths exactly.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programmes.models import KeyFigure

from .svg import number, text_width, wrap_text
from .templatetags.public_site import TranslatedText, translated

# The unit of each chart, in the order the charts are shown, with its caption.
CAPTIONS = {
    KeyFigure.Unit.PERCENT: _("Percentages"),
    KeyFigure.Unit.COUNT: _("Numbers"),
    KeyFigure.Unit.USD: _("Amounts in US dollars"),
    KeyFigure.Unit.TONNES: _("Quantities in tonnes"),
    KeyFigure.Unit.KILOMETRES: _("Distances in kilometres"),
}

WIDTH = 360  # the viewBox width: about the width of a phone's column, in CSS pixels
BAR_AREA = 240  # the longest bar; the rest of the width is for the value beside it
FONT_SIZE = 14
LINE_HEIGHT = 18
BAR_HEIGHT = 16
GAP = 6  # between a bar and its value
ROW_GAP = 14  # between one bar and the next label


@dataclass(frozen=True)
class Bar:
    figure: KeyFigure
    label: TranslatedText
    label_lines: list[tuple[str, str]]  # each line of the label, with its baseline
    bar_y: str
    width: str
    range_width: str  # the lighter piece from value to value_max; "" if not a range
    value: str
    value_x: str
    value_y: str
    value_inside: bool  # drawn in white at the end of the bar when it does not fit beside it


@dataclass(frozen=True)
class Chart:
    unit: str
    caption: str
    sources: list[TranslatedText]
    bars: list[Bar]
    height: str
    track_width: str  # the full scale drawn behind the bars, for percentages only
    width: int = WIDTH
    font_size: int = FONT_SIZE
    bar_height: int = BAR_HEIGHT

    @property
    def element_id(self) -> str:
        return f"chart-{self.unit}"


def key_figure_charts(figures: Iterable[KeyFigure]) -> list[Chart]:
    """One chart per unit that has two or more figures, in the order of ``CAPTIONS``."""
    by_unit: dict[str, list[KeyFigure]] = {}
    for figure in figures:
        by_unit.setdefault(figure.unit, []).append(figure)
    return [
        _chart(unit, group)
        for unit in CAPTIONS
        if len(group := by_unit.get(unit, [])) >= 2 and all(f.value >= 0 for f in group)
    ]


def _chart(unit: str, figures: list[KeyFigure]) -> Chart:
    top = max(figure.value_max or figure.value for figure in figures)
    if unit == KeyFigure.Unit.PERCENT:
        top = max(top, Decimal(100))
    bars, y = [], 0.0
    for figure in figures:
        bar, y = _bar(figure, top, y)
        bars.append(bar)
    sources = []
    for figure in figures:
        source = translated(figure, "source")
        if source and source not in sources:
            sources.append(source)
    return Chart(
        unit=unit,
        caption=str(CAPTIONS[unit]),
        sources=sources,
        bars=bars,
        height=number(y - ROW_GAP + 2),
        track_width=number(BAR_AREA) if unit == KeyFigure.Unit.PERCENT else "",
    )


def _bar(figure: KeyFigure, top: Decimal, y: float) -> tuple[Bar, float]:
    """The bar for ``figure`` with its label starting at ``y``, and where the next one starts."""
    label = translated(figure, "label")
    text = label
    if figure.year:
        text = gettext("%(label)s (%(year)s)") % {"label": label, "year": figure.year}
    lines = wrap_text(text, WIDTH, FONT_SIZE)
    baselines = [y + FONT_SIZE + index * LINE_HEIGHT for index in range(len(lines))]
    bar_y = baselines[-1] + LINE_HEIGHT * 0.5
    width = _length(figure.value, top)
    range_width = _length(figure.value_max, top) - width if figure.value_max else 0.0
    end = width + range_width
    value = figure.formatted()
    value_width = text_width(value, FONT_SIZE, bold=True)
    inside = end + GAP + value_width > WIDTH
    bar = Bar(
        figure=figure,
        label=label,
        label_lines=[
            (line, number(baseline)) for line, baseline in zip(lines, baselines, strict=True)
        ],
        bar_y=number(bar_y),
        width=number(width),
        range_width=number(range_width) if figure.value_max else "",
        value=value,
        value_x=number(end - GAP if inside else end + GAP),
        value_y=number(bar_y + BAR_HEIGHT / 2 + FONT_SIZE * 0.35),
        value_inside=inside,
    )
    return bar, bar_y + BAR_HEIGHT + ROW_GAP


def _length(value: Decimal, top: Decimal) -> float:
    """The length of a bar for ``value`` when ``top`` fills the whole bar area."""
    return float(value / top) * BAR_AREA if top else 0.0
