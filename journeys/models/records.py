"""What the deliverable keeps of a journey: the PDF exports and the frozen versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..choices import ExportStatus
from .map import Journey

ACTIVE_EXPORT_STATUSES = (ExportStatus.QUEUED, ExportStatus.RENDERING)


def export_file_name(instance: Export, filename: str = "") -> str:
    # Derived from the export id only: a retry overwrites its own file, never adds another.
    return f"exports/journey-{instance.journey_id}/export-{instance.pk}.pdf"


class Export(models.Model):
    """One request for the PDF deliverable, rendered off the request path by a worker."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="exports")
    journey_version = models.PositiveIntegerField()
    # The journey as it was when requested; the worker renders exactly this.
    snapshot = models.JSONField()
    # sha256 of the snapshot's content and the renderer version: an unchanged journey asks for
    # a PDF it already has ("" on exports made before the key existed).
    content_hash = models.CharField(max_length=64, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    file = models.FileField(upload_to=export_file_name, blank=True, max_length=300)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["journey", "-created_at"]),
            models.Index(fields=["journey", "content_hash"]),
        ]
        constraints = [
            # Double-clicks and racing tabs get one render per journey version, not two.
            models.UniqueConstraint(
                fields=["journey", "journey_version"],
                condition=Q(status__in=["queued", "rendering"]),
                name="one_active_export_per_journey_version",
            ),
            # One render per content: a second request for the same hash joins the first.
            models.UniqueConstraint(
                fields=["journey", "content_hash"],
                condition=Q(status__in=["queued", "rendering"]) & ~Q(content_hash=""),
                name="one_active_export_per_content_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} of {self.journey} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_EXPORT_STATUSES

    @property
    def download_name(self) -> str:
        business = self.snapshot.get("business_name", "Journey") if self.snapshot else "Journey"
        safe = "".join(ch for ch in business if ch.isalnum() or ch in " -_&.,'").strip()
        return f"{safe or 'Journey'} - Customer Value Journey.pdf"


class JourneyVersion(models.Model):
    """A numbered, frozen snapshot made when a journey is finalized."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    journey_version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "number"], name="journey_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.journey} v{self.number}"
