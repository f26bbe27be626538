"""The organisation file's pipeline keys (issue 14), read and applied beside ``domain.importing``'s.

Top level: ``fiscal_year_start_month`` (1-12, default 1), ``quotas: [{email, period: 2026-Q4, amount}]``,
``pipeline: {stages: [...], delivery_months: 3}``; per client ``crm_names: [...]`` (account names in
Salesforce); per project ``renewal: {notice_days: 60}``. As elsewhere in the file, a key that is absent
leaves what is stored; quotas are added or changed, never deleted.

``stages`` is a list of ``{name, closed, won, probability, category}`` (or a mapping from the stage name
to the rest): what a stage name means when the source gives no probability or forecast category.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.importing import ImportSummary, fold, to_decimal
from domain.pipeline import ForecastCategory, Quota, StageRule, parse_period
from domain.ports import UnitOfWork
from domain.renewals import Renewal

TOP_FIELDS = ("fiscal_year_start_month", "quotas", "pipeline")
CLIENT_FIELDS = ("crm_names",)
PROJECT_FIELDS = ("renewal",)
_STAGE_FIELDS = ("name", "closed", "won", "probability", "category")
MAX_DELIVERY_MONTHS = 36


@dataclass(frozen=True)
class PipelineOrgSpec:
    fiscal_year_start_month: int | None = None
    delivery_months: int | None = None
    stages: tuple[StageRule, ...] | None = None
    quotas: tuple[tuple[str, str, Decimal], ...] = ()  # (email, period, amount)
    crm_names: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (client key, names)
    notice_days: tuple[tuple[str, int | None], ...] = ()  # (project key, days)


def _whole(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        return None
    return int(text)


def parse_pipeline_org(top: Mapping[str, Any], problems: list[str]) -> PipelineOrgSpec:
    """Read the pipeline keys of an organisation file, appending each problem with its path."""
    fiscal = None
    if top.get("fiscal_year_start_month") is not None:
        fiscal = _whole(top["fiscal_year_start_month"], 1, 12)
        if fiscal is None:
            problems.append(f"fiscal_year_start_month: {top['fiscal_year_start_month']!r} is not a month number "
                            "from 1 to 12 (e.g. fiscal_year_start_month: 4 for April)")
    delivery = stages = None
    raw_pipeline = top.get("pipeline")
    if raw_pipeline is not None:
        if not isinstance(raw_pipeline, Mapping):
            problems.append("pipeline: expected a mapping like {delivery_months: 3, stages: [...]}")
        else:
            for k in raw_pipeline:
                if str(k) not in ("stages", "delivery_months"):
                    problems.append(f"pipeline: unknown field “{k}” (known: stages, delivery_months)")
            if raw_pipeline.get("delivery_months") is not None:
                delivery = _whole(raw_pipeline["delivery_months"], 1, MAX_DELIVERY_MONTHS)
                if delivery is None:
                    problems.append(f"pipeline.delivery_months: {raw_pipeline['delivery_months']!r} is not a whole "
                                    f"number of months from 1 to {MAX_DELIVERY_MONTHS}")
            if raw_pipeline.get("stages") is not None:
                stages = _stages(raw_pipeline["stages"], problems)
    quotas: list[tuple[str, str, Decimal]] = []
    raw_quotas = top.get("quotas")
    if raw_quotas is not None and not isinstance(raw_quotas, list):
        problems.append("quotas: expected a list like [{email: dana@example.com, period: 2026-Q4, amount: 250000}]")
        raw_quotas = []
    seen: set[tuple[str, str]] = set()
    for i, q in enumerate(raw_quotas or []):
        path = f"quotas[{i}]"
        if not isinstance(q, Mapping) or set(map(str, q)) - {"email", "period", "amount"}:
            problems.append(f"{path}: expected {{email, period, amount}}, e.g. "
                            "{email: dana@example.com, period: 2026-Q4, amount: 250000}")
            continue
        email = str(q.get("email") or "").strip()
        period = parse_period(str(q.get("period") or ""))
        amount = to_decimal(q.get("amount"))
        if "@" not in email:
            problems.append(f"{path}.email: {q.get('email')!r} is not an email address")
        if period is None:
            problems.append(f"{path}.period: {q.get('period')!r} is not a fiscal quarter like 2026-Q4")
        if amount is None or amount < 0:
            problems.append(f"{path}.amount: {q.get('amount')!r} is not an amount like 250000")
        if "@" in email and period is not None and amount is not None and amount >= 0:
            if (fold(email), period.label) in seen:
                problems.append(f"{path}: {email} has two quotas for {period.label}")
            seen.add((fold(email), period.label))
            quotas.append((email, period.label, amount))
    crm: list[tuple[str, tuple[str, ...]]] = []
    notice: list[tuple[str, int | None]] = []
    clients = top.get("clients")
    for i, client in enumerate(clients if isinstance(clients, list) else []):
        if not isinstance(client, Mapping):
            continue
        key = str(client.get("key") or "").strip()
        if "crm_names" in client and client["crm_names"] is not None:
            names = client["crm_names"]
            names = [names] if isinstance(names, str) else names
            if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
                problems.append(f"clients[{i}].crm_names: expected a list of account names, e.g. "
                                "[Acme Corporation, ACME Inc.]")
            elif key:
                crm.append((key, tuple(dict.fromkeys(n.strip() for n in names))))
        projects = client.get("projects")
        for j, project in enumerate(projects if isinstance(projects, list) else []):
            if not isinstance(project, Mapping) or project.get("renewal") is None:
                continue
            path = f"clients[{i}].projects[{j}].renewal"
            raw = project["renewal"]
            days = _whole(raw.get("notice_days"), 0, 3650) if isinstance(raw, Mapping) else None
            if not isinstance(raw, Mapping) or set(map(str, raw)) - {"notice_days"} or \
                    (raw.get("notice_days") is not None and days is None):
                problems.append(f"{path}: expected {{notice_days: N}} with N whole days, e.g. renewal: "
                                "{notice_days: 60}")
                continue
            pkey = str(project.get("key") or "").strip()
            if pkey:
                notice.append((pkey, days))
    return PipelineOrgSpec(fiscal, delivery, stages, tuple(quotas), tuple(crm), tuple(notice))


def _stages(raw: Any, problems: list[str]) -> tuple[StageRule, ...] | None:
    items: list[Any]
    if isinstance(raw, Mapping):
        items = [{"name": k, **(v if isinstance(v, Mapping) else {"probability": v})} for k, v in raw.items()]
    elif isinstance(raw, list):
        items = raw
    else:
        problems.append("pipeline.stages: expected a list like [{name: Negotiation, probability: 80, "
                        "category: Commit}]")
        return None
    rules = []
    for i, item in enumerate(items):
        path = f"pipeline.stages[{i}]"
        if not isinstance(item, Mapping) or not str(item.get("name") or "").strip():
            problems.append(f"{path}: expected {{name, closed, won, probability, category}} with a name")
            continue
        unknown = set(map(str, item)) - set(_STAGE_FIELDS)
        if unknown:
            problems.append(f"{path}: unknown field “{sorted(unknown)[0]}” (known: {', '.join(_STAGE_FIELDS)})")
        prob = None
        if item.get("probability") is not None:
            prob = to_decimal(item["probability"])
            if prob is None or not 0 <= prob <= 100:
                problems.append(f"{path}.probability: {item['probability']!r} is not a percentage from 0 to 100")
                prob = None
        category = None
        if item.get("category") is not None:
            category = ForecastCategory.parse(str(item["category"]))
            if category is None:
                problems.append(f"{path}.category: {item['category']!r} is not one of "
                                f"{', '.join(c.value for c in ForecastCategory)}")
        flags = {}
        for flag in ("closed", "won"):
            value = item.get(flag, False)
            if not isinstance(value, bool):
                problems.append(f"{path}.{flag}: expected true or false, got {value!r}")
                value = False
            flags[flag] = value
        rules.append(StageRule(str(item["name"]).strip(), flags["closed"] or flags["won"], flags["won"], prob,
                               category))
    return tuple(rules)


Record = Callable[[str, str, str, str], None]


def apply_pipeline_org(uow: UnitOfWork, spec: PipelineOrgSpec, summary: ImportSummary, record: Record,
                       at: datetime) -> None:
    """Write what differs from the database, with an audit event for each change (idempotent). People,
    clients and projects are already written, so the file's own new ones resolve."""
    stored = uow.pipeline.settings()
    new = stored
    if spec.fiscal_year_start_month is not None:
        new = replace(new, fiscal_year_start_month=spec.fiscal_year_start_month)
    if spec.delivery_months is not None:
        new = replace(new, delivery_months=spec.delivery_months)
    if spec.stages is not None:
        new = replace(new, stages=spec.stages)
    if new != stored:
        uow.pipeline.save_settings(new)
        summary.updated["organisation"] += 1
        changed = [name for name in ("fiscal_year_start_month", "delivery_months", "stages")
                   if getattr(new, name) != getattr(stored, name)]
        record("organisation", "pipeline.settings", "organisation", "changed " + ", ".join(changed))
    if spec.quotas:
        current = {(q.person_id, q.period): q.amount for q in uow.pipeline.quotas()}
        for email, period, amount in spec.quotas:
            person = uow.people.by_email(email)
            if person is None or person.id is None:
                from domain.errors import InvalidInput

                raise InvalidInput(f"quotas: {email} is not among the people in the file nor in Steward; nothing "
                                   "was imported.", example="quotas: [{email: dana@example.com, period: 2026-Q4, "
                                   "amount: 250000}]")
            if current.get((person.id, period)) != amount:
                uow.pipeline.set_quota(Quota(person.id, period, amount))
                summary.updated["organisation"] += 1
                record("organisation", "quota.set", f"person:{person.email}",
                       f"quota {period}: {current.get((person.id, period), '—')} → {amount}")
    if spec.crm_names:
        names = uow.pipeline.crm_names()
        for key, wanted in spec.crm_names:
            client = uow.clients.by_key(key)
            if client is None or client.id is None:
                continue
            if [fold(n) for n in names.get(client.id, ())] != sorted(fold(n) for n in wanted):
                uow.pipeline.set_crm_names(client.id, wanted)
                summary.updated["clients"] += 1
                record("clients", "client.updated", f"client:{client.key}", f"crm_names → {', '.join(wanted)}")
    if spec.notice_days:
        projects = {fold(p.key): p for p in uow.projects.list()}
        renewals = uow.pipeline.renewals()
        for key, days in spec.notice_days:
            project = projects.get(fold(key))
            if project is None or project.id is None:
                continue
            old = renewals.get(project.id)
            if old is None or old.notice_days != days:
                uow.pipeline.save_renewal(replace(old, notice_days=days) if old else Renewal(project.id, days))
                summary.updated["projects"] += 1
                record("projects", "project.updated", f"project:{project.key}",
                       f"renewal notice {old.notice_days if old else '—'} → {days} days")
