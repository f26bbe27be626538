"""The receivables aging and the quarter's pipeline as pictures, on the worked money example
(tests/charts/money_worked.py): the data is ``ar``'s and ``pipeline``'s figures, and the PNG has each
bucket and each forecast category where those figures put it, and the quota line at the quota.

As in test_drawing.py, positions come from the drawn axes' own transform (data -> display pixels).
"""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal

import pytest
from matplotlib.axes import Axes
from PIL import Image

from bot.charts import figures
from domain.charts import AgingBars, Chart, PipelineBar
from domain.money_charts import client_aging, pipeline_bar, scope_aging
from domain.pipeline import Period
from domain.pipeline_service import scope_for_person
from storage.uow import SqlUnitOfWorkFactory
from tests.charts.money_worked import money_world
from tests.charts.test_drawing import MAX_PNG_BYTES, SIZE, rgb, share
from tests.handlers.world import TODAY

D = Decimal
Q4 = Period(2026, 4)
WHITE = (255, 255, 255)


@pytest.fixture
def charts(uow_factory: SqlUnitOfWorkFactory) -> dict[str, Chart]:
    money_world(uow_factory)
    with uow_factory() as uow:
        dana, ada = uow.people.by_email("dana@example.com"), uow.people.by_email("ada@example.com")
        acme = uow.clients.by_key("acme")
        assert dana is not None and ada is not None and acme is not None
        return {"acme": client_aging(uow, dana, acme, TODAY, "USD"),
                "all": scope_aging(uow, ada, "all", TODAY, "USD"),
                "mine": scope_aging(uow, dana, "mine", TODAY, "USD"),
                "pipeline": pipeline_bar(uow, scope_for_person(uow, dana, "you"), "me", Q4, TODAY, "USD")}


def drawn(chart: Chart) -> tuple[bytes, Image.Image, Axes]:
    fig, ax = figures.figure(chart)
    png = figures.to_png(fig)
    return png, Image.open(io.BytesIO(png)).convert("RGB"), ax


def column_share(image: Image.Image, ax: Axes, x: float, y0: float, y1: float, colour: tuple[int, int, int]) -> float:
    """The share of ``colour`` in a 5-pixel-wide column from ``y0`` to ``y1`` at ``x`` (a dashed line)."""
    (px, top), (_, bottom) = ax.transData.transform([(x, y1), (x, y0)])
    cx = round(px)
    rows = range(image.height - round(top), image.height - round(bottom))
    counts = Counter(image.getpixel((i, j)) for i in range(cx - 2, cx + 3) for j in rows)
    return counts[colour] / sum(counts.values())


def test_the_aging_data_is_ars_buckets_worst_client_first(charts: dict[str, Chart]) -> None:
    acme, every = charts["acme"], charts["all"]
    assert isinstance(acme, AgingBars) and isinstance(every, AgingBars)
    [row] = acme.rows
    assert row.buckets == (D("1300"), D("1600"), D("3600"), D("5000"), D("2000"))
    assert (row.outstanding, row.over_60_share, acme.other_currencies) == (D("13500"), D("51.9"), ("EUR",))
    assert [(r.key, r.outstanding, r.over_60_share) for r in every.rows] == [
        ("acme", D("13500"), D("51.9")), ("globex", D("2500"), D("0.0"))]
    mine = charts["mine"]
    assert isinstance(mine, AgingBars) and [r.key for r in mine.rows] == ["acme"]  # Dana directs acme only


def test_the_aging_chart_stacks_each_bucket_where_its_amount_puts_it(charts: dict[str, Chart]) -> None:
    png, image, ax = drawn(charts["acme"])
    assert png.startswith(b"\x89PNG") and len(png) <= MAX_PNG_BYTES and image.size == SIZE
    y = 0.2  # inside the bar (height 0.6 around row 0), clear of the label at its centre
    # Current 0–1,300 · 1–30 to 2,900 · 31–60 to 6,500 · 61–90 to 11,500 · 90+ to 13,500.
    assert share(image, ax, 650, y, rgb(figures.BUCKET_COLORS[0])) == 1  # Current: plain
    for mid, bucket in ((2100, 1), (4700, 2), (9000, 3), (12500, 4)):
        assert share(image, ax, mid, y, rgb(figures.BUCKET_COLORS[bucket])) > 0.3, bucket  # hatched
    assert share(image, ax, 12500, y, rgb(figures.BUCKET_COLORS[3])) == 0  # 90+ is not 61–90's colour
    assert share(image, ax, 14200, y, WHITE) > 0.9  # past 13,500 owed: nothing


def test_the_aging_of_all_clients_has_a_bar_per_client(charts: dict[str, Chart]) -> None:
    png, image, ax = drawn(charts["all"])
    assert len(png) <= MAX_PNG_BYTES and image.size == SIZE
    # acme (worst) on row 1, globex on row 0: 2,500 all in 1–30.
    assert share(image, ax, 1250, 0.2, rgb(figures.BUCKET_COLORS[1])) > 0.3
    assert share(image, ax, 1250, 0.2, rgb(figures.BUCKET_COLORS[0])) == 0
    assert share(image, ax, 3500, 0.2, WHITE) > 0.9
    assert share(image, ax, 650, 1.2, rgb(figures.BUCKET_COLORS[0])) == 1


def test_the_pipeline_data_is_the_quarters_figures(charts: dict[str, Chart]) -> None:
    bar = charts["pipeline"]
    assert isinstance(bar, PipelineBar)
    assert bar.segments == (("Closed won", D("50000")), ("Commit", D("40000")), ("Best case", D("20000")),
                            ("Pipeline", D("10000")))  # Globex's 99,000 deal is Drew's: not here
    assert (bar.quota, bar.gap, bar.coverage) == (D("100000"), D("50000.00"), D("1.4"))
    assert bar.filename == "me-pipeline-2026-Q4.png"


def test_the_pipeline_chart_stacks_the_categories_against_the_quota_line(charts: dict[str, Chart]) -> None:
    png, image, ax = drawn(charts["pipeline"])
    assert png.startswith(b"\x89PNG") and len(png) <= MAX_PNG_BYTES and image.size == SIZE
    y = 0.2
    # Closed won 0–50k · Commit to 90k · Best case to 110k · Pipeline to 120k.
    assert share(image, ax, 25_000, y, rgb(figures.SEGMENT_COLORS[0])) == 1
    assert share(image, ax, 70_000, y, rgb(figures.SEGMENT_COLORS[1])) > 0.3
    assert share(image, ax, 95_000, y, rgb(figures.SEGMENT_COLORS[2])) > 0.3
    assert share(image, ax, 115_000, y, rgb(figures.SEGMENT_COLORS[3])) > 0.3
    assert share(image, ax, 125_000, y, WHITE) > 0.9
    black = rgb(figures.QUOTA_COLOR)
    assert column_share(image, ax, 100_000, 0.4, 0.9, black) > 0.3  # the dashed quota line, above the bar
    assert column_share(image, ax, 97_000, 0.4, 0.9, black) == 0
