"""Settings come from the environment; with nothing set they fall back to SQLite and eager tasks.

Each case imports `cvj.settings` in a fresh interpreter, because the module reads the
environment once at import time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

REPO_ROOT = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "host": db.get("HOST", ""),
    "port": db.get("PORT", ""),
    "user": db.get("USER", ""),
    "options": db.get("OPTIONS", {}),
    "debug": s.DEBUG,
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "broker": s.CELERY_BROKER_URL,
    "cache": s.CACHES["default"]["BACKEND"],
    "cache_location": s.CACHES["default"].get("LOCATION", ""),
    "secret_key": s.SECRET_KEY,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "secure_cookies": getattr(s, "SESSION_COOKIE_SECURE", False),
}))
"""


def clean_environment(**overrides: str) -> dict[str, str]:
    """The current environment minus everything the settings module reads, plus overrides."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "CVJ_"))
        and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "cvj.settings"
    env.update(overrides)
    return env


def run_settings(**overrides: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=REPO_ROOT,
        env=clean_environment(**overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_with(**overrides: str) -> dict:
    result = run_settings(**overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_environment_it_uses_sqlite_in_the_project_folder_and_eager_tasks():
    loaded = settings_with()
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert Path(loaded["name"]) == REPO_ROOT / "db.sqlite3"
    assert loaded["eager"] is True
    assert loaded["broker"] == "memory://"
    assert loaded["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["allowed_hosts"] == ["127.0.0.1", "localhost"]


def test_database_url_switches_to_postgresql():
    loaded = settings_with(DATABASE_URL="postgres://u@h:5432/db")
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert (loaded["name"], loaded["host"], loaded["port"], loaded["user"]) == (
        "db",
        "h",
        5432,
        "u",
    )
    assert loaded["eager"] is True


def test_sqlite_through_database_url_waits_for_locks_like_the_embedded_default(tmp_path):
    embedded = settings_with()["options"]
    named = settings_with(DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}")
    assert named["engine"] == "django.db.backends.sqlite3"
    assert embedded == named["options"] == {"timeout": 20, "transaction_mode": "IMMEDIATE"}


RACING_SAVES = """
import threading
import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE counter (n integer)")
    cursor.execute("INSERT INTO counter VALUES (0)")
connection.close()
failures = []

def save():
    for _ in range(25):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")  # read, then write: a lock upgrade
                (n,) = cursor.fetchone()
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
        except Exception as error:
            failures.append(str(error))
    connection.close()

threads = [threading.Thread(target=save) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter")
    print(len(failures), cursor.fetchone()[0], failures[:1])
"""


def test_racing_saves_on_sqlite_through_database_url_all_land(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", RACING_SAVES],
        cwd=REPO_ROOT,
        env=clean_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'race.db'}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["0", "200"], result.stdout


def test_redis_url_switches_to_a_real_broker_and_cache():
    loaded = settings_with(REDIS_URL="redis://cache.internal:6379/3")
    assert loaded["broker"] == "redis://cache.internal:6379/3"
    assert loaded["eager"] is False
    assert loaded["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["cache_location"] == "redis://cache.internal:6379/3"
    assert loaded["engine"] == "django.db.backends.sqlite3"


def test_production_without_a_secret_key_refuses_to_start():
    result = run_settings(DJANGO_ENV="production")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_with_a_secret_key_starts_hardened():
    loaded = settings_with(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="s3cret-from-the-environment",
        DJANGO_ALLOWED_HOSTS="cvj.example, www.cvj.example",
    )
    assert loaded["secret_key"] == "s3cret-from-the-environment"
    assert loaded["debug"] is False
    assert loaded["secure_cookies"] is True
    assert loaded["allowed_hosts"] == ["cvj.example", "www.cvj.example"]


def test_production_refuses_debug():
    result = run_settings(DJANGO_ENV="production", DJANGO_SECRET_KEY="s3cret", DJANGO_DEBUG="true")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off" in result.stderr


def test_debug_defaults_off_and_follows_django_debug():
    assert settings_with()["debug"] is False
    assert settings_with(DJANGO_DEBUG="")["debug"] is False
    assert settings_with(DJANGO_DEBUG="1")["debug"] is True
    assert settings_with(DJANGO_DEBUG="false")["debug"] is False


def test_collected_modules_import_each_other_by_hashed_name(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "cvj.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    editor = (tmp_path / manifest["js/editor.js"]).read_text()
    autosave_hashed = manifest["js/autosave.js"].rsplit("/", 1)[-1]
    assert autosave_hashed != "autosave.js" and autosave_hashed in editor
