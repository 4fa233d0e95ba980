"""Shared plumbing for the benchmarks: processes, databases, the app's environment (output and
statistics in _report.py, the HTTP client in _http.py; both reachable through this module).

Every benchmark is one command (`.venv/bin/python bench/NAME.py`). Everything a benchmark
starts — a PostgreSQL database, gunicorn, a throwaway redis-server, a Celery worker — is
registered on an `ExitStack` and torn down in a `finally`, also on Ctrl-C and SIGTERM.
Processes are started in their own session and stopped by their own process-group id only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")


def _ensure_venv() -> None:
    """Re-run under the project's virtualenv when started with another interpreter."""
    if os.environ.get("CVJ_BENCH_NO_REEXEC"):
        return
    try:
        import django  # noqa: F401
    except ImportError:
        if VENV_PYTHON.exists() and Path(sys.executable).resolve() != VENV_PYTHON.resolve():
            os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
        sys.exit("Django is not importable: run `make install` first, then .venv/bin/python.")


_ensure_venv()
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# --- Signals: SIGTERM behaves like Ctrl-C so every `finally` runs.


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


signal.signal(signal.SIGTERM, _sigterm)


def run_setup() -> None:
    """Install the system tools the benchmarks use (wrk, chromium, …) when missing."""
    subprocess.run(["bash", str(BENCH / "setup.sh")], check=True)


# Output and statistics live in _report.py; the scripts reach them through this module as before.
from _report import (  # noqa: E402, F401
    RESULTS,
    banner,
    load_note,
    machine_info,
    median,
    percentile,
    save_results,
    step,
    table,
    verdict,
)

# --- Ports and processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A child in its own session (process group), logging to a file, stopped by its pgid."""

    def __init__(self, name: str, argv: Sequence[str], *, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log_path = log
        self._log = log.open("ab")
        self.popen = subprocess.Popen(
            list(argv),
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        else:
            # The leader is gone; make sure no child of its group lingers.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)
        self._log.close()

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def wait_until(check: Any, *, timeout: float, what: str, process: Process | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and not process.alive():
            raise RuntimeError(f"{process.name} exited while waiting for {what}:\n{process.tail()}")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    tail = f"\n{process.tail()}" if process else ""
    raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}{tail}")


# --- Environment for the app's processes


def _is_app_setting(key: str) -> bool:
    """Settings variables the benchmarks set themselves (the caller's must not leak in)."""
    if key in ("REDIS_URL", "DATABASE_URL"):
        return True
    keep = ("DJANGO_SETTINGS_MODULE", "CVJ_DEMO_PASSWORD")
    return key.startswith(("DJANGO_", "CELERY_", "CVJ_")) and key not in keep


def app_env(
    *,
    database_url: str,
    media_root: Path,
    redis_url: str = "",
    production: bool = True,
    **extra: str,
) -> dict[str, str]:
    """The settings environment: production-like (no TLS redirect) or development, DEBUG off.
    An empty `database_url` means SQLite (pass CVJ_SQLITE_PATH in `extra`)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "CVJ_"))
        and k not in ("REDIS_URL", "DATABASE_URL")
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(
        CVJ_MEDIA_ROOT=str(media_root),
        DJANGO_DEBUG="0",
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        CVJ_BENCH_NO_REEXEC="1",
    )
    if production:
        env.update(
            DJANGO_ENV="production",
            DJANGO_SECRET_KEY="bench-" + secrets.token_urlsafe(40),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_HSTS_SECONDS="0",
        )
    else:
        env.update(DJANGO_ENV="development", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver")
    if redis_url:
        env.update(REDIS_URL=redis_url, CELERY_TASK_ALWAYS_EAGER="0")
    env.update(extra)
    return env


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with the given settings environment."""
    import warnings

    for key in list(os.environ):
        if key not in env and _is_app_setting(key):
            del os.environ[key]
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cvj.settings")
    # WhiteNoise warns that STATIC_ROOT is missing: nothing here serves collected static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


def manage(env: dict[str, str], *args: str, quiet: bool = True) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=quiet,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


# --- PostgreSQL


def pg_url(dbname: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(sql)


def pg_check() -> None:
    import psycopg

    try:
        psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3
        ).close()
    except psycopg.OperationalError as error:
        sys.exit(
            f"PostgreSQL is not reachable at {PG_USER}@{PG_HOST}:{PG_PORT} ({error}).\n"
            "Start it, or point BENCH_PG_HOST/BENCH_PG_PORT/BENCH_PG_USER at one."
        )


@contextlib.contextmanager
def pg_database(name: str) -> Iterator[str]:
    """A fresh database `name` (dropped first if a crashed run left it), dropped at the end."""
    pg_check()
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}"')
    step(f"created PostgreSQL database {name}")
    try:
        yield pg_url(name)
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        try:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            step(f"dropped PostgreSQL database {name}")
        except Exception as error:  # noqa: BLE001 - report, keep tearing down
            print(f"  ! could not drop database {name}: {error}", file=sys.stderr)


# --- Services


@contextlib.contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as path:
        yield Path(path)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], logdir: Path, *, workers: int = 5) -> Iterator[str]:
    """gunicorn with sync workers on a free loopback port; yields the base URL."""
    port = free_port()
    proc = Process(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cvj.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        env=env,
        log=logdir / "gunicorn.log",
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(
            lambda: http_get(base, "/ping").status == 200,
            timeout=30,
            what="gunicorn to answer /ping",
            process=proc,
        )
        # Every worker imports the app lazily on its first request: warm them all.
        for _ in range(workers * 4):
            http_get(base, "/ping")
        step(f"gunicorn up on 127.0.0.1:{port} ({workers} sync workers, pid {proc.pid})")
        yield base
    finally:
        proc.stop()
        step("gunicorn stopped")


# The ASGI servers the benches compare (those installed), as argv after `python -m`. uvicorn
# runs on uvloop and httptools when they are installed (they are, as dev packages). Browsers
# ask for per-message compression and uvicorn grants it by default, keeping zlib state per
# socket; daphne never does: uvicorn is measured, and serves, with it off.
SERVED = "uvicorn-wsproto"
ASGI_SERVERS: dict[str, list[str]] = {
    "daphne": ["daphne", "-b", "127.0.0.1", "-p", "{port}", "-v", "0", "cvj.asgi:application"],
    "uvicorn-websockets": [
        "uvicorn", "cvj.asgi:application", "--host", "127.0.0.1", "--port", "{port}",
        "--ws", "websockets", "--ws-per-message-deflate", "false", "--log-level", "warning",
        "--no-access-log",
    ],
    # The one that serves, exactly as production runs it (cvj/serve.py).
    "uvicorn-wsproto": ["cvj.serve", "--port", "{port}", "--no-access-log"],
    "granian": [
        "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", "{port}",
        "--log-level", "warning", "cvj.asgi:application",
    ],
    "hypercorn": [
        "hypercorn", "-b", "127.0.0.1:{port}", "--log-level", "warning", "cvj.asgi:application",
    ],
}  # fmt: skip


def asgi_servers_available() -> list[str]:
    import importlib.util

    needs = {"daphne": ("daphne",), "uvicorn-websockets": ("uvicorn", "websockets"),
             "uvicorn-wsproto": ("uvicorn", "wsproto", "uvloop", "httptools"),
             "granian": ("granian",), "hypercorn": ("hypercorn",)}  # fmt: skip
    return [
        kind for kind, modules in needs.items()
        if all(importlib.util.find_spec(m) for m in modules)
    ]  # fmt: skip


def process_tree(pid: int) -> list[int]:
    """The pid and its descendants: granian and hypercorn serve from worker processes they
    spawn, so their memory and CPU are the tree's, not the launcher's."""
    tree = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:  # the thread ended while we looked
            continue
        for child in children:
            tree += process_tree(int(child))
    return tree


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used: a cost per operation that holds up better than
    a rate when the box is busy with other work."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def asgi_server(
    env: dict[str, str], logdir: Path, *, kind: str = SERVED, index: int = 0
) -> Iterator[tuple[str, Process]]:
    """One ASGI web process of `kind` on a free loopback port; yields (base URL, process)."""
    port = free_port()
    argv = [a.replace("{port}", str(port)) for a in ASGI_SERVERS[kind]]
    proc = Process(
        f"{kind}-{index}",
        [sys.executable, "-m", *argv],
        env=env,
        log=logdir / f"{kind}-{index}.log",
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(
            lambda: http_get(base, "/ping").status == 200,
            timeout=30,
            what=f"{kind} to answer /ping",
            process=proc,
        )
        yield base, proc
    finally:
        proc.stop()


@contextlib.contextmanager
def redis_server(logdir: Path) -> Iterator[str]:
    """A throwaway redis-server on a free loopback port (no persistence); yields its URL."""
    port = free_port()
    proc = Process(
        "redis-server",
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--maxmemory-policy",
            "noeviction",
            "--dir",
            str(logdir),
        ],
        env=dict(os.environ),
        log=logdir / "redis.log",
    )
    try:

        def pong() -> bool:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")

        wait_until(pong, timeout=10, what="redis-server", process=proc)
        step(f"throwaway redis-server on 127.0.0.1:{port} (pid {proc.pid})")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.stop()
        step("redis-server stopped")


@contextlib.contextmanager
def celery_worker(env: dict[str, str], logdir: Path, *, concurrency: int = 2) -> Iterator[None]:
    log = logdir / "celery.log"
    proc = Process(
        "celery",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cvj",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        env=env,
        log=log,
    )
    try:
        wait_until(
            lambda: " ready." in log.read_text(errors="replace"),
            timeout=60,
            what="the Celery worker to be ready",
            process=proc,
        )
        step(f"celery worker ready (prefork, concurrency {concurrency}, pid {proc.pid})")
        yield
    finally:
        proc.stop(timeout=30)
        step("celery worker stopped")


# --- HTTP


# The HTTP client lives in _http.py; the scripts reach it through this module as before.
from _http import (  # noqa: E402, F401
    DEMO_PASSWORD,
    Response,
    Session,
    http_get,
    http_login,
    http_request,
)
