"""Render a journey's PDF synchronously through the same renderer the worker uses."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from journeys.deliverable.pdf import render_journey_pdf
from journeys.deliverable.snapshot import journey_snapshot
from journeys.models import Journey


class Command(BaseCommand):
    help = "Render JOURNEY_ID to a PDF file (for support and scripting)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("journey_id", type=int)
        parser.add_argument("--output", "-o", required=True, help="Where to write the PDF.")

    def handle(self, *args: Any, journey_id: int, output: str, **options: Any) -> None:
        journey = Journey.objects.filter(pk=journey_id).first()
        if journey is None:
            raise CommandError(f"No journey with id {journey_id}.")
        started = time.perf_counter()
        rendered = render_journey_pdf(journey_snapshot(journey))
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rendered.content)
        self.stdout.write(
            f"Wrote {path} · {rendered.pages} pages · {len(rendered.content):,} bytes · "
            f"{(time.perf_counter() - started) * 1000:.0f} ms"
        )
