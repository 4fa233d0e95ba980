"""Create the demo agency, its three users and one complete demo journey. Safe to re-run."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from cvj.models import Agency, Membership, Role
from journeys import demo
from journeys.models import Business, Journey, Offer, Persona
from journeys.services import journey_create, offer_attach, tactic_add
from stages.models import Tactic

DEMO_PASSWORD = os.environ.get("CVJ_DEMO_PASSWORD", "cvj-demo-2026")
DEMO_USERS = (
    ("admin", "Avery", "Admin", Role.ADMIN),
    ("strategist", "Sam", "Strategist", Role.STRATEGIST),
    ("client", "Casey", "Client", Role.CLIENT),
)


class Command(BaseCommand):
    help = "Seed a demo agency, admin/strategist/client users and a complete demo journey."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        agency, _ = Agency.objects.get_or_create(
            slug=demo.DEMO_AGENCY["slug"], defaults={"name": demo.DEMO_AGENCY["name"]}
        )
        business, _ = Business.objects.get_or_create(
            agency=agency,
            name=demo.DEMO_BUSINESS["name"],
            defaults={k: v for k, v in demo.DEMO_BUSINESS.items() if k != "name"},
        )
        persona, _ = Persona.objects.get_or_create(
            business=business,
            name=demo.DEMO_PERSONA["name"],
            defaults={k: v for k, v in demo.DEMO_PERSONA.items() if k != "name"},
        )
        offers: dict[str, Offer] = {}
        for row in demo.DEMO_OFFERS:
            fields = {k: v for k, v in row.items() if k not in ("key", "name")}
            fields["price"] = Decimal(fields["price"])
            offers[row["key"]], _ = Offer.objects.get_or_create(
                business=business, name=row["name"], defaults=fields
            )
        self._users(agency, business)
        if not Journey.objects.filter(business=business, title=demo.DEMO_JOURNEY["title"]).exists():
            self._journey(business, persona, offers)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /login/ as:"))
        for username, _first, _last, role in DEMO_USERS:
            self.stdout.write(f"  {role.label:<14} {username} / {DEMO_PASSWORD}")

    def _users(self, agency: Agency, business: Business) -> None:
        User = get_user_model()
        for username, first, last, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@northstar.example",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            elif user.is_staff or user.is_superuser:
                # Demo accounts are agency members only; an older seed made `admin` a superuser.
                # Django admin is for operators: `manage.py createsuperuser`.
                user.is_staff = user.is_superuser = False
                user.save(update_fields=["is_staff", "is_superuser"])
            Membership.objects.get_or_create(
                user=user,
                defaults={
                    "agency": agency,
                    "role": role,
                    "business": business if role == Role.CLIENT else None,
                },
            )

    def _journey(self, business: Business, persona: Persona, offers: dict[str, Offer]) -> None:
        spec = demo.DEMO_JOURNEY
        journey = journey_create(
            business=business,
            persona=persona,
            core_offer=offers[spec["core_offer"]],
            title=spec["title"],
            owner=get_user_model().objects.get(username="strategist"),
        )
        # The demo client can read it straight away; strategists keep editing.
        journey.shared_with_client = True
        journey.monthly_reach = spec.get("monthly_reach", 20000)
        journey.monthly_spend = Decimal(spec.get("monthly_spend", "1500"))
        journey.save()
        for entry in journey.stages.select_related("stage"):
            stage_spec = spec["stages"][entry.stage.slug]
            entry.goal = stage_spec["goal"]
            entry.metric = stage_spec["metric"]
            entry.target_conversion = Decimal(stage_spec["target_conversion"])
            entry.notes = stage_spec["notes"]
            entry.save()
            for tactic_spec in stage_spec["tactics"]:
                if "library" in tactic_spec:
                    tactic = Tactic.objects.get(
                        stage=entry.stage, agency=None, name=tactic_spec["library"]
                    )
                    tactic_add(journey_stage=entry, tactic=tactic, notes=tactic_spec["notes"])
                else:
                    tactic_add(
                        journey_stage=entry,
                        custom_name=tactic_spec["custom"],
                        channel=tactic_spec.get("channel", ""),
                        notes=tactic_spec["notes"],
                    )
            for key in stage_spec["offers"]:
                offer_attach(journey_stage=entry, offer=offers[key])
