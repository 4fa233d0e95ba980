"""The per-process broadcast sender: a dead Redis never fails or blocks the save."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from channels_redis.core import RedisChannelLayer
from django.db import connection

from journeys.live import broadcast
from journeys.models import JourneyStage
from journeys.services import field_save


def _dead_address() -> str:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.mark.django_db(transaction=True)
def test_a_save_with_redis_down_is_saved_and_the_failure_logged(
    journey, monkeypatch, caplog
) -> None:
    dead = RedisChannelLayer(hosts=[{"address": _dead_address(), "socket_connect_timeout": 1}])
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: dead)
    entry = JourneyStage.objects.get(journey=journey, stage__slug="aware")
    caplog.set_level(logging.WARNING, logger="cvj.live")

    result = field_save(row=entry, field="goal", value="Be found", base="", journey_id=journey.pk)

    assert result.status == "saved"
    entry.refresh_from_db()
    assert entry.goal == "Be found"
    assert connection.in_atomic_block is False
    deadline = time.monotonic() + 10
    while "could not broadcast" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "could not broadcast to journey." in caplog.text
