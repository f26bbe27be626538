"""``steward import org FILE.yaml [--dry-run] [--deactivate-missing]``: the import and its summary.

The summary lists what was (or, for a dry run, would be) added, updated field by field and switched
off; a dry run prints exactly the lists the real import then prints, because it is the real import,
rolled back (``domain.org_changes``). One unit of work: a file with any problem writes nothing.
"""

from __future__ import annotations

import os

from domain.errors import InvalidInput, StewardError
from domain.importing import KINDS, parse_org
from domain.org_changes import apply_org_file, changes_of
from domain.ports import Clock, UnitOfWorkFactory
from handlers.reply import Fact, Reply, Section, Severity, error


def run(uow_factory: UnitOfWorkFactory, clock: Clock, path_or_text: str | os.PathLike[str], *,
        dry_run: bool = False, deactivate_missing: bool = False) -> Reply:
    """Import (or with ``dry_run`` preview) the organisation file; the Reply lists every change."""
    from handlers.imports import _read, load_yaml  # the file reading and YAML errors, shared with hours

    try:
        text, name = _read(path_or_text)
        spec = parse_org(load_yaml(text))
        if deactivate_missing and not spec.people:
            raise InvalidInput("The file lists no people: --deactivate-missing would switch off everyone. "
                               "Nothing was imported.", example="people:\n  - {name: Dana Director, "
                               "email: dana@example.com, role: director}")
        with uow_factory() as uow:
            summary = apply_org_file(uow, spec, None, clock.now(), deactivate_missing=deactivate_missing)
            if not dry_run:
                uow.commit()
            # a dry run leaves the block without committing: everything it wrote is rolled back
    except StewardError as exc:
        return error(exc.message, exc.example, title="The organisation was not imported")
    source = f" from {name}" if name else ""
    facts = tuple(Fact(kind.capitalize(), summary.describe_kind(kind)) for kind in KINDS[1:])
    changes = changes_of(summary)
    if not summary.changed:
        return Reply(title="Nothing to change", summary=f"The organisation already matches the file{source}.",
                     facts=facts, severity=Severity.INFO)
    sections = tuple(Section(title=title, lines=lines) for title, lines in (
        ("Added", changes.added), ("Updated", changes.updated), ("Switched off", changes.switched_off)) if lines)
    if dry_run:
        return Reply(title=f"Dry run{source}: nothing was written", summary=f"Importing would change: "
                     f"{summary.describe()}", facts=facts, sections=sections, severity=Severity.INFO,
                     footer="Run it again without --dry-run to apply exactly these changes.")
    return Reply(title=f"Organisation imported{source}", summary=summary.describe(), facts=facts,
                 sections=sections, severity=Severity.SUCCESS)
