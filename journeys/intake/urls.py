from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("clients/<int:pk>/intake/", views.intake_card, name="intake_card"),
    path("clients/<int:pk>/intake/new/", views.intake_link_create_view, name="intake_link_create"),
    path(
        "intake-links/<int:intake_link_pk>/revoke/",
        views.intake_link_revoke_view,
        name="intake_link_revoke",
    ),
    path(
        "intake-links/<int:intake_link_pk>/persona/",
        views.intake_persona_create_view,
        name="intake_persona_create",
    ),
    path("intake/<str:token>/", views.intake_page, name="intake_page"),
    path("personas/<int:pk>/intake/", views.take_in, name="intake_take_in"),
]
