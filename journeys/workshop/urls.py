from __future__ import annotations

from django.urls import path

from . import views

# Plain names (no namespace): the authorization matrix and the fuzzer reverse them as they are.
urlpatterns = [
    path("journeys/<int:pk>/workshop/", views.panel, name="workshop_panel"),
    path("journeys/<int:pk>/workshop/ideas/", views.idea_add, name="workshop_idea_add"),
    path("journeys/<int:pk>/workshop/vote/", views.vote_cast, name="workshop_vote_cast"),
    path("journeys/<int:pk>/workshop/reveal/", views.ideas_reveal, name="workshop_reveal"),
    path(
        "journeys/<int:pk>/workshop/ideas/accept/", views.idea_accept, name="workshop_idea_accept"
    ),
    path("journeys/<int:pk>/workshop/ideas/merge/", views.idea_merge, name="workshop_idea_merge"),
    path(
        "journeys/<int:pk>/workshop/ideas/set-aside/",
        views.idea_set_aside,
        name="workshop_idea_set_aside",
    ),
    path("journeys/<int:pk>/workshop/settings/", views.room_settings, name="workshop_settings"),
    path("journeys/<int:pk>/workshop/vote/open/", views.vote_open, name="workshop_vote_open"),
    path("journeys/<int:pk>/workshop/vote/close/", views.vote_close, name="workshop_vote_close"),
    path("journeys/<int:pk>/workshop/vote/apply/", views.vote_apply, name="workshop_vote_apply"),
    path("journeys/<int:pk>/workshop/clock/", views.room_clock, name="workshop_clock"),
    path("journeys/<int:pk>/workshop/join/", views.join_card, name="workshop_join_card"),
    path("j/<str:code>/", views.join, name="workshop_join"),
    path("l/<str:token>/workshop/", views.guest_panel, name="workshop_guest_panel"),
    path("l/<str:token>/workshop/name/", views.guest_name, name="workshop_guest_name"),
    path("l/<str:token>/workshop/ideas/", views.guest_idea, name="workshop_guest_idea"),
    path("l/<str:token>/workshop/vote/", views.guest_vote, name="workshop_guest_vote"),
]
