"""Re-enqueue queued exports the broker never took and recover ones a dead worker left."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from journeys.deliverable.exports import exports_sweep


class Command(BaseCommand):
    help = "Recover stale PDF exports (also runs every 30 s under celery beat)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = exports_sweep()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
