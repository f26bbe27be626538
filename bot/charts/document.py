"""The report as a PDF (matplotlib's PDF backend, nothing else): the text on an A4 page with the chart
under it, or on a second page when the text is long.

The chart goes in as the same PNG the chat gets (a raster at 200 dpi prints sharply at this size), so
the PDF and the picture in the conversation are one drawing.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from bot.charts import figures  # noqa: E402
from domain.charts import Chart  # noqa: E402

A4 = (8.27, 11.69)  # inches, portrait
MARGIN = 0.07  # of the page's width and height
LINE = 0.0165  # of the page's height: one line of 9.5-point text
WRAP = 95  # characters a line
LINES_WITH_CHART = 30  # up to this many lines, the chart fits under the text on the first page
MAX_LINES = 52  # one page of text; the rest is in the chat answer


def _lines(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        indent = "  " if line.startswith("- ") else ""
        out += textwrap.wrap(line, WRAP, subsequent_indent=indent) or [""]
    if len(out) > MAX_LINES:
        out = [*out[: MAX_LINES - 1], "… (the rest is in the answer in the chat)"]
    return out


def _chart_axes(fig: Figure, chart: Chart, top: float) -> None:
    """The chart's picture across the page, its top edge at ``top`` (a fraction of the page's height)."""
    image = Image.open(io.BytesIO(figures.png(chart))).convert("RGB")
    width = 1 - 2 * MARGIN
    height = width * A4[0] / A4[1] * image.height / image.width  # the chart's own aspect ratio
    ax = fig.add_axes((MARGIN, top - height, width, height))
    ax.imshow(image, interpolation="antialiased")
    ax.set_axis_off()


def pages(title: str, text: str, chart: Chart | None) -> list[Figure]:
    """The report's pages: the text, with the chart under it when it fits, else on a second page."""
    lines = _lines(text)
    page = Figure(figsize=A4)
    # parse_math off: two amounts on a line ("$5,000 of $12,000") would otherwise be read as TeX.
    page.text(MARGIN, 1 - MARGIN, title, fontsize=13, fontweight="bold", va="top", parse_math=False)
    y = 1 - MARGIN - 0.04
    for line in lines:
        heading = bool(line) and not line.startswith((" ", "-", "…")) and len(line) < 60
        page.text(MARGIN, y, line, fontsize=9.5, va="top", fontweight="bold" if heading else "normal",
                  parse_math=False)
        y -= LINE
    page.text(MARGIN, MARGIN / 2, "Draft prepared with Steward", fontsize=7, color="#777777")
    if chart is None:
        return [page]
    if len(lines) <= LINES_WITH_CHART:
        _chart_axes(page, chart, y - 0.02)
        return [page]
    second = Figure(figsize=A4)
    _chart_axes(second, chart, 1 - MARGIN)
    return [page, second]


def pdf(title: str, text: str, chart: Chart | None) -> bytes:
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": title, "Creator": "Steward"}) as document:
        for page in pages(title, text, chart):
            document.savefig(page)
    return buffer.getvalue()
