from __future__ import annotations

from django.apps import AppConfig


class CvjConfig(AppConfig):
    name = "cvj"
    verbose_name = "Agencies and team"
