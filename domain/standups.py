"""Stand-ups: who is asked, when (each participant's own morning), what an answer says, and the keys that
make every question, reminder, report and blocker ping go out once.

A channel's stand-up (``standup at 9:30``) asks each participant at 09:30 *on their own clock*: Slack's
``tz`` for the person, else their ``timezone`` in the organisation file, else the stand-up's timezone,
else the organisation's. The "stand-up day" of a question is the participant's local date, which is also
the date their answer is filed under, so a London and a New York participant both answer "Monday" on
their Monday. Participants: everyone with an approved allocation covering that day on one of the
channel's projects, plus those who joined (``standup join``, for managers); people away that day (time
off, a public holiday in *their* calendar) are not asked, not reminded, and listed as away.

Instants come from ``domain.digests.local_instant``, so 09:30 stays 09:30 across a DST change (the
repeated hour maps to its first instant, a missing one to just after the gap). An occurrence found late
(every process was down) is still sent within ``LATE_LIMIT``; later it is dropped (a 13:00 "what will
you do today?" helps nobody).

Exactly once: each message is an outbox row with a key per person per day (questions, reminders) or per
channel per day (reports); blocker pings are keyed by the blocker; replicas racing write one row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.digests import local_instant
from domain.errors import InvalidInput
from domain.model import Allocation, Platform

LATE_LIMIT = timedelta(hours=2)
DEFAULT_REPORT_AFTER = timedelta(hours=2)
DEFAULT_REMINDER_MINUTES = 30
BLOCKER_DEADLINE = time(18, 0)  # "the end of the next working day", in the organisation's timezone
NOTHING = ("nothing", "none", "no", "nope", "-", "n/a", "na", "")

ANSWER_EXAMPLE = "standup did homepage review +3h acme-web; doing checkout flow; blocked nothing"


@dataclass(frozen=True)
class StandupSetting:
    """One channel's stand-up."""

    id: int | None
    channel: str
    platform: Platform | None
    hour: int
    minute: int
    timezone: str | None  # fallback for participants with no timezone of their own, and the report's zone
    weekdays_only: bool
    created_by: int
    updated_at: datetime  # a (re)scheduled stand-up never sends what was due before it
    report_hour: int | None = None  # None: two hours after the question time
    report_minute: int | None = None
    reminder_minutes: int | None = DEFAULT_REMINDER_MINUTES  # None: no reminder
    quiet: bool = False  # the report says how many have not answered, never who
    active: bool = True

    def zone(self, org_timezone: str) -> str:
        return self.timezone or org_timezone

    def report_time(self) -> tuple[int, int]:
        if self.report_hour is not None:
            return self.report_hour, self.report_minute or 0
        at = datetime.combine(date(2000, 1, 1), time(self.hour, self.minute)) + DEFAULT_REPORT_AFTER
        return at.hour, at.minute

    def runs_on(self, day: date) -> bool:
        return not self.weekdays_only or day.weekday() < 5


@dataclass(frozen=True)
class Answer:
    id: int | None
    person_id: int
    local_date: date
    did: str
    doing: str
    blocked: str  # "" when nothing blocks
    answered_at: datetime
    version: int = 1


@dataclass(frozen=True)
class Blocker:
    id: int | None
    person_id: int
    project_id: int
    local_date: date
    text: str
    raised_at: datetime
    escalate_after: datetime
    handled_by: int | None = None
    handled_at: datetime | None = None
    escalated_at: datetime | None = None

    def overdue(self, now: datetime) -> bool:
        """Unhandled past its deadline, or sent up by the manager ("Escalate")."""
        return self.handled_at is None and (self.escalated_at is not None or now >= self.escalate_after)


@dataclass(frozen=True)
class HoursNote:
    """``+3h acme-web`` found inside "did"."""

    hours: Decimal
    project: str


@dataclass(frozen=True)
class ParsedAnswer:
    did: str
    doing: str
    blocked: str
    hours: tuple[HoursNote, ...] = ()


_PART = re.compile(r"^\s*(did|doing|blocked|blocker|blockers)\b[:\s]*(.*)$", re.IGNORECASE | re.DOTALL)
_HOURS = re.compile(r"\+\s*(\d+(?:[.,]\d+)?)\s*h\s+([A-Za-z0-9][\w.-]*)", re.IGNORECASE)


def parse_answer(text: str) -> ParsedAnswer:
    """``did <…>; doing <…>; blocked <…|nothing>`` (any order, ``;`` or new lines between the parts).

    Every part is required, so a half-typed answer is refused with the form instead of half-filed;
    ``blocked nothing`` (or none, no, -) means no blocker. ``+3h acme-web`` inside "did" is an hours
    entry to log (the handler resolves the project and echoes it).
    """
    parts: dict[str, str] = {}
    for chunk in re.split(r"[;\n]+", text):
        if not chunk.strip():
            continue
        m = _PART.match(chunk)
        if m is None:
            raise InvalidInput(f"“{chunk.strip()[:60]}” is not one of did / doing / blocked.", example=ANSWER_EXAMPLE)
        name = m.group(1).lower()
        name = "blocked" if name.startswith("blocker") else name
        if name in parts:
            raise InvalidInput(f"“{name}” is given twice.", example=ANSWER_EXAMPLE)
        parts[name] = " ".join(m.group(2).split())
    missing = [p for p in ("did", "doing", "blocked") if p not in parts]
    if missing:
        raise InvalidInput(f"The answer needs {', '.join(missing)} too (say `blocked nothing` when nothing blocks "
                           "you).", example=ANSWER_EXAMPLE)
    if not parts["did"] or not parts["doing"]:
        raise InvalidInput("Say something for “did” and “doing”.", example=ANSWER_EXAMPLE)
    blocked = "" if parts["blocked"].lower().strip(".! ") in NOTHING else parts["blocked"]
    hours = []
    for m in _HOURS.finditer(parts["did"]):
        try:
            value = Decimal(m.group(1).replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            continue
        hours.append(HoursNote(value, m.group(2).rstrip(".,")))
    return ParsedAnswer(parts["did"], parts["doing"], blocked, tuple(hours))


def participants(setting_projects: Iterable[int], allocations: Iterable[Allocation], joined: Iterable[int],
                 day: date, active: Mapping[int, bool]) -> list[int]:
    """Who a stand-up asks on ``day``: approved allocations covering it on the channel's projects, and
    those who joined; only active people; sorted by id so every replica walks them alike."""
    projects = set(setting_projects)
    ids = {a.person_id for a in allocations if a.project_id in projects and a.start <= day <= a.end}
    ids |= set(joined)
    return sorted(i for i in ids if active.get(i, False))


def due_in_window(due: datetime, now: datetime, not_before: datetime) -> bool:
    """Whether an occurrence due at ``due`` is to be queued at ``now``: it is time, it is not hopelessly
    late, and it was not due before the stand-up was (re)scheduled."""
    return due <= now < due + LATE_LIMIT and due >= not_before


def ask_at(setting: StandupSetting, day: date, zone: str) -> datetime:
    """When to ask a participant whose clock is ``zone`` on their local ``day``."""
    return local_instant(day, setting.hour, setting.minute, zone)


def report_at(setting: StandupSetting, day: date, org_timezone: str) -> datetime:
    hour, minute = setting.report_time()
    return local_instant(day, hour, minute, setting.zone(org_timezone))


def reminder_at(setting: StandupSetting, day: date, org_timezone: str) -> datetime | None:
    if setting.reminder_minutes is None:
        return None
    return report_at(setting, day, org_timezone) - timedelta(minutes=setting.reminder_minutes)


def local_day(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def candidate_days(now: datetime) -> list[date]:
    """The local dates that can be "today" somewhere on Earth at ``now`` (offsets are within ±14 h)."""
    utc = now.astimezone(ZoneInfo("UTC")).date()
    return [utc - timedelta(days=1), utc, utc + timedelta(days=1)]


def ask_key(person_id: int, day: date) -> str:
    """One question per person per day, however many stand-ups they are in."""
    return f"standup:ask:{person_id}:{day.isoformat()}"


def remind_key(person_id: int, day: date) -> str:
    return f"standup:remind:{person_id}:{day.isoformat()}"


def report_key(setting_id: int, day: date) -> str:
    return f"standup:report:{setting_id}:{day.isoformat()}"


def late_key(setting_id: int, day: date, person_id: int, version: int) -> str:
    return f"standup:late:{setting_id}:{day.isoformat()}:{person_id}:{version}"


def blocker_key(blocker_id: int, person_id: int) -> str:
    return f"standup:blocker:{blocker_id}:{person_id}"


def pick_project(text: str, candidates: Sequence[tuple[int, str]]) -> int | None:
    """The project a blocker is about: one whose key the text names, else the first candidate."""
    low = text.lower()
    for pid, key in candidates:
        if re.search(rf"(?<![\w-]){re.escape(key.lower())}(?![\w-])", low):
            return pid
    return candidates[0][0] if candidates else None


class StandupRepository(Protocol):
    """Stand-up settings, members, answers and blockers (``uow.standups``)."""

    def for_channel(self, channel: str) -> StandupSetting | None: ...
    def get(self, setting_id: int) -> StandupSetting | None: ...
    def save(self, setting: StandupSetting) -> StandupSetting:
        """Insert or replace the channel's stand-up."""
        ...

    def list_active(self) -> list[StandupSetting]: ...
    def members(self, setting_ids: Iterable[int]) -> dict[int, set[int]]:
        """Joined people per stand-up, in one statement."""
        ...

    def join(self, setting_id: int, person_id: int) -> bool: ...
    def leave(self, setting_id: int, person_id: int) -> bool: ...
    def answer(self, answer: Answer) -> Answer:
        """Insert or replace the person's answer for the day; the stored one comes back (``version``
        counts the replacements)."""
        ...

    def answers(self, person_ids: Iterable[int], days: Iterable[date]) -> dict[tuple[int, date], Answer]:
        """Answers by (person, local date), in one statement."""
        ...

    def raise_blocker(self, blocker: Blocker) -> Blocker:
        """Insert or replace the person's blocker for the day (a replaced one is unhandled again)."""
        ...

    def clear_blocker(self, person_id: int, day: date, at: datetime, by: int) -> bool:
        """The person's answer now says nothing blocks them: the day's blocker counts as handled."""
        ...

    def blocker(self, blocker_id: int) -> Blocker | None: ...
    def open_blockers(self, project_ids: Iterable[int] | None = None) -> list[Blocker]:
        """Unhandled blockers (of these projects), oldest first, in one statement."""
        ...

    def handle_blocker(self, blocker_id: int, person_id: int, at: datetime) -> bool:
        """Mark handled once; False when it already was."""
        ...

    def escalate_blocker(self, blocker_id: int, at: datetime) -> bool:
        """Send it up now; False when handled or already escalated."""
        ...

