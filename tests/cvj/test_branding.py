from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile, PngImagePlugin
from pypdf import PdfReader

from cvj.branding import agency_logo_set
from journeys.deliverable.pdf import render_journey_pdf
from journeys.deliverable.snapshot import journey_snapshot

pytestmark = pytest.mark.django_db


def image_file(fmt: str = "PNG", size=(120, 40), name: str = "logo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (47, 111, 237)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_admin_uploads_a_logo_stored_as_a_png_under_our_own_name(client, agency_admin):
    client.force_login(agency_admin.user)
    upload = image_file("JPEG", name="../../etc/evil name.jpg")
    response = client.post(reverse("agency_settings"), {"name": "Northstar", "logo": upload})
    assert response.status_code == 302
    agency = agency_admin.agency
    agency.refresh_from_db()
    assert agency.name == "Northstar"
    assert agency.logo.name.startswith(f"logos/agency-{agency.pk}-")
    assert agency.logo.name.endswith(".png") and "evil" not in agency.logo.name
    with agency.logo.open("rb") as stored:
        assert Image.open(stored).format == "PNG"
    served = client.get(reverse("agency_logo"))
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", "image/png"), "not a readable"),
        (image_file("GIF", name="logo.gif"), "PNG or JPEG"),
        (image_file(size=(2400, 100)), "2000"),
        (SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * 600_000, "image/png"), "512 KB"),
    ],
)
def test_bad_logos_are_refused_with_a_clear_message(client, agency_admin, upload, message):
    client.force_login(agency_admin.user)
    response = client.post(reverse("agency_settings"), {"name": "Northstar", "logo": upload})
    assert response.status_code == 422
    assert message in response.text
    agency_admin.agency.refresh_from_db()
    assert not agency_admin.agency.logo


def test_only_admins_manage_the_agency(client, strategist, client_member):
    for member in (strategist, client_member):
        client.force_login(member.user)
        assert client.get(reverse("agency_settings")).status_code == 404
        assert client.post(reverse("agency_settings"), {"name": "Hijack"}).status_code == 404


def test_the_logo_is_on_the_pdf_cover(journey, agency):
    agency_logo_set(agency=agency, upload=image_file())
    rendered = render_journey_pdf(journey_snapshot(journey))
    assert rendered.refused_urls == ()
    cover = PdfReader(io.BytesIO(rendered.content)).pages[0]
    assert len(cover.images) == 1


def _png_with_text_chunk(kind: bytes) -> bytes:
    """A valid PNG carrying a zTXt/iTXt chunk whose text inflates past Pillow's limit."""
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (47, 111, 237)).save(buffer, format="PNG")
    png = buffer.getvalue()
    bomb = zlib.compress(b"a" * (PngImagePlugin.MAX_TEXT_CHUNK * 4), 9)
    if kind == b"zTXt":
        payload = b"Comment\x00\x00" + bomb
    else:  # iTXt: keyword, compressed flag, method, language, translated keyword
        payload = b"Comment\x00\x01\x00en\x00Comment\x00" + bomb
    chunk = struct.pack(">I", len(payload)) + kind + payload
    chunk += struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    idat = png.index(b"IDAT") - 4  # before the image data, where Image.open() reads it
    return png[:idat] + chunk + png[idat:]


@pytest.mark.parametrize("kind", [b"zTXt", b"iTXt"])
def test_a_text_chunk_bomb_is_refused_with_a_clear_message(client, agency_admin, monkeypatch, kind):
    # The web tier never imports WeasyPrint, which would switch this on for the whole process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)
    data = _png_with_text_chunk(kind)
    assert len(data) < 512 * 1024
    client.force_login(agency_admin.user)
    upload = SimpleUploadedFile("logo.png", data, "image/png")
    response = client.post(reverse("agency_settings"), {"name": "Northstar", "logo": upload})
    assert response.status_code == 422
    assert "not a readable PNG or JPEG" in response.text
    agency_admin.agency.refresh_from_db()
    assert not agency_admin.agency.logo
    assert agency_admin.agency.name != "Northstar"
