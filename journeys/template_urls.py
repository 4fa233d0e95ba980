"""URLs for the portable format, cloning and templates; included at the site root."""

from __future__ import annotations

from django.urls import path

from . import template_views

urlpatterns = [
    path(
        "journeys/<int:pk>/export.json",
        template_views.journey_export_json,
        name="journey_export_json",
    ),
    path("journeys/import/", template_views.journey_import_json, name="journey_import_json"),
    path("journeys/<int:pk>/clone/", template_views.journey_clone_view, name="journey_clone"),
    path(
        "journeys/<int:pk>/save-as-template/",
        template_views.journey_template_save,
        name="journey_template_save",
    ),
    path("templates/", template_views.template_list, name="template_list"),
    path(
        "templates/<slug:source>/<slug:key>/",
        template_views.journey_from_template,
        name="journey_from_template",
    ),
]
