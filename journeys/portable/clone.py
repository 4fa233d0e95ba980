"""Clone a journey, save one as an agency template, start a journey from a template — each a
round trip through the portable document, so they follow exactly the import rules."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from cvj.models import Agency

from ..models import Business, Journey, JourneyStarter, Persona
from .read import journey_from_document
from .write import journey_to_document


def copy_title(title: str) -> str:
    suffix = " (copy)"
    return title[: 200 - len(suffix)].rstrip() + suffix


def journey_clone(
    *,
    journey: Journey,
    business: Business | None = None,
    persona: Persona | None = None,
    owner: AbstractBaseUser | None,
    title: str | None = None,
) -> Journey:
    """Copy a journey — stages, tactics, offers, economics — to a business of the same agency.

    persona None: the same persona within the same business; in another business, that
    business's persona of the same name, or a copy of it. Offers the target business lacks
    (by name and kind) are created there.
    """
    source_business = journey.business
    business = business or (persona.business if persona else source_business)
    if business.agency_id != source_business.agency_id:
        raise ValueError("A journey is cloned within its agency only.")
    if persona is None and business.pk == source_business.pk:
        persona = journey.persona
    return journey_from_document(
        document=journey_to_document(journey),
        agency=source_business.agency,
        business=business,
        persona=persona,
        owner=owner,
        title=title or copy_title(journey.title),
    )


@transaction.atomic
def starter_create(
    *, journey: Journey, name: str, description: str = "", created_by: AbstractBaseUser | None
) -> JourneyStarter:
    """Save the journey, as it is now, as one of its agency's templates."""
    business = journey.business
    template = JourneyStarter(
        agency_id=business.agency_id,
        name=name.strip(),
        industry=business.industry,
        description=description.strip(),
        document=journey_to_document(journey),
        created_by=created_by,
    )
    template.full_clean(exclude=["created_by"] if created_by is None else None)
    template.save()
    return template


def journey_start_from_starter(
    *,
    document: dict[str, Any],
    agency: Agency,
    business: Business | None,
    new_business_name: str = "",
    owner: AbstractBaseUser | None,
    title: str | None = None,
) -> Journey:
    """Start a journey from a template: for an existing client, or a new one created from the
    template's business under `new_business_name`."""
    if business is None and new_business_name.strip():
        business_raw = document.get("business")
        business_raw = business_raw if isinstance(business_raw, dict) else {}
        document = {**document, "business": {**business_raw, "name": new_business_name.strip()}}
    return journey_from_document(
        document=document, agency=agency, business=business, owner=owner, title=title
    )
