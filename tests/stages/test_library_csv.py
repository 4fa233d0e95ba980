from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stages import services
from stages.csv_io import MAX_ROWS, tactics_export_csv, tactics_import_csv
from stages.models import Stage, Tactic
from tests.clients import HTMX_HEADERS
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

HEADER = "stage,name,description,channel,commitment,audience,active\n"


def _import(agency, text: str | bytes):
    content = text.encode("utf-8") if isinstance(text, str) else text
    return tactics_import_csv(agency=agency, file=io.BytesIO(content))


def _own_names(agency) -> set[str]:
    return set(Tactic.objects.filter(agency=agency).values_list("name", flat=True))


def _messages(result) -> list[str]:
    return [str(problem) for problem in result.problems]


def _upload(text: str | bytes, name: str = "tactics.csv") -> SimpleUploadedFile:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, content, content_type="text/csv")


# --- Import: the service


def test_good_file_imports_every_row(agency):
    result = _import(
        agency,
        HEADER
        + "aware,Van wraps,Rolling billboards.,paid,,b2c,yes\n"
        + 'convert,Paid pilot,"Two weeks, money back.",sales,money,b2b,\n'
        + "Engage,Webinar series,,Content marketing,,,no\n",
    )
    assert result.ok, _messages(result)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    van = Tactic.objects.get(agency=agency, name="Van wraps")
    assert (van.stage.slug, van.channel, van.audience, van.is_active) == (
        "aware",
        "paid",
        "b2c",
        True,
    )
    pilot = Tactic.objects.get(agency=agency, name="Paid pilot")
    assert (pilot.commitment, pilot.description) == ("money", "Two weeks, money back.")
    webinar = Tactic.objects.get(agency=agency, name="Webinar series")
    assert (webinar.stage.slug, webinar.channel, webinar.audience) == ("engage", "content", "any")
    assert not webinar.is_active


def test_imported_tactics_append_after_existing_ones(agency):
    existing = services.tactic_create(
        agency=agency, stage=Stage.objects.get(slug="aware"), name="First", channel="social"
    )
    _import(agency, HEADER + "aware,Second,,social,,,\naware,Third,,social,,,\n")
    own = services.library_own_tactics(agency_id=agency.pk, stage=existing.stage)
    assert [t.name for t in own] == ["First", "Second", "Third"]


def test_existing_stage_and_name_updates_the_tactic(agency):
    stage = Stage.objects.get(slug="aware")
    tactic = services.tactic_create(agency=agency, stage=stage, name="Van Wraps", channel="social")
    other = AgencyFactory()
    theirs = services.tactic_create(agency=other, stage=stage, name="Van wraps", channel="social")
    result = _import(agency, HEADER + "aware,van wraps,Now paid.,paid,,,no\n")
    assert result.ok
    assert (result.created, result.updated) == (0, 1)
    tactic.refresh_from_db()
    assert (tactic.name, tactic.description, tactic.channel, tactic.is_active) == (
        "van wraps",
        "Now paid.",
        "paid",
        False,
    )
    theirs.refresh_from_db()
    assert theirs.channel == "social" and theirs.is_active


def test_column_order_is_free_and_optional_columns_may_be_missing(agency):
    result = _import(agency, "Name , CHANNEL,stage\nBillboard,paid,aware\n")
    assert result.ok, _messages(result)
    assert _own_names(agency) == {"Billboard"}


def test_bad_rows_import_nothing_and_every_error_names_its_line(agency):
    text = (
        HEADER
        + "aware,Good one,,social,,,\n"  # line 2
        + "awre,Typo stage,,social,,,\n"  # line 3
        + "aware,,,social,,,\n"  # line 4
        + f"aware,{'x' * 121},,social,,,\n"  # line 5
        + "aware,Tv spot,,tv,,,\n"  # line 6
        + "aware,Money at aware,,social,money,,\n"  # line 7
        + "convert,Bad commitment,,sales,cash,,\n"  # line 8
        + "aware,Bad audience,,social,,everyone,\n"  # line 9
        + "aware,good ONE,,social,,,\n"  # line 10: duplicate of line 2
        + "aware,Bad active,,social,,,maybe\n"  # line 11
        + f"aware,Long description,{'d' * 1001},social,,,\n"  # line 12
        + "aware,Too many,,social,,,,agency,extra\n"  # line 13
        + "aware,Another good one,,email,,,\n"  # line 14
    )
    result = _import(agency, text)
    assert not result.ok
    assert result.created == result.updated == 0
    assert _own_names(agency) == set()
    messages = _messages(result)
    lines = sorted({problem.line for problem in result.problems})
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    expected = [
        "Line 3: stage “awre” is not one of aware,",
        "Line 4: name is empty.",
        "Line 5: name is 121 characters; the limit is 120.",
        "Line 6: channel “tv” is not one of social,",
        "Line 7: commitment: Only Convert-stage tactics ask for money or time.",
        "Line 8: commitment “cash” must be money, time or empty.",
        "Line 9: audience “everyone” must be any, b2b or b2c.",
        "Line 10: “good ONE” is already in this file for Aware (line 2).",
        "Line 11: active “maybe” must be yes or no.",
        "Line 12: description is 1001 characters; the limit is 1000.",
        "Line 13: has more fields than the header",
    ]
    for start in expected:
        assert any(message.startswith(start) for message in messages), (start, messages)


def test_line_numbers_follow_multiline_cells_and_blank_lines(agency):
    text = HEADER + 'aware,One,"first line\nsecond line",social,,,\n\naware,Two,,tv,,,\n'
    result = _import(agency, text)
    assert _messages(result) == [
        "Line 5: channel “tv” is not one of social, search, paid, content, email, cro, "
        "events, partners, sales, product."
    ]


def test_a_row_with_several_problems_reports_each(agency):
    result = _import(agency, HEADER + "nowhere,,,,,,\n")
    assert {problem.line for problem in result.problems} == {2}
    assert len(result.problems) == 3  # stage, name, channel


def test_wrong_encoding_is_refused_clearly(agency):
    latin1 = (HEADER + "aware,Café crème,,social,,,\n").encode("latin-1")
    result = _import(agency, latin1)
    assert _messages(result) == [
        "The file is not UTF-8 text. In your spreadsheet choose “CSV UTF-8” when saving, "
        "then upload it again."
    ]
    assert _own_names(agency) == set()


def test_utf8_with_bom_is_accepted(agency):
    result = _import(agency, ("\ufeff" + HEADER + "aware,Café crème,,social,,,\n").encode())
    assert result.ok, _messages(result)
    assert _own_names(agency) == {"Café crème"}


def test_binary_file_is_refused(agency):
    result = _import(agency, b"\x00\x01\x02PK\x03\x04")
    assert not result.ok
    assert _own_names(agency) == set()


def test_file_over_one_megabyte_is_refused(agency):
    row = "aware,Tactic {n}," + "d" * 900 + ",social,,,\n"
    text = HEADER + "".join(row.format(n=n) for n in range(1200))
    assert len(text.encode()) > 1024 * 1024
    result = _import(agency, text)
    assert _messages(result) == ["The file is larger than 1 MB. Split it into smaller files."]
    assert _own_names(agency) == set()


def test_file_with_too_many_rows_is_refused(agency):
    text = HEADER + "".join(f"aware,T{n},,social,,,\n" for n in range(MAX_ROWS + 1))
    assert len(text.encode()) < 1024 * 1024
    result = _import(agency, text)
    assert _messages(result) == [f"The file has more than {MAX_ROWS} rows. Split it up."]
    assert _own_names(agency) == set()


def test_exactly_the_row_limit_is_fine(agency):
    text = HEADER + "".join(f"aware,T{n},,social,,,\n" for n in range(MAX_ROWS))
    result = _import(agency, text)
    assert result.ok and result.created == MAX_ROWS


def test_missing_header_is_refused_clearly(agency):
    result = _import(agency, "aware,Van wraps,,paid,,,\n")
    assert _messages(result) == [
        "Line 1: the first line must be the header row: "
        "stage,name,description,channel,commitment,audience,active,source"
    ]
    assert _own_names(agency) == set()


def test_incomplete_or_misspelt_header_is_refused_clearly(agency):
    result = _import(agency, "stage,name,chanel\naware,Van wraps,paid\n")
    (message,) = _messages(result)
    assert message.startswith("Line 1: the header row lacks the column(s) channel; ")
    assert "unknown column(s) chanel" in message


def test_empty_file_and_header_only_file(agency):
    assert _messages(_import(agency, "")) == ["The file is empty."]
    assert _messages(_import(agency, HEADER)) == ["The file has a header but no tactics."]


def test_broken_quoting_is_reported_with_its_line(agency):
    result = _import(agency, HEADER + 'aware,"Van "wraps",,paid,,,\n')
    (problem,) = result.problems
    assert problem.line == 2
    assert "not readable CSV" in problem.message


# --- Export and the round trip


def test_export_lists_own_tactics_and_optionally_the_global_library(agency):
    stage = Stage.objects.get(slug="convert")
    services.tactic_create(
        agency=agency, stage=stage, name="=Paid pilot", channel="sales", commitment="money"
    )
    services.tactic_create(agency=AgencyFactory(), stage=stage, name="Rival's", channel="sales")
    shared = Tactic.objects.filter(agency__isnull=True).first()
    services.tactic_hide(agency=agency, tactic=shared)

    text = tactics_export_csv(agency=agency)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [
        {
            "stage": "convert",
            "name": "'=Paid pilot",  # never a spreadsheet formula
            "description": "",
            "channel": "sales",
            "commitment": "money",
            "audience": "any",
            "active": "yes",
            "source": "agency",
        }
    ]
    with_global = list(
        csv.DictReader(io.StringIO(tactics_export_csv(agency=agency, include_global=True)[1:]))
    )
    assert len(with_global) == 1 + Tactic.objects.filter(agency__isnull=True).count()
    hidden_row = next(row for row in with_global if row["name"] == shared.name)
    assert (hidden_row["source"], hidden_row["active"]) == ("global", "no")


def test_export_then_import_round_trips(agency):
    aware, convert = Stage.objects.get(slug="aware"), Stage.objects.get(slug="convert")
    services.tactic_create(
        agency=agency,
        stage=aware,
        name="Van wraps",
        channel="paid",
        description='Multi-line,\n"quoted" — ünïcode',
        audience="b2c",
    )
    pilot = services.tactic_create(
        agency=agency, stage=convert, name="-Paid pilot", channel="sales", commitment="time"
    )
    services.tactic_archive(tactic=pilot)
    exported = tactics_export_csv(agency=agency, include_global=True).encode("utf-8")

    def snapshot(of):
        return sorted(
            Tactic.objects.filter(agency=of).values_list(
                "stage__slug",
                "name",
                "description",
                "channel",
                "commitment",
                "audience",
                "is_active",
            )
        )

    # Into the same agency: nothing changes.
    again = tactics_import_csv(agency=agency, file=io.BytesIO(exported))
    assert again.ok, _messages(again)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert again.skipped_global == Tactic.objects.filter(agency__isnull=True).count()
    # Into a fresh agency: the same library, and the global library is not copied.
    fresh = AgencyFactory()
    copied = tactics_import_csv(agency=fresh, file=io.BytesIO(exported))
    assert copied.ok and copied.created == 2
    assert snapshot(fresh) == snapshot(agency)


# --- The views


def test_admin_downloads_the_export(client, agency_admin):
    services.tactic_create(
        agency=agency_admin.agency,
        stage=Stage.objects.get(slug="aware"),
        name="Van",
        channel="paid",
    )
    client.force_login(agency_admin.user)
    response = client.get(reverse("library_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert "aware,Van,,paid,,any,yes,agency" in response.content.decode()
    with_global = client.get(reverse("library_export"), {"global": "1"}).content.decode()
    assert ",global" in with_global


def test_admin_uploads_a_good_file(client, agency_admin):
    client.force_login(agency_admin.user)
    assert client.get(reverse("library_import")).status_code == 200
    upload = _upload(HEADER + "aware,Van wraps,,paid,,,\naware,Radio,,paid,,,\n")
    response = client.post(reverse("library_import"), {"file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Imported." in body and "<b>2</b> new tactics" in body
    assert _own_names(agency_admin.agency) == {"Van wraps", "Radio"}


def test_upload_with_bad_rows_shows_every_problem_over_htmx(client, agency_admin):
    client.force_login(agency_admin.user)
    upload = _upload(HEADER + "aware,Fine,,paid,,,\nawre,Bad,,paid,,,\naware,Worse,,tv,,,\n")
    response = client.post(reverse("library_import"), {"file": upload}, headers=HTMX_HEADERS)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="import-panel"')
    assert "Nothing was imported." in body
    assert "Line 3: stage “awre”" in body and "Line 4: channel “tv”" in body
    assert _own_names(agency_admin.agency) == set()


def test_upload_of_a_wrong_encoding_says_so(client, agency_admin):
    client.force_login(agency_admin.user)
    upload = _upload((HEADER + "aware,Café,,paid,,,\n").encode("cp1252"))
    response = client.post(reverse("library_import"), {"file": upload})
    assert "The file is not UTF-8 text." in response.content.decode()
    assert _own_names(agency_admin.agency) == set()


def test_huge_upload_is_refused(client, agency_admin):
    client.force_login(agency_admin.user)
    upload = _upload(HEADER + "aware,Big,," + "x" * (1024 * 1024) + ",paid,,,\n")
    response = client.post(reverse("library_import"), {"file": upload})
    assert "The file is larger than 1 MB." in response.content.decode()
    assert _own_names(agency_admin.agency) == set()


def test_upload_without_a_file_is_a_field_error(client, agency_admin):
    client.force_login(agency_admin.user)
    response = client.post(reverse("library_import"), {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert response.context["result"] is None
