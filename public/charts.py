"""Key figures as small horizontal bar charts, laid out here and drawn as inline SVG.

**Only figures that may be compared share an axis.** A bar's length says "this much of
what the longest bar stands for", which is true only when both measure the same thing:
parts of one whole (exports and imports of one province's foreign trade) or the same
measure of like things (the share of non-state companies in the GDP and in the tax
income, each on 0–100 %). The unit alone does not say that: 54 million inhabitants
and 171 companies are both counts, GDP per head and exports both US dollars. So editors
declare it: figures of one region with the same ``chart_title`` and the same unit form
one chart, named after that title. A figure without a chart title, or alone under its
title, is a number in the figures table, not a bar. Ranks are never charted (a longer
bar for a lower place would mislead), nor a group with a negative figure (it would need
an axis in the middle). Percentages are drawn on a scale of 0–100; a range ("5 to 6
million") is a bar to the lower value and a lighter piece to the upper one.

**A source said once.** When every figure of the region shows the same source, the page
says it once, under the table, rather than on every row and under every chart; otherwise
each row and each chart names its own. The figures table on the same page stays the
complete text version; see ``templates/includes/chart.html`` for how the two are tied
together for screen readers.

The layout (positions and sizes in SVG user units) is computed here so the template
only writes numbers, and tests can check bar widths exactly.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from programmes.models import KeyFigure

from .svg import number, text_width, wrap_text
from .templatetags.public_site import TranslatedText, translated

WIDTH = 360  # the viewBox width: about the width of a phone's column, in CSS pixels
BAR_AREA = 240  # the longest bar; the rest of the width is for the value beside it
FONT_SIZE = 14
LINE_HEIGHT = 18
BAR_HEIGHT = 16
GAP = 6  # between a bar and its value
ROW_GAP = 14  # between one bar and the next label
# The languages a chart title is compared in, the editors' first language first: figures
# belong together when the first title written in one of them is the same.
TITLE_LANGUAGES = ("nl", "en", "zh_hans")


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

    @property
    def value_class(self) -> str:
        return "chart__value chart__value--inside" if self.value_inside else "chart__value"

    @property
    def value_anchor(self) -> str:
        """The value's text-anchor: it ends at the bar's end inside, starts after it outside."""
        return "end" if self.value_inside else "start"


@dataclass(frozen=True)
class Chart:
    position: int  # its place among the page's charts, from 1: the element ids
    unit: str
    caption: TranslatedText
    sources: list[TranslatedText]  # empty when the page says one source for every figure
    bars: list[Bar]
    height: str
    track_width: str  # the full scale drawn behind the bars, for percentages only
    width: int = WIDTH
    font_size: int = FONT_SIZE
    bar_height: int = BAR_HEIGHT

    @property
    def element_id(self) -> str:
        return f"chart-{self.position}"


@dataclass(frozen=True)
class KeyFigures:
    """A region's key figures as its page shows them: the charts, then the table."""

    figures: list[KeyFigure]
    charts: list[Chart]
    # The one source of every figure, said once under the table; None when the figures
    # name different sources (or none): then each row and each chart names its own.
    shared_source: TranslatedText | None

    def __bool__(self) -> bool:
        return bool(self.figures)


def key_figures(figures: Iterable[KeyFigure]) -> KeyFigures:
    """The region page's key figures, in the page's language."""
    figures = list(figures)
    sources = [translated(figure, "source") for figure in figures]
    shared = sources[0] if sources and sources[0] and len(set(sources)) == 1 else None
    return KeyFigures(
        figures=figures,
        charts=key_figure_charts(figures, with_sources=shared is None),
        shared_source=shared,
    )


def key_figure_charts(figures: Iterable[KeyFigure], *, with_sources: bool = True) -> list[Chart]:
    """One chart per chart title and unit with two or more figures, in the order of
    their first figure; ``with_sources``: each chart names its figures' sources."""
    groups: dict[tuple[str, str], list[KeyFigure]] = {}
    for figure in figures:
        if figure.unit != KeyFigure.Unit.RANK and (title := chart_key(figure)):
            groups.setdefault((figure.unit, title), []).append(figure)
    chartable = [
        (unit, group)
        for (unit, _title), group in groups.items()
        if len(group) >= 2 and all(f.value >= 0 for f in group)
    ]
    return [
        _chart(position, unit, group, with_sources=with_sources)
        for position, (unit, group) in enumerate(chartable, start=1)
    ]


def chart_key(figure: KeyFigure) -> str:
    """What decides which chart a figure is on: its first chart title written, compared
    without regard to case or spacing; "" when it has none."""
    for language in TITLE_LANGUAGES:
        if title := getattr(figure, f"chart_title_{language}", None):
            return " ".join(title.split()).casefold()
    return ""


def _chart(position: int, unit: str, figures: list[KeyFigure], *, with_sources: bool) -> Chart:
    top = max(figure.value_max or figure.value for figure in figures)
    if unit == KeyFigure.Unit.PERCENT:
        top = max(top, Decimal(100))
    bars, y = [], 0.0
    for figure in figures:
        bar, y = _bar(figure, top, y)
        bars.append(bar)
    sources = []
    for figure in figures if with_sources else []:
        source = translated(figure, "source")
        if source and source not in sources:
            sources.append(source)
    return Chart(
        position=position,
        unit=unit,
        caption=translated(figures[0], "chart_title"),
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
