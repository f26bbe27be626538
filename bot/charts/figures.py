"""The drawings: a project's burn-up and a client's bars, as matplotlib figures and PNG bytes.

Imported on the first chart only (``bot.charts.MatplotlibDrawer``). Figures are made with the
object-oriented API (``matplotlib.figure.Figure`` on an Agg canvas), never ``pyplot``: no display, no
global figure manager, so two threads can draw at once.

Readable for colour-blind readers: the Okabe-Ito palette, and nothing is told by colour alone. Lines
differ in style (solid, dashed, dotted) and are named in the legend; a bar's RAG is also its hatching
and a word in its label.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before anything draws: no display, whatever MPLBACKEND says

from matplotlib import dates as mdates  # noqa: E402 - after choosing the backend
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, MultipleLocator  # noqa: E402
from PIL import Image  # noqa: E402 - matplotlib's own dependency

from domain.charts import AgingBars, BurnUp, Chart, ClientBars, PipelineBar  # noqa: E402
from domain.model import Rag  # noqa: E402
from handlers.base import format_money  # noqa: E402

# 6.4 x 3.6 inches at 200 dots per inch: 1280 x 720 pixels, twice the usual density, sharp on a phone.
SIZE = (6.4, 3.6)
DPI = 200
FONT_SIZE = 8

# Okabe & Ito's palette for colour-blind readers.
BLACK = "#000000"
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
VERMILION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#BBBBBB"
GRID = "#E5E5E5"
MUTED = "#555555"

ACTUAL_COLOR = BLUE
BUDGET_COLOR = BLACK
RUN_RATE_COLOR = ORANGE
SCHEDULED_COLOR = GREEN
TODAY_COLOR = PURPLE
RUN_OUT_COLOR = VERMILION
ELAPSED_COLOR = GREY
RAG_COLOR = {Rag.GREEN: GREEN, Rag.AMBER: ORANGE, Rag.RED: VERMILION}
RAG_HATCH = {Rag.GREEN: "", Rag.AMBER: "///", Rag.RED: "xxx"}
LINE_WIDTH = 2.0  # points: about 5.5 pixels at 200 dpi
Y_HEADROOM = 1.15  # the top of the money axis, over the largest figure


def _style() -> dict[str, Any]:
    # text.parse_math off: a name or label with two "$" in it must not turn into TeX.
    return {"font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 2, "axes.spines.top": False,
            "axes.spines.right": False, "legend.fontsize": FONT_SIZE - 1, "legend.frameon": False,
            "text.parse_math": False}


def new_figure() -> Figure:
    with matplotlib.rc_context(_style()):  # type: ignore[arg-type]
        figure = Figure(figsize=SIZE, dpi=DPI)
    return figure


def _short_money(value: float, currency: str) -> str:
    amount = Decimal(str(round(value)))
    if abs(amount) >= 10_000:
        return format_money((amount / 1000).quantize(Decimal(1)), currency) + "k"
    return format_money(amount, currency, cents=False)


def _money_axis(ax: Axes, currency: str, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda value, _pos: _short_money(value, currency))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _x(day: date) -> float:
    return float(mdates.date2num(day))


def burn_up_figure(chart: BurnUp) -> tuple[Figure, Axes]:
    """The burn-up: actual burn (solid blue), the budget (solid black steps), the run-rate forecast
    (dashed orange), the scheduled forecast (dotted green), today (a purple line) and the run-out date
    (a vermilion cross on the budget line)."""
    with matplotlib.rc_context(_style()):  # type: ignore[arg-type]
        fig = new_figure()
        ax = fig.add_subplot()
        if chart.budget:
            ax.plot([_x(p.day) for p in chart.budget], [float(p.amount) for p in chart.budget],
                    color=BUDGET_COLOR, linewidth=LINE_WIDTH, label="Budget", solid_joinstyle="miter", zorder=3)
        if chart.scheduled:
            ax.plot([_x(p.day) for p in chart.scheduled], [float(p.amount) for p in chart.scheduled],
                    color=SCHEDULED_COLOR, linewidth=LINE_WIDTH, linestyle=(0, (1, 1.2)),
                    label="Scheduled (approved allocations)", zorder=4)
        if chart.run_rate:
            ax.plot([_x(p.day) for p in chart.run_rate], [float(p.amount) for p in chart.run_rate],
                    color=RUN_RATE_COLOR, linewidth=LINE_WIDTH, linestyle=(0, (4, 2)), label="Forecast (run rate)",
                    zorder=4)
        if chart.actual:
            ax.plot([_x(p.day) for p in chart.actual], [float(p.amount) for p in chart.actual],
                    color=ACTUAL_COLOR, linewidth=LINE_WIDTH, label="Burned", zorder=5)
        if chart.runs_out_on is not None:
            ax.plot([_x(chart.runs_out_on)], [float(chart.budget_now)], marker="X", markersize=9, linestyle="",
                    color=RUN_OUT_COLOR, label=f"Runs out {chart.runs_out_on:%d %b}", zorder=6)
        top = max([float(p.amount) for p in (*chart.budget, *chart.actual, *chart.run_rate, *chart.scheduled)]
                  or [1.0]) * Y_HEADROOM
        ax.set_ylim(0, top or 1.0)
        ax.set_xlim(_x(chart.start), _x(max(chart.end, chart.today)))
        ax.axvline(_x(chart.today), color=TODAY_COLOR, linewidth=LINE_WIDTH, zorder=2,
                   label=f"Today {chart.today:%d %b}")
        _money_axis(ax, chart.currency)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
        ax.set_title(f"{chart.project_name} ({chart.project_key}) · {chart.rag.value.capitalize()}", loc="left",
                     fontweight="bold", parse_math=False)
        ax.legend(loc="lower right")
        fig.subplots_adjust(left=0.1, right=0.97, top=0.9, bottom=0.1)
    return fig, ax


def client_figure(chart: ClientBars) -> tuple[Figure, Axes]:
    """One pair of horizontal bars per project: % burned (coloured and hatched by RAG) over % elapsed
    (grey), with a 100% line and "burned vs elapsed" after the pair."""
    with matplotlib.rc_context(_style()):  # type: ignore[arg-type]
        fig = new_figure()
        ax = fig.add_subplot()
        bars = chart.bars[:12]  # beyond a dozen the labels don't fit; the text answer lists them all
        height = 0.38
        rows = [len(bars) - 1 - i for i in range(len(bars))]
        # One barh per RAG (colour and hatching) and one for the elapsed bars: a dozen projects in four
        # calls, not two dozen (each call is a container of artists; the figure is drawn in the worker).
        for rag in (Rag.GREEN, Rag.AMBER, Rag.RED):
            mine = [(y, float(b.pct_burned or 0)) for y, b in zip(rows, bars, strict=True) if b.rag is rag]
            if mine:
                ax.barh([y + height / 2 for y, _ in mine], [w for _, w in mine], height=height,
                        color=RAG_COLOR[rag], hatch=RAG_HATCH[rag], edgecolor="white", linewidth=0, zorder=3)
        elapsed = [(y, float(b.pct_elapsed)) for y, b in zip(rows, bars, strict=True) if b.pct_elapsed is not None]
        if elapsed:
            ax.barh([y - height / 2 for y, _ in elapsed], [w for _, w in elapsed], height=height,
                    color=ELAPSED_COLOR, zorder=3)
        # One short label a row ("42% vs 50%"): text is most of a chart's drawing time, glyph by glyph.
        for y, bar in zip(rows, bars, strict=True):
            burned = float(bar.pct_burned or 0)
            versus = "" if bar.pct_elapsed is None else f" vs {float(bar.pct_elapsed):.0f}%"
            ax.text(max(burned, float(bar.pct_elapsed or 0)) + 1, y, f"{burned:.0f}%{versus}", va="center",
                    fontsize=FONT_SIZE - 1)
        ax.set_yticks(range(len(bars)), [f"{b.key} · {b.rag.value.capitalize()}" for b in reversed(bars)])
        widest = max([float(b.pct_burned or 0) for b in bars] + [100.0])
        ax.set_xlim(0, widest + 22)  # room for the label after the longest bar
        ax.axvline(100, color=BLACK, linewidth=1, linestyle=(0, (2, 2)), zorder=2)
        ax.xaxis.set_major_locator(MultipleLocator(50))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}%"))
        ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
        ax.set_title(f"{chart.client_name} · % of budget burned (colour) vs % of time (grey)", loc="left",
                     fontweight="bold",
                     parse_math=False)
        fig.subplots_adjust(left=0.22, right=0.97, top=0.9, bottom=0.1)
    return fig, ax


# Receivables buckets, from the least to the most worrying: colour (Okabe-Ito, light to dark) and
# hatching (none, dots, slashes, crosses, dense crosses) both tell them apart, and the legend names them.
BUCKET_COLORS = (SKY, BLUE, ORANGE, VERMILION, BLACK)
BUCKET_HATCHES = ("", "..", "//", "xx", "\\\\")  # sparse: each hatch line costs drawing time
AGING_ROWS = 12  # beyond a dozen clients the labels don't fit; the text answer lists them all
BAR_HEIGHT = 0.6


def aging_figure(chart: AgingBars) -> tuple[Figure, Axes]:
    """One stacked horizontal bar per client, worst at the top: Current, 1–30, 31–60, 61–90 and 90+ days
    past due left to right, the outstanding and the share over 60 days after the bar. A negative bucket
    (credit notes) is not drawn; the label's outstanding includes it."""
    with matplotlib.rc_context(_style()):  # type: ignore[arg-type]
        fig = new_figure()
        ax = fig.add_subplot()
        rows = chart.rows[:AGING_ROWS]
        ys = [len(rows) - 1 - i for i in range(len(rows))]
        lefts = [0.0] * len(rows)
        handles = []
        # One collection of rectangles a bucket, not a bar artist each: a dozen clients are 60 segments, and
        # barh's one patch per segment (each updating the data limits) doubled the drawing time.
        half = BAR_HEIGHT / 2
        for b, name in enumerate(chart.bucket_names):
            widths = [max(0.0, float(r.buckets[b])) for r in rows]
            boxes = [[(x, y - half), (x + w, y - half), (x + w, y + half), (x, y + half)]
                     for x, y, w in zip(lefts, ys, widths, strict=True) if w > 0]
            if boxes:
                ax.add_collection(PolyCollection(boxes, facecolors=BUCKET_COLORS[b], edgecolors="white", linewidths=0,
                                                 hatch=BUCKET_HATCHES[b] or None, zorder=3))
                handles.append(Patch(facecolor=BUCKET_COLORS[b], edgecolor="white", linewidth=0,
                                     hatch=BUCKET_HATCHES[b] or None, label=name))
            lefts = [left + w for left, w in zip(lefts, widths, strict=True)]
        widest = max(lefts + [1.0])
        for y, row, end in zip(ys, rows, lefts, strict=True):
            over = "" if row.over_60_share is None else f" · {float(row.over_60_share):.1f}% >60d"
            ax.text(end + widest * 0.01, y, f"{format_money(row.outstanding, chart.currency, cents=False)}{over}",
                    va="center", fontsize=FONT_SIZE - 1)
        if not rows:
            ax.text(0.5, 0.5, "Nothing owed", transform=ax.transAxes, ha="center", va="center", color=MUTED)
        ax.set_yticks(range(len(rows)), [r.key for r in reversed(rows)])
        ax.set_ylim(-1.5, max(len(rows), 1) - 0.4)  # the legend sits under the last row
        ax.set_xlim(0, widest * 1.35)  # room for the label after the longest bar
        _money_axis(ax, chart.currency, "x")
        ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
        ax.set_title(f"Receivables aging · {chart.label} · days past due on {chart.today:%d %b %Y}", loc="left",
                     fontweight="bold", parse_math=False)
        if rows:
            ax.legend(handles=handles, loc="lower right", ncols=len(chart.bucket_names),
                      title="Days past due (after a bar: owed · share over 60 days)", frameon=True,
                      facecolor="white", edgecolor="white", framealpha=1)
        fig.subplots_adjust(left=0.16, right=0.97, top=0.9, bottom=0.1)
    return fig, ax


SEGMENT_COLORS = (GREEN, BLUE, SKY, GREY)  # closed won, commit, best case, pipeline: surest first
SEGMENT_HATCHES = ("", "///", "..", "xxx")
QUOTA_COLOR = BLACK


def pipeline_chart_figure(chart: PipelineBar) -> tuple[Figure, Axes]:
    """The quarter in one stacked bar: closed won, then commit, best case and pipeline, each named with its
    amount in the legend, against a dashed black line at the quota (when one is set)."""
    with matplotlib.rc_context(_style()):  # type: ignore[arg-type]
        fig = new_figure()
        ax = fig.add_subplot()
        left = 0.0
        for (name, amount), colour, hatch in zip(chart.segments, SEGMENT_COLORS, SEGMENT_HATCHES, strict=True):
            width = max(0.0, float(amount))
            ax.barh([0], [width], left=left, height=BAR_HEIGHT, color=colour, hatch=hatch, edgecolor="white",
                    linewidth=0, label=f"{name} {format_money(amount, chart.currency, cents=False)}", zorder=3)
            left += width
        top = max(left, float(chart.quota or 0), 1.0)
        if chart.quota is not None:
            ax.axvline(float(chart.quota), color=QUOTA_COLOR, linewidth=LINE_WIDTH, linestyle=(0, (3, 2)), zorder=4,
                       label=f"Quota {format_money(chart.quota, chart.currency, cents=False)}")
        ax.set_xlim(0, top * Y_HEADROOM)
        ax.set_ylim(-1.2, 1.0)
        ax.set_yticks([])
        _money_axis(ax, chart.currency, "x")
        ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
        ax.set_title(f"Pipeline · {chart.label} · {chart.period_text}", loc="left", fontweight="bold",
                     parse_math=False)
        ax.legend(loc="lower center", ncols=3, frameon=True, facecolor="white", edgecolor="white", framealpha=1)
        fig.subplots_adjust(left=0.05, right=0.97, top=0.9, bottom=0.1)
    return fig, ax


# The drawing of each chart type; a new kind of chart adds its function here.
DRAWINGS: dict[type, Callable[[Any], tuple[Figure, Axes]]] = {
    BurnUp: burn_up_figure,
    ClientBars: client_figure,
    AgingBars: aging_figure,
    PipelineBar: pipeline_chart_figure,
}


def figure(chart: Chart) -> tuple[Figure, Axes]:
    draw = DRAWINGS.get(type(chart))
    if draw is None:
        raise ValueError(f"no drawing for {type(chart).__name__}")
    return draw(chart)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _palette() -> Image.Image:
    """The colours a chart is made of, each also blended with white at three levels (anti-aliased edges),
    plus a grey ramp (text): a chart's exact colours survive, where an adaptive palette shifts them."""
    colours: list[tuple[int, int, int]] = []
    for colour in (BLACK, BLUE, ORANGE, SKY, GREEN, VERMILION, PURPLE, GREY, GRID, MUTED):
        r, g, b = _rgb(colour)
        for share in (1.0, 0.75, 0.5, 0.25):
            colours.append(tuple(round(255 - (255 - v) * share) for v in (r, g, b)))  # type: ignore[arg-type]
    colours += [(v, v, v) for v in range(0, 256, 17)]
    unique = list(dict.fromkeys(colours))
    palette = Image.new("P", (1, 1))
    flat = [v for c in unique for v in c]
    palette.putpalette(flat + [255] * (768 - len(flat)))
    return palette


PALETTE = _palette()


def to_png(fig: Figure) -> bytes:
    """The figure as a PNG of ``SIZE`` x ``DPI`` pixels (no tight bounding box: the size is fixed).

    A chart is a handful of flat colours and their anti-aliased edges, so it is stored with a fixed
    palette of exactly those (``PALETTE``, no dithering): it looks the same at a third of the bytes
    (measured: 63 KB as RGBA, about 21 KB so), small enough to travel inside a Teams card, and faster
    to compress than ``optimize``.
    """
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(palette=PALETTE, dither=Image.Dither.NONE).save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def png(chart: Chart) -> bytes:
    fig, _ = figure(chart)
    return to_png(fig)
