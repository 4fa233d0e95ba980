from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from journeys.deliverable.exports import export_claim, export_render, export_request, exports_sweep
from journeys.models import Export, ExportStatus, Journey
from tests.clients import HTMX_HEADERS, logged_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_pending_prerender_noted():
    """This process's notes of pending pre-renders start empty (journey ids are reused)."""
    from journeys.deliverable import exports

    exports._pending_noted.clear()
    yield
    exports._pending_noted.clear()


def test_request_snapshots_the_journey_and_renders_after_commit(journey, strategist):
    export, created = export_request(journey=journey, user=strategist.user)
    export.refresh_from_db()
    assert created
    assert export.status == ExportStatus.DONE  # eager in tests: ran on commit
    assert export.journey_version == journey.version
    assert export.snapshot["business_name"] == journey.business.name
    assert export.pages >= 8 and export.size_bytes > 1000 and export.render_ms is not None
    assert export.file.name == f"exports/journey-{journey.pk}/export-{export.pk}.pdf"
    with export.file.open("rb") as handle:
        assert handle.read(4) == b"%PDF"


def test_double_click_makes_one_export(journey, strategist, celery_disabled):
    first, created_first = export_request(journey=journey, user=strategist.user)
    second, created_second = export_request(journey=journey, user=strategist.user)
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert Export.objects.count() == 1


def test_a_changed_journey_gets_a_new_export(journey, strategist):
    first, _ = export_request(journey=journey, user=strategist.user)
    journey.refresh_from_db()
    journey.title = "A new title"
    journey.version += 1
    journey.save()
    second, created = export_request(journey=journey, user=strategist.user)
    assert created and second.pk != first.pk
    assert second.content_hash != first.content_hash


def test_an_unchanged_journey_answers_with_the_pdf_it_has(journey, strategist):
    first, _ = export_request(journey=journey, user=strategist.user)
    first.refresh_from_db()
    assert first.status == ExportStatus.DONE
    journey.refresh_from_db()
    journey.version += 1  # saved, but nothing the PDF shows changed (typed and undone)
    journey.save()
    again, created = export_request(journey=journey, user=strategist.user)
    assert not created and again.pk == first.pk
    assert again.status == ExportStatus.DONE
    assert Export.objects.count() == 1


def test_a_render_in_flight_for_the_same_content_is_joined(journey, strategist, celery_disabled):
    first, _ = export_request(journey=journey, user=strategist.user)
    journey.refresh_from_db()
    journey.version += 1
    journey.save()
    joined, created = export_request(journey=journey, user=strategist.user)
    assert not created and joined.pk == first.pk and joined.status == ExportStatus.QUEUED


def test_the_content_hash_ignores_the_clock_and_counter_but_not_the_renderer(journey, monkeypatch):
    from journeys.deliverable import exports
    from journeys.deliverable.snapshot import journey_snapshot

    snapshot = journey_snapshot(journey).to_json()
    later = {**snapshot, "version": snapshot["version"] + 5, "taken_at": "2030-01-01T00:00:00Z"}
    assert exports.snapshot_content_hash(later) == exports.snapshot_content_hash(snapshot)
    edited = {**snapshot, "title": "Other"}
    assert exports.snapshot_content_hash(edited) != exports.snapshot_content_hash(snapshot)
    before = exports.snapshot_content_hash(snapshot)
    monkeypatch.setattr(exports, "RENDERER_VERSION", "2")
    assert exports.snapshot_content_hash(snapshot) != before


def test_the_database_refuses_two_active_renders_of_one_content(journey, strategist):
    from django.db import IntegrityError, transaction

    first, _ = export_request(journey=journey, user=strategist.user)
    Export.objects.filter(pk=first.pk).update(status=ExportStatus.RENDERING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Export.objects.create(
            journey=journey,
            journey_version=first.journey_version + 1,
            snapshot=first.snapshot,
            content_hash=first.content_hash,
        )


def test_a_quiet_journey_is_prerendered_and_a_busy_one_waits(journey, monkeypatch):
    from journeys.deliverable import exports

    scheduled: list[tuple] = []
    monkeypatch.setattr(
        exports.export_prerender_task,
        "apply_async",
        lambda args, countdown, priority: scheduled.append(countdown),
    )
    assert exports.export_prerender(journey_id=journey.pk) == "moved"  # just edited
    assert scheduled and 1 <= scheduled[0] <= exports.PRERENDER_AFTER_S
    Journey.objects.filter(pk=journey.pk).update(updated_at=timezone.now() - timedelta(seconds=31))
    assert exports.export_prerender(journey_id=journey.pk) == "queued"
    assert Export.objects.get(journey=journey).status == ExportStatus.DONE
    Journey.objects.filter(pk=journey.pk).update(updated_at=timezone.now() - timedelta(seconds=31))
    assert exports.export_prerender(journey_id=journey.pk) == "current"  # nothing new to render
    assert Export.objects.count() == 1


def test_saves_schedule_one_prerender_and_none_when_eager(journey, monkeypatch):
    from django.core.cache import cache

    from journeys.deliverable import exports
    from journeys.services import field_save

    scheduled: list[int] = []
    monkeypatch.setattr(
        exports.export_prerender_task,
        "apply_async",
        lambda args, countdown, priority: scheduled.append(args[0]),
    )
    entry = journey.stages.get(stage__slug="aware")
    field_save(row=entry, field="goal", value="a", base="", journey_id=journey.pk)
    assert scheduled == []  # eager (the embedded default): never a render per keystroke
    # Off for the rest of this test; the eager_tasks fixture restores it.
    exports.export_prerender_task.app.conf.task_always_eager = False
    cache.delete(exports._prerender_key(journey.pk))
    entry.refresh_from_db()
    field_save(row=entry, field="goal", value="ab", base="a", journey_id=journey.pk)
    entry.refresh_from_db()
    field_save(row=entry, field="goal", value="abc", base="ab", journey_id=journey.pk)
    assert scheduled == [journey.pk]  # debounced: one pending pre-render per journey
    cache.delete(exports._prerender_key(journey.pk))


class CountingCache:
    """The real cache, with a count of the calls made through it (each a Redis round trip)."""

    def __init__(self, real) -> None:
        self.real, self.calls = real, []

    def __getattr__(self, name: str):
        method = getattr(self.real, name)

        def counted(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return counted


def test_a_burst_of_saves_schedules_one_prerender_and_one_cache_round_trip_a_window(
    journey, monkeypatch
):
    from django.core.cache import cache

    from journeys.deliverable import exports
    from journeys.services import field_save

    scheduled: list[tuple[int, int]] = []
    monkeypatch.setattr(
        exports.export_prerender_task,
        "apply_async",
        lambda args, countdown, priority: scheduled.append((args[0], priority)),
    )
    counting = CountingCache(cache)
    monkeypatch.setattr(exports, "cache", counting)
    exports.export_prerender_task.app.conf.task_always_eager = False  # eager_tasks restores it
    cache.delete(exports._prerender_key(journey.pk))  # left by an earlier test's journey
    entry = journey.stages.get(stage__slug="aware")
    typed = ""
    for char in "a burst of saves":
        field_save(row=entry, field="goal", value=typed + char, base=typed, journey_id=journey.pk)
        typed += char
    assert scheduled == [(journey.pk, exports.BACKGROUND_PRIORITY)]
    assert counting.calls == ["add"]  # the first save only; the rest knew a task was pending
    assert cache.get(exports._prerender_key(journey.pk)) == 1  # what other processes see
    # The window ends (this process's note rewound rather than waited out): the next save asks
    # the cache once, finds the pending task's mark and schedules nothing more.
    exports._pending_noted[journey.pk] -= exports.PRERENDER_NOTE_S
    field_save(row=entry, field="goal", value=typed + "!", base=typed, journey_id=journey.pk)
    field_save(row=entry, field="goal", value=typed + "!!", base=typed + "!", journey_id=journey.pk)
    assert counting.calls == ["add", "add"]
    assert scheduled == [(journey.pk, exports.BACKGROUND_PRIORITY)]
    assert Journey.objects.get(pk=journey.pk).stages.get(stage__slug="aware").goal == typed + "!!"
    cache.delete(exports._prerender_key(journey.pk))


def test_a_click_goes_ahead_of_background_prerenders_and_lifts_one_it_joins(
    journey, strategist, monkeypatch
):
    from journeys.deliverable import exports

    published: list[tuple[int, int]] = []  # what the broker was handed, in order
    monkeypatch.setattr(
        exports.export_render,
        "apply_async",
        lambda args, retry, priority: published.append((args[0], priority)),
    )
    background, created = export_request(journey=journey, user=None)
    assert created and published == [(background.pk, exports.BACKGROUND_PRIORITY)]
    joined, created = export_request(journey=journey, user=strategist.user)
    assert not created and joined.pk == background.pk
    assert published[-1] == (background.pk, exports.CLICK_PRIORITY)  # sent again, at the front
    joined.refresh_from_db()
    assert joined.requested_by == strategist.user  # now the strategist's request…
    export_request(journey=journey, user=strategist.user)  # …so a second click adds nothing
    assert len(published) == 2
    journey.refresh_from_db()
    journey.title = "Changed"
    journey.version += 1
    journey.save()
    clicked, created = export_request(journey=journey, user=strategist.user)
    assert created and published[-1] == (clicked.pk, exports.CLICK_PRIORITY)
    assert exports.CLICK_PRIORITY < exports.BACKGROUND_PRIORITY  # Redis serves lower first


def test_task_renders_edits_made_after_the_request_do_not_tear_it(
    journey, strategist, celery_disabled
):
    export, _ = export_request(journey=journey, user=strategist.user)
    aware = journey.stages.get(stage__slug="aware")
    aware.goal = "Typed while the PDF was rendering"
    aware.save()
    assert export_render.apply(args=[export.pk]).get() == "done"
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert "Typed while" not in str(export.snapshot)


def test_duplicate_delivery_does_not_render_twice(journey, strategist, celery_disabled):
    export, _ = export_request(journey=journey, user=strategist.user)
    assert export_render.apply(args=[export.pk]).get() == "done"
    assert export_render.apply(args=[export.pk]).get() == "skipped"
    export.refresh_from_db()
    assert export.attempts == 1


def test_export_left_rendering_by_a_dead_worker_is_recovered(
    journey, strategist, celery_disabled, settings
):
    export, _ = export_request(journey=journey, user=strategist.user)
    assert export_claim(export_id=export.pk)  # a worker took it… and died
    assert not export_claim(export_id=export.pk)  # a live claim is respected
    Export.objects.filter(pk=export.pk).update(
        started_at=timezone.now() - timedelta(seconds=settings.CVJ_EXPORT_RENDER_TIMEOUT + 1)
    )
    counts = exports_sweep()
    assert counts["recovered"] == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.QUEUED
    assert export_render.apply(args=[export.pk]).get() == "done"
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.attempts == 2


def test_sweep_fails_an_export_that_keeps_killing_workers(journey, strategist, celery_disabled):
    export, _ = export_request(journey=journey, user=strategist.user)
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RENDERING,
        attempts=3,
        started_at=timezone.now() - timedelta(days=1),
    )
    assert exports_sweep()["failed"] == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and "try again" in export.error.lower()


def test_sweep_enqueues_queued_exports_the_broker_never_took(journey, strategist, monkeypatch):
    # The broker is down when the strategist clicks: the export stays queued…
    monkeypatch.setattr("journeys.deliverable.exports.export_enqueue", lambda **_: False)
    export, _ = export_request(journey=journey, user=strategist.user)
    monkeypatch.undo()
    Export.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    export.refresh_from_db()
    assert export.status == ExportStatus.QUEUED and export.enqueued_at is None
    # …and once it is back, the sweep hands it over (eager here: it renders right away).
    call_command("sweep_exports")
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE


def test_a_failing_render_is_reported_readably_and_can_be_retried(
    journey, strategist, monkeypatch, celery_disabled
):
    export, _ = export_request(journey=journey, user=strategist.user)

    def broken(snapshot):
        raise RuntimeError("boom")

    monkeypatch.setattr("journeys.deliverable.pdf.render_journey_pdf", broken)
    assert export_render.apply(args=[export.pk]).get() == "failed"
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "boom" not in export.error and "try again" in export.error
    monkeypatch.undo()
    client_ = logged_in(strategist)
    response = client_.post(reverse("export_retry", args=[export.pk]), headers=HTMX_HEADERS)
    assert response.status_code == 200
    export.refresh_from_db()  # requeued with a fresh attempt budget; eager here, so it ran
    assert export.status == ExportStatus.DONE and export.attempts == 1 and export.error == ""


def test_generate_view_then_poll_then_download(journey, strategist):
    c = logged_in(strategist)
    response = c.post(reverse("export_create", args=[journey.pk]), headers=HTMX_HEADERS)
    assert response.status_code == 200
    assert b"Download PDF" in response.content  # eager: already rendered
    export = Export.objects.get()
    poll = c.get(reverse("export_status", args=[journey.pk]) + "?poll=1", headers=HTMX_HEADERS)
    assert poll.status_code == 286  # htmx: stop polling
    download = c.get(reverse("export_download", args=[export.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    disposition = download["Content-Disposition"]
    assert "attachment" in disposition
    assert f"{journey.business.name} - Customer Value Journey.pdf" in disposition
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    download.close()


def test_progress_polls_while_queued(journey, strategist, celery_disabled):
    c = logged_in(strategist)
    response = c.post(reverse("export_create", args=[journey.pk]), headers=HTMX_HEADERS)
    assert b'data-hx-trigger="every 1s"' in response.content
    assert b"Queued" in response.content
    poll = c.get(reverse("export_status", args=[journey.pk]) + "?poll=1", headers=HTMX_HEADERS)
    assert poll.status_code == 200


def test_client_of_the_business_downloads_but_cannot_generate(journey, strategist, client_member):
    journey.status = "final"
    journey.save()
    export, _ = export_request(journey=journey, user=strategist.user)
    c = logged_in(client_member)
    download = c.get(reverse("export_download", args=[export.pk]))
    assert download.status_code == 200
    download.close()
    assert c.get(reverse("journey_view", args=[journey.pk])).status_code == 200
    assert c.post(reverse("export_create", args=[journey.pk])).status_code == 404
    assert c.post(reverse("export_retry", args=[export.pk])).status_code == 404


def test_other_agencies_and_other_clients_cannot_download(
    journey, strategist, other_agency_journey, business
):
    export, _ = export_request(journey=journey, user=strategist.user)
    rival = MembershipFactory(agency=other_agency_journey.business.agency)
    assert logged_in(rival).get(reverse("export_download", args=[export.pk])).status_code == 404
    from tests.factories import BusinessFactory

    other_business = BusinessFactory(agency=business.agency)
    other_client = MembershipFactory(agency=business.agency, role="client", business=other_business)
    c = logged_in(other_client)
    assert c.get(reverse("export_download", args=[export.pk])).status_code == 404
    assert c.get(reverse("journey_view", args=[journey.pk])).status_code == 404
    assert c.get(reverse("export_download", args=[999999])).status_code == 404


def test_anonymous_download_redirects_tologged_in(journey, strategist, client):
    export, _ = export_request(journey=journey, user=strategist.user)
    response = client.get(reverse("export_download", args=[export.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_operator_command_renders_synchronously(journey, tmp_path, capsys):
    out = tmp_path / "deep" / "journey.pdf"
    call_command("render_journey_pdf", str(journey.pk), "--output", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert "pages" in capsys.readouterr().out
