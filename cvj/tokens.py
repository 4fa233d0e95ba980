"""Secrets we hand out in links (share links, invitations) are stored only as their hash."""

from __future__ import annotations

import hashlib


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
