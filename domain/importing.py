"""Imports: the organisation file (people, clients, projects, settings) and time-entry CSV files.

Both follow the same rule: validate everything first and report every problem with where it is,
then write. Nothing of a bad file is written; the caller commits only when no exception was raised.

The organisation file is DESIGN's "Organisation file" section, already loaded into plain Python
values (``yaml.safe_load`` lives in ``handlers/imports.py``: domain imports no framework).
Optional fields that are absent (or null) leave what the database holds untouched; an explicit
empty list (``aliases: []``) clears. People, clients and projects that are not in the file are
left as they are: the file adds and updates, it never deletes.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidInput
from domain.model import (
    AuditEvent,
    Client,
    EscalationPolicy,
    Person,
    Platform,
    Project,
    Role,
    Source,
    TimeEntry,
)
from domain.ports import UnitOfWork

MAX_PROBLEMS_SHOWN = 20
MAX_HOURS_PER_DAY = Decimal("24")
HOURS_QUANTUM = Decimal("0.01")

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]*$", re.IGNORECASE)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CHANNEL = re.compile(r"^\S+$")

ORG_EXAMPLE = """currency: USD
timezone: America/New_York
people:
  - {name: Dana Director, email: dana@example.com, role: director, capacity_hours: 40, cost_rate: 95, bill_rate: 180}
clients:
  - name: Acme Corp
    key: acme
    director: dana@example.com
    projects:
      - {name: Website Relaunch, key: acme-web, budget: 120000, budget_hours: 800,
         start: 2026-09-01, end: 2027-01-31, manager: dana@example.com, channel: C0ACMEWEB}"""

_TOP_FIELDS: tuple[str, ...] = ("currency", "timezone", "people", "escalation", "clients", "holiday_country",
                                "holidays")
_TOP_FIELDS += ("fiscal_year_start_month", "quotas", "pipeline")  # domain.pipeline_org
_PERSON_FIELDS = ("name", "email", "role", "capacity_hours", "cost_rate", "bill_rate", "platform", "active",
                  "timezone", "holiday_country")
_COUNTRY = re.compile(r"^[A-Za-z]{2}(?:-[A-Za-z0-9]{1,3})?$")
_CLIENT_FIELDS: tuple[str, ...] = ("name", "key", "aliases", "director", "projects", "billing_names")
_CLIENT_FIELDS += ("crm_names",)  # domain.pipeline_org
_PROJECT_FIELDS: tuple[str, ...] = ("name", "key", "budget", "budget_hours", "start", "end", "manager", "channel",
                                    "channels", "aliases")
_PROJECT_FIELDS += ("renewal",)  # domain.pipeline_org
_ESCALATION_FIELDS = ("burn_thresholds", "forecast_over_budget", "scope_impact", "stale_status_days",
                      "approval_wait_days", "reack_hours", "wip_reminder_days_before_month_end")


def fold(text: str) -> str:
    """Case- and space-insensitive form of a name, key or email for matching."""
    return " ".join(str(text).lower().split())


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _problems_error(intro: str, problems: Sequence[str], example: str | None) -> InvalidInput:
    """``intro`` (``{n}`` becomes "3 problems") then one problem a line, at most 20, then how many more."""
    shown = list(problems[:MAX_PROBLEMS_SHOWN])
    lines = [intro.replace("{n}", _plural(len(problems), "problem")) + ":", *(f"- {p}" for p in shown)]
    if len(problems) > len(shown):
        lines.append(f"… and {len(problems) - len(shown)} more.")
    error = InvalidInput("\n".join(lines), example=example)
    error.problems = list(problems)  # type: ignore[attr-defined]
    return error


# =================================================================================================
# Organisation file
# =================================================================================================


@dataclass(frozen=True)
class PersonSpec:
    name: str
    email: str
    role: Role
    capacity_hours: Decimal | None = None  # None: not in the file (keep what is stored; 40 for a new person)
    cost_rate: Decimal | None = None
    bill_rate: Decimal | None = None
    platform: Platform | None = None
    # false: switched off (left, on leave): keeps their history, but they can't use Steward, aren't
    # offered for allocations and get no messages; a director's decisions then go to the admins.
    active: bool = True
    timezone: str | None = None  # their own clock (stand-ups ask at their morning)
    holiday_country: str | None = None  # "GB", "GB-SCT", "US-NY": their public holidays


@dataclass(frozen=True)
class ProjectSpec:
    key: str
    name: str
    budget: Decimal
    start: date
    end: date
    budget_hours: Decimal | None = None
    manager: str | None = None  # email
    channels: tuple[str, ...] | None = None  # None: not in the file
    aliases: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ClientSpec:
    key: str
    name: str
    director: str | None = None  # email
    aliases: tuple[str, ...] | None = None
    projects: tuple[ProjectSpec, ...] = ()
    billing_names: tuple[str, ...] | None = None  # names in invoice exports; None: not in the file


@dataclass(frozen=True)
class OrgSpec:
    currency: str | None = None
    timezone: str | None = None
    escalation: EscalationPolicy | None = None  # None: no escalation block (keep the stored policy)
    people: tuple[PersonSpec, ...] = ()
    clients: tuple[ClientSpec, ...] = ()
    holiday_country: str | None = None
    holidays: tuple[date, ...] | None = None  # None: not in the file (keep what is stored)
    pipeline: Any = None  # domain.pipeline_org.PipelineOrgSpec: fiscal year, quotas, stages, crm_names, renewals

    @property
    def projects(self) -> tuple[ProjectSpec, ...]:
        return tuple(p for c in self.clients for p in c.projects)


class _Checker:
    """Collects problems with their path instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}" if path else message)

    def mapping(self, value: Any, path: str, known: Sequence[str]) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.add(path, f"expected a mapping of {', '.join(known)}, got {_show(value)}")
            return None
        for k in value:
            if str(k) not in known:
                self.add(path, f"unknown field “{k}” (known: {', '.join(known)})")
        return value

    def text(self, m: Mapping[str, Any], name: str, path: str, *, required: bool = True) -> str | None:
        value = m.get(name)
        if value is None:
            if required:
                self.add(f"{path}.{name}", "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.add(f"{path}.{name}", f"expected text, got {_show(value)}")
            return None
        text = str(value).strip()
        if not text:
            if required:
                self.add(f"{path}.{name}", "is empty")
            return None
        return text

    def email(self, m: Mapping[str, Any], name: str, path: str, *, required: bool = True) -> str | None:
        text = self.text(m, name, path, required=required)
        if text is not None and not _EMAIL.match(text):
            self.add(f"{path}.{name}", f"“{text}” is not an email address")
            return None
        return text

    def key(self, m: Mapping[str, Any], path: str) -> str | None:
        text = self.text(m, "key", path)
        if text is not None and not _KEY.match(text):
            self.add(f"{path}.key", f"“{text}” is not a key: use letters, digits, dots, dashes or underscores, "
                                    "no spaces (e.g. acme-web)")
            return None
        return text

    def number(self, m: Mapping[str, Any], name: str, path: str, *, required: bool = False,
               maximum: Decimal | None = None) -> Decimal | None:
        value = m.get(name)
        if value is None:
            if required:
                self.add(f"{path}.{name}", "is missing")
            return None
        amount = to_decimal(value)
        if amount is None:
            self.add(f"{path}.{name}", f"{_show(value)} is not a number")
            return None
        if amount < 0:
            self.add(f"{path}.{name}", f"{amount} is negative")
            return None
        if maximum is not None and amount > maximum:
            self.add(f"{path}.{name}", f"{amount} is more than {maximum}")
            return None
        if amount != amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
            self.add(f"{path}.{name}", f"{amount} has more than two decimals")
            return None
        return amount

    def day(self, m: Mapping[str, Any], name: str, path: str) -> date | None:
        value = m.get(name)
        if value is None:
            self.add(f"{path}.{name}", "is missing (a date like 2026-09-01)")
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add(f"{path}.{name}", f"{_show(value)} is not a date like 2026-09-01")
        return None

    def words(self, m: Mapping[str, Any], name: str, path: str) -> tuple[str, ...] | None:
        value = m.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.add(f"{path}.{name}", f"expected a list, got {_show(value)}")
            return None
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
                self.add(f"{path}.{name}[{i}]", f"expected text, got {_show(item)}")
                continue
            text = str(item).strip()
            if fold(text) not in (fold(o) for o in out):
                out.append(text)
        return tuple(out)

    def items(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, f"expected a list, got {_show(value)}")
            return []
        return value


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"“{value}”"
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{value!r}"


def to_decimal(value: Any) -> Decimal | None:
    """A number from YAML or CSV as an exact Decimal (``Decimal(str(value))``: never float arithmetic).

    Accepts ``120000``, ``95.5``, ``"120,000"``, ``"1 200.50"``; refuses booleans, NaN and infinity."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal | int | float):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace(" ", "").replace("_", "")
    else:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def parse_org(data: Any) -> OrgSpec:
    """Validate an organisation file (already loaded from YAML) and return it as an ``OrgSpec``.

    Every problem is collected with its path (``clients[0].projects[1].end: ...``); when there is
    any, ``InvalidInput`` lists them all and nothing is returned. References to people (director,
    manager) are checked against the database by ``apply_org``.
    """
    c = _Checker()
    if data is None:
        raise _problems_error("The organisation file is not valid", ["the file is empty"], ORG_EXAMPLE)
    if not isinstance(data, Mapping):
        raise _problems_error("The organisation file is not valid", [
            f"expected a mapping of {', '.join(_TOP_FIELDS)} at the top, got {_show(data)}"], ORG_EXAMPLE)
    top = data
    for k in top:
        if str(k) not in _TOP_FIELDS:
            c.add("", f"unknown top-level field “{k}” (known: {', '.join(_TOP_FIELDS)})")

    currency = c.text(top, "currency", "currency", required=False) if "currency" in top else None
    if currency is not None:
        currency = currency.upper()
        if not _CURRENCY.match(currency):
            c.add("currency", f"“{currency}” is not a three-letter currency code like USD, EUR or GBP")
            currency = None
    timezone = _timezone(c, top)
    holiday_country = _country(c, top, "")
    holidays = _holiday_dates(c, top.get("holidays")) if "holidays" in top else None
    escalation = _escalation(c, top.get("escalation")) if top.get("escalation") is not None else None

    people: list[PersonSpec] = []
    emails: dict[str, str] = {}
    for i, raw in enumerate(c.items(top.get("people"), "people")):
        email = _raw_text(raw, "email")
        if email and fold(email) in emails:
            c.add(f"people[{i}].email", f"{email} is listed twice (also {emails[fold(email)]})")
            continue
        if email:
            emails[fold(email)] = f"people[{i}]"
        person = _person(c, raw, f"people[{i}]")
        if person is not None:
            people.append(person)

    clients: list[ClientSpec] = []
    client_keys: dict[str, str] = {}
    project_keys: dict[str, str] = {}
    for i, raw in enumerate(c.items(top.get("clients"), "clients")):
        key = _raw_text(raw, "key")
        if key and fold(key) in client_keys:
            c.add(f"clients[{i}].key", f"“{key}” is used twice (also {client_keys[fold(key)]})")
        elif key:
            client_keys[fold(key)] = f"clients[{i}]"
        client = _client(c, raw, f"clients[{i}]", project_keys)
        if client is not None:
            clients.append(client)
    for key, where in project_keys.items():
        if key in client_keys:
            c.add(f"{where}.key", f"“{key}” is also a client's key ({client_keys[key]}); `budget {key}` would be "
                                  "ambiguous: give the project its own key")

    from domain.pipeline_org import parse_pipeline_org

    pipeline = parse_pipeline_org(top, c.problems)
    if c.problems:
        raise _problems_error("The organisation file has {n}; nothing was imported", c.problems,
                              ORG_EXAMPLE)
    return OrgSpec(currency, timezone, escalation, tuple(people), tuple(clients), holiday_country, holidays,
                   pipeline)


def _country(c: _Checker, m: Mapping[str, Any], parent: str, name: str = "holiday_country") -> str | None:
    """``holiday_country`` of the organisation (``parent`` "") or of a person (``parent`` "people[3]")."""
    if m.get(name) is None:
        return None
    code = c.text(m, name, parent or name, required=False)
    if code is None:
        return None
    if not _COUNTRY.match(code):
        c.add(f"{parent}.{name}" if parent else name,
              f"“{code}” is not a country code with an optional subdivision (like GB, GB-SCT or US-NY)")
        return None
    return code.upper()


def _holiday_dates(c: _Checker, raw: Any) -> tuple[date, ...] | None:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.add("holidays", f"expected a list of dates like [2026-12-24, 2026-12-31], got {_show(raw)}")
        return None
    days = []
    for i, item in enumerate(raw):
        if isinstance(item, date) and not isinstance(item, datetime):
            days.append(item)
            continue
        try:
            days.append(date.fromisoformat(str(item)))
        except ValueError:
            c.add(f"holidays[{i}]", f"{_show(item)} is not a date (YYYY-MM-DD)")
    return tuple(sorted(set(days)))


def _raw_text(raw: Any, name: str) -> str | None:
    """A field's text before validation, to spot duplicates even in records with other problems."""
    if isinstance(raw, Mapping) and isinstance(raw.get(name), str | int) and not isinstance(raw.get(name), bool):
        return str(raw[name]).strip() or None
    return None


def _timezone(c: _Checker, top: Mapping[str, Any]) -> str | None:
    if "timezone" not in top:
        return None
    name = c.text(top, "timezone", "timezone", required=False)
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        c.add("timezone", f"“{name}” is not an IANA timezone (like America/New_York or Europe/London)")
        return None
    return name


def _escalation(c: _Checker, raw: Any) -> EscalationPolicy | None:
    m = c.mapping(raw, "escalation", _ESCALATION_FIELDS)
    if m is None:
        return None
    defaults = EscalationPolicy()
    values: dict[str, Any] = {}
    thresholds = m.get("burn_thresholds")
    if thresholds is not None:
        if not isinstance(thresholds, list) or not thresholds:
            c.add("escalation.burn_thresholds", f"expected a list of percentages like [75, 90, 100], "
                                                f"got {_show(thresholds)}")
        else:
            parsed = []
            for i, t in enumerate(thresholds):
                if isinstance(t, bool) or not isinstance(t, int) or not 0 < t <= 1000:
                    c.add(f"escalation.burn_thresholds[{i}]", f"{_show(t)} is not a whole percentage (1-1000)")
                else:
                    parsed.append(t)
            if len(parsed) == len(thresholds):
                values["burn_thresholds"] = tuple(sorted(set(parsed)))
    for name in _ESCALATION_FIELDS[1:]:
        value = m.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            c.add(f"escalation.{name}", f"{_show(value)} is not a whole number of "
                                        f"{'hours' if name == 'reack_hours' else 'days' if 'days' in name else '%'}")
        else:
            values[name] = value
    return replace(defaults, **values)


def _person(c: _Checker, raw: Any, path: str) -> PersonSpec | None:
    m = c.mapping(raw, path, _PERSON_FIELDS)
    if m is None:
        return None
    before = len(c.problems)
    name = c.text(m, "name", path)
    email = c.email(m, "email", path)
    role_text = c.text(m, "role", path)
    role = None
    if role_text is not None:
        try:
            role = Role(role_text.lower())
        except ValueError:
            c.add(f"{path}.role", f"“{role_text}” is not a role ({', '.join(r.value for r in Role)})")
    capacity = c.number(m, "capacity_hours", path, maximum=Decimal(168))
    cost = c.number(m, "cost_rate", path)
    bill = c.number(m, "bill_rate", path)
    platform = None
    platform_text = c.text(m, "platform", path, required=False)
    if platform_text is not None:
        try:
            platform = Platform(platform_text.lower())
        except ValueError:
            c.add(f"{path}.platform", f"“{platform_text}” is not a platform (slack or teams)")
    active = m.get("active", True)
    if not isinstance(active, bool):
        c.add(f"{path}.active", f"{_show(active)} is not true or false (write active: false to switch someone off)")
    zone = None
    if m.get("timezone") is not None:
        zone = c.text(m, "timezone", path, required=False)
        try:
            ZoneInfo(zone or "")
        except (ZoneInfoNotFoundError, ValueError):
            c.add(f"{path}.timezone", f"“{zone}” is not an IANA timezone (like Europe/London)")
    country = _country(c, m, path)
    if len(c.problems) > before or name is None or email is None or role is None:
        return None
    return PersonSpec(name, email, role, capacity, cost, bill, platform, active is not False, zone, country)


def _client(c: _Checker, raw: Any, path: str, project_keys: dict[str, str]) -> ClientSpec | None:
    m = c.mapping(raw, path, _CLIENT_FIELDS)
    if m is None:
        return None
    before = len(c.problems)
    name = c.text(m, "name", path)
    key = c.key(m, path)
    director = c.email(m, "director", path, required=False)
    aliases = c.words(m, "aliases", path)
    billing_names = c.words(m, "billing_names", path)
    projects: list[ProjectSpec] = []
    for j, raw_project in enumerate(c.items(m.get("projects"), f"{path}.projects")):
        raw_key = _raw_text(raw_project, "key")
        if raw_key and fold(raw_key) in project_keys:
            c.add(f"{path}.projects[{j}].key", f"“{raw_key}” is used twice (also {project_keys[fold(raw_key)]})")
        elif raw_key:
            project_keys[fold(raw_key)] = f"{path}.projects[{j}]"
        project = _project(c, raw_project, f"{path}.projects[{j}]")
        if project is not None:
            projects.append(project)
    if len(c.problems) > before or name is None or key is None:
        return None
    return ClientSpec(key, name, director, aliases, tuple(projects), billing_names)


def _project(c: _Checker, raw: Any, path: str) -> ProjectSpec | None:
    m = c.mapping(raw, path, _PROJECT_FIELDS)
    if m is None:
        return None
    before = len(c.problems)
    name = c.text(m, "name", path)
    key = c.key(m, path)
    budget = c.number(m, "budget", path, required=True)
    budget_hours = c.number(m, "budget_hours", path)
    start = c.day(m, "start", path)
    end = c.day(m, "end", path)
    if start is not None and end is not None and end < start:
        c.add(f"{path}.end", f"{end.isoformat()} is before start {start.isoformat()}")
    manager = c.email(m, "manager", path, required=False)
    channels: tuple[str, ...] | None = None
    if "channel" in m or "channels" in m:
        single = c.words(m, "channel", path) or ()
        several = c.words(m, "channels", path) or ()
        channels = tuple(dict.fromkeys((*single, *several)))
        for ch in channels:
            if not _CHANNEL.match(ch):
                c.add(f"{path}.channel", f"“{ch}” is not a channel id (like C0ACMEWEB or 19:abc@thread.tacv2)")
    aliases = c.words(m, "aliases", path)
    if len(c.problems) > before or name is None or key is None or budget is None or start is None or end is None:
        return None
    return ProjectSpec(key, name, budget, start, end, budget_hours, manager, channels, aliases)


# --- applying -------------------------------------------------------------------------------------


KINDS = ("organisation", "people", "clients", "projects")


@dataclass
class ImportSummary:
    """What an organisation import did, per kind of record."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    changes: list[str] = field(default_factory=list)  # "project acme-web: budget 120000 → 130000"
    # (action, subject, detail) of each audit event written, for the summary of domain/org_changes.py
    entries: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def count(self, kind: str) -> tuple[int, int, int]:
        return self.created[kind], self.updated[kind], self.unchanged[kind]

    def describe_kind(self, kind: str) -> str:
        created, updated, unchanged = self.count(kind)
        return f"{created} created, {updated} updated, {unchanged} unchanged"

    def describe(self) -> str:
        """One line: ``People: 2 created, 1 updated, 9 unchanged; clients: ...; projects: ...``."""
        parts = [f"{kind}: {self.describe_kind(kind)}" for kind in KINDS[1:]]
        if self.updated["organisation"]:
            parts.append("settings updated")
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."


def _dec_changed(old: Decimal | None, new: Decimal | None) -> bool:
    if old is None or new is None:
        return old is not new
    return Decimal(old) != Decimal(new)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _same_words(old: Sequence[str], new: Sequence[str]) -> bool:
    return sorted(fold(w) for w in old) == sorted(fold(w) for w in new)


class _Diff:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def note(self, name: str, old: Any, new: Any, shown_old: Any = None, shown_new: Any = None) -> None:
        self.parts.append(f"{name}: {_fmt(shown_old if shown_old is not None else old)} → "
                          f"{_fmt(shown_new if shown_new is not None else new)}")

    def __bool__(self) -> bool:
        return bool(self.parts)

    def text(self) -> str:
        return "; ".join(self.parts)


def apply_org(uow: UnitOfWork, spec: OrgSpec, actor_id: int | None, at: datetime) -> ImportSummary:
    """Create or update the organisation settings, people (by email), clients and projects (by key).

    Only what changed is written, each created or updated record with one audit event saying what
    changed; applying the same spec twice changes nothing. Every reference is checked before the
    first write, so a bad spec raises ``InvalidInput`` having written nothing (the caller commits).
    """
    summary = ImportSummary()
    stored_people = uow.people.list()
    by_email = {fold(p.email): p for p in stored_people}
    known_emails = set(by_email) | {fold(p.email) for p in spec.people}
    problems = []
    for i, client in enumerate(spec.clients):
        if client.director and fold(client.director) not in known_emails:
            problems.append(f"clients[{i}].director: {client.director} is not among the people in the file "
                            "nor in Steward")
        for j, project in enumerate(client.projects):
            if project.manager and fold(project.manager) not in known_emails:
                problems.append(f"clients[{i}].projects[{j}].manager: {project.manager} is not among the people "
                                "in the file nor in Steward")
    if problems:
        raise _problems_error("The organisation file has {n}; nothing was imported", problems, ORG_EXAMPLE)

    def record(kind: str, action: str, subject: str, detail: str) -> None:
        uow.audit.add(AuditEvent(None, at, actor_id, Source.IMPORT, action, subject, detail))
        summary.changes.append(f"{subject.replace(':', ' ', 1)}: {detail}")
        summary.entries.append((action, subject, detail))

    _apply_settings(uow, spec, summary, record)
    _apply_org_calendar(uow, spec, record)

    for ps in spec.people:
        existing = by_email.get(fold(ps.email))
        if existing is None:
            person = uow.people.add(Person(
                None, ps.name, ps.email, ps.role,
                capacity_hours=ps.capacity_hours if ps.capacity_hours is not None else Decimal("40"),
                cost_rate=ps.cost_rate if ps.cost_rate is not None else Decimal("0"),
                bill_rate=ps.bill_rate if ps.bill_rate is not None else Decimal("0"),
                platform=ps.platform, active=ps.active,
            ))
            by_email[fold(ps.email)] = person
            summary.created["people"] += 1
            record("people", "person.created", f"person:{ps.email}",
                   f"{ps.name}, {ps.role.value}, {_fmt(person.capacity_hours)}h/week, cost {_fmt(person.cost_rate)}, "
                   f"bill {_fmt(person.bill_rate)}" + ("" if ps.active else ", switched off"))
            continue
        diff = _Diff()
        new = existing
        if existing.name != ps.name:
            diff.note("name", existing.name, ps.name)
            new = replace(new, name=ps.name)
        if existing.role is not ps.role:
            diff.note("role", existing.role.value, ps.role.value)
            new = replace(new, role=ps.role)
        for attr in ("capacity_hours", "cost_rate", "bill_rate"):
            value = getattr(ps, attr)
            if value is not None and _dec_changed(getattr(existing, attr), value):
                diff.note(attr, getattr(existing, attr), value)
                new = replace(new, **{attr: value})
        if ps.platform is not None and existing.platform is not ps.platform:
            diff.note("platform", existing.platform.value if existing.platform else None, ps.platform.value)
            new = replace(new, platform=ps.platform)
        if existing.active is not ps.active:
            diff.note("active", "yes" if existing.active else "no", "yes" if ps.active else "no")
            new = replace(new, active=ps.active)
        if diff:
            uow.people.update(new)
            by_email[fold(ps.email)] = new
            summary.updated["people"] += 1
            record("people", "person.updated", f"person:{existing.email}", diff.text())
        else:
            summary.unchanged["people"] += 1
    _apply_person_calendars(uow, spec, by_email, record)

    def person_id(email: str | None) -> int | None:
        return by_email[fold(email)].id if email else None

    clients_by_key = {fold(c.key): c for c in uow.clients.list()}
    client_ids: dict[str, int] = {}
    unchanged_clients: set[str] = set()  # counted unchanged so far (billing_names may still change them)
    for cs in spec.clients:
        existing_client = clients_by_key.get(fold(cs.key))
        director_id = person_id(cs.director)
        if existing_client is None:
            added_client = uow.clients.add(Client(None, cs.key, cs.name, director_id, cs.aliases or ()))
            client_ids[fold(cs.key)] = added_client.id or 0
            summary.created["clients"] += 1
            record("clients", "client.created", f"client:{cs.key}",
                   f"{cs.name}" + (f", director {cs.director}" if cs.director else ""))
            continue
        client_ids[fold(cs.key)] = existing_client.id or 0
        diff = _Diff()
        new_client = existing_client
        if existing_client.name != cs.name:
            diff.note("name", existing_client.name, cs.name)
            new_client = replace(new_client, name=cs.name)
        if cs.director is not None and existing_client.director_id != director_id:
            diff.note("director", _email_of(uow, existing_client.director_id), cs.director)
            new_client = replace(new_client, director_id=director_id)
        if cs.aliases is not None and not _same_words(existing_client.aliases, cs.aliases):
            diff.note("aliases", existing_client.aliases, cs.aliases)
            new_client = replace(new_client, aliases=cs.aliases)
        if diff:
            uow.clients.update(new_client)
            summary.updated["clients"] += 1
            record("clients", "client.updated", f"client:{existing_client.key}", diff.text())
        else:
            summary.unchanged["clients"] += 1
            unchanged_clients.add(fold(cs.key))

    _apply_billing_names(uow, spec, client_ids, unchanged_clients, summary, record)
    projects_by_key = {fold(p.key): p for p in uow.projects.list()}
    client_key_of = {cid: key for key, cid in client_ids.items()}
    for cs in spec.clients:
        client_id = client_ids[fold(cs.key)]
        for prj in cs.projects:
            _apply_project(uow, prj, client_id, projects_by_key.get(fold(prj.key)), person_id, summary, record,
                           client_key_of)
    if spec.pipeline is not None:
        from domain.pipeline_org import apply_pipeline_org

        apply_pipeline_org(uow, spec.pipeline, summary, record, at)
    return summary


def _apply_billing_names(uow: UnitOfWork, spec: OrgSpec, client_ids: Mapping[str, int], unchanged: set[str],
                         summary: ImportSummary, record: Any) -> None:
    """``billing_names`` per client (the names invoice exports use), stored by the invoices repository.
    Absent: left as stored; an explicit empty list clears. A change is one audit event on the client."""
    given = [cs for cs in spec.clients if cs.billing_names is not None]
    if not given:
        return
    stored = uow.invoices.billing_names()
    for cs in given:
        client_id = client_ids[fold(cs.key)]
        old = stored.get(client_id, ())
        new = cs.billing_names or ()
        if _same_words(old, new):
            continue
        uow.invoices.set_billing_names(client_id, new)
        if fold(cs.key) in unchanged:
            summary.unchanged["clients"] -= 1
            summary.updated["clients"] += 1
        record("clients", "client.updated", f"client:{cs.key}", f"billing_names {_fmt(old)} → {_fmt(new)}")


def _email_of(uow: UnitOfWork, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    person = uow.people.get(person_id)
    return person.email if person else f"#{person_id}"


def _apply_settings(uow: UnitOfWork, spec: OrgSpec, summary: ImportSummary, record: Any) -> None:
    org = uow.organisation.get()
    diff = _Diff()
    new_org = org
    if spec.currency is not None and org.currency != spec.currency:
        diff.note("currency", org.currency, spec.currency)
        new_org = replace(new_org, currency=spec.currency)
    if spec.timezone is not None and org.timezone != spec.timezone:
        diff.note("timezone", org.timezone, spec.timezone)
        new_org = replace(new_org, timezone=spec.timezone)
    if spec.escalation is not None and org.escalation != spec.escalation:
        old, new = org.escalation, spec.escalation
        for name in _ESCALATION_FIELDS:
            if getattr(old, name) != getattr(new, name):
                diff.note(f"escalation.{name}", list(getattr(old, name)) if name == "burn_thresholds"
                          else getattr(old, name),
                          list(getattr(new, name)) if name == "burn_thresholds" else getattr(new, name))
        new_org = replace(new_org, escalation=spec.escalation)
    if diff:
        uow.organisation.save(new_org)
        summary.updated["organisation"] += 1
        record("organisation", "organisation.updated", "organisation", diff.text())
    else:
        summary.unchanged["organisation"] += 1


def _apply_project(uow: UnitOfWork, prj: ProjectSpec, client_id: int, existing: Project | None,
                   person_id: Any, summary: ImportSummary, record: Any, client_key_of: Mapping[int, str]) -> None:
    manager_id = person_id(prj.manager)
    if existing is None:
        uow.projects.add(Project(
            None, prj.key, prj.name, client_id, prj.budget, prj.start, prj.end, manager_id=manager_id,
            budget_hours=prj.budget_hours, channels=prj.channels or (), aliases=prj.aliases or (),
        ))
        summary.created["projects"] += 1
        record("projects", "project.created", f"project:{prj.key}",
               f"{prj.name}, budget {_fmt(prj.budget)}, {prj.start.isoformat()} to {prj.end.isoformat()}"
               + (f", channels {_fmt(prj.channels)}" if prj.channels else ""))
        return
    diff = _Diff()
    new = existing
    if existing.name != prj.name:
        diff.note("name", existing.name, prj.name)
        new = replace(new, name=prj.name)
    if existing.client_id != client_id:
        diff.note("client", client_key_of.get(existing.client_id, f"#{existing.client_id}"),
                  client_key_of.get(client_id, f"#{client_id}"))
        new = replace(new, client_id=client_id)
    if _dec_changed(existing.budget, prj.budget):
        diff.note("budget", existing.budget, prj.budget)
        new = replace(new, budget=prj.budget)
    if prj.budget_hours is not None and _dec_changed(existing.budget_hours, prj.budget_hours):
        diff.note("budget_hours", existing.budget_hours, prj.budget_hours)
        new = replace(new, budget_hours=prj.budget_hours)
    if existing.start != prj.start:
        diff.note("start", existing.start, prj.start)
        new = replace(new, start=prj.start)
    if existing.end != prj.end:
        diff.note("end", existing.end, prj.end)
        new = replace(new, end=prj.end)
    if prj.manager is not None and existing.manager_id != manager_id:
        diff.note("manager", _email_of(uow, existing.manager_id), prj.manager)
        new = replace(new, manager_id=manager_id)
    if prj.channels is not None and sorted(existing.channels) != sorted(prj.channels):
        diff.note("channels", existing.channels, prj.channels)
        new = replace(new, channels=prj.channels)
    if prj.aliases is not None and not _same_words(existing.aliases, prj.aliases):
        diff.note("aliases", existing.aliases, prj.aliases)
        new = replace(new, aliases=prj.aliases)
    if diff:
        uow.projects.update(new)
        summary.updated["projects"] += 1
        record("projects", "project.updated", f"project:{existing.key}", diff.text())
    else:
        summary.unchanged["projects"] += 1


# =================================================================================================
# Hours (CSV)
# =================================================================================================

FORMATS = ("generic", "harvest", "toggl")

# Required columns (folded) per format; the first set of alternatives that is present is used.
GENERIC_COLUMNS = ("date", "email", "project", "hours")
HARVEST_COLUMNS = ("date", "project", "hours", "first name", "last name")
TOGGL_COLUMNS = ("project", "start date", "duration")

HOURS_EXAMPLES = {
    "generic": "date,email,project,hours,note\n2026-11-03,jane@example.com,acme-web,3.5,design review",
    "harvest": "Date,Client,Project,Project Code,Task,Notes,Hours,Billable?,Invoiced?,First Name,Last Name\n"
               "2026-11-03,Acme Corp,Website Relaunch,acme-web,Design,design review,3.5,Yes,No,Jane,Designer",
    "toggl": "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,"
             "Duration,Tags,Amount (USD)\nJane Designer,jane@example.com,Acme Corp,Website Relaunch,,design review,"
             "Yes,2026-11-03,09:00:00,2026-11-03,12:30:00,03:30:00,,",
}


@dataclass(frozen=True)
class HoursRow:
    """One time-entry line of a CSV file, read but not yet matched to a person and a project."""

    line: int  # physical line number in the file (the header is line 1)
    day: date
    hours: Decimal
    note: str
    email: str = ""  # who: by email when the format has one ...
    person_name: str = ""  # ... else (or also) by full name
    project: str = ""  # key, name or alias
    project_code: str = ""  # Harvest's Project Code: our key
    client: str = ""  # to tell apart two projects with the same name
    fingerprint: str = ""  # stable id of this row: re-importing the file adds nothing
    bill_rate: Decimal | None = None  # the file's own rate for this entry (None: the person's current one)
    cost_rate: Decimal | None = None


@dataclass(frozen=True)
class HoursFile:
    format: str
    rows: tuple[HoursRow, ...]
    problems: tuple[tuple[int, str], ...]  # (line, reason)


@dataclass(frozen=True)
class HoursImportSummary:
    format: str
    rows: int
    added: int
    already: int
    projects: int
    hours: Decimal

    def describe(self) -> str:
        """``Imported 214 entries (12 already present) for 5 projects``."""
        text = f"Imported {_plural(self.added, 'entry', 'entries')}"
        if self.already:
            text += f" ({self.already} already present)"
        return text + f" for {_plural(self.projects, 'project')}"


def detect_format(header: Sequence[str]) -> str | None:
    """The format a CSV header belongs to, or None."""
    cols = {fold(h) for h in header}
    if {"duration", "start date"} <= cols and ({"email"} & cols or {"user"} & cols):
        return "toggl"
    if {"first name", "last name", "hours"} <= cols:
        return "harvest"
    if set(GENERIC_COLUMNS) <= cols:
        return "generic"
    return None


def _required(fmt: str) -> tuple[str, ...]:
    return {"generic": GENERIC_COLUMNS, "harvest": HARVEST_COLUMNS, "toggl": TOGGL_COLUMNS}[fmt]


def parse_day(text: str) -> date | None:
    """ISO dates (``2026-11-03``) and day-first dotted dates (``03.11.2026``). Slashed dates are
    refused: 03/11/2026 means two different days on either side of the Atlantic."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            return None
    return None


def parse_duration(text: str) -> Decimal | None:
    """Hours from ``3.5``, ``3,5``, ``3:30`` or ``03:30:00``; None when it is not a duration."""
    text = text.strip()
    if not text:
        return None
    m = re.fullmatch(r"(-?)(\d+):([0-5]\d)(?::([0-5]\d))?", text)
    if m:
        seconds = int(m[2]) * 3600 + int(m[3]) * 60 + int(m[4] or 0)
        value = Decimal(seconds) / Decimal(3600)
        return -value if m[1] else value
    if re.fullmatch(r"-?\d+,\d+", text):  # a decimal comma: 7,5
        text = text.replace(",", ".")
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text):
        return None
    return Decimal(text)


# Per-entry rate columns (folded header names) by format: the rate the time was logged at, which the
# tracker knows and Steward, importing months of history, does not. Toggl exports amounts, not rates.
RATE_COLUMNS = {
    "generic": ("bill_rate", "cost_rate"),
    "harvest": ("billable rate", "cost rate"),
}
RATE_QUANTUM = Decimal("0.01")


def parse_rate(text: str) -> Decimal | None:
    """A rate from a CSV cell: ``180``, ``180.00``, ``1,250.50`` or ``1250,5``; None when it is not one."""
    text = text.strip()
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"\d+,\d{1,2}", text):  # a decimal comma
        text = text.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):
        return None
    return Decimal(text)


def _delimiter(text: str) -> str:
    """Comma, or the semicolon / tab a spreadsheet saved the file with (judged on the header line)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _rows(text: str) -> list[tuple[int, list[str]]]:
    return csv_rows(text, example=HOURS_EXAMPLES["generic"], delimiter=_delimiter(text))


def csv_rows(text: str, *, example: str, delimiter: str = ",") -> list[tuple[int, list[str]]]:
    """CSV rows with the physical line each starts on (quoted fields may span lines); a file that is not
    valid CSV is refused naming the line, with ``example`` of the right form."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    start = 1
    try:
        for row in reader:
            out.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput(f"Nothing was imported: line {reader.line_num or start} is not valid CSV ({exc}).",
                           example=example) from exc
    return out


def parse_hours_csv(text: str, fmt: str | None = None) -> HoursFile:
    """Read a time-entry CSV (``generic``, ``harvest`` or ``toggl``; detected from the header when
    ``fmt`` is None). Problems with a row are collected by line, not raised."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InvalidInput(f"Nothing was imported: line {line} holds a NUL byte, so this is not a valid CSV text file "
                           "(a spreadsheet? Save it as CSV UTF-8).", example=HOURS_EXAMPLES["generic"])
    rows = iter(_rows(text))
    header: list[str] | None = None
    for _line, cells in rows:
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break
    if header is None:
        raise InvalidInput("The file is empty: expected a header line and one line per time entry.",
                           example=HOURS_EXAMPLES["generic"])
    if fmt is None:
        fmt = detect_format(header)
        if fmt is None:
            raise InvalidInput(
                f"I can't tell the format from the header ({', '.join(header[:8])}"
                f"{', …' if len(header) > 8 else ''}). Expected a generic file with the columns "
                "date, email, project, hours, note; a Harvest detailed time export; or a Toggl Track detailed "
                "report export. Name it with --format generic|harvest|toggl.",
                example=HOURS_EXAMPLES["generic"])
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown format “{fmt}”: use generic, harvest or toggl.")
    index = {fold(h): i for i, h in reversed(list(enumerate(header)))}
    missing = [c for c in _required(fmt) if c not in index]
    if fmt == "toggl" and "email" not in index and "user" not in index:
        missing.append("email (or user)")
    if missing:
        raise _problems_error(
            f"Nothing was imported: the header is not a {fmt} file's ({{n}})", [
                f"line 1: missing column “{c}”" for c in missing
            ], HOURS_EXAMPLES[fmt])

    def cell(cells: list[str], name: str) -> str:
        i = index.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    out: list[HoursRow] = []
    problems: list[tuple[int, str]] = []
    seen: Counter[str] = Counter()
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append((line, f"has {_plural(len(cells), 'value')}, the header has {len(header)}"))
            continue
        row, reasons = _read_row(fmt, line, cells, cell)
        if reasons:
            problems.extend((line, r) for r in reasons)
            continue
        assert row is not None
        # What the row says, not how the export laid it out: re-exporting the same time with other
        # columns (or with "Invoiced?" now Yes) gives the same fingerprints.
        content = "\x1f".join((
            row.day.isoformat(), fold(row.email), fold(row.person_name), fold(row.project), fold(row.project_code),
            f"{row.hours.normalize():f}", row.note, cell(cells, "start time"),
        ))
        seen[content] += 1
        digest = hashlib.sha1(f"{fmt}\x1e{seen[content]}\x1e{content}".encode()).hexdigest()
        out.append(replace(row, fingerprint=f"{fmt}:{digest}"))
    return HoursFile(fmt, tuple(out), tuple(problems))


def _read_row(fmt: str, line: int, cells: list[str], cell: Any) -> tuple[HoursRow | None, list[str]]:
    reasons: list[str] = []
    date_col = "start date" if fmt == "toggl" else "date"
    hours_col = "duration" if fmt == "toggl" else "hours"
    day_text = cell(cells, date_col)
    day = parse_day(day_text)
    if day is None:
        reasons.append(f"{'no date' if not day_text else f'“{day_text}” is not a date'} (write dates as "
                       "YYYY-MM-DD, e.g. 2026-11-03)")
    hours_text = cell(cells, hours_col)
    hours = parse_duration(hours_text)
    if hours is None:
        reasons.append(f"{'no hours' if not hours_text else f'“{hours_text}” is not a number of hours'} "
                       f"(e.g. {'03:30:00' if fmt == 'toggl' else '3.5'})")
    else:
        rounded = hours.quantize(HOURS_QUANTUM, rounding=ROUND_HALF_UP)
        if hours < 0:
            reasons.append(f"{hours_text} hours is negative")
        elif rounded == 0:
            reasons.append(f"{hours_text or '0'} is zero hours" if hours == 0 else
                           f"{hours_text} rounds to zero hours")
        elif rounded > MAX_HOURS_PER_DAY:
            reasons.append(f"{hours_text} hours is more than a day holds (24)")
        hours = rounded
    if fmt == "generic":
        email, name, note = cell(cells, "email"), "", cell(cells, "note")
        project, code, client = cell(cells, "project"), "", ""
        if not email:
            reasons.append("no email")
    elif fmt == "harvest":
        email = cell(cells, "email")
        name = " ".join(p for p in (cell(cells, "first name"), cell(cells, "last name")) if p)
        project, code, client = cell(cells, "project"), cell(cells, "project code"), cell(cells, "client")
        note = ": ".join(p for p in (cell(cells, "task"), cell(cells, "notes")) if p)
        if not email and not name:
            reasons.append("no first or last name")
    else:
        email, name = cell(cells, "email"), cell(cells, "user")
        project, code, client = cell(cells, "project"), "", cell(cells, "client")
        note = ": ".join(p for p in (cell(cells, "task"), cell(cells, "description")) if p)
        if not email and not name:
            reasons.append("no user or email")
    if not project and not code:
        reasons.append("no project")
    rates: list[Decimal | None] = []
    for column in RATE_COLUMNS.get(fmt, ()):
        text = cell(cells, column)
        rate = parse_rate(text) if text else None
        if text and rate is None:
            reasons.append(f"{column} “{text}” is not a rate (e.g. 180.00; leave it empty for the person's own)")
        elif rate is not None and rate != rate.quantize(RATE_QUANTUM):
            reasons.append(f"{column} {text} has more than two decimals")
            rate = None
        rates.append(rate)
    if reasons or day is None or hours is None:
        return None, reasons
    bill_rate, cost_rate = rates if rates else (None, None)
    return HoursRow(line, day, hours, note, email, name, project, code, client,
                    bill_rate=bill_rate, cost_rate=cost_rate), []


def _lookup(items: Sequence[Any], word: str, keys: Any) -> list[Any]:
    target = fold(word)
    return [i for i in items if target in (fold(k) for k in keys(i))]


def resolve_hours(parsed: HoursFile, people: Sequence[Person], projects: Sequence[Project],
                  clients: Sequence[Client]) -> tuple[list[TimeEntry], list[tuple[int, str]]]:
    """Match each row to a person and a project and build the entries: at the file's own rates where it
    gives them (Harvest's Billable Rate and Cost Rate, generic bill_rate and cost_rate), else at the
    person's current rates.

    Returns the entries and every problem (the parser's and the matcher's), sorted by line."""
    problems = list(parsed.problems)
    entries: list[TimeEntry] = []
    clients_by_id = {c.id: c for c in clients}
    per_day: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    for row in parsed.rows:
        person, why_person = _match_person(row, people)
        project, why_project = _match_project(row, projects, clients_by_id)
        reasons = [r for r in (why_person, why_project) if r]
        if person is None or project is None:
            problems.extend((row.line, r) for r in reasons)
            continue
        per_day[(person.id or 0, row.day)] += row.hours
        if per_day[(person.id or 0, row.day)] > MAX_HOURS_PER_DAY:
            problems.append((row.line, f"{person.name} has more than 24 hours on {row.day.isoformat()} "
                                       "in this file"))
            continue
        entries.append(TimeEntry(
            None, person.id or 0, project.id or 0, row.day, row.hours,
            person.bill_rate if row.bill_rate is None else row.bill_rate,
            person.cost_rate if row.cost_rate is None else row.cost_rate,
            row.note, Source.IMPORT, row.fingerprint,
        ))
    problems.sort(key=lambda p: p[0])
    return entries, problems


def _match_person(row: HoursRow, people: Sequence[Person]) -> tuple[Person | None, str]:
    if row.email:
        found = [p for p in people if fold(p.email) == fold(row.email)]
        if found:
            return found[0], ""
        if not row.person_name:
            return None, f"unknown person “{row.email}”" + _did_you_mean(row.email, [p.email for p in people])
    found = [p for p in people if fold(p.name) == fold(row.person_name)]
    if len(found) == 1:
        return found[0], ""
    if len(found) > 1:
        return None, f"“{row.person_name}” names {len(found)} people ({', '.join(p.email for p in found)})"
    who = f"{row.person_name} <{row.email}>" if row.email else row.person_name
    return None, f"unknown person “{who}”" + _did_you_mean(row.person_name, [p.name for p in people])


def _did_you_mean(word: str, options: Sequence[str]) -> str:
    folded = {fold(o): o for o in options}
    close = difflib.get_close_matches(fold(word), list(folded), n=1, cutoff=0.75)
    return f" (did you mean {folded[close[0]]}?)" if close else ""


def _match_project(row: HoursRow, projects: Sequence[Project],
                   clients_by_id: Mapping[int | None, Client]) -> tuple[Project | None, str]:
    if row.project_code:
        found = [p for p in projects if fold(p.key) == fold(row.project_code)]
        if found:
            return found[0], ""
    if row.project:
        by_key = [p for p in projects if fold(p.key) == fold(row.project)]
        if by_key:
            return by_key[0], ""
        found = _lookup(projects, row.project, lambda p: [p.name, *p.aliases])
        if len(found) > 1 and row.client:
            of_client = [p for p in found
                         if (c := clients_by_id.get(p.client_id)) is not None
                         and fold(row.client) in (fold(k) for k in (c.key, c.name, *c.aliases))]
            found = of_client or found
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, (f"project “{row.project}” is ambiguous ({', '.join(p.key for p in found)}); "
                          "use the project key")
    named = row.project or row.project_code
    code = f" (code {row.project_code})" if row.project_code and row.project else ""
    return None, f"unknown project “{named}”{code}" + _did_you_mean(
        named, [k for p in projects for k in (p.key, p.name)])


def import_hours(uow: UnitOfWork, text: str, fmt: str | None, actor_id: int | None, at: datetime,
                 source_name: str = "") -> HoursImportSummary:
    """Import a whole time-entry CSV or nothing: any bad row raises ``InvalidInput`` listing the
    problems by line. Entries already imported (same row fingerprint) are skipped."""
    parsed = parse_hours_csv(text, fmt)
    entries, problems = resolve_hours(parsed, uow.people.list(), uow.projects.list(), uow.clients.list())
    if problems:
        raise _problems_error(
            f"Nothing was imported: the {parsed.format} file has {{n}} on "
            f"{_plural(len({line for line, _ in problems}), 'line')}",
            [f"line {line}: {reason}" for line, reason in problems], HOURS_EXAMPLES[parsed.format])
    if not entries:
        raise InvalidInput("The file has a header but no time entries.", example=HOURS_EXAMPLES[parsed.format])
    added = uow.entries.add_many(entries)
    summary = HoursImportSummary(
        parsed.format, len(entries), added, len(entries) - added, len({e.project_id for e in entries}),
        sum((e.hours for e in entries), Decimal(0)),
    )
    if added:
        first, last = min(e.day for e in entries), max(e.day for e in entries)
        where = f" from {source_name}" if source_name else ""
        uow.audit.add(AuditEvent(
            None, at, actor_id, Source.IMPORT, "hours.imported", "import:hours",
            f"{summary.describe()}{where} ({parsed.format} format, {_fmt(summary.hours)}h dated "
            f"{first.isoformat()} to {last.isoformat()})",
        ))
    return summary


def _apply_org_calendar(uow: UnitOfWork, spec: OrgSpec, record: Any) -> None:
    """The organisation's holiday country and explicit holidays (stand-ups, capacity), when the file has them."""
    from domain.timeoff import OrgCalendar

    if spec.holiday_country is None and spec.holidays is None:
        return
    old = uow.calendars.org()
    new = OrgCalendar(spec.holiday_country or old.holiday_country,
                      spec.holidays if spec.holidays is not None else old.holidays)
    if new != old:
        uow.calendars.save_org(new)
        record("organisation", "organisation.updated", "organisation",
               f"holiday calendar {new.holiday_country or 'none'}, {len(new.holidays)} company holiday(s)")


def _apply_person_calendars(uow: UnitOfWork, spec: OrgSpec, by_email: Mapping[str, Person], record: Any) -> None:
    """Each person's own timezone and holiday country, when the file gives them (one read for everyone)."""
    from domain.timeoff import PersonCalendar

    wanted = [(by_email[fold(ps.email)], ps) for ps in spec.people
              if (ps.timezone or ps.holiday_country) and by_email[fold(ps.email)].id is not None]
    if not wanted:
        return
    stored = uow.calendars.people([p.id or 0 for p, _ in wanted])
    for person, ps in wanted:
        old = stored.get(person.id or 0)
        if old is not None and (old.timezone, old.holiday_country) == (ps.timezone, ps.holiday_country):
            continue
        uow.calendars.save_person(PersonCalendar(person.id or 0, ps.timezone, None, ps.holiday_country))
        record("people", "person.updated", f"person:{person.email}",
               f"calendar: timezone {ps.timezone or '-'}, holidays {ps.holiday_country or '-'}")
