"""The site's URLs plus the team and auth modules, for tests that run before (and after) they
are wired into cvj.urls: a module already included there is not added twice."""

from __future__ import annotations

from django.urls import URLResolver, include, path

from cvj.urls import urlpatterns as site_urlpatterns


def _included(module: str) -> bool:
    return any(
        isinstance(entry, URLResolver)
        and getattr(entry.urlconf_name, "__name__", entry.urlconf_name) == module
        for entry in site_urlpatterns
    )


urlpatterns = list(site_urlpatterns)
if not _included("cvj.team_urls"):
    urlpatterns.insert(0, path("team/", include("cvj.team_urls")))
if not _included("cvj.auth_urls"):
    urlpatterns.insert(0, path("", include("cvj.auth_urls")))
