"""Stand-up settings, members, answers and blockers (``domain.standups.StandupRepository``)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.orm import Session

from domain.model import Platform
from domain.standups import Answer, Blocker, StandupSetting
from storage.orm import StandupAnswerRow, StandupBlockerRow, StandupMemberRow, StandupSettingRow
from storage.repositories import _aware, _replace_id, _run, _t
from storage.sqltools import dialect_insert


def _setting(row: Row[Any]) -> StandupSetting:
    return StandupSetting(
        row.id, row.channel, Platform(row.platform) if row.platform else None, row.hour, row.minute, row.timezone,
        row.weekdays_only, row.created_by, row.updated_at, row.report_hour, row.report_minute, row.reminder_minutes,
        row.quiet, row.active)


def _answer(row: Row[Any]) -> Answer:
    return Answer(row.id, row.person_id, row.local_date, row.did, row.doing, row.blocked, row.answered_at,
                  row.version)


def _blocker(row: Row[Any]) -> Blocker:
    return Blocker(row.id, row.person_id, row.project_id, row.local_date, row.text, row.raised_at,
                   row.escalate_after, row.handled_by, row.handled_at, row.escalated_at)


class SqlStandupRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _ins(self) -> Any:
        ins = dialect_insert(self.s)
        assert ins is not None, "stand-ups need SQLite or PostgreSQL"
        return ins

    # -- settings -------------------------------------------------------------------------------

    def for_channel(self, channel: str) -> StandupSetting | None:
        row = self.s.execute(select(_t(StandupSettingRow)).where(StandupSettingRow.channel == channel)).first()
        return _setting(row) if row else None

    def get(self, setting_id: int) -> StandupSetting | None:
        row = self.s.execute(select(_t(StandupSettingRow)).where(StandupSettingRow.id == setting_id)).first()
        return _setting(row) if row else None

    def save(self, setting: StandupSetting) -> StandupSetting:
        values = {
            "platform": Platform(setting.platform).value if setting.platform else None,
            "hour": setting.hour, "minute": setting.minute, "timezone": setting.timezone,
            "weekdays_only": setting.weekdays_only, "report_hour": setting.report_hour,
            "report_minute": setting.report_minute, "reminder_minutes": setting.reminder_minutes,
            "quiet": setting.quiet, "created_by": setting.created_by,
            "updated_at": _aware(setting.updated_at, "StandupSetting.updated_at"), "active": setting.active,
        }
        table = _t(StandupSettingRow)
        stmt = (self._ins()(table).values(channel=setting.channel, **values)
                .on_conflict_do_update(index_elements=["channel"], set_=values).returning(table.c.id))
        return _replace_id(setting, self.s.execute(stmt).scalar_one())

    def list_active(self) -> builtins.list[StandupSetting]:
        rows = self.s.execute(select(_t(StandupSettingRow)).where(StandupSettingRow.active.is_(True))
                              .order_by(StandupSettingRow.id))
        return [_setting(r) for r in rows]

    # -- members --------------------------------------------------------------------------------

    def members(self, setting_ids: Iterable[int]) -> dict[int, set[int]]:
        ids = sorted(set(setting_ids))
        out: dict[int, set[int]] = {i: set() for i in ids}
        if ids:
            for r in self.s.execute(select(StandupMemberRow.setting_id, StandupMemberRow.person_id)
                                    .where(StandupMemberRow.setting_id.in_(ids))):
                out[r.setting_id].add(r.person_id)
        return out

    def join(self, setting_id: int, person_id: int) -> bool:
        table = _t(StandupMemberRow)
        row = self.s.execute(self._ins()(table).values(setting_id=setting_id, person_id=person_id)
                             .on_conflict_do_nothing().returning(table.c.person_id)).first()
        return row is not None

    def leave(self, setting_id: int, person_id: int) -> bool:
        result = _run(self.s, delete(_t(StandupMemberRow)).where(StandupMemberRow.setting_id == setting_id,
                                                                 StandupMemberRow.person_id == person_id))
        return bool(result.rowcount)

    # -- answers --------------------------------------------------------------------------------

    def answer(self, answer: Answer) -> Answer:
        table = _t(StandupAnswerRow)
        values = {"did": answer.did, "doing": answer.doing, "blocked": answer.blocked,
                  "answered_at": _aware(answer.answered_at, "Answer.answered_at")}
        stmt = (self._ins()(table).values(person_id=answer.person_id, local_date=answer.local_date, version=1,
                                          **values)
                .on_conflict_do_update(index_elements=["person_id", "local_date"],
                                       set_={**values, "version": table.c.version + 1})
                .returning(*table.c))
        return _answer(self.s.execute(stmt).one())

    def answers(self, person_ids: Iterable[int], days: Iterable[date]) -> dict[tuple[int, date], Answer]:
        ids, wanted = sorted(set(person_ids)), sorted(set(days))
        if not ids or not wanted:
            return {}
        rows = self.s.execute(select(_t(StandupAnswerRow)).where(StandupAnswerRow.person_id.in_(ids),
                                                                 StandupAnswerRow.local_date.in_(wanted)))
        return {(r.person_id, r.local_date): _answer(r) for r in rows}

    # -- blockers -------------------------------------------------------------------------------

    def raise_blocker(self, blocker: Blocker) -> Blocker:
        table = _t(StandupBlockerRow)
        values = {"project_id": blocker.project_id, "text": blocker.text,
                  "raised_at": _aware(blocker.raised_at, "Blocker.raised_at"),
                  "escalate_after": _aware(blocker.escalate_after, "Blocker.escalate_after"),
                  "handled_by": None, "handled_at": None, "escalated_at": None}
        stmt = (self._ins()(table).values(person_id=blocker.person_id, local_date=blocker.local_date, **values)
                .on_conflict_do_update(index_elements=["person_id", "local_date"], set_=values)
                .returning(*table.c))
        return _blocker(self.s.execute(stmt).one())

    def clear_blocker(self, person_id: int, day: date, at: datetime, by: int) -> bool:
        result = _run(self.s, update(_t(StandupBlockerRow)).where(
            StandupBlockerRow.person_id == person_id, StandupBlockerRow.local_date == day,
            StandupBlockerRow.handled_at.is_(None)).values(handled_at=_aware(at, "handled time"), handled_by=by))
        return bool(result.rowcount)

    def blocker(self, blocker_id: int) -> Blocker | None:
        row = self.s.execute(select(_t(StandupBlockerRow)).where(StandupBlockerRow.id == blocker_id)).first()
        return _blocker(row) if row else None

    def open_blockers(self, project_ids: Iterable[int] | None = None) -> builtins.list[Blocker]:
        stmt = select(_t(StandupBlockerRow)).where(StandupBlockerRow.handled_at.is_(None))
        if project_ids is not None:
            stmt = stmt.where(StandupBlockerRow.project_id.in_(sorted(set(project_ids))))
        return [_blocker(r) for r in self.s.execute(stmt.order_by(StandupBlockerRow.raised_at, StandupBlockerRow.id))]

    def handle_blocker(self, blocker_id: int, person_id: int, at: datetime) -> bool:
        result = _run(self.s, update(_t(StandupBlockerRow)).where(
            StandupBlockerRow.id == blocker_id, StandupBlockerRow.handled_at.is_(None),
        ).values(handled_at=_aware(at, "handled time"), handled_by=person_id))
        return bool(result.rowcount == 1)

    def escalate_blocker(self, blocker_id: int, at: datetime) -> bool:
        result = _run(self.s, update(_t(StandupBlockerRow)).where(
            StandupBlockerRow.id == blocker_id, StandupBlockerRow.handled_at.is_(None),
            StandupBlockerRow.escalated_at.is_(None),
        ).values(escalated_at=_aware(at, "escalated time")))
        return bool(result.rowcount == 1)
