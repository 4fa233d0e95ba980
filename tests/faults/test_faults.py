"""Fault tolerance with real parts: a dying broker and a dropped database connection.

Each test starts its own throwaway redis-server / gunicorn / worker on free loopback ports and
stops only those; the machine's shared PostgreSQL and Redis are never touched.
"""

from __future__ import annotations

import http.cookiejar
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import global_settings
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from journeys.deliverable.exports import exports_sweep
from journeys.models import Export, ExportStatus
from tests.e2e.asgi import IS_POSTGRES, REPO, free_port
from tests.factories import make_journey


def wait_until(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Redis:
    """A throwaway redis-server we may stop and start at will."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10, what="redis-server")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _env(redis_url: str, media_root: Path) -> dict[str, str]:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "CVJ_TEST_DATABASE_NAME"}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=redis_url,
        CVJ_MEDIA_ROOT=str(media_root),
        CELERY_TASK_ALWAYS_EAGER="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
    )
    return env


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not IS_POSTGRES, reason="the web and worker processes need PostgreSQL")
@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_broker_down_export_answers_fast_then_runs_when_broker_returns(
    strategist, business, media_root, tmp_path, settings
):
    journey = make_journey(business=business, owner=strategist.user)
    user = strategist.user
    # The gunicorn process checks the password with the real hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    user.set_password("fault-test-password-1")
    user.save()
    redis = Redis(free_port())
    redis.start()
    redis_url = f"redis://127.0.0.1:{redis.port}/0"
    env = _env(redis_url, Path(media_root))
    web_port = free_port()
    log = (tmp_path / "procs.log").open("ab")
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cvj.wsgi", "--bind", f"127.0.0.1:{web_port}",
         "--workers", "2", "--timeout", "30"],  # fmt: skip
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    worker = None
    try:
        base = f"http://127.0.0.1:{web_port}"
        wait_until(lambda: _get(base + "/ping") == b"ok", timeout=20, what="gunicorn")
        opener = _login(base, user.username, "fault-test-password-1")

        redis.stop()  # the broker dies
        # Editing keeps working without the broker.
        csrftoken = _cookie(opener, "csrftoken")
        status, _ = _post(
            opener,
            base + reverse("journey_autosave", args=[journey.pk]),
            {"target": "stage:aware", "field": "goal", "value": "Still typing", "base": ""},
            {"X-CSRFToken": csrftoken, "X-CVJ-Autosave": "1"},
        )
        assert status == 200
        # Asking for the PDF answers quickly with a clear queued state.
        started = time.monotonic()
        status, body = _post(
            opener,
            base + reverse("export_create", args=[journey.pk]),
            {},
            {"X-CSRFToken": csrftoken, "HX-Request": "true"},
        )
        elapsed = time.monotonic() - started
        assert status == 200 and elapsed < 2.0, elapsed
        assert b"Queued" in body and b"as soon as the PDF worker is available" in body
        export = Export.objects.get(journey=journey)
        assert export.status == ExportStatus.QUEUED and export.enqueued_at is None

        # The broker and a worker come back; the periodic sweep re-enqueues the export.
        redis.start()
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cvj", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        sweep = subprocess.run(
            [sys.executable, "manage.py", "sweep_exports"],
            cwd=REPO,
            env={**env, "CVJ_EXPORT_STALE_SECONDS": "0"},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert "requeued: 1" in sweep.stdout
        wait_until(
            lambda: Export.objects.get(pk=export.pk).status == ExportStatus.DONE,
            timeout=90,
            what="the export to render after the broker returned",
        )
        assert Export.objects.filter(journey=journey).count() == 1
    finally:
        for process in (web, worker):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        redis.stop()
        log.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.faults.fault_urls")
@pytest.mark.skipif(not IS_POSTGRES, reason="drops a real PostgreSQL connection")
def test_dropped_database_connection_gives_a_clear_error_page_and_the_next_request_works(
    client, strategist
):
    client.raise_request_exception = False
    client.force_login(strategist.user)
    response = client.get("/fault/drop-db/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"Your saved work is safe" in response.content
    # A real server runs close_old_connections on request_finished/started, which drops the
    # broken connection; Django's test client disconnects that signal, so do what it does.
    close_old_connections()
    assert client.get(reverse("home")).status_code == 200


def test_sweep_does_nothing_when_all_is_well(db, monkeypatch):
    """Exports in every state, each as a healthy system leaves it: the sweep touches none; the
    same rows aged past their deadlines are all picked up (so the first half can fail)."""
    enqueued: list[int] = []
    monkeypatch.setattr(
        "journeys.deliverable.exports.export_enqueue",
        lambda *, export_id: enqueued.append(export_id) or True,
    )
    now = timezone.now()
    journeys = [make_journey() for _ in range(4)]
    rows = {
        status: Export.objects.create(
            journey=journey,
            journey_version=1,
            snapshot={},
            status=status,
            enqueued_at=now if status == ExportStatus.QUEUED else None,
            started_at=now if status == ExportStatus.RENDERING else None,
        )
        for status, journey in zip(
            (ExportStatus.QUEUED, ExportStatus.RENDERING, ExportStatus.DONE, ExportStatus.FAILED),
            journeys,
            strict=True,
        )
    }
    before = sorted(Export.objects.values_list("pk", "status", "attempts", "enqueued_at"))

    assert exports_sweep() == {"requeued": 0, "recovered": 0, "failed": 0}
    assert sorted(Export.objects.values_list("pk", "status", "attempts", "enqueued_at")) == before
    assert enqueued == []

    long_ago = now - timedelta(days=1)
    Export.objects.update(created_at=long_ago, enqueued_at=long_ago, started_at=long_ago)
    assert exports_sweep() == {"requeued": 2, "recovered": 1, "failed": 0}
    queued, rendering = rows[ExportStatus.QUEUED].pk, rows[ExportStatus.RENDERING].pk
    # The recovered row is enqueued on recovery, and again as a queued row never enqueued.
    assert sorted(enqueued) == sorted([queued, rendering, rendering])
    assert Export.objects.get(pk=rows[ExportStatus.DONE].pk).status == ExportStatus.DONE


# --- tiny HTTP client with cookies (no third-party dependency)


def _get(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read()
    except OSError:
        return b""


def _cookie(opener: urllib.request.OpenerDirector, name: str) -> str:
    jar = next(h.cookiejar for h in opener.handlers if hasattr(h, "cookiejar"))
    return next(c.value for c in jar if c.name == name)


def _post(opener, url: str, fields: dict, headers: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode(), headers=headers, method="POST"
    )
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _login(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/login/", timeout=10).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    status, _ = _post(
        opener,
        base + "/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        {"Referer": base + "/login/"},
    )
    assert any(c.name == "sessionid" for c in jar), status
    return opener
