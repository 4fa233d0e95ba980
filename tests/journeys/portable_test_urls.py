"""The site's URLs plus journeys.template_urls, for view tests until the site includes it."""

from __future__ import annotations

from django.urls import get_resolver, include, path

from cvj.urls import urlpatterns as site_urlpatterns

_already_included = "template_list" in get_resolver("cvj.urls").reverse_dict

urlpatterns = list(site_urlpatterns)
if not _already_included:
    urlpatterns.append(path("", include("journeys.template_urls")))
