"""The fuzzer's machinery for tests/test_fuzz.py: the hostile values, the world the endpoints
are filled from, how each endpoint's parameters are found, and the run that sends and judges
every request. See tests/test_fuzz.py for what it checks."""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from cvj.models import Role
from cvj.team import invitation_create
from journeys.deliverable.sharing import share_link_create
from journeys.live.guests import live_link_create
from journeys.services import tactic_add
from journeys.starters import builtin_starters
from tests.factories import AgencyFactory, MembershipFactory, OfferFactory
from tests.test_authorization_matrix import _url, _world

MISSING = object()
VALUES: dict[str, object] = {
    "superscript-two": "²",
    "arabic-three": "٣",
    "minus-one": "-1",
    "zero": "0",
    "1e309": "1e309",
    "nan": "NaN",
    "infinity": "Infinity",
    "40-digits": "1234567890" * 4,
    "nul": "a\x00b",
    "lone-surrogate": b"\xed\xa0\x80",  # U+D800 as a browser's UTF-8 form encoding sends it
    "100k-chars": "x" * 100_000,
    "empty": "",
    "missing": MISSING,
}
# Path converters only match their own shape ([0-9]+ for int, no "/" for str), so path
# values are the ones that can get through: big and zero ids, and any text for str and slug.
PATH_INT_VALUES = ("0", "1234567890" * 4)

# Endpoints that accept a POST but read no parameter: the path is everything.
TAKES_NO_INPUT = {
    "workshop_vote_close",
    "workshop_vote_apply",
    "agency_logo",
    "business_detail",
    "healthz",
    "journey_view",
    "ping",
    "team",
    "logout",
    "tactic_remove",
    "tactic_restore",
    "offer_detach",
    "export_create",
    "export_retry",
    "version_export",
    "share_link_revoke",
    "library_tactic_archive",
    "library_tactic_unarchive",
    "library_tactic_hide",
    "library_tactic_unhide",
    "team_invitation_resend",
    "team_invitation_revoke",
    "team_member_deactivate",
    "team_member_reactivate",
    "logout_everywhere",
}
# The no-JavaScript stage form saves each field through the autosave check on its own: a
# conflict or an invalid value in one field is reported (409/422) while the others are kept,
# since the page shows the stored text again and would otherwise lose them.
SAVES_FIELD_BY_FIELD = {"stage_save"}
# Signed-in users are turned away from these (or see another page): fuzz them signed out.
ANONYMOUS = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "share_page",
    "share_pdf",
    "share_logo",
    "share_board_column",
    "team_invitation_accept",
    "live_guest",
    "live_guest_question",
    "intake_page",
}

SOURCE_NAMES = [
    re.compile(r"""request\.(?P<m>GET|POST)(?:\.get|\.getlist)\(\s*f?["'](?P<n>[\w-]+)["']"""),
    re.compile(r"""request\.(?P<m>GET|POST)\[\s*["'](?P<n>[\w-]+)["']\s*\]"""),
    re.compile(r"""["'](?P<n>[\w-]+)["']\s+(?:not\s+)?in\s+request\.(?P<m>GET|POST|FILES)"""),
]
HELPER_CALL = re.compile(r"\b(_[a-z]\w*)\(")
# `SomeForm(request.POST, prefix="x")`: the form's declared fields are the POST's parameters.
FORM_CALL = re.compile(
    r"""\b(?P<form>[A-Z]\w*Form)\(\s*request\.POST\b(?:[^()]*?\bprefix=["'](?P<prefix>[\w-]+)["'])?"""
)


# --- The world ----------------------------------------------------------------------------


def _fuzz_world() -> dict[str, object]:
    world = _world(AgencyFactory(name="Fuzz Agency"))
    admin = world["members"]["admin"]
    journey_stage = (
        apps.get_model("journeys", "JourneyStage")
        .objects.select_related("journey")
        .get(journey_id=world["journey"], stage__slug="convert")
    )
    journey = journey_stage.journey
    tactic_add(journey_stage=journey_stage, custom_name="Free trial")
    OfferFactory(business=journey.business, kind="entry_point", price=9)
    _link, world["share_token"] = share_link_create(journey=journey, user=admin.user, days=7)
    _live, world["live_token"] = live_link_create(journey=journey, user=admin.user)
    _invitation, world["invitation_token"] = invitation_create(
        agency=admin.agency,
        email="fuzz-new@example.com",
        role=Role.STRATEGIST,
        business=None,
        invited_by=admin.user,
    )
    world["outsider"] = MembershipFactory(agency=AgencyFactory(name="Other"), role=Role.ADMIN)
    return world


SPECIAL_KWARGS = {
    "share_page": lambda w: {"token": w["share_token"]},
    "share_pdf": lambda w: {"token": w["share_token"]},
    "team_invitation_accept": lambda w: {"token": w["invitation_token"]},
    "password_reset_confirm": lambda w: {"uidb64": "MQ", "token": "set-password"},
    "journey_from_starter": lambda w: {"source": "industry", "key": builtin_starters()[0].slug},
    "share_logo": lambda w: {"token": w["share_token"]},
    "share_board_column": lambda w: {"token": w["share_token"], "slug": "convert"},
    "live_guest": lambda w: {"token": w["live_token"]},
    "intake_page": lambda w: {"token": w["intake_token"]},
    "live_guest_question": lambda w: {"token": w["live_token"]},
    "workshop_join": lambda w: {"code": "ABCD2345"},
    "workshop_guest_panel": lambda w: {"token": w["live_token"]},
    "workshop_guest_name": lambda w: {"token": w["live_token"]},
    "workshop_guest_idea": lambda w: {"token": w["live_token"]},
    "workshop_guest_vote": lambda w: {"token": w["live_token"]},
    "library_stage": lambda w: {"slug": "convert"},
    "library_tactic_add": lambda w: {"slug": "convert"},
    "library_tactic_reorder": lambda w: {"slug": "convert"},
}


def _endpoints() -> list[tuple[str, URLPattern]]:
    """Every named pattern of the URL conf outside Django admin."""

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                if getattr(p, "app_name", None) == "admin":
                    continue
                yield from walk(p.url_patterns)
            elif p.name:
                yield p.name, p

    return sorted(walk(get_resolver().url_patterns), key=lambda item: item[0])


def _path_kwargs(name: str, pattern: URLPattern, world: dict) -> dict[str, object]:
    if not pattern.pattern.converters:
        return {}
    if name in SPECIAL_KWARGS:
        return SPECIAL_KWARGS[name](world)
    return resolve(_url(name, world)).kwargs  # KeyError: a new URL the world cannot fill


# --- Finding the parameters ---------------------------------------------------------------


class _Forms(HTMLParser):
    """The forms of a page (and htmx controls outside forms): target, method, fields."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[dict] = []
        self.form: dict | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def _target(self, attrs: dict, default_method: str) -> dict:
        if attrs.get("data-hx-post"):
            return {"action": attrs["data-hx-post"], "method": "post", "fields": {}}
        if attrs.get("data-hx-get"):
            return {"action": attrs["data-hx-get"], "method": "get", "fields": {}}
        method = (attrs.get("method") or default_method).lower()
        return {"action": attrs.get("action") or self.page, "method": method, "fields": {}}

    def handle_starttag(self, tag: str, attr_list: list) -> None:
        attrs = {k: (v if v is not None else "") for k, v in attr_list}
        if tag == "form":
            self.form = self._target(attrs, "get")
            self.forms.append(self.form)
            return
        name = attrs.get("name")
        if tag == "option" and self.select and self.form is not None:
            fields = self.form["fields"]
            if "selected" in attrs or fields.get(self.select) is None:
                fields[self.select] = attrs.get("value", "")
            return
        if tag not in ("input", "select", "textarea", "button") or not name:
            return
        form = self.form
        if form is None:
            if not (attrs.get("data-hx-post") or attrs.get("data-hx-get")):
                return
            form = self._target(attrs, "get")
            self.forms.append(form)
        fields = form["fields"]
        kind = attrs.get("type", "text").lower()
        if tag == "input" and kind == "file":
            fields.setdefault(name, MISSING)
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attrs or name not in fields:
                fields[name] = attrs.get("value", "on") if "checked" in attrs else MISSING
        elif tag == "select":
            fields.setdefault(name, None)
            self.select = name
        elif tag == "textarea":
            fields.setdefault(name, "")
            self.textarea = name
        else:
            fields.setdefault(name, attrs.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea and self.form is not None:
            fields = self.form["fields"]
            if not fields[self.textarea] and data.startswith("\n"):
                data = data[1:]  # as browsers do: a newline right after <textarea> is dropped
            fields[self.textarea] += data


def _source_names(callback) -> dict[str, str]:  # noqa: ANN001
    """Parameter names the view (and its module's private helpers) read: name → GET|POST."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        form_class = getattr(view_class, "form_class", None)
        fields = getattr(form_class, "base_fields", {}) if form_class else {}
        return {name: "POST" for name in fields}
    function = inspect.unwrap(callback)
    module = inspect.getmodule(function)
    seen, queue, names = set(), [function], {}
    while queue:
        current = queue.pop()
        if current in seen or not callable(current):
            continue
        seen.add(current)
        try:
            source = inspect.getsource(current)
        except (OSError, TypeError):
            continue
        for pattern in SOURCE_NAMES:
            for match in pattern.finditer(source):
                if match["m"] != "FILES":
                    names.setdefault(match["n"], match["m"])
        for match in FORM_CALL.finditer(source):
            form_class = getattr(module, match["form"], None)
            prefix = f"{match['prefix']}-" if match["prefix"] else ""
            for field in getattr(form_class, "base_fields", {}):
                names.setdefault(f"{prefix}{field}", "POST")
        for helper in HELPER_CALL.findall(source):
            queue.append(getattr(module, helper, None))
    return names


def _crawl(browsers: dict[str, Client], pages: list[tuple[str, str]]) -> dict[str, list[dict]]:
    """url name → the forms found that send to it."""
    found: dict[str, list[dict]] = defaultdict(list)
    for actor, url in pages:
        for headers in ({},):
            response = browsers[actor].get(url, headers=headers)
            if response.streaming or "text/html" not in response.get("Content-Type", ""):
                continue
            parser = _Forms(url)
            parser.feed(response.content.decode())
            for form in parser.forms:
                action = urlsplit(form["action"]).path
                try:
                    match = resolve(action)
                except Resolver404:
                    continue
                if match.url_name:
                    found[match.url_name].append(form)
    return found


# --- Sending and checking -----------------------------------------------------------------


def _encode(params: dict[str, object]) -> str:
    pairs = []
    for name, value in params.items():
        if value is MISSING or value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return urlencode(pairs)


def _tracked_models() -> list:
    models = [get_user_model()]
    for label in ("cvj", "stages", "journeys", "intake", "actuals"):
        models.extend(apps.get_app_config(label).get_models())
    return models


def _fingerprint(models: list) -> tuple:
    """What the app's tables hold. On PostgreSQL: the rows this transaction has inserted,
    updated or deleted in them so far (one cheap query); elsewhere: every row."""
    if connection.vendor == "postgresql":
        tables = [model._meta.db_table for model in models]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
                " FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)",
                [tables],
            )
            return tuple(cursor.fetchone())
    return tuple(tuple(model._base_manager.order_by("pk").values_list()) for model in models)


class _Run:
    def __init__(self, browsers: dict[str, Client]) -> None:
        self.browsers = browsers
        self.models = _tracked_models()
        self.failures: list[str] = []
        self.requests = 0

    def _fail(self, finding: str) -> None:
        self.failures.append(finding)
        print(f"FUZZ FINDING {finding}", flush=True)  # seen at once with -s, even on a timeout

    def send(
        self, actor: str, method: str, url: str, params: dict, label: str, name: str = ""
    ) -> int:
        """One request in a savepoint that is rolled back; records what went wrong."""
        browser = self.browsers[actor]
        cookies = {key: morsel.value for key, morsel in browser.cookies.items()}
        body = _encode(params)
        status, refused = 0, False
        with transaction.atomic():
            before = _fingerprint(self.models)
            try:
                if method == "get":
                    response = browser.get(f"{url}?{body}" if body else url)
                else:
                    response = browser.post(
                        url, body, content_type="application/x-www-form-urlencoded"
                    )
                status = response.status_code
                if response.streaming:
                    b"".join(response.streaming_content)
                    text = ""
                else:
                    text = response.content.decode(errors="replace")
                refused = 400 <= status < 500 or (
                    status == 200 and ('class="errorlist' in text or 'aria-invalid="true"' in text)
                )
            except Exception as error:  # noqa: BLE001 - any escape is the finding
                self._fail(f"{label}: raised {type(error).__name__}: {error}"[:300])
                status = 500
            else:
                if status >= 500:
                    self._fail(f"{label}: answered {status}")
                elif (
                    method == "post"
                    and refused
                    and name not in SAVES_FIELD_BY_FIELD
                    and _fingerprint(self.models) != before
                ):
                    self._fail(f"{label}: refused ({status}) but changed the database")
            transaction.set_rollback(True)
        browser.cookies = SimpleCookie(cookies)  # a logout in the savepoint must not sign us out
        self.requests += 1
        return status


def _method_allowed(run: _Run, actor: str, method: str, url: str, name: str) -> bool:
    return run.send(actor, method, url, {}, f"{method.upper()} {name} (bare)", name) != 405
