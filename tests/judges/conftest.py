"""Outside judges (axe-core, the Nu HTML checker, a 390 px phone) walking the app in a browser.

The browser, live server and sign-in fixtures are the e2e suite's; this folder adds the walk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import (  # noqa: F401 - fixtures shared with the e2e suite
    _fast_passwords,
    _server_idle_before_flush,
    base_url,
    browser_context_args,
    browser_type_launch_args,
    live_server,
    login,
    new_context,
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
