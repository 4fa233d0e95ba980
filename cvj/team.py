"""Team management: invitations, roles, deactivation, and ending a user's sessions.

Services are keyword-only and transactional. A rule an admin can break (the last admin, their
own account) raises TeamError with a message meant for them; a link that cannot be used raises
InvitationProblem with a reason code the accept page explains.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .models import Agency, Invitation, Membership, Role
from .tokens import secret_hash

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AbstractUser
    from django.db.models import Model as Business  # the journeys app's, by foreign key

logger = logging.getLogger(__name__)

INVITATION_SALT = "cvj.team.invitation"


def invitation_valid_for() -> timedelta:
    return timedelta(days=getattr(settings, "CVJ_INVITATION_DAYS", 7))


class TeamError(Exception):
    """A team rule the admin tried to break; the message is shown to them as is."""


class InvitationProblem(Exception):
    """Why an invitation link cannot be used. `reason` is one of the constants below."""

    INVALID = "invalid"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ACCOUNT_EXISTS = "account_exists"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
    now = timezone.now()
    Invitation.objects.pending().filter(agency=agency, email__iexact=email).update(revoked_at=now)
    secret = secrets.token_urlsafe(24)
    invitation = Invitation(
        agency=agency,
        email=email,
        role=role,
        business=business if role == Role.CLIENT else None,
        token_hash=secret_hash(secret),
        invited_by=invited_by,
        expires_at=now + invitation_valid_for(),
    )
    invitation.full_clean()
    invitation.save()
    token = signing.dumps({"i": invitation.pk, "s": secret}, salt=INVITATION_SALT, compress=True)
    return invitation, token


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
    """The invitation behind a link, whatever its state, or InvitationProblem(INVALID)."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("agency", "business").get(
            pk=int(payload["i"])
        )
        valid = constant_time_compare(invitation.token_hash, secret_hash(str(payload["s"])))
    except (signing.BadSignature, Invitation.DoesNotExist, KeyError, TypeError, ValueError):
        valid = False
    if not valid:
        raise InvitationProblem(InvitationProblem.INVALID)
    return invitation


def invitation_check(invitation: Invitation) -> None:
    """Raise InvitationProblem unless the invitation can be accepted right now."""
    if invitation.accepted_at is not None:
        raise InvitationProblem(InvitationProblem.USED)
    if invitation.revoked_at is not None:
        raise InvitationProblem(InvitationProblem.REVOKED)
    if invitation.is_expired:
        raise InvitationProblem(InvitationProblem.EXPIRED)
    if email_has_account(invitation.email):
        raise InvitationProblem(InvitationProblem.ACCOUNT_EXISTS)


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
    Invitation.objects.pending().filter(pk=invitation.pk).update(revoked_at=timezone.now())


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
