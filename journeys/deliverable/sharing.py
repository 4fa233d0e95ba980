"""Journey status, versions and share links for clients without accounts."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from cvj.tokens import link_from_token, link_token, new_secret, secret_hash

from ..changes import journey_changed
from ..models import Journey, JourneyStatus, JourneyVersion, ShareLink
from ..services import session_elapsed
from .snapshot import journey_snapshot

SHARE_SALT = "cvj.share-link"
SHARE_MAX_DAYS = 90


class ShareLinkError(Exception):
    """A share link that cannot be used; `reason` is shown to the visitor."""

    def __init__(self, reason: str, *, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@transaction.atomic
def share_link_create(
    *, journey: Journey, user: AbstractBaseUser | None, days: int, label: str = ""
) -> tuple[ShareLink, str]:
    """Create a link; returns it and the signed token for its URL (shown once, never stored).

    Raises ValidationError (on `label`) for text that cannot be stored."""
    days = max(1, min(int(days), SHARE_MAX_DAYS))
    secret = new_secret()
    link = ShareLink(
        journey=journey,
        secret_hash=secret_hash(secret),
        label=label.strip()[:120],
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    link.full_clean(exclude=["journey", "created_by"])
    link.save()
    return link, link_token(link.pk, secret, salt=SHARE_SALT)


def share_link_resolve(token: str, *, count_use: bool = True) -> ShareLink:
    """The live link behind a token, or ShareLinkError saying clearly why not.

    The page counts as a use; its logo and live column refreshes do not (count_use=False)."""
    queryset = ShareLink.objects.select_related("journey__business")
    link = link_from_token(token, salt=SHARE_SALT, queryset=queryset)
    if link is None:
        raise ShareLinkError("This link is not valid. Check that you copied all of it.", status=404)
    if link.revoked_at is not None:
        raise ShareLinkError("This link has been switched off by the agency.", status=410)
    if link.expires_at <= timezone.now():
        raise ShareLinkError(
            f"This link expired on {timezone.localtime(link.expires_at):%B %-d, %Y}. "
            "Ask your agency for a new one.",
            status=410,
        )
    if count_use:
        ShareLink.objects.filter(pk=link.pk).update(
            last_used_at=timezone.now(), use_count=F("use_count") + 1
        )
    return link


def share_link_revoke(*, link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def journey_finalize(*, journey: Journey, user: AbstractBaseUser | None) -> JourneyVersion:
    """Mark the journey final and freeze a numbered snapshot of it."""
    locked = Journey.objects.select_for_update().get(pk=journey.pk)
    locked.status = JourneyStatus.FINAL
    # A running clock stops here: bank its stretch first, or that session time is lost.
    locked.session_elapsed_seconds = session_elapsed(locked)
    locked.session_running_since = None
    locked.save(
        update_fields=["status", "session_elapsed_seconds", "session_running_since", "updated_at"]
    )
    number = (locked.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    journey_changed(journey_id=locked.pk, version=locked.version, parts=("journey", "rail"))
    return JourneyVersion.objects.create(
        journey=locked,
        number=number,
        journey_version=locked.version,
        snapshot=journey_snapshot(locked).to_json(),
        created_by=user,
    )


@transaction.atomic
def journey_reopen(*, journey: Journey) -> None:
    Journey.objects.filter(pk=journey.pk).update(
        status=JourneyStatus.IN_SESSION, updated_at=timezone.now()
    )
    _status_changed(journey.pk)


@transaction.atomic
def journey_share(*, journey: Journey, shared: bool) -> None:
    Journey.objects.filter(pk=journey.pk).update(shared_with_client=shared)
    _status_changed(journey.pk)


def _status_changed(journey_id: int) -> None:
    """Status is not content: the version stays, open pages redraw the status parts."""
    version = Journey.objects.filter(pk=journey_id).values_list("version", flat=True).first()
    journey_changed(journey_id=journey_id, version=version or 0, parts=("journey", "rail"))
