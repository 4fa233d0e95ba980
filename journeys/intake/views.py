"""The intake: the strategist's card on the client page, the client's questionnaire behind a
signed link (no account), and the take-in beside the persona."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cvj.http import HtmxHttpRequest
from cvj.links import LinkError
from journeys.access import get_business_for, get_persona_for
from journeys.models import Business, Persona

from .access import get_intake_link_for, intake_link_chosen, intake_links_of
from .forms import LINK_DAYS, IntakeAnswersForm, IntakeLinkForm, TakeInForm
from .models import IntakeLink
from .questions import BY_KEY, sections
from .services import (
    TakeInResult,
    intake_answers,
    intake_answers_save,
    intake_link_create,
    intake_link_open,
    intake_link_resolve,
    intake_link_revoke,
    intake_persona_create,
    intake_take_in,
    take_in_rows,
)


def _card(
    request: HtmxHttpRequest, business: Business, *, status: int = 200, **extra: object
) -> HttpResponse:
    """The intake card for htmx; the card's own page without JavaScript."""
    context = {
        "business": business,
        "links": intake_links_of(business)[:10],
        "personas": business.personas.all(),
        "link_days": LINK_DAYS,
        **extra,
    }
    template = "intake/links.html#card" if request.htmx else "intake/links.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def intake_card(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _card(request, get_business_for(request.user, pk, edit=True))


@login_required
@require_POST
def intake_link_create_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    business = get_business_for(request.user, pk, edit=True)
    form = IntakeLinkForm(request.POST)
    form.is_valid()  # days clamped to its range, the label judged by the service
    try:
        _link, token = intake_link_create(business=business, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        status = 200 if request.htmx else 422
        return _card(request, business, status=status, link_error=" ".join(error.messages))
    url = request.build_absolute_uri(reverse("intake_page", args=[token]))
    return _card(request, business, new_link_url=url)


@login_required
@require_POST
def intake_link_revoke_view(request: HtmxHttpRequest, intake_link_pk: int) -> HttpResponse:
    link = get_intake_link_for(request.user, intake_link_pk)
    intake_link_revoke(link=link)
    return _card(request, link.business)


@login_required
@require_POST
def intake_persona_create_view(request: HtmxHttpRequest, intake_link_pk: int) -> HttpResponse:
    """A new persona from a link's answers, then the take-in page to fill it."""
    link = get_intake_link_for(request.user, intake_link_pk)
    persona = intake_persona_create(link=link)
    return redirect(reverse("intake_take_in", args=[persona.pk]) + f"?link={link.pk}")


def _refused(request: HtmxHttpRequest, error: LinkError) -> HttpResponse:
    context = {"reason": error.message}
    return render(request, "intake/invalid.html", context, status=error.status)


@never_cache  # resuming must show the answers saved since, never a cached copy
@require_http_methods(["GET", "POST"])
def intake_page(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The client's questionnaire. GET opens it with the saved answers; POST saves them: one
    question as they type (htmx answers that field's state), or the whole form without JS."""
    try:
        link = intake_link_open(token) if request.method == "GET" else intake_link_resolve(token)
    except LinkError as error:
        return _refused(request, error)
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        form = IntakeAnswersForm(request.POST)
        form.is_valid()
        typed = form.answers()
        errors = intake_answers_save(link=link, answers=typed)
        if request.htmx:
            key = next(iter(typed), "")
            context = {"key": key, "error": errors.get(key, ""), "saved_at": timezone.now()}
            return render(request, "intake/intake_page.html#state", context)
        if not errors:
            return redirect(reverse("intake_page", args=[token]) + "?saved=1#saved")
    # The saved answers, and what was just typed where it could not be saved.
    values = {key: answer.text for key, answer in intake_answers(link).items()} | typed
    context = {
        "link": link,
        "business": link.business,
        "token": token,
        "sections": _fields(values, errors),
        "errors": errors,
        "saved": request.GET.get("saved") == "1" and not errors,
    }
    return render(request, "intake/intake_page.html", context, status=422 if errors else 200)


def _fields(values: dict[str, str], errors: dict[str, str]) -> list[tuple[str, list[dict]]]:
    """The questions under their headings, numbered through, each with its text and error."""
    numbered, number = [], 0
    for title, questions in sections():
        fields = []
        for question in questions:
            number += 1
            key = question.key
            fields.append(
                {
                    "q": question,
                    "number": number,
                    "value": values.get(key, ""),
                    "error": errors.get(key, ""),
                }
            )
        numbered.append((title, fields))
    return numbered


@login_required
@require_http_methods(["GET", "POST"])
def take_in(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The client's answers beside the persona; the strategist takes in per field or all."""
    persona = get_persona_for(request.user, pk, edit=True)
    link = intake_link_chosen(persona.business, request.GET.get("link"))
    if request.method == "GET" or link is None:
        return _take_in_page(request, persona, link)
    form = TakeInForm(request.POST)
    form.is_valid()
    result = intake_take_in(
        link=link,
        persona=persona,
        choices=form.choices(),
        seen=form.seen(),
        only=form.only(),
        user=request.user,
    )
    if result.changed or result.errors:
        persona.refresh_from_db()
        persona.business.refresh_from_db()
        return _take_in_page(request, persona, link, result)
    _tell(request, result.taken)
    if form.cleaned_data.get("back") == "persona":
        return redirect("persona_edit", pk=persona.pk)
    return redirect(request.get_full_path())


def _take_in_page(
    request: HtmxHttpRequest,
    persona: Persona,
    link: IntakeLink | None,
    result: TakeInResult | None = None,
) -> HttpResponse:
    """The take-in page, or its panel for the persona page (htmx); a refused take-in is 409
    (changed since shown: both versions again) or 422 (a field refused the answer)."""
    context = {
        "persona": persona,
        "link": link,
        "links": persona.business.intake_links.filter(last_answered_at__isnull=False),
        "rows": take_in_rows(link=link, persona=persona) if link else [],
        "result": result,
        "embedded": request.htmx,
    }
    template = "intake/take_in.html#panel" if request.htmx else "intake/take_in.html"
    status = 409 if result and result.changed else 422 if result and result.errors else 200
    return render(request, template, context, status=status)


def _tell(request: HtmxHttpRequest, taken: list[str]) -> None:
    if taken:
        names = ", ".join(BY_KEY[key].field_label for key in taken)
        messages.success(request, f"Taken in: {names}.")
    else:
        messages.info(request, "Nothing to take in: every answer was kept as it is.")
