from __future__ import annotations

from django.apps import AppConfig


class ActualsConfig(AppConfig):
    name = "journeys.actuals"
    label = "actuals"
    verbose_name = "Actuals and scorecard"
    default_auto_field = "django.db.models.BigAutoField"
