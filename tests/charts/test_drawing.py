"""The pictures: each chart of the worked project (tests/charts/worked.py) is a PNG within its size, at
its dimensions, with the budget line, today's marker and the bars where the figures put them.

Pixel positions come from the drawn axes' own transform (data -> display pixels), never from a stored
image, so a font or layout change doesn't break the tests while a line drawn at the wrong figure does.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from PIL import Image

from bot.charts import figures
from domain.charts import BurnUp, ClientBars, client_bars, project_burn_up
from domain.services import client_budget
from storage.uow import SqlUnitOfWorkFactory
from tests.charts.worked import worked
from tests.handlers.world import TODAY

MAX_PNG_BYTES = 60 * 1024
SIZE = (1280, 720)
RGB = tuple[int, int, int]


def rgb(hex_colour: str) -> RGB:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def close(a: RGB, b: RGB, tolerance: int = 40) -> bool:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) <= tolerance


def pixel_at(image: Image.Image, ax: Axes, day: date, amount: float) -> RGB:
    """The colour where (day, amount) lands: display coordinates count from the bottom, images from the top."""
    x, y = ax.transData.transform((mdates.date2num(day), amount))
    return image.getpixel((round(x), image.height - round(y)))  # type: ignore[return-value]


def share(image: Image.Image, ax: Axes, x: float, y: float, colour: RGB, half: int = 8) -> float:
    """The share of the pixels in a small square around a data point that are ``colour`` exactly
    (a bar's hatching draws thin white lines across its colour)."""
    px, py = ax.transData.transform((x, y))
    cx, cy = round(px), image.height - round(py)
    counts = Counter(image.getpixel((i, j)) for i in range(cx - half, cx + half + 1)
                     for j in range(cy - half, cy + half + 1))
    return counts[colour] / sum(counts.values())


@pytest.fixture
def charts(uow_factory: SqlUnitOfWorkFactory) -> tuple[BurnUp, ClientBars]:
    worked(uow_factory)
    with uow_factory() as uow:
        dana = uow.people.by_email("dana@example.com")
        project, client = uow.projects.by_key("acme-web"), uow.clients.by_key("acme")
        assert dana is not None and project is not None and client is not None
        return (project_burn_up(uow, dana, project, TODAY),
                client_bars(client_budget(uow, dana, client, TODAY), TODAY))


def drawn(chart: BurnUp | ClientBars) -> tuple[bytes, Image.Image, Axes]:
    fig, ax = figures.figure(chart)
    png = figures.to_png(fig)  # draws the figure: the transform below is the one the pixels were made with
    return png, Image.open(io.BytesIO(png)).convert("RGB"), ax


def test_the_burn_up_is_a_small_png_at_twice_the_density(charts: tuple[BurnUp, ClientBars]) -> None:
    png, image, _ = drawn(charts[0])
    assert png.startswith(b"\x89PNG")
    assert len(png) <= MAX_PNG_BYTES
    assert image.size == SIZE


def test_the_budget_line_is_at_the_budget_and_steps_up_on_the_day_the_scope_change_was_approved(
        charts: tuple[BurnUp, ClientBars]) -> None:
    _, image, ax = drawn(charts[0])
    black = rgb(figures.BUDGET_COLOR)
    # Before the change: 10,000; after it, 12,000 (to the end of the project, past today).
    assert close(pixel_at(image, ax, date(2026, 11, 4), 10_000), black)
    assert close(pixel_at(image, ax, date(2026, 11, 12), 12_000), black)
    assert close(pixel_at(image, ax, date(2026, 11, 25), 12_000), black)
    # ... and not where the figures don't put it.
    assert not close(pixel_at(image, ax, date(2026, 11, 4), 12_000), black)
    assert not close(pixel_at(image, ax, date(2026, 11, 12), 10_000), black)


def test_todays_marker_is_on_today(charts: tuple[BurnUp, ClientBars]) -> None:
    chart = charts[0]
    _, image, ax = drawn(chart)
    purple = rgb(figures.TODAY_COLOR)
    top = ax.get_ylim()[1]
    assert close(pixel_at(image, ax, TODAY, top * 0.95), purple)
    assert close(pixel_at(image, ax, TODAY, top * 0.5), purple)
    assert not close(pixel_at(image, ax, date(2026, 11, 14), top * 0.95), purple)
    assert not close(pixel_at(image, ax, date(2026, 11, 16), top * 0.95), purple)


def test_the_burned_line_ends_today_at_the_burned_figure(charts: tuple[BurnUp, ClientBars]) -> None:
    chart = charts[0]
    _, image, ax = drawn(chart)
    blue = rgb(figures.ACTUAL_COLOR)
    assert chart.burned == Decimal("5000.00")
    assert close(pixel_at(image, ax, date(2026, 11, 14), 5000), blue)  # the week's end, just before today
    assert close(pixel_at(image, ax, date(2026, 11, 1), 500), blue)


def test_the_client_chart_has_each_projects_burn_and_time_where_its_figures_put_them(
        charts: tuple[BurnUp, ClientBars]) -> None:
    chart = charts[1]
    png, image, ax = drawn(chart)
    assert len(png) <= MAX_PNG_BYTES and image.size == SIZE
    # Worst first: acme-app (red, 105% burned, 50.0% of its time) at the top, row 1; acme-web (green, 41.7%
    # burned, 50% elapsed) below it, row 0. Each row: burned above the row's centre, elapsed below it.
    [app, web] = chart.bars
    assert (app.key, app.pct_burned, web.key, web.pct_burned) == ("acme-app", Decimal("105.0"), "acme-web",
                                                                   Decimal("41.7"))
    burned_y, elapsed_y = 0.19, -0.19
    white = (255, 255, 255)
    assert share(image, ax, 80, 1 + burned_y, rgb(figures.RAG_COLOR[app.rag])) > 0.3  # hatched
    assert share(image, ax, 30, 0 + burned_y, rgb(figures.RAG_COLOR[web.rag])) == 1
    assert share(image, ax, 25, 0 + elapsed_y, rgb(figures.ELAPSED_COLOR)) == 1
    assert share(image, ax, 55, 0 + burned_y, white) > 0.9  # past 41.7% burned: nothing (but a grid line)
    assert share(image, ax, 56, 0 + elapsed_y, white) > 0.9  # past 50% elapsed: nothing
    assert share(image, ax, 45, 0 + elapsed_y, white) == 0  # ... while 45% is still inside the elapsed bar
