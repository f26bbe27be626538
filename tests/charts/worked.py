"""The worked project the chart tests draw: tests/handlers/world.py's acme-web plus an approved scope
change and an approved allocation, with every figure a reader can check by hand.

acme-web runs 1-30 Nov 2026 with a 10,000 budget; today is Sunday 15 Nov. Burn (bill 100/h): 500 on
15 Oct, 1,000 on 2 Nov, a 500 expense on 5 Nov, 2,000 on 10 Nov, 1,000 on 14 Nov (8h on 20 Nov is in
the future): 5,000 burned. +2,000 of scope approved on Sun 8 Nov: budget 12,000 from that day.
Weekly rate 4,500 / 4 = 1,125; forecast 5,000 + 1,125 x 15 / 7 = 7,410.71; the money lasts past the end.
Jane is allocated 20h/week from 16 Nov: 20 / 5 x 100 = 400 a working day, 11 working days to the end.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.model import Allocation, AllocationState, ScopeChange, ScopeState
from domain.ports import UnitOfWorkFactory
from tests.handlers.world import TZ, World, seed

D = Decimal
STEP_DAY = date(2026, 11, 8)


def worked(uow_factory: UnitOfWorkFactory) -> World:
    world = seed(uow_factory)
    web, dana, jane = world.ids["acme-web"], world.ids["dana"], world.ids["jane"]
    decided = datetime(2026, 11, 8, 10, 0, tzinfo=ZoneInfo(TZ))
    with uow_factory() as uow:
        uow.scope.add(ScopeChange(None, web, "Extra landing page", None, D("2000"), ScopeState.APPROVED, dana,
                                  datetime(2026, 11, 6, 9, 0, tzinfo=ZoneInfo(TZ)), dana, decided))
        uow.scope.add(ScopeChange(None, web, "Newsletter template", D("8"), None, ScopeState.FLAGGED, dana,
                                  decided))
        uow.allocations.add(Allocation(None, jane, web, D("20"), date(2026, 11, 16), date(2026, 11, 30),
                                       AllocationState.APPROVED, dana, decided, dana, decided))
        uow.commit()
    return world
