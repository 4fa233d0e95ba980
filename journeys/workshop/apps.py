from __future__ import annotations

from django.apps import AppConfig


class WorkshopConfig(AppConfig):
    name = "journeys.workshop"
    label = "workshop"
    verbose_name = "Workshop: the client's team takes part"
    default_auto_field = "django.db.models.BigAutoField"
