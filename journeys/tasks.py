"""Celery tasks: load by id, render through the pure renderer, store, record status."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError

from . import exports
from .models import Export
from .pdf import render_journey_pdf
from .snapshot import JourneySnapshot

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=exports.MAX_ATTEMPTS,
    soft_time_limit=90,
    time_limit=120,
)
def export_render(self, export_id: int) -> str:  # noqa: ANN001
    if not exports.export_claim(export_id=export_id):
        return "skipped"  # done, failed, or being rendered by a live worker: a duplicate delivery
    export = Export.objects.get(pk=export_id)
    started = time.perf_counter()
    try:
        rendered = render_journey_pdf(JourneySnapshot.from_json(export.snapshot))
        exports.export_store(
            export=export,
            rendered=rendered,
            render_ms=int((time.perf_counter() - started) * 1000),
        )
    except SoftTimeLimitExceeded:
        exports.export_fail(
            export_id=export_id,
            reason="The journey took too long to render. Try again; if it keeps happening, "
            "shorten the longest notes.",
        )
        return "failed"
    except (DatabaseError, OSError) as error:  # transient: storage or database hiccup
        if self.request.retries < self.max_retries:
            exports.export_requeue(export_id=export_id, reason="Retrying after a hiccup…")
            raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
        exports.export_fail(
            export_id=export_id, reason="Saving the PDF failed several times. Please try again."
        )
        return "failed"
    except Exception:
        logger.exception("Rendering export %s failed", export_id)
        exports.export_fail(
            export_id=export_id,
            reason="Something in this journey could not be rendered. Our team has been told; "
            "please try again.",
        )
        return "failed"
    return "done"


@shared_task
def exports_sweep() -> dict[str, int]:
    return exports.exports_sweep()


@shared_task(acks_late=True, ignore_result=True)
def export_prerender(journey_id: int) -> str:
    """The debounced background render of an edited journey (see exports.export_prerender)."""
    return exports.export_prerender(journey_id=journey_id)
