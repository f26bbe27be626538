"""``steward import org FILE.yaml`` and ``steward import hours FILE.csv [--format ...]``.

Each import runs in one unit of work: a file with any problem writes nothing, and the reply lists
every problem with where it is (a path in the YAML, a line in the CSV).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from domain.errors import InvalidInput, StewardError
from domain.importing import (
    ORG_EXAMPLE,
    import_hours,
)
from domain.ports import Clock, UnitOfWorkFactory
from handlers.base import format_hours
from handlers.reply import Fact, Reply, Severity, error


def _read(path_or_text: str | os.PathLike[str]) -> tuple[str, str]:
    """The text and a name for it: a ``Path`` (or a string naming an existing file) is read; any
    other string is the content itself."""
    if isinstance(path_or_text, os.PathLike) or (
        isinstance(path_or_text, str) and "\n" not in path_or_text and len(path_or_text) < 4096
        and Path(path_or_text).is_file()
    ):
        path = Path(path_or_text)
        try:
            return path.read_text(encoding="utf-8-sig"), path.name
        except FileNotFoundError as exc:
            raise InvalidInput(f"No such file: {path}.") from exc
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{path.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV/YAML.") \
                from exc
        except OSError as exc:
            raise InvalidInput(f"Can't read {path}: {exc.strerror or exc}.") from exc
    return str(path_or_text), ""


def load_yaml(text: str) -> object:
    """``yaml.safe_load`` with syntax errors turned into ``InvalidInput`` naming the line."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        what = exc.problem or exc.context or "malformed YAML"
        raise InvalidInput(f"The organisation file is not valid YAML: {what} at {where}; nothing was imported.",
                           example=ORG_EXAMPLE) from exc
    except yaml.YAMLError as exc:
        raise InvalidInput(f"The organisation file is not valid YAML ({exc}); nothing was imported.",
                           example=ORG_EXAMPLE) from exc


def import_org_file(uow_factory: UnitOfWorkFactory, clock: Clock, path_or_text: str | os.PathLike[str], *,
                    dry_run: bool = False, deactivate_missing: bool = False) -> Reply:
    """Create or update the organisation from a YAML file (or its text). Idempotent. ``dry_run``: say
    what would change and write nothing; ``deactivate_missing``: switch off people not in the file."""
    from handlers.org_import import run

    return run(uow_factory, clock, path_or_text, dry_run=dry_run, deactivate_missing=deactivate_missing)


def import_hours_file(uow_factory: UnitOfWorkFactory, clock: Clock, path_or_text: str | os.PathLike[str],
                      fmt: str | None = None) -> Reply:
    """Import time entries from a CSV file (or its text): the whole file or nothing.

    ``fmt`` is ``generic``, ``harvest`` or ``toggl``; None detects it from the header. Rows already
    imported (by their fingerprint) are skipped, so importing the same file twice adds nothing."""
    try:
        text, name = _read(path_or_text)
        with uow_factory() as uow:
            summary = import_hours(uow, text, fmt, None, clock.now(), name)
            uow.commit()
    except StewardError as exc:
        return error(exc.message, exc.example, title="No hours were imported")
    source = f" from {name}" if name else ""
    return Reply(
        title=summary.describe(),
        summary=(f"{summary.format.capitalize()} file{source}: {summary.rows} rows, "
                 f"{format_hours(summary.hours)} in all."),
        facts=(
            Fact("Added", str(summary.added)),
            Fact("Already present", str(summary.already)),
            Fact("Projects", str(summary.projects)),
            Fact("Hours in file", format_hours(summary.hours)),
        ),
        severity=Severity.SUCCESS if summary.added else Severity.INFO,
    )
