"""The agency's logo: validated, re-encoded, stored under a name of our choosing.

Uploads are untrusted: we accept only PNG or JPEG that Pillow can fully decode, within size
limits, and store a fresh PNG re-encoding (no metadata, no polyglot payload) named after the
agency and a random token, so no path a user controls is ever written or served.
"""

from __future__ import annotations

import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image

from .models import Agency

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 2000
ALLOWED_FORMATS = {"PNG", "JPEG"}


def logo_validate(upload: UploadedFile) -> Image.Image:
    """The decoded image, or a ValidationError saying plainly what is wrong."""
    if upload.size is None or upload.size > MAX_LOGO_BYTES:
        raise ValidationError("The logo must be a PNG or JPEG of at most 512 KB.")
    raw = upload.read(MAX_LOGO_BYTES + 1)
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            image_format = probe.format
            probe.verify()  # structure check; the image must be reopened afterwards
        image = Image.open(io.BytesIO(raw))
        if image_format not in ALLOWED_FORMATS:
            raise ValidationError("The logo must be a PNG or JPEG image.")
        if max(image.size) > MAX_LOGO_PIXELS:
            raise ValidationError(
                f"Keep the logo within {MAX_LOGO_PIXELS}×{MAX_LOGO_PIXELS} pixels."
            )
        image.load()
    except ValidationError:
        raise
    except Exception as error:  # noqa: BLE001 - hostile files make Pillow raise anything
        # UnidentifiedImageError, OSError, SyntaxError, DecompressionBombError, and ValueError
        # for a text chunk that inflates past Pillow's limit (when LOAD_TRUNCATED_IMAGES is off,
        # as in a web process that never imported WeasyPrint), struct.error, EOFError, …
        raise ValidationError("That file is not a readable PNG or JPEG image.") from error
    return image


@transaction.atomic
def agency_logo_set(*, agency: Agency, upload: UploadedFile) -> None:
    image = logo_validate(upload)
    buffer = io.BytesIO()
    image.convert("RGBA").save(buffer, format="PNG", optimize=True)
    old = agency.logo.name if agency.logo else ""
    agency.logo.save(
        f"agency-{agency.pk}-{secrets.token_hex(8)}.png", ContentFile(buffer.getvalue()), save=True
    )
    if old:
        agency.logo.storage.delete(old)


@transaction.atomic
def agency_logo_remove(*, agency: Agency) -> None:
    if agency.logo:
        agency.logo.delete(save=True)


@transaction.atomic
def agency_settings_update(
    *, agency: Agency, name: str, paper_size: str, brand_color: str, logo: UploadedFile | None
) -> Agency:
    """Name, print look and (when one is sent) a new logo: all saved, or none if the logo is
    refused."""
    if logo is not None:
        agency_logo_set(agency=agency, upload=logo)
    agency.name, agency.paper_size, agency.brand_color = name, paper_size, brand_color
    agency.full_clean(exclude=["logo", "slug"])
    agency.save(update_fields=["name", "paper_size", "brand_color"])
    return agency
