from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def ping(request: HttpRequest) -> HttpResponse:
    """The bare baseline for benchmarks: no session, no database."""
    return HttpResponse("ok", content_type="text/plain")


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and compose: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
    path("team/", include("cvj.team_urls")),
    path("library/", include("stages.urls")),
    path("", include("cvj.auth_urls")),
    path("", include("journeys.urls")),
    path("", include("journeys.intake.urls")),
    path("", include("journeys.actuals.urls")),
    path("", include("journeys.workshop.urls")),
]
