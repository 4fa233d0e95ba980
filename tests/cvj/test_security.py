from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import UserFactory

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_repeated_failed_sign_ins_lock_the_account_out(client, settings):
    settings.AXES_ENABLED = True
    user = UserFactory(username="target")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "target", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    last = client.post(reverse("login"), {"username": "target", "password": "wrong"})
    assert last.status_code == 429  # the limit-th failure locks the pair out
    locked = client.post(reverse("login"), {"username": "target", "password": "pw-for-tests-123"})
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content
    assert "_auth_user_id" not in client.session
    assert user.is_active


@pytest.mark.django_db
def test_a_good_password_signs_in_when_not_locked(client, settings):
    settings.AXES_ENABLED = True
    UserFactory(username="someone")
    response = client.post(
        reverse("login"), {"username": "someone", "password": "pw-for-tests-123"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self' 'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy


def test_deploy_check_passes_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CVJ_"))},
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "a-very-long-production-secret-key-0123456789-abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "cvj.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
