"""Secrets we hand out in links (share links, live links, invitations) are stored only as their
hash; a link's URL carries a signed token naming the row and its secret."""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing
from django.db import models
from django.utils.crypto import constant_time_compare


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def link_token(pk: int, secret: str, *, salt: str, key: str = "l") -> str:
    """The signed token for a link's URL (shown once, never stored). `key` names the row in the
    payload: "l" for share and live links, "i" for invitations (links already in inboxes)."""
    return signing.dumps({key: pk, "s": secret}, salt=salt, compress=True)


def link_from_token[Link: models.Model](
    token: str, *, salt: str, queryset: models.QuerySet[Link], key: str = "l"
) -> Link | None:
    """The row a token names if its secret matches its stored hash, else None: a tampered,
    foreign or unknown token all look the same."""
    try:
        payload = signing.loads(token, salt=salt)
        link = queryset.get(pk=int(payload[key]))
        stored = link.secret_hash  # type: ignore[attr-defined]
        valid = constant_time_compare(stored, secret_hash(str(payload["s"])))
    except (signing.BadSignature, queryset.model.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    return link if valid else None
