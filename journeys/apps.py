from __future__ import annotations

from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "journeys"
    verbose_name = "Client journeys"

    def ready(self) -> None:
        # Wiring only: the rooms above the map subscribe to its changes (journeys/changes.py),
        # and the export tasks register with Celery, in the web process and the worker alike.
        from .deliverable import exports  # noqa: F401
        from .live import broadcast  # noqa: F401
