"""The journeys app's rows, by room: the map (`map.py`), what the deliverable keeps of it
(`records.py`: exports and versions) and the links that show it to people without an account
(`links.py`: share and live links, guests' questions). One import path for all of them.
"""

from __future__ import annotations

from .links import (
    LiveLink,
    Question,
    QuestionStatus,
    ShareLink,
)
from .map import (
    HORIZON_DAYS,
    MAX_PRIORITIES,
    STAGE_OFFER_HEADINGS,
    STAGE_OFFER_KINDS,
    TEXT_LONG,
    TEXT_SHORT,
    AwarenessLevel,
    BillingPeriod,
    Business,
    BusinessKind,
    ExportStatus,
    Journey,
    JourneyStage,
    JourneyStarter,
    JourneyStatus,
    LiveStageTacticManager,
    Offer,
    OfferKind,
    Persona,
    PlanHorizon,
    PlanOwner,
    PlanStatus,
    StageOffer,
    StageTactic,
    check_offer_fits_stage,
    offer_kind_phrase,
)
from .records import (
    ACTIVE_EXPORT_STATUSES,
    Export,
    JourneyVersion,
    export_file_name,
)

__all__ = [
    "ACTIVE_EXPORT_STATUSES",
    "AwarenessLevel",
    "BillingPeriod",
    "Business",
    "BusinessKind",
    "Export",
    "ExportStatus",
    "HORIZON_DAYS",
    "Journey",
    "JourneyStage",
    "JourneyStarter",
    "JourneyStatus",
    "JourneyVersion",
    "LiveLink",
    "LiveStageTacticManager",
    "MAX_PRIORITIES",
    "Offer",
    "OfferKind",
    "Persona",
    "PlanHorizon",
    "PlanOwner",
    "PlanStatus",
    "Question",
    "QuestionStatus",
    "STAGE_OFFER_HEADINGS",
    "STAGE_OFFER_KINDS",
    "ShareLink",
    "StageOffer",
    "StageTactic",
    "TEXT_LONG",
    "TEXT_SHORT",
    "check_offer_fits_stage",
    "export_file_name",
    "offer_kind_phrase",
]
