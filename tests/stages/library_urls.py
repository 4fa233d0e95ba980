"""cvj.urls plus the library manager, for tests that run before (and after) it is wired."""

from __future__ import annotations

from django.urls import NoReverseMatch, include, path, reverse

from cvj import urls as project_urls

try:
    reverse("library", urlconf=project_urls)
    urlpatterns = list(project_urls.urlpatterns)
except NoReverseMatch:
    urlpatterns = [path("library/", include("stages.urls")), *project_urls.urlpatterns]
