"""Which pages may open a WebSocket here: this site's own origin, compared whole.

Channels' `AllowedHostsOriginValidator` checks only the Origin's host against ALLOWED_HOSTS, so a
page on `http://localhost:9999` could open a socket to a server on another port of the same
host. Here the Origin must equal the origin the socket was requested on — scheme, host and port,
default ports folded (http:80, https:443) — or be one of CSRF_TRUSTED_ORIGINS (a site served
under another name behind a proxy); and the Host itself must be allowed. No Origin, no socket:
browsers always send one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
LOCAL_HOSTS = [".localhost", "127.0.0.1", "[::1]"]  # Django's own default under DEBUG

Origin = tuple[str, str, int]


def parse_origin(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) origin, or None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def _headers(scope: dict[str, Any]) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _served_over_tls(scope: dict[str, Any], headers: dict[str, str]) -> bool:
    if scope.get("scheme") in ("wss", "https"):
        return True
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:  # as Django reads it for HTTP: ("HTTP_X_FORWARDED_PROTO", "https")
        name = proxy[0].removeprefix("HTTP_").replace("_", "-").lower()
        return headers.get(name, "").split(",")[0].strip() == proxy[1]
    return False


def origin_allowed(scope: dict[str, Any]) -> bool:
    headers = _headers(scope)
    host = headers.get("host", "")
    origin = parse_origin(headers.get("origin", ""))
    domain, _port = split_domain_port(host)
    allowed_hosts = settings.ALLOWED_HOSTS or (LOCAL_HOSTS if settings.DEBUG else [])
    if origin is None or not domain or not validate_host(domain, allowed_hosts):
        return False
    scheme = "https" if _served_over_tls(scope, headers) else "http"
    if origin == parse_origin(f"{scheme}://{host}"):
        return True
    return any(origin == parse_origin(trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS)


class SameOriginValidator:
    """ASGI middleware: a WebSocket from any other origin is refused before the handshake."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
