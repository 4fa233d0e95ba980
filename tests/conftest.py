from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest
from channels.layers import channel_layers
from django.apps import apps as django_apps

from cvj.celery import app as celery_app
from cvj.models import Role
from tests.factories import AgencyFactory, BusinessFactory, MembershipFactory, make_journey

pytest_plugins = ["tests.clients"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _uses_transactions(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & set(request.fixturenames)
    )


def _seed_migration() -> ModuleType:
    """The frozen data migration that seeds the stages and the library."""
    return importlib.import_module("stages.migrations.0002_seed_stages_and_library")


@pytest.fixture(autouse=True)
def stages_seeded(request):
    """Transactional tests flush every table, including the migration-seeded stages and
    library; put them back so each test starts from what a migrated database holds."""
    if not _uses_transactions(request):
        return
    request.getfixturevalue("transactional_db")
    from stages.models import Stage

    if Stage.objects.count() != 8:
        _seed_migration().seed(django_apps, None)


@pytest.fixture(autouse=True)
def fresh_channel_layer_after_a_leak():
    """A socket test whose consumer was still waiting in the channel layer when the test's event
    loop ended leaves channels-redis holding a lock bound to the dead loop (its receive lock, a
    pool's); every later test's sockets would then fail on it. Each test's event loop is its
    own, so every test ends by dropping the layers (the next socket gets a new one, which costs
    nothing until used): one test's leak — a timeout on a busy machine — is never the next's."""
    yield
    channel_layers.backends.clear()


@pytest.fixture(scope="session", autouse=True)
def socket_save_connections_closed(django_db_setup, django_db_blocker):
    """Socket saves keep a database connection on each of their threads; the test database
    can be dropped only once they are closed."""
    yield
    from journeys.live.editing import close_save_connections

    close_save_connections()


@pytest.fixture(autouse=True)
def eager_tasks():
    """Tasks run in-process unless a test asks for the real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_login_lockout(settings):
    """django-axes needs a request on every authenticate(); the test client's login() has
    none. The lockout has its own tests, which switch it back on."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def business(agency):
    return BusinessFactory(agency=agency)


@pytest.fixture
def journey(business, strategist):
    return make_journey(business=business, owner=strategist.user)


def _member(agency, role, business=None):
    return MembershipFactory(agency=agency, role=role, business=business)


@pytest.fixture
def strategist(agency):
    return _member(agency, Role.STRATEGIST)


@pytest.fixture
def agency_admin(agency):
    return _member(agency, Role.ADMIN)


@pytest.fixture
def client_member(agency, business):
    return _member(agency, Role.CLIENT, business)


@pytest.fixture
def strategist_client(client, strategist):
    client.force_login(strategist.user)
    return client


@pytest.fixture
def other_agency_journey(db):
    """A journey of a second agency: nobody from `agency` may reach it."""
    other = AgencyFactory(name="Rival Agency")
    return make_journey(business=BusinessFactory(agency=other), title="Rival's journey")


@pytest.fixture
def celery_disabled(monkeypatch):
    """Requests queue exports without running them, as if no worker were listening."""
    monkeypatch.setattr("journeys.deliverable.exports.export_enqueue", lambda *, export_id: False)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that flush the database (transactional and browser tests) run after the others,
    as Django orders them: a flush also empties the migration-seeded stages and library that
    ordinary tests rely on. pytest-django sorts before the e2e and judges folders mark their
    tests, so the order is settled here, last (a stable sort keeps everything else in place).
    """

    def flushes(item: pytest.Item) -> bool:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        return bool(
            (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
            or "transactional_db" in fixtures
            or "live_server" in fixtures
        )

    def in_browser(item: pytest.Item) -> bool:
        # Playwright's sync API leaves an event loop in the main thread; async tests (the
        # WebSocket consumers) must run before it, so browser tests come last of all.
        return item.get_closest_marker("e2e") is not None or "page" in getattr(
            item, "fixturenames", ()
        )

    items.sort(key=lambda item: (flushes(item), in_browser(item)))
