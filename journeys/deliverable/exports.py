"""Exports: request a PDF, enqueue it safely, render it in a Celery task, sweep stale exports,
store results, and keep the latest PDF ready while a session edits.

The tasks live here beside the rows they move, so enqueueing needs no second module (and no
import circle). Their names are pinned to the ones queued messages and beat already carry.
The renderer (WeasyPrint, a second to import) is imported only inside the render task: the
web process that enqueues never loads it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.dispatch import receiver
from django.utils import timezone

from cvj.caching import shared_cache as cache

from ..changes import journey_edit, journey_parts_changed
from ..models import (
    Export,
    ExportStatus,
    Journey,
    JourneyVersion,
    export_file_name,
)
from .snapshot import JourneySnapshot, journey_snapshot

if TYPE_CHECKING:  # WeasyPrint takes a second to import; the web process never needs it
    from .pdf import RenderedPdf

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


# Bump when the PDF template, print CSS or renderer change what the same snapshot looks like:
# it is part of the content hash, so older files stop answering for the new look.
RENDERER_VERSION = "1"
# Fields of the snapshot that change without changing what the PDF says.
_VOLATILE_SNAPSHOT_KEYS = frozenset({"version", "taken_at"})
PRERENDER_AFTER_S = 30
# A save within this long of the last one this process saw for the journey skips the cache
# round trip: the pre-render it scheduled or found is still pending (see export_prerender_soon).
PRERENDER_NOTE_S = 10
# The pages' export card, as a live part: redrawn when an export finishes or fails.
EXPORT_CARD_PART = "exports"
# Redis serves a lower number first (kombu's priority steps 0, 3, 6, 9, all on one queue): a
# click's render is taken before any background pre-render still waiting.
CLICK_PRIORITY = 0
BACKGROUND_PRIORITY = 9


def snapshot_content_hash(snapshot: dict) -> str:
    """sha256 of what the PDF shows: the snapshot without its clock and counter, plus the
    renderer version."""
    content = {k: v for k, v in snapshot.items() if k not in _VOLATILE_SNAPSHOT_KEYS}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{RENDERER_VERSION}\n{canonical}".encode()).hexdigest()


def _export_for_content(
    journey: Journey, rendered_version: int, content_hash: str
) -> Export | None:
    """An export of this journey that is queued, rendering or done for this content (or this
    very version): the one to answer with instead of rendering again."""
    return (
        Export.objects.filter(journey=journey)
        .filter(Q(content_hash=content_hash) | Q(journey_version=rendered_version))
        .exclude(status=ExportStatus.FAILED)
        .order_by("-created_at")
        .first()
    )


def export_request(
    *, journey: Journey, user: AbstractBaseUser | None, version: JourneyVersion | None = None
) -> tuple[Export, bool]:
    """Snapshot the journey (or take a frozen version's snapshot) and queue a render; a repeat
    request for the same content (or the same journey version) returns the export already
    queued, rendering or done: double-clicks make one export, an unchanged journey answers
    with the PDF it has, and a render in flight is joined. A request without a user is the
    background pre-render: it queues behind every click."""
    with transaction.atomic():
        locked = Journey.objects.select_for_update().get(pk=journey.pk)
        rendered_version = version.journey_version if version else locked.version
        snapshot = version.snapshot if version else journey_snapshot(locked).to_json()
        content_hash = snapshot_content_hash(snapshot)
        existing = _export_for_content(locked, rendered_version, content_hash)
        if existing is not None:
            if user is not None and _claim_waiting_pre_render(existing, user):
                # A click joins a pre-render still waiting at the back of the queue: send it
                # again at the front (the first delivery to claim it renders; the other skips).
                transaction.on_commit(lambda: export_enqueue(export_id=existing.pk))
            return existing, False
        try:
            with transaction.atomic():
                export = Export.objects.create(
                    journey=locked,
                    journey_version=rendered_version,
                    snapshot=snapshot,
                    content_hash=content_hash,
                    requested_by=user,
                )
        except IntegrityError:  # a concurrent request won the race: join its render
            winner = _export_for_content(locked, rendered_version, content_hash)
            if winner is None:
                raise
            return winner, False
        transaction.on_commit(lambda: export_enqueue(export_id=export.pk))
    return export, True


def _claim_waiting_pre_render(export: Export, user: AbstractBaseUser) -> bool:
    """Make a queued background export this user's request; False if it is not one."""
    return bool(
        Export.objects.filter(
            pk=export.pk, status=ExportStatus.QUEUED, requested_by__isnull=True
        ).update(requested_by=user)
    )


def export_retry(*, export: Export) -> Export:
    """Put a failed export back in the queue (a fresh attempt budget, same snapshot)."""
    updated = Export.objects.filter(pk=export.pk, status=ExportStatus.FAILED).update(
        status=ExportStatus.QUEUED, attempts=0, error="", enqueued_at=None
    )
    if updated:
        transaction.on_commit(lambda: export_enqueue(export_id=export.pk))
    export.refresh_from_db()
    return export


def export_enqueue(*, export_id: int) -> bool:
    """Hand the export to the broker, a background pre-render (nobody requested it) behind
    every click. Never raises and never blocks long: with the broker down the row stays queued
    and the sweep enqueues it once the broker is back."""
    background = Export.objects.filter(pk=export_id, requested_by__isnull=True).exists()
    priority = BACKGROUND_PRIORITY if background else CLICK_PRIORITY
    try:
        # Eagerly (embedded mode) this renders in-process, right now.
        export_render.apply_async(args=[export_id], retry=False, priority=priority)
    except Exception:  # noqa: BLE001 - any broker failure means "try again later"
        logger.warning("Could not enqueue export %s; the sweep will retry.", export_id)
        return False
    Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        enqueued_at=timezone.now()
    )
    return True


def render_timeout() -> timedelta:
    """After this long in 'rendering', the worker that claimed the export is presumed dead."""
    return timedelta(seconds=settings.CVJ_EXPORT_RENDER_TIMEOUT)


def export_claim(*, export_id: int) -> bool:
    """Atomically take the export for rendering: queued, or rendering by a dead worker."""
    now = timezone.now()
    stale = Q(status=ExportStatus.RENDERING, started_at__lt=now - render_timeout())
    return bool(
        Export.objects.filter(Q(status=ExportStatus.QUEUED) | stale, pk=export_id).update(
            status=ExportStatus.RENDERING, started_at=now, attempts=F("attempts") + 1
        )
    )


def export_store(*, export: Export, rendered: RenderedPdf, render_ms: int) -> None:
    name = export_file_name(export)
    storage = export.file.storage
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(rendered.content))
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE,
        file=saved,
        size_bytes=len(rendered.content),
        pages=rendered.pages,
        render_ms=render_ms,
        finished_at=timezone.now(),
        error="",
    )
    _export_card_changed(export.journey_id)


def export_fail(*, export_id: int, reason: str) -> None:
    Export.objects.filter(pk=export_id).update(
        status=ExportStatus.FAILED, error=reason[:500], finished_at=timezone.now()
    )
    journey_id = Export.objects.filter(pk=export_id).values_list("journey_id", flat=True).first()
    if journey_id is not None:
        _export_card_changed(journey_id)


def _export_card_changed(journey_id: int) -> None:
    """Open pages redraw their export card now (the card polls once a second only as the
    fallback when their live socket is down)."""
    journey_parts_changed(journey_id=journey_id, parts=(EXPORT_CARD_PART,))


def export_requeue(*, export_id: int, reason: str = "") -> None:
    Export.objects.filter(pk=export_id).update(status=ExportStatus.QUEUED, error=reason[:500])


def exports_sweep(*, queued_after: timedelta | None = None) -> dict[str, int]:
    """Recover exports nobody is working on: re-enqueue queued ones the broker never took (or
    lost), and give ones stuck in 'rendering' by a dead worker another attempt or fail them."""
    now = timezone.now()
    queued_after = queued_after or timedelta(seconds=settings.CVJ_EXPORT_STALE_SECONDS)
    counts = {"requeued": 0, "recovered": 0, "failed": 0}
    stuck = Export.objects.filter(
        status=ExportStatus.RENDERING, started_at__lt=now - render_timeout()
    )
    for export in stuck:
        if export.attempts >= MAX_ATTEMPTS:
            export_fail(
                export_id=export.pk,
                reason="The PDF renderer stopped several times on this journey. Try again; "
                "if it keeps failing, contact support.",
            )
            counts["failed"] += 1
        elif Export.objects.filter(pk=export.pk, status=ExportStatus.RENDERING).update(
            status=ExportStatus.QUEUED, enqueued_at=None
        ):
            counts["recovered"] += 1
            export_enqueue(export_id=export.pk)
    waiting = Export.objects.filter(status=ExportStatus.QUEUED).filter(
        # Never handed to the broker: give the on-commit enqueue a moment to happen first.
        Q(enqueued_at__isnull=True, created_at__lt=now - min(queued_after, timedelta(seconds=5)))
        | Q(enqueued_at__lt=now - queued_after)
    )
    for export_id in waiting.values_list("pk", flat=True):
        counts["requeued"] += int(export_enqueue(export_id=export_id))
    return counts


# --- Keeping the latest PDF ready while a session edits.


def _prerender_key(journey_id: int) -> str:
    return f"cvj:prerender:{journey_id}"


# Journey id → when (time.monotonic) this process last knew its pre-render was pending.
_pending_noted: dict[int, float] = {}


def export_prerender_soon(*, journey_id: int) -> None:
    """After a save: make sure a background render runs once the journey has been quiet for
    ~30 s. One pending task per journey (a cache key); none when tasks run eagerly in the web
    process, where it would render on every keystroke.

    Saves come in bursts, so this process notes the pending task and skips the cache round
    trip for PRERENDER_NOTE_S. Safe: a pending task renders only after 30 quiet seconds, so
    within 10 s of the save that made the note it can only move itself (the save bumped
    `updated_at`), and it re-reads `updated_at` each time it runs, seeing the skipped saves."""
    if export_prerender_task.app.conf.task_always_eager:
        return
    now = time.monotonic()
    noted = _pending_noted.get(journey_id)
    if noted is not None and now - noted < PRERENDER_NOTE_S:
        return
    try:
        if cache.add(_prerender_key(journey_id), 1, timeout=PRERENDER_AFTER_S * 4):
            _prerender_later(journey_id, countdown=PRERENDER_AFTER_S)
        # else one is already scheduled; it re-checks the clock when it runs
    except Exception:  # noqa: BLE001 - a missing pre-render must never fail a save
        logger.warning("Could not schedule a pre-render for journey %s", journey_id, exc_info=True)
        with contextlib.suppress(Exception):  # Redis itself may be what is down
            cache.delete(_prerender_key(journey_id))
        return
    if len(_pending_noted) > 1000:  # keep the notes to the journeys being edited now
        # list(): one step under the GIL, as the socket saves' threads note journeys meanwhile
        for stale, at in list(_pending_noted.items()):
            if now - at >= PRERENDER_NOTE_S:
                _pending_noted.pop(stale, None)
    _pending_noted[journey_id] = now


def _prerender_later(journey_id: int, *, countdown: float) -> None:
    export_prerender_task.apply_async(
        (journey_id,), countdown=countdown, priority=BACKGROUND_PRIORITY
    )


def export_prerender(*, journey_id: int) -> str:
    """Render the current journey if nobody edited it for PRERENDER_AFTER_S seconds; otherwise
    look again when that much time will have passed since the last edit."""
    # Clear the pending mark before reading the clock: a save that still found it (and so
    # scheduled nothing) committed its `updated_at` first, so the read below sees that save.
    cache.delete(_prerender_key(journey_id))
    journey = Journey.objects.filter(pk=journey_id).only("updated_at").first()
    if journey is None:
        return "gone"
    quiet_for = (timezone.now() - journey.updated_at).total_seconds()
    if quiet_for < PRERENDER_AFTER_S:
        # Unless a save scheduled a fresh one since the delete: one pending task is enough.
        if cache.add(_prerender_key(journey_id), 1, timeout=PRERENDER_AFTER_S * 4):
            _prerender_later(journey_id, countdown=max(1.0, PRERENDER_AFTER_S - quiet_for))
        return "moved"
    _, created = export_request(journey=journey, user=None)
    return "queued" if created else "current"


# --- The Celery tasks.


@shared_task(
    name="journeys.tasks.export_render",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_ATTEMPTS,
    soft_time_limit=90,
    time_limit=120,
)
def export_render(self, export_id: int) -> str:  # noqa: ANN001
    if not export_claim(export_id=export_id):
        return "skipped"  # done, failed, or being rendered by a live worker: a duplicate delivery
    export = Export.objects.get(pk=export_id)
    started = time.perf_counter()
    from . import pdf  # here, not at the top: see the module's docstring

    try:
        rendered = pdf.render_journey_pdf(JourneySnapshot.from_json(export.snapshot))
        export_store(
            export=export,
            rendered=rendered,
            render_ms=int((time.perf_counter() - started) * 1000),
        )
    except SoftTimeLimitExceeded:
        export_fail(
            export_id=export_id,
            reason="The journey took too long to render. Try again; if it keeps happening, "
            "shorten the longest notes.",
        )
        return "failed"
    except (DatabaseError, OSError) as error:  # transient: storage or database hiccup
        if self.request.retries < self.max_retries:
            export_requeue(export_id=export_id, reason="Retrying after a hiccup…")
            raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
        export_fail(
            export_id=export_id, reason="Saving the PDF failed several times. Please try again."
        )
        return "failed"
    except Exception:
        logger.exception("Rendering export %s failed", export_id)
        export_fail(
            export_id=export_id,
            reason="Something in this journey could not be rendered. Our team has been told; "
            "please try again.",
        )
        return "failed"
    return "done"


@shared_task(name="journeys.tasks.exports_sweep")
def exports_sweep_task() -> dict[str, int]:
    return exports_sweep()


@shared_task(name="journeys.tasks.export_prerender", acks_late=True, ignore_result=True)
def export_prerender_task(journey_id: int) -> str:
    """The debounced background render of an edited journey (see export_prerender)."""
    return export_prerender(journey_id=journey_id)


@receiver(journey_edit)
def _journey_edited(*, journey_id: int, **_: object) -> None:
    export_prerender_soon(journey_id=journey_id)
