"""Request typing shared by every view module."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request after django-htmx's middleware: `request.htmx` tells the partial branch."""

    htmx: HtmxDetails
