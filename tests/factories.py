from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from cvj.models import Agency, Membership, Role
from journeys.models import Business, Offer, Persona
from journeys.services import journey_create
from stages.models import Stage, Tactic


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Business {n}")
    industry = "Home services"
    kind = "b2c"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.STRATEGIST
    business = None


class PersonaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Persona

    business = factory.SubFactory(BusinessFactory)
    name = factory.Sequence(lambda n: f"Persona {n}")
    pains = "Not enough time."
    awareness_level = "problem_aware"


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    business = factory.SubFactory(BusinessFactory)
    name = factory.Sequence(lambda n: f"Offer {n}")
    kind = "core"
    price = Decimal("129.00")


class TacticFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tactic

    stage = factory.LazyFunction(lambda: Stage.objects.get(slug="aware"))
    name = factory.Sequence(lambda n: f"Tactic {n}")
    channel = "social"
    agency = None


def make_journey(*, business: Business | None = None, owner=None, title: str = "Test journey"):
    """A journey with its eight stages, for a fresh business unless one is given."""
    business = business or BusinessFactory()
    persona = PersonaFactory(business=business)
    core = OfferFactory(business=business, kind="core")
    return journey_create(
        business=business, persona=persona, core_offer=core, title=title, owner=owner
    )
