"""The authorization matrix: every URL that takes an object id, for every role.

Across agencies: each role of agency A against agency B's objects gets 404 (or 405 for a
method the view never accepts — answered before any lookup, so it reveals nothing).
Within an agency: clients only read their journeys and PDFs; strategists cannot manage the
library or the team. A new id-taking URL fails `test_every_id_url_is_in_the_matrix` until
it is added here.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from cvj.models import Role
from cvj.team import invitation_create
from journeys.deliverable.exports import export_request
from journeys.deliverable.sharing import journey_finalize, share_link_create
from journeys.intake.services import intake_answers_save, intake_link_create
from journeys.live.guests import live_link_create, question_ask
from journeys.services import offer_attach, tactic_add
from tests.clients import logged_in
from tests.factories import (
    AgencyFactory,
    BusinessFactory,
    MembershipFactory,
    OfferFactory,
    TacticFactory,
    make_journey,
)

pytestmark = pytest.mark.django_db

DENIED = {404, 405}

# url name → which of the world's objects fill its kwargs, and which roles of the owning
# agency may use it ("read" = GET allowed for that role).
MATRIX: dict[str, tuple[tuple[str, ...], set[str]]] = {
    "business_detail": (("business",), {"admin", "strategist"}),
    "business_edit": (("business",), {"admin", "strategist"}),
    "persona_create": (("business",), {"admin", "strategist"}),
    "offer_create": (("business",), {"admin", "strategist"}),
    "persona_edit": (("persona",), {"admin", "strategist"}),
    "offer_edit": (("offer",), {"admin", "strategist"}),
    "journey_editor": (("journey",), {"admin", "strategist"}),
    "journey_present": (("journey",), {"admin", "strategist"}),
    "present_part": (("journey", "part"), {"admin", "strategist"}),
    "journey_board": (("journey",), {"admin", "strategist"}),
    "journey_board_column": (("journey", "slug"), {"admin", "strategist"}),
    "journey_rail": (("journey",), {"admin", "strategist"}),
    "journey_autosave": (("journey",), {"admin", "strategist"}),
    "journey_insights": (("journey",), {"admin", "strategist"}),
    "journey_session": (("journey",), {"admin", "strategist"}),
    "journey_stage": (("journey", "slug"), {"admin", "strategist"}),
    "stage_save": (("journey", "slug"), {"admin", "strategist"}),
    "tactic_search": (("journey", "slug"), {"admin", "strategist"}),
    "tactic_add": (("journey", "slug"), {"admin", "strategist"}),
    "tactic_reorder": (("journey", "slug"), {"admin", "strategist"}),
    "tactic_move": (("journey", "tactic_pk"), {"admin", "strategist"}),
    "tactic_remove": (("journey", "tactic_pk"), {"admin", "strategist"}),
    "tactic_restore": (("journey", "tactic_pk"), {"admin", "strategist"}),
    "offer_attach": (("journey", "slug"), {"admin", "strategist"}),
    "stage_offer_create": (("journey", "slug"), {"admin", "strategist"}),
    "offer_reorder": (("journey", "slug"), {"admin", "strategist"}),
    "offer_move": (("journey", "stage_offer_pk"), {"admin", "strategist"}),
    "offer_detach": (("journey", "stage_offer_pk"), {"admin", "strategist"}),
    "journey_plan": (("journey",), {"admin", "strategist"}),
    "journey_plan_csv": (("journey",), {"admin", "strategist"}),
    "plan_summary_save": (("journey",), {"admin", "strategist"}),
    "plan_add_gap": (("journey",), {"admin", "strategist"}),
    "plan_item_save": (("journey", "tactic_pk"), {"admin", "strategist"}),
    "export_create": (("journey",), {"admin", "strategist"}),
    "export_status": (("journey",), {"admin", "strategist", "client"}),
    "journey_view": (("journey",), {"admin", "strategist", "client"}),
    "journey_view_column": (("journey", "slug"), {"admin", "strategist", "client"}),
    "journey_versions": (("journey",), {"admin", "strategist"}),
    "version_export": (("journey", "number"), {"admin", "strategist"}),
    "journey_status": (("journey",), {"admin", "strategist"}),
    "share_link_create": (("journey",), {"admin", "strategist"}),
    "share_link_revoke": (("link_pk",), {"admin", "strategist"}),
    "export_retry": (("export_pk",), {"admin", "strategist"}),
    "export_download": (("export_pk",), {"admin", "strategist", "client"}),
    "journey_export_json": (("journey",), {"admin", "strategist"}),
    "journey_clone": (("journey",), {"admin", "strategist"}),
    "journey_starter_save": (("journey",), {"admin", "strategist"}),
    "journey_questions": (("journey",), {"admin", "strategist", "client"}),
    "question_update": (("journey", "question_pk"), {"admin", "strategist"}),
    "live_card": (("journey",), {"admin", "strategist"}),
    "live_link_create": (("journey",), {"admin", "strategist"}),
    "live_link_revoke": (("journey", "live_link_pk"), {"admin", "strategist"}),
    "workshop_panel": (("journey",), {"admin", "strategist", "client"}),
    "workshop_idea_add": (("journey",), {"admin", "strategist", "client"}),
    "workshop_vote_cast": (("journey",), {"admin", "strategist", "client"}),
    "workshop_reveal": (("journey",), {"admin", "strategist"}),
    "workshop_idea_accept": (("journey",), {"admin", "strategist"}),
    "workshop_idea_merge": (("journey",), {"admin", "strategist"}),
    "workshop_idea_set_aside": (("journey",), {"admin", "strategist"}),
    "workshop_settings": (("journey",), {"admin", "strategist"}),
    "workshop_vote_open": (("journey",), {"admin", "strategist"}),
    "workshop_vote_close": (("journey",), {"admin", "strategist"}),
    "workshop_vote_apply": (("journey",), {"admin", "strategist"}),
    "workshop_clock": (("journey",), {"admin", "strategist"}),
    "workshop_join_card": (("journey",), {"admin", "strategist"}),
    "intake_card": (("business",), {"admin", "strategist"}),
    "intake_link_create": (("business",), {"admin", "strategist"}),
    "intake_link_revoke": (("intake_link_pk",), {"admin", "strategist"}),
    "intake_persona_create": (("intake_link_pk",), {"admin", "strategist"}),
    "intake_take_in": (("persona",), {"admin", "strategist"}),
    "actuals_page": (("journey",), {"admin", "strategist", "client"}),
    "actuals_import": (("journey",), {"admin", "strategist"}),
    "actuals_csv": (("journey",), {"admin", "strategist", "client"}),
    "actuals_json": (("journey",), {"admin", "strategist", "client"}),
    "actuals_scorecard": (("journey",), {"admin", "strategist", "client"}),
    "actuals_review_pdf": (("journey",), {"admin", "strategist", "client"}),
    "actuals_client_access": (("journey",), {"admin", "strategist"}),
    "library_tactic_edit": (("own_tactic",), {"admin"}),
    "library_tactic_archive": (("own_tactic",), {"admin"}),
    "library_tactic_unarchive": (("own_tactic",), {"admin"}),
    "library_tactic_move": (("own_tactic",), {"admin"}),
    "library_tactic_hide": (("global_tactic",), {"admin"}),
    "library_tactic_unhide": (("global_tactic",), {"admin"}),
    "team_member_role": (("member",), {"admin"}),
    "team_member_deactivate": (("member",), {"admin"}),
    "team_member_reactivate": (("member",), {"admin"}),
    "team_invitation_resend": (("invitation",), {"admin"}),
    "team_invitation_revoke": (("invitation",), {"admin"}),
}

# Id-free or token URLs with their own tests (tokens: test_sharing, test_team; Django admin is
# staff-only and no agency role is staff).
NOT_OBJECT_URLS = {
    "team_invitation_accept", "password_reset_confirm", "share_page", "share_pdf",
    "share_logo", "share_board_column",
    "journey_from_starter", "library_stage", "library_tactic_add", "library_tactic_reorder",
    "live_guest", "live_guest_question", "intake_page",
    "workshop_join", "workshop_guest_panel", "workshop_guest_name", "workshop_guest_idea",
    "workshop_guest_vote",
}  # fmt: skip


def _id_urls() -> set[str]:
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("admin/"):
                    continue
                yield from walk(p.url_patterns)
            elif p.pattern.converters and p.name:
                yield p.name

    return set(walk(get_resolver().url_patterns))


def test_every_id_url_is_in_the_matrix():
    assert _id_urls() - NOT_OBJECT_URLS == set(MATRIX)


def _world(agency) -> dict[str, object]:
    """One of everything, owned by `agency`."""
    business = BusinessFactory(agency=agency)
    admin = MembershipFactory(agency=agency, role=Role.ADMIN)
    strategist = MembershipFactory(agency=agency, role=Role.STRATEGIST)
    client = MembershipFactory(agency=agency, role=Role.CLIENT, business=business)
    journey = make_journey(business=business, owner=strategist.user)
    subscribe = journey.stages.get(stage__slug="subscribe")
    stage_tactic, _ = tactic_add(journey_stage=subscribe, custom_name="Quiz")
    magnet = OfferFactory(business=business, kind="lead_magnet", price=0)
    stage_offer, _ = offer_attach(journey_stage=subscribe, offer=magnet)
    version = journey_finalize(journey=journey, user=strategist.user)  # final: clients read it
    export, _ = export_request(journey=journey, user=strategist.user)
    link, _ = share_link_create(journey=journey, user=strategist.user, days=7)
    live_link, _ = live_link_create(journey=journey, user=strategist.user)
    question = question_ask(
        link=live_link, journey_stage=subscribe, stage_tactic=None, author_name="Guest", text="?"
    )
    intake_link, intake_token = intake_link_create(business=business, user=strategist.user, days=7)
    intake_answers_save(link=intake_link, answers={"pains": "Time.", "avatar_name": "Pat"})
    invitation, _ = invitation_create(
        agency=agency,
        email=f"new-{agency.pk}@example.com",
        role=Role.STRATEGIST,
        business=None,
        invited_by=admin.user,
    )
    return {
        "members": {"admin": admin, "strategist": strategist, "client": client},
        "business": business.pk,
        "persona": journey.persona_id,
        "offer": magnet.pk,
        "journey": journey.pk,
        "slug": "subscribe",
        "part": "funnel",
        "tactic_pk": stage_tactic.pk,
        "stage_offer_pk": stage_offer.pk,
        "number": version.number,
        "link_pk": link.pk,
        "live_link_pk": live_link.pk,
        "question_pk": question.pk,
        "export_pk": export.pk,
        "own_tactic": TacticFactory(agency=agency, name=f"Own {agency.pk}").pk,
        "global_tactic": TacticFactory(agency=None, name=f"Global {agency.pk}").pk,
        "member": strategist.pk,
        "invitation": invitation.pk,
        "intake_link_pk": intake_link.pk,
        "intake_token": intake_token,
    }


def _url(name: str, world: dict[str, object]) -> str:
    keys, _roles = MATRIX[name]
    kwargs = {}
    for key in keys:
        param = {"journey": "pk", "business": "pk", "persona": "pk", "offer": "pk"}.get(key, key)
        if key in ("own_tactic", "global_tactic", "member", "invitation"):
            param = "pk"
        kwargs[param] = world[key]
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def worlds(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _world(AgencyFactory(name="Agency A")), _world(AgencyFactory(name="Agency B"))


@pytest.mark.parametrize("role", ["admin", "strategist", "client"])
def test_no_role_reaches_another_agencys_objects(worlds, role):
    mine, theirs = worlds
    browser = logged_in(mine["members"][role])
    leaks = []
    for name, (keys, _allowed) in MATRIX.items():
        if "global_tactic" in keys:  # the global library belongs to no agency
            continue
        url = _url(name, theirs)
        for method in ("get", "post"):
            status = getattr(browser, method)(url).status_code
            if status not in DENIED:
                leaks.append(f"{method.upper()} {name} → {status}")
    assert leaks == []


@pytest.mark.parametrize("role", ["strategist", "client"])
def test_within_an_agency_each_role_reaches_only_what_it_may(worlds, role):
    mine, _theirs = worlds
    browser = logged_in(mine["members"][role])
    wrong = []
    for name, (_keys, allowed) in MATRIX.items():
        if role in allowed:
            continue
        url = _url(name, mine)
        for method in ("get", "post"):
            status = getattr(browser, method)(url).status_code
            if status not in DENIED:
                wrong.append(f"{method.upper()} {name} → {status}")
    assert wrong == []


@pytest.mark.parametrize("role", ["admin", "strategist", "client"])
def test_each_role_can_read_what_it_may(worlds, role):
    mine, _theirs = worlds
    browser = logged_in(mine["members"][role])
    refused = []
    for name, (_keys, allowed) in MATRIX.items():
        if role not in allowed:
            continue
        response = browser.get(_url(name, mine))
        if response.streaming:
            # Reading it to the end lets the test client close the file the Django way
            # (response.close() here would also close the test's database connection).
            b"".join(response.streaming_content)
        if response.status_code in (404, 403):
            refused.append(f"GET {name} → {response.status_code}")
    assert refused == []


def test_anonymous_visitors_are_sent_to_sign_in(worlds):
    mine, _ = worlds
    browser = Client()
    for name in MATRIX:
        response = browser.get(_url(name, mine))
        assert response.status_code in (302, 405), name
        if response.status_code == 302:
            assert "/login/" in response["Location"], name
