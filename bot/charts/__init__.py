"""Charts and report PDFs drawn with matplotlib (``domain.charts.ChartDrawer``).

matplotlib costs ~40 MB and a few hundred milliseconds to import, so nothing here imports it until the
first chart is drawn, and that happens where the handlers run: in a worker process under ``steward
serve`` (``bot/work.py``), in the process itself for the shell. The server's own process never draws.
"""

from __future__ import annotations

from domain.charts import Chart


class MatplotlibDrawer:
    """Draws charts as PNG and reports as PDF; the drawing modules are imported on the first call."""

    def png(self, chart: Chart) -> bytes:
        from bot.charts import figures

        return figures.png(chart)

    def pdf(self, title: str, text: str, chart: Chart | None) -> bytes:
        from bot.charts import document

        return document.pdf(title, text, chart)


DRAWER = MatplotlibDrawer()
