"""Who may see and enter a journey's actuals: the one place the rule lives.

Reading follows the map (journeys.access): another agency's journey, or a journey a client may
not see, is a 404. Entering: the agency's admins and strategists always; a client only for their
own business's journeys, and only once the agency has allowed it for that business.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404

from cvj.models import Role
from cvj.tenancy import membership_for

from ..access import get_journey_for
from ..models import Journey
from .models import ClientActualsAccess

User = AbstractBaseUser | AnonymousUser


def clients_may_enter(journey: Journey) -> bool:
    """Has the agency allowed this journey's client to enter actuals?"""
    return ClientActualsAccess.objects.filter(
        business_id=journey.business_id, clients_may_enter=True
    ).exists()


def may_enter_actuals(user: User, journey: Journey) -> bool:
    member = membership_for(user)
    if member is None or member.agency_id != journey.business.agency_id:
        return False
    if member.can_edit:
        return True
    return (
        member.role == Role.CLIENT
        and member.business_id == journey.business_id
        and clients_may_enter(journey)
    )


def get_journey_for_actuals(user: User, pk: int, *, enter: bool = False) -> Journey:
    """The journey whose actuals the user may read (enter=True: may enter), else 404."""
    journey = get_journey_for(user, pk)
    if enter and not may_enter_actuals(user, journey):
        raise Http404("Actuals are read-only for you.")
    return journey
