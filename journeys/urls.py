from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from .views import board, clients, editor, exports, live, plan, portable, sharing, versions

urlpatterns = [
    path("", clients.home, name="home"),
    path("clients/", clients.business_list, name="business_list"),
    path("clients/new/", clients.business_create, name="business_create"),
    path("clients/<int:pk>/", clients.business_detail, name="business_detail"),
    path("clients/<int:pk>/edit/", clients.business_edit, name="business_edit"),
    path("clients/<int:pk>/personas/new/", clients.persona_create, name="persona_create"),
    path("personas/<int:pk>/edit/", clients.persona_edit, name="persona_edit"),
    path("clients/<int:pk>/offers/new/", clients.offer_create, name="offer_create"),
    path("offers/<int:pk>/edit/", clients.offer_edit, name="offer_edit"),
    path("journeys/new/", clients.journey_new, name="journey_new"),
    # The editor
    path("journeys/<int:pk>/", editor.journey_editor, name="journey_editor"),
    path("journeys/<int:pk>/present/", board.journey_present, name="journey_present"),
    path("journeys/<int:pk>/present/<slug:part>/", board.present_part, name="present_part"),
    path("journeys/<int:pk>/board/", board.journey_board, name="journey_board"),
    path("journeys/<int:pk>/board/<slug:slug>/", board.board_column, name="journey_board_column"),
    path("journeys/<int:pk>/rail/", editor.stage_rail, name="journey_rail"),
    path("journeys/<int:pk>/autosave/", editor.autosave, name="journey_autosave"),
    path("journeys/<int:pk>/insights/", editor.journey_insights, name="journey_insights"),
    path("journeys/<int:pk>/session/", editor.session_toggle_view, name="journey_session"),
    path("journeys/<int:pk>/stages/<slug:slug>/", editor.stage_panel, name="journey_stage"),
    path("journeys/<int:pk>/stages/<slug:slug>/save/", editor.stage_save, name="stage_save"),
    path(
        "journeys/<int:pk>/stages/<slug:slug>/library/",
        editor.tactic_search,
        name="tactic_search",
    ),
    path(
        "journeys/<int:pk>/stages/<slug:slug>/tactics/add/",
        editor.tactic_add_view,
        name="tactic_add",
    ),
    path(
        "journeys/<int:pk>/stages/<slug:slug>/tactics/reorder/",
        editor.tactic_reorder_view,
        name="tactic_reorder",
    ),
    path(
        "journeys/<int:pk>/tactics/<int:tactic_pk>/move/",
        editor.tactic_move_view,
        name="tactic_move",
    ),
    path(
        "journeys/<int:pk>/tactics/<int:tactic_pk>/remove/",
        editor.tactic_remove_view,
        name="tactic_remove",
    ),
    path(
        "journeys/<int:pk>/tactics/<int:tactic_pk>/restore/",
        editor.tactic_restore_view,
        name="tactic_restore",
    ),
    path(
        "journeys/<int:pk>/stages/<slug:slug>/offers/attach/",
        editor.offer_attach_view,
        name="offer_attach",
    ),
    path(
        "journeys/<int:pk>/stages/<slug:slug>/offers/new/",
        editor.offer_create_view,
        name="stage_offer_create",
    ),
    path(
        "journeys/<int:pk>/stages/<slug:slug>/offers/reorder/",
        editor.offer_reorder_view,
        name="offer_reorder",
    ),
    path(
        "journeys/<int:pk>/offers/<int:stage_offer_pk>/move/",
        editor.offer_move_view,
        name="offer_move",
    ),
    # The action plan
    path("journeys/<int:pk>/plan/", plan.plan_page, name="journey_plan"),
    path("journeys/<int:pk>/plan.csv", plan.plan_csv, name="journey_plan_csv"),
    path("journeys/<int:pk>/plan/summary/", plan.plan_summary_save, name="plan_summary_save"),
    path("journeys/<int:pk>/plan/gaps/", plan.plan_add_gap, name="plan_add_gap"),
    path(
        "journeys/<int:pk>/plan/<int:tactic_pk>/",
        plan.plan_item_save,
        name="plan_item_save",
    ),
    path("journeys/<int:pk>/exports/", exports.export_create, name="export_create"),
    path("journeys/<int:pk>/exports/status/", exports.export_status, name="export_status"),
    path("journeys/<int:pk>/view/", clients.journey_view, name="journey_view"),
    path(
        "journeys/<int:pk>/view/board/<slug:slug>/",
        clients.journey_view_column,
        name="journey_view_column",
    ),
    path("journeys/<int:pk>/versions/", versions.version_history, name="journey_versions"),
    path(
        "journeys/<int:pk>/versions/<int:number>/pdf/",
        versions.version_export,
        name="version_export",
    ),
    path("journeys/<int:pk>/status/", sharing.journey_status, name="journey_status"),
    path(
        "journeys/<int:pk>/share-links/",
        sharing.share_link_create_view,
        name="share_link_create",
    ),
    path(
        "share-links/<int:link_pk>/revoke/",
        sharing.share_link_revoke_view,
        name="share_link_revoke",
    ),
    path("s/<str:token>/", sharing.share_page, name="share_page"),
    path("s/<str:token>/pdf/", sharing.share_pdf, name="share_pdf"),
    path("s/<str:token>/logo.png", sharing.share_logo, name="share_logo"),
    path("s/<str:token>/board/<slug:slug>/", sharing.share_board_column, name="share_board_column"),
    path("exports/<int:export_pk>/retry/", exports.export_retry_view, name="export_retry"),
    path("exports/<int:export_pk>/download/", exports.export_download, name="export_download"),
    path(
        "journeys/<int:pk>/offers/<int:stage_offer_pk>/detach/",
        editor.offer_detach_view,
        name="offer_detach",
    ),
    # Live sessions: questions, "Join live" links and the guests' live page
    path("journeys/<int:pk>/questions/", live.questions_list, name="journey_questions"),
    path(
        "journeys/<int:pk>/questions/<int:question_pk>/",
        live.question_update_view,
        name="question_update",
    ),
    path("journeys/<int:pk>/live-links/", live.live_card, name="live_card"),
    path("journeys/<int:pk>/live-links/new/", live.live_link_create_view, name="live_link_create"),
    path(
        "journeys/<int:pk>/live-links/<int:live_link_pk>/revoke/",
        live.live_link_revoke_view,
        name="live_link_revoke",
    ),
    path("l/<str:token>/", live.live_guest, name="live_guest"),
    path("l/<str:token>/questions/", live.live_guest_question, name="live_guest_question"),
    # The portable format, cloning and journey starters (templates in the UI)
    path(
        "journeys/<int:pk>/export.json",
        portable.journey_export_json,
        name="journey_export_json",
    ),
    path("journeys/import/", portable.journey_import_json, name="journey_import_json"),
    path("journeys/<int:pk>/clone/", portable.journey_clone_view, name="journey_clone"),
    path(
        "journeys/<int:pk>/save-as-starter/",
        portable.journey_starter_save,
        name="journey_starter_save",
    ),
    path("starters/", portable.starter_list, name="starter_list"),
    # The page's address before journey templates were called starters in code and URLs.
    path("templates/", RedirectView.as_view(pattern_name="starter_list", permanent=True)),
    path(
        "starters/<slug:source>/<slug:key>/",
        portable.journey_from_starter,
        name="journey_from_starter",
    ),
]
