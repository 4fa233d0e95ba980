from __future__ import annotations

from django.urls import path

from .consumers import JourneyLiveConsumer

websocket_urlpatterns = [
    path("ws/journeys/<int:pk>/live/", JourneyLiveConsumer.as_asgi()),
]
