"""The portable journey format: one journey as a JSON document, to export, import and clone.

A ``.cvj.json`` file carries everything a map says — business, persona, the offers it uses,
the eight stages with their tactics and offers, and the economics assumptions — and nothing
that only makes sense in one database (no ids, no timestamps, no owner). So the same document
can be downloaded, edited by hand, imported into another agency, stored as a template and
cloned, and export → import → export gives the same document back.

    format.py   the format's name, limits and its description (FORMAT_DOC, also in README)
    schema.py   the document's shape: pydantic models, errors by JSON path
    checks.py   cross-references the schema can't express: offer keys, library tactics
    read.py     bytes → JSON → checked document → journey (all or nothing)
    write.py    journey → document
    clone.py    clone, save as template, start from a template
"""

from __future__ import annotations

from .clone import copy_title, journey_clone, journey_start_from_starter, starter_create
from .format import FORMAT, FORMAT_DOC, FORMAT_VERSION, MAX_DOCUMENT_BYTES
from .read import DocumentError, document_loads, journey_from_document, validate_document
from .write import document_dumps, document_filename, journey_to_document, offer_keys

__all__ = [
    "FORMAT",
    "FORMAT_DOC",
    "FORMAT_VERSION",
    "MAX_DOCUMENT_BYTES",
    "DocumentError",
    "copy_title",
    "document_dumps",
    "document_filename",
    "document_loads",
    "journey_clone",
    "journey_from_document",
    "journey_start_from_starter",
    "starter_create",
    "journey_to_document",
    "offer_keys",
    "validate_document",
]
