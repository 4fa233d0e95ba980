from __future__ import annotations

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "journeys.intake"
    label = "intake"
    verbose_name = "Client intake"
    default_auto_field = "django.db.models.BigAutoField"
