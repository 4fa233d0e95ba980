"""Test-only routes that provoke real faults; included only by tests/faults."""

from __future__ import annotations

from django.db import connection, connections
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def drop_my_connection(request: HttpRequest) -> HttpResponse:
    """Query, have PostgreSQL kill this request's connection from outside, query again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    killer = connections.create_connection("default")
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()
    with connection.cursor() as cursor:  # the connection is gone: OperationalError
        cursor.execute("SELECT 1")
    return HttpResponse("unreachable")


urlpatterns = [
    path("fault/drop-db/", drop_my_connection),
    path("", include("cvj.urls")),
]
