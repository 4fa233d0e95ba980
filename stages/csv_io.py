"""Bulk CSV export and import of an agency's tactic library.

Format (UTF-8, a BOM is written on export and accepted on import; header row required, column
order free, names case-insensitive):

    stage,name,description,channel,commitment,audience,active,source

* ``stage`` — a stage slug (aware … promote); required.
* ``name`` — required, at most 120 characters.
* ``description`` — optional, at most 1000 characters.
* ``channel`` — a channel code (social, search, …) or its label; required.
* ``commitment`` — money, time or empty; Convert-stage rows only.
* ``audience`` — any, b2b or b2c; empty means any.
* ``active`` — yes/no (also true/false, 1/0); empty means yes.
* ``source`` — optional: ``agency`` (or empty) or ``global``. Export writes it so that a file
  exported *with* the global library imports back safely: global rows are skipped, because an
  agency cannot edit the global library.

Duplicate rule: a row whose stage + name (case-insensitive) matches one of the agency's existing
tactics **updates** that tactic, so export → edit → import works; the same stage + name twice in
one file is an error. Any error anywhere means nothing is imported.

Cells starting with = + - @ are written with a leading apostrophe so spreadsheets do not run
them as formulas; the import takes that apostrophe off again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction
from django.db.models import Max

from cvj.csvsafe import csv_safe, csv_unquote
from cvj.models import Agency

from .forms import TacticForm
from .models import (
    COMMITMENT_STAGE,
    STAGE_SLUGS,
    TACTIC_DESCRIPTION_MAX,
    TACTIC_NAME_MAX,
    Audience,
    Channel,
    Commitment,
    Stage,
    Tactic,
    TacticHidden,
)

COLUMNS = ("stage", "name", "description", "channel", "commitment", "audience", "active", "source")
REQUIRED_COLUMNS = ("stage", "name", "channel")
MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000

_YES = {"yes", "y", "true", "1", "active", ""}
_NO = {"no", "n", "false", "0", "archived", "inactive"}


@dataclass(frozen=True)
class ImportProblem:
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_global: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Row:
    line: int
    stage: Stage
    name: str
    description: str
    channel: str
    commitment: str
    audience: str
    is_active: bool


# --- Export


def tactics_export_csv(*, agency: Agency, include_global: bool = False) -> str:
    """The agency's own tactics (and, if asked, the active global library) as CSV text."""
    out = io.StringIO()
    out.write("\ufeff")  # lets spreadsheet programs recognise UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    own = Tactic.objects.filter(agency=agency).select_related("stage")
    for tactic in own.order_by("stage__position", "position", "name", "pk"):
        writer.writerow(_export_row(tactic, active=tactic.is_active, source="agency"))
    if include_global:
        hidden = set(TacticHidden.objects.filter(agency=agency).values_list("tactic_id", flat=True))
        shared = Tactic.objects.filter(agency__isnull=True, is_active=True).select_related("stage")
        for tactic in shared.order_by("stage__position", "position", "name", "pk"):
            writer.writerow(_export_row(tactic, active=tactic.pk not in hidden, source="global"))
    return out.getvalue()


def _export_row(tactic: Tactic, *, active: bool, source: str) -> list[str]:
    return [
        tactic.stage.slug,
        csv_safe(tactic.name),
        csv_safe(tactic.description),
        tactic.channel,
        tactic.commitment,
        tactic.audience,
        "yes" if active else "no",
        source,
    ]


# --- Import


def _choice(raw: str, choices: type[Channel | Commitment | Audience]) -> str | None:
    """A choice code from its code or its label, case-insensitively; None if unknown."""
    wanted = raw.strip().lower()
    for code, label in choices.choices:
        if wanted in (code.lower(), str(label).lower()):
            return code
    return None


class _Unreadable(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) per CSV record; a quoted field may span several lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _Unreadable(reader.line_num, str(error)) from error
        yield start, fields
        start = reader.line_num + 1


def _decode(content: bytes) -> str | ImportProblem:
    if len(content) > MAX_BYTES:
        return ImportProblem("The file is larger than 1 MB. Split it into smaller files.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportProblem(
            "The file is not UTF-8 text. In your spreadsheet choose “CSV UTF-8” when saving, "
            "then upload it again."
        )
    if "\x00" in text:
        return ImportProblem("The file contains binary data; upload a CSV text file.")
    return text


def _header(line: int, fields: list[str]) -> dict[str, int] | ImportProblem:
    names = [name.strip().lower() for name in fields]
    expected = ",".join(COLUMNS)
    if not set(names) & set(COLUMNS):
        return ImportProblem(f"the first line must be the header row: {expected}", line)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    unknown = [name for name in names if name and name not in COLUMNS]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"the header row lacks the column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if repeated:
        problems.append(f"repeated column(s) {', '.join(repeated)}")
    if problems:
        return ImportProblem("; ".join(problems) + f". Expected: {expected}", line)
    return {name: index for index, name in enumerate(names) if name}


def _parse_row(
    line: int, fields: list[str], columns: dict[str, int], stages: dict[str, Stage]
) -> tuple[_Row | None, list[ImportProblem], bool]:
    """(row, problems, is_global) for one data record."""
    if len(fields) > len(columns) and any(value.strip() for value in fields[len(columns) :]):
        return (
            None,
            [ImportProblem(f"has more fields than the header ({len(columns)}).", line)],
            False,
        )

    def get(name: str) -> str:
        index = columns.get(name)
        return fields[index].strip() if index is not None and index < len(fields) else ""

    source = get("source").lower()
    if source == "global":
        return None, [], True
    problems = []
    if source not in ("", "agency"):
        problems.append(f"source “{get('source')}” must be agency, global or empty.")
    stage = stages.get(get("stage").lower())
    if stage is None:
        problems.append(
            f"stage “{get('stage')}” is not one of {', '.join(STAGE_SLUGS)}."
            if get("stage")
            else "stage is empty."
        )
    name = csv_unquote(get("name"))
    description = csv_unquote(get("description"))
    channel = _choice(get("channel"), Channel) if get("channel") else None
    if channel is None:
        problems.append(
            f"channel “{get('channel')}” is not one of {', '.join(Channel.values)}."
            if get("channel")
            else "channel is empty."
        )
    commitment = _choice(get("commitment"), Commitment) if get("commitment") else ""
    if commitment is None:
        problems.append(f"commitment “{get('commitment')}” must be money, time or empty.")
    audience = _choice(get("audience"), Audience) if get("audience") else Audience.ANY
    if audience is None:
        problems.append(f"audience “{get('audience')}” must be any, b2b or b2c.")
    active = get("active").lower()
    if active not in _YES | _NO:
        problems.append(f"active “{get('active')}” must be yes or no.")
    # The row's choices are codes now (a label was accepted above); the rest is checked by the
    # library manager's own form, so a row and the page follow the same rules. An unknown stage
    # is reported above; the other cells are still checked (as at Convert, which takes all).
    form = TacticForm(
        {
            "name": name,
            "description": description,
            "channel": channel or "",
            "commitment": commitment or "",
            "audience": audience or "",
        },
        stage=stage or Stage(slug=COMMITMENT_STAGE, name=""),
    )
    unreadable = {
        column
        for column, value in (
            ("channel", channel),
            ("commitment", commitment),
            ("audience", audience),
        )
        if value is None
    }
    if not form.is_valid():
        problems.extend(_form_problems(form, name=name, description=description, skip=unreadable))
    if problems:
        return None, [ImportProblem(message, line) for message in problems], False
    row = _Row(line=line, stage=stage, is_active=active in _YES, **form.tactic_values)
    return row, [], False


def _form_problems(form: TacticForm, *, name: str, description: str, skip: set[str]) -> list[str]:
    """The form's errors in the words of a CSV file: by column, with what the cell holds."""
    sayings = {
        "name": {
            "required": "name is empty.",
            "max_length": f"name is {len(name)} characters; the limit is {TACTIC_NAME_MAX}.",
        },
        "description": {
            "max_length": f"description is {len(description)} characters; the limit is "
            f"{TACTIC_DESCRIPTION_MAX}.",
        },
    }
    problems = []
    for column, errors in form.errors.as_data().items():
        if column in skip:  # a cell the CSV parse could not read: already reported
            continue
        for error in errors:
            said = sayings.get(column, {}).get(error.code or "")
            problems.append(said or f"{column}: {' '.join(error.messages)}")
    return problems


def _parse(text: str, result: ImportResult) -> list[_Row]:
    stages = {stage.slug: stage for stage in Stage.objects.all()}
    rows: list[_Row] = []
    first_seen: dict[tuple[int, str], int] = {}
    columns: dict[str, int] | None = None
    data_rows = 0
    try:
        for line, fields in _records(text):
            if not any(value.strip() for value in fields):
                continue
            if columns is None:
                header = _header(line, fields)
                if isinstance(header, ImportProblem):
                    result.problems.append(header)
                    return []
                columns = header
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                result.problems = [
                    ImportProblem(f"The file has more than {MAX_ROWS} rows. Split it up.")
                ]
                return []
            row, problems, is_global = _parse_row(line, fields, columns, stages)
            result.skipped_global += int(is_global)
            result.problems.extend(problems)
            if row is None:
                continue
            key = (row.stage.pk, row.name.lower())
            if key in first_seen:
                result.problems.append(
                    ImportProblem(
                        f"“{row.name}” is already in this file for {row.stage.name} "
                        f"(line {first_seen[key]}).",
                        line,
                    )
                )
                continue
            first_seen[key] = line
            rows.append(row)
    except _Unreadable as error:
        result.problems.append(
            ImportProblem(f"this is not readable CSV ({error}); check the quotes.", error.line)
        )
        return []
    if columns is None:
        result.problems.append(ImportProblem("The file is empty."))
    elif not data_rows:
        result.problems.append(ImportProblem("The file has a header but no tactics."))
    return rows


def tactics_import_csv(*, agency: Agency, file: IO[bytes]) -> ImportResult:
    """Validate every row; import all of them, or none if any row is bad."""
    result = ImportResult()
    text = _decode(file.read(MAX_BYTES + 1))
    if isinstance(text, ImportProblem):
        result.problems.append(text)
        return result
    rows = _parse(text, result)
    if result.problems:
        result.skipped_global = 0
        return result
    _write(agency, rows, result)
    return result


@transaction.atomic
def _write(agency: Agency, rows: list[_Row], result: ImportResult) -> None:
    existing: dict[tuple[int, str], Tactic] = {}
    for tactic in Tactic.objects.select_for_update().filter(agency=agency).order_by("pk"):
        existing.setdefault((tactic.stage_id, tactic.name.lower()), tactic)
    tops = dict(
        Tactic.objects.filter(agency=agency)
        .order_by()
        .values("stage_id")
        .annotate(top=Max("position"))
        .values_list("stage_id", "top")
    )
    fields = ("name", "description", "channel", "commitment", "audience", "is_active")
    to_create: list[Tactic] = []
    to_update: list[Tactic] = []
    for row in rows:
        values = {name: getattr(row, name) for name in fields}
        tactic = existing.get((row.stage.pk, row.name.lower()))
        if tactic is None:
            tops[row.stage.pk] = tops.get(row.stage.pk, 0) + 1
            to_create.append(
                Tactic(agency=agency, stage=row.stage, position=tops[row.stage.pk], **values)
            )
        elif any(getattr(tactic, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(tactic, name, value)
            to_update.append(tactic)
        else:
            result.unchanged += 1
    Tactic.objects.bulk_create(to_create, batch_size=500)
    Tactic.objects.bulk_update(to_update, fields, batch_size=500)
    result.created = len(to_create)
    result.updated = len(to_update)
