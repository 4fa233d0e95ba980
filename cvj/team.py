"""Team management: invitations, roles, deactivation, and ending a user's sessions.

Services are keyword-only and transactional. A rule an admin can break (the last admin, their
own account) raises TeamError with a message meant for them. An invitation is a signed link
(cvj/links.py): one that cannot be used raises LinkError with a reason the accept page explains
(invalid, used, revoked, expired, or account_exists when the address got an account meanwhile).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from .links import LinkError, LinkKind, LinkStatus, link_check, link_create, link_find
from .models import Agency, Invitation, Membership, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AbstractUser
    from django.db.models import Model as Business  # the journeys app's, by foreign key

logger = logging.getLogger(__name__)

INVITATION_SALT = "cvj.team.invitation"
ACCOUNT_EXISTS = "account_exists"

INVITATION_LINK = LinkKind(
    model=Invitation,
    salt=INVITATION_SALT,
    # Invitations sent before links were one model name their row "i": keep it, they still work.
    token_key="i",
    max_days=30,
    related=("agency", "business"),
    # The accept page explains each reason in its own words; these are for logs and tests.
    messages={
        LinkError.INVALID: "This invitation link isn't valid.",
        Invitation.USED: "This invitation was already used.",
        LinkStatus.REVOKED: "This invitation was withdrawn.",
        LinkStatus.EXPIRED: "This invitation expired on {expires_at:%B %-d, %Y}.",
    },
)


def invitation_valid_for() -> timedelta:
    return timedelta(days=getattr(settings, "CVJ_INVITATION_DAYS", 7))


class TeamError(Exception):
    """A team rule the admin tried to break; the message is shown to them as is."""


def _normalize_email(email: str) -> str:
    return email.strip().lower()


def email_has_account(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=_normalize_email(email)).exists()


# --- Reading -------------------------------------------------------------------------------


def team_members(*, agency: Agency) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(agency=agency)
        .select_related("user", "business")
        .order_by("-user__is_active", "user__first_name", "user__last_name", "user__username")
    )


def team_invitations(*, agency: Agency) -> QuerySet[Invitation]:
    return (
        Invitation.objects.pending()
        .filter(agency=agency)
        .select_related("business", "invited_by")
        .order_by("-created_at")
    )


# --- Invitations ---------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    agency: Agency,
    email: str,
    role: str,
    business: Business | None,
    invited_by: AbstractBaseUser | None,
) -> tuple[Invitation, str]:
    """A new invitation and the signed token for its link (shown once, never stored).

    Inviting an address again withdraws its earlier pending invitation, so "resend" is simply
    inviting again and only the newest link works.
    """
    email = _normalize_email(email)
    if email_has_account(email):
        raise TeamError(
            f"{email} already has a CVJ Mapper account. Each person belongs to one agency."
        )
    pending = Invitation.objects.pending().filter(agency=agency, email__iexact=email)
    pending.update(revoked_at=timezone.now())
    return link_create(
        kind=INVITATION_LINK,
        days=invitation_valid_for().days,
        agency=agency,
        email=email,
        role=role,
        business=business if role == Role.CLIENT else None,
        invited_by=invited_by,
    )


def invitation_send(*, invitation: Invitation, accept_url: str) -> bool:
    """Email the link. False when the mail server refused; the invitation stays resendable."""
    context = {"invitation": invitation, "accept_url": accept_url}
    subject = "".join(render_to_string("team/invitation_subject.txt", context).splitlines())
    body = render_to_string("team/invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except Exception:  # the mail backend's errors are not a stable family
        logger.exception("Could not send invitation %s", invitation.pk)
        return False
    return True


def invitation_from_token(token: str) -> Invitation:
    """The invitation behind a link, whatever its state (the page explaining a dead one names
    its agency), or LinkError("invalid")."""
    return link_find(token, kind=INVITATION_LINK)


def invitation_check(invitation: Invitation) -> None:
    """Raise LinkError unless the invitation can be accepted right now."""
    link_check(invitation, kind=INVITATION_LINK)
    if email_has_account(invitation.email):
        raise LinkError(ACCOUNT_EXISTS, f"{invitation.email} already has an account.", status=409)


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    username: str,
    password: str,
    first_name: str,
    last_name: str = "",
) -> AbstractUser:
    """Create the user and their membership, and use up the invitation, all or nothing."""
    # The row lock makes a double submit (or two tabs) accept once; the second sees USED.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_check(invitation)
    user = get_user_model()(
        username=username, email=invitation.email, first_name=first_name, last_name=last_name
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    membership = Membership(
        user=user,
        agency_id=invitation.agency_id,
        role=invitation.role,
        business=invitation.business,
    )
    membership.full_clean()
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def invitation_revoke(*, invitation: Invitation) -> None:
    invitation.revoke()


# --- Members -------------------------------------------------------------------------------


def _lock_team(membership: Membership) -> Membership:
    """Serialize team changes per agency (two admins demoting each other at once must not
    leave none), then re-read the member under the lock."""
    Agency.objects.select_for_update().get(pk=membership.agency_id)
    return Membership.objects.select_related("user", "business").get(pk=membership.pk)


def _is_last_admin(membership: Membership) -> bool:
    if membership.role != Role.ADMIN or not membership.user.is_active:
        return False
    others = Membership.objects.filter(
        agency_id=membership.agency_id, role=Role.ADMIN, user__is_active=True
    ).exclude(pk=membership.pk)
    return not others.exists()


@transaction.atomic
def membership_change_role(
    *, membership: Membership, role: str, business: Business | None
) -> Membership:
    membership = _lock_team(membership)
    if role != Role.ADMIN and _is_last_admin(membership):
        raise TeamError(
            f"{membership.user.get_full_name() or membership.user.username} is the agency's "
            "only admin. Make someone else an admin first."
        )
    membership.role = role
    membership.business = business if role == Role.CLIENT else None
    membership.full_clean()
    membership.save(update_fields=["role", "business"])
    return membership


@transaction.atomic
def membership_deactivate(*, membership: Membership, by: AbstractBaseUser) -> Membership:
    """Block sign-in and end every session. The account and its work stay."""
    membership = _lock_team(membership)
    if membership.user_id == by.pk:
        raise TeamError("You can't deactivate your own account.")
    if _is_last_admin(membership):
        raise TeamError("That is the agency's only active admin. Make someone else an admin first.")
    user = membership.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_end_for_user(user=user)
    return membership


@transaction.atomic
def membership_reactivate(*, membership: Membership) -> Membership:
    membership = _lock_team(membership)
    user = membership.user
    user.is_active = True
    user.save(update_fields=["is_active"])
    return membership


# --- Sessions ------------------------------------------------------------------------------


def sessions_end_for_user(*, user: AbstractBaseUser) -> int:
    """Delete every live session signed in as `user`; returns how many.

    Sessions are stored opaquely, so this decodes each unexpired one: linear in live sessions,
    fine at an agency tool's scale. It needs database-backed sessions (db or cached_db; through
    the engine's own store, so cached copies go too). Changing a password already ends other
    sessions via Django's session auth hash; this is for when the password stays.
    """
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    if not hasattr(store_class, "get_model_class"):
        raise ImproperlyConfigured(
            "Signing out everywhere needs database-backed sessions (db or cached_db)."
        )
    user_id = user._meta.pk.value_to_string(user)
    decoder = store_class()
    live = (
        store_class.get_model_class()
        .objects.filter(expire_date__gt=timezone.now())
        .only("session_key", "session_data")
    )
    keys = [
        session.session_key
        for session in live.iterator(chunk_size=500)
        if decoder.decode(session.session_data).get(SESSION_KEY) == user_id
    ]
    for key in keys:
        store_class().delete(key)
    return len(keys)
