from __future__ import annotations

from django.apps import AppConfig


class StagesConfig(AppConfig):
    name = "stages"
    verbose_name = "CVJ stages and tactic library"
