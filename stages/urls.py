"""The tactic library manager, mounted by cvj/urls.py under library/."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.library, name="library"),
    path("stages/<slug:slug>/", views.library, name="library_stage"),
    path("stages/<slug:slug>/add/", views.tactic_add, name="library_tactic_add"),
    path(
        "stages/<slug:slug>/reorder/", views.library_tactic_reorder, name="library_tactic_reorder"
    ),
    path("tactics/<int:pk>/edit/", views.tactic_edit, name="library_tactic_edit"),
    path("tactics/<int:pk>/archive/", views.tactic_archive, name="library_tactic_archive"),
    path("tactics/<int:pk>/unarchive/", views.tactic_unarchive, name="library_tactic_unarchive"),
    path("tactics/<int:pk>/move/", views.library_tactic_move, name="library_tactic_move"),
    path("tactics/<int:pk>/hide/", views.tactic_hide, name="library_tactic_hide"),
    path("tactics/<int:pk>/unhide/", views.tactic_unhide, name="library_tactic_unhide"),
    path("export.csv", views.library_export, name="library_export"),
    path("import/", views.library_import, name="library_import"),
]
