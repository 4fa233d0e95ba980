"""Journey status, versions and share links for clients without accounts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from cvj.links import LinkError, LinkKind, LinkStatus, link_create, link_resolve

from ..changes import journey_changed
from ..models import Journey, JourneyStatus, JourneyVersion, ShareLink
from ..session_clock import session_elapsed
from .snapshot import journey_snapshot

SHARE_SALT = "cvj.share-link"
SHARE_MAX_DAYS = 90

SHARE_LINK = LinkKind(
    model=ShareLink,
    salt=SHARE_SALT,
    max_days=SHARE_MAX_DAYS,
    related=("journey__business",),
    messages={
        LinkError.INVALID: "This link is not valid. Check that you copied all of it.",
        LinkStatus.REVOKED: "This link has been switched off by the agency.",
        LinkStatus.EXPIRED: "This link expired on {expires_at:%B %-d, %Y}. "
        "Ask your agency for a new one.",
    },
)


def share_link_create(
    *, journey: Journey, user: AbstractBaseUser | None, days: int, label: str = ""
) -> tuple[ShareLink, str]:
    """A link and the signed token for its URL (shown once, never stored).

    Raises ValidationError (on `label`) for text that cannot be stored."""
    return link_create(kind=SHARE_LINK, days=days, journey=journey, created_by=user, label=label)


def share_link_resolve(token: str, *, count_use: bool = True) -> ShareLink:
    """The active link behind a token, or LinkError saying clearly why not.

    The page counts as a use; its logo and live column refreshes do not (count_use=False)."""
    link = link_resolve(token, kind=SHARE_LINK)
    if count_use:
        ShareLink.objects.filter(pk=link.pk).update(
            last_used_at=timezone.now(), use_count=F("use_count") + 1
        )
    return link


def share_link_revoke(*, link: ShareLink) -> None:
    link.revoke()


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
