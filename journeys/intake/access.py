"""Scoped lookups for the intake: only the agency's strategists and admins reach links and
answers; another agency's ids and unknown ids are the same 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cvj.parsing import parse_int
from cvj.tenancy import require_membership
from journeys.access import User, businesses_for
from journeys.models import Business

from .models import IntakeLink


def get_intake_link_for(user: User, pk: int) -> IntakeLink:
    require_membership(user, edit=True)
    scoped = IntakeLink.objects.select_related("business").filter(business__in=businesses_for(user))
    return get_object_or_404(scoped, pk=pk)


def intake_links_of(business: Business) -> QuerySet[IntakeLink]:
    """A business's links, newest first, with who sent each."""
    return business.intake_links.select_related("created_by")


def intake_link_chosen(business: Business, raw: object) -> IntakeLink | None:
    """The link a take-in page compares with: the one asked for (a link of this business,
    else 404), or the one answered last; None when nobody has answered yet."""
    links = business.intake_links.all()
    if raw not in (None, ""):
        return get_object_or_404(links, pk=parse_int(raw, minimum=1) or 0)
    return links.filter(last_answered_at__isnull=False).order_by("-last_answered_at").first()
