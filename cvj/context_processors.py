from __future__ import annotations

from django.http import HttpRequest

from .tenancy import membership_for


def membership(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"membership": None}
    return {"membership": membership_for(user)}
