"""Signed links: share links and "Join live" links (journeys) and team invitations (cvj).

Each is a row that a URL names through a signed token (cvj/tokens.py): only a hash of the secret
is stored, and the row expires and can be revoked. One abstract model holds that, and one pair of
services creates and resolves every kind, so all three refuse a dead link the same way. What tells
the kinds apart is a LinkKind: the table, the salt, how long a link may live and what a refused
visitor reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .parsing import PlainTextModel
from .tokens import link_from_token, link_token, new_secret, secret_hash

LABEL_MAX_LENGTH = 120


class LinkStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class SignedLink(PlainTextModel):
    """A signed, expiring, revocable link; the signed URL carries the secret, the row its hash."""

    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(max_length=LABEL_MAX_LENGTH, blank=True)
    # Blank: a link made by a script or the seed has no creator.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return LinkStatus.REVOKED
        if self.expires_at <= timezone.now():
            return LinkStatus.EXPIRED
        return LinkStatus.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.status == LinkStatus.ACTIVE

    def revoke(self) -> bool:
        """Switch the link off; False if it already was. One conditional UPDATE, so a double
        click (or two people) revoke it once and the first time stands."""
        return self._switch_off(
            type(self)._default_manager.filter(pk=self.pk, revoked_at__isnull=True)
        )

    def _switch_off(self, rows: models.QuerySet[Any]) -> bool:
        now = timezone.now()
        if not rows.update(revoked_at=now):
            return False
        self.revoked_at = now
        return True


@dataclass(frozen=True, kw_only=True)
class LinkKind[Link: SignedLink]:
    """One kind of signed link.

    `salt` and `token_key` are part of every link already sent: changing either one breaks them
    all. `messages` has a sentence for "invalid" and for each status other than active the kind
    can have; "{expires_at}" in one is the link's local expiry (a datetime, so "{expires_at:%B
    %-d, %Y}" formats it)."""

    model: type[Link]
    salt: str
    max_days: int
    messages: Mapping[str, str]
    token_key: str = "l"
    related: tuple[str, ...] = ()


class LinkError(Exception):
    """A link that cannot be used: `reason` says why ("invalid" or the link's status),
    `message` is the sentence for the visitor, `status` the HTTP answer."""

    INVALID = "invalid"

    def __init__(self, reason: str, message: str = "", *, status: int | None = None) -> None:
        super().__init__(message or reason)
        self.reason = reason
        self.message = message
        # Unknown is 404 (a guessed link learns nothing); a link that was good and is no more
        # is 410 Gone, whatever ended it.
        self.status = status or (404 if reason == self.INVALID else 410)


@transaction.atomic
def link_create[Link: SignedLink](
    *, kind: LinkKind[Link], days: int, **fields: Any
) -> tuple[Link, str]:
    """A new link of `kind` living `days` (at least one, at most the kind's limit), and the signed
    token for its URL (shown once, never stored). `fields` are the kind's own (journey, agency…).

    Raises ValidationError for a field that cannot be stored (a label with NUL, say)."""
    days = max(1, min(int(days), kind.max_days))
    if "label" in fields:
        fields["label"] = str(fields["label"]).strip()[:LABEL_MAX_LENGTH]
    secret = new_secret()
    link = kind.model(
        secret_hash=secret_hash(secret),
        expires_at=timezone.now() + timedelta(days=days),
        **fields,
    )
    link.full_clean()
    link.save()
    return link, link_token(link.pk, secret, salt=kind.salt, key=kind.token_key)


def link_find[Link: SignedLink](token: str, *, kind: LinkKind[Link]) -> Link:
    """The row a token names, whatever its state, or LinkError("invalid"): a tampered, foreign or
    unknown token all look the same."""
    queryset = kind.model._default_manager.select_related(*kind.related)
    link = link_from_token(token, salt=kind.salt, queryset=queryset, key=kind.token_key)
    if link is None:
        raise LinkError(LinkError.INVALID, kind.messages[LinkError.INVALID])
    return link


def link_check(link: SignedLink, *, kind: LinkKind[Any]) -> None:
    """Raise LinkError unless the link can be used right now."""
    status = link.status
    if status != LinkStatus.ACTIVE:
        expires_at = timezone.localtime(link.expires_at)
        raise LinkError(status, kind.messages[status].format(expires_at=expires_at))


def link_resolve[Link: SignedLink](token: str, *, kind: LinkKind[Link]) -> Link:
    """The active link behind a token, or LinkError saying why not."""
    link = link_find(token, kind=kind)
    link_check(link, kind=kind)
    return link
