"""The one place that knows who may see what.

Views fetch objects only through these helpers, so an authorization rule lives here and a
foreign or unknown id is a 404 rather than a leak.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404

from .models import Membership, Role


def membership_for(user: AbstractBaseUser | AnonymousUser) -> Membership | None:
    if not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_cvj_membership", False)
    if cached is not False:
        return cached
    found = Membership.objects.select_related("agency").filter(user=user).first()
    user._cvj_membership = found  # type: ignore[union-attr]
    return found


def require_membership(user: AbstractBaseUser | AnonymousUser, *, edit: bool = False) -> Membership:
    """The user's membership, or 404 when they have none or may not edit."""
    member = membership_for(user)
    if member is None:
        raise Http404("No agency membership.")
    if edit and not member.can_edit:
        raise Http404("Read-only role.")
    return member


def require_admin(user: AbstractBaseUser | AnonymousUser) -> Membership:
    member = require_membership(user)
    if member.role != Role.ADMIN:
        raise Http404("Agency admins only.")
    return member
