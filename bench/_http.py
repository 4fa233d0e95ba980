"""A tiny HTTP client for the benchmarks: requests, and a session signed in by the login form."""

from __future__ import annotations

import http.client
import os
import secrets
from dataclasses import dataclass

DEMO_PASSWORD = os.environ.get("CVJ_DEMO_PASSWORD", "cvj-demo-2026")


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def cookies(self) -> dict[str, str]:
        found = {}
        for name, value in self.headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                found[key.strip()] = val.strip()
        return found


def http_request(
    base: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Response:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return Response(resp.status, resp.getheaders(), resp.read())
    finally:
        conn.close()


def http_get(base: str, path: str, headers: dict[str, str] | None = None) -> Response:
    return http_request(base, "GET", path, headers=headers)


@dataclass
class Session:
    """A logged-in browser, as cookie + CSRF headers (cookies are Secure in production, so a
    plain-http client must send them by hand — exactly what wrk and the load generator do)."""

    sessionid: str
    csrftoken: str

    @property
    def cookie(self) -> str:
        return f"sessionid={self.sessionid}; csrftoken={self.csrftoken}"

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Cookie": self.cookie, "X-CSRFToken": self.csrftoken, **extra}


def http_login(base: str, username: str, password: str = DEMO_PASSWORD) -> Session:
    """Sign in through the real /login/ form post. The CSRF cookie is minted client-side (any
    32-character token is a valid secret), which spares a GET of the login page — that page
    needs collectstatic's manifest in production mode, and nothing here serves static files."""
    from urllib.parse import urlencode

    token = secrets.token_hex(16)  # 32 characters, alphanumeric
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    resp = http_request(
        base,
        "POST",
        "/login/",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={token}",
        },
    )
    cookies = resp.cookies()
    if resp.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"log-in as {username} failed: HTTP {resp.status}\n{resp.text[:500]}")
    return Session(sessionid=cookies["sessionid"], csrftoken=cookies.get("csrftoken", token))
