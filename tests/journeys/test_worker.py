"""The export path through a real Celery worker process consuming from the real Redis.

Runs when REDIS_URL points at a Redis and the database is PostgreSQL (as in CI): the worker is
a separate process and must see the test database. Elsewhere these tests skip, saying why.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from cvj.celery import app as celery_app
from journeys.deliverable.exports import export_prerender_task, export_request, exports_sweep
from journeys.models import Export, ExportStatus
from journeys.services import tactic_add
from stages.models import Tactic
from tests.clients import HTMX_HEADERS, logged_in
from tests.factories import make_journey

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real Redis broker)"),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="the worker process needs a shared database server (PostgreSQL)",
    ),
]


def _worker_env(media_root: Path) -> dict[str, str]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CVJ_MEDIA_ROOT": str(media_root),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CVJ_TEST_DATABASE_NAME", None)
    return env


class Worker:
    def __init__(self, media_root: Path, log: Path) -> None:
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cvj",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],  # fmt: skip
            cwd=REPO,
            env=_worker_env(media_root),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so SIGKILL takes the children too
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def real_broker() -> Iterator[None]:
    """Publish to Redis for real (the suite defaults to eager), from an empty queue."""
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(celery_app.conf.task_default_queue)
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def start_worker(media_root, tmp_path) -> Iterator:
    workers: list[Worker] = []
    log = tmp_path / "worker.log"

    def start() -> Worker:
        worker = Worker(Path(media_root), log)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    if log.exists():
        sys.stdout.write(log.read_text()[-4000:])  # shown by pytest only on failure


def _wait_for(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _status(export_id: int) -> str:
    return Export.objects.filter(pk=export_id).values_list("status", flat=True).first() or ""


def test_export_requested_in_the_web_view_is_rendered_by_a_real_worker(
    journey, strategist, real_broker, start_worker
):
    start_worker()
    browser = logged_in(strategist)
    response = browser.post(reverse("export_create", args=[journey.pk]), headers=HTMX_HEADERS)
    assert response.status_code == 200
    export = Export.objects.get(journey=journey)
    assert export.enqueued_at is not None  # went to Redis, not run in-process
    _wait_for(lambda: _status(export.pk) == ExportStatus.DONE, timeout=60, what="the PDF")
    download = browser.get(reverse("export_download", args=[export.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    download.close()
    export.refresh_from_db()
    assert export.attempts == 1 and export.pages >= 8


def test_a_click_is_rendered_before_background_prerenders_queued_ahead_of_it(
    journey, business, strategist, real_broker, start_worker
):
    # A worker with one render slot, holding scheduled pre-render checks (countdown tasks), is
    # busy with a background render; two more wait in the queue…
    others = [
        make_journey(business=business, owner=strategist.user, title=f"Other {n}") for n in range(3)
    ]
    for other in others:
        export_prerender_task.apply_async((other.pk,), countdown=600, priority=9)
    start_worker()
    background = [export_request(journey=other, user=None)[0] for other in others]
    _wait_for(
        lambda: any(_status(e.pk) != ExportStatus.QUEUED for e in background),
        timeout=60,
        what="the first background render to start",
    )
    # …when a strategist clicks: theirs is the next render, ahead of the waiting two.
    clicked, _ = export_request(journey=journey, user=strategist.user)
    exports = [clicked, *background]
    _wait_for(
        lambda: all(_status(e.pk) == ExportStatus.DONE for e in exports),
        timeout=120,
        what="the four PDFs",
    )
    started = dict(
        Export.objects.filter(pk__in=[e.pk for e in exports]).values_list("pk", "started_at")
    )
    waiting = sorted(started[e.pk] for e in background)[1:]  # all but the one already running
    assert started[clicked.pk] < min(waiting)


def _make_heavy(journey) -> None:
    """Enough content that rendering takes a few seconds, so the worker can die mid-render."""
    for entry in journey.stages.select_related("stage"):
        entry.notes = "Long strategist notes. " * 150
        entry.save()
        for tactic in Tactic.objects.filter(stage=entry.stage)[:10]:
            tactic_add(journey_stage=entry, tactic=tactic, notes="Why and how we use it. " * 30)
        for n in range(30):
            tactic_add(journey_stage=entry, custom_name=f"Custom move {n}", notes="Detail. " * 40)


def test_worker_killed_mid_render_still_completes_exactly_once(
    journey, strategist, real_broker, start_worker, settings, media_root
):
    _make_heavy(journey)
    worker = start_worker()
    browser = logged_in(strategist)
    browser.post(reverse("export_create", args=[journey.pk]))
    export = Export.objects.get(journey=journey)
    _wait_for(lambda: _status(export.pk) == ExportStatus.RENDERING, timeout=60, what="rendering")
    worker.kill()  # SIGKILL the whole worker mid-render: no ack, no cleanup
    assert _status(export.pk) == ExportStatus.RENDERING

    # The sweep (celery beat runs it every 30 s) notices the dead claim once it is older than
    # the render timeout — shortened here so the test need not wait minutes.
    settings.CVJ_EXPORT_RENDER_TIMEOUT = 0
    time.sleep(0.1)
    assert exports_sweep()["recovered"] == 1
    start_worker()
    _wait_for(lambda: _status(export.pk) == ExportStatus.DONE, timeout=90, what="the re-render")
    export.refresh_from_db()
    assert export.attempts == 2
    files = list(Path(media_root).rglob("*.pdf"))
    assert [f.name for f in files] == [f"export-{export.pk}.pdf"]
    assert Export.objects.filter(journey=journey).count() == 1
