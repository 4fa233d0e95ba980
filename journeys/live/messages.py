"""What a page may send over the live socket: one pydantic model per message type.

A frame is untrusted text. It is read in three steps, each with its own answer, so no frame can
raise inside the consumer: the frame itself (text, at most MAX_FRAME_BYTES, JSON no deeper than
MAX_DEPTH — else the socket is closed with a WebSocket close code that says why), then the
message (a known `type` with typed, bounded fields — else a `live.error` the page can show).
Stage slugs and field keys are checked here, in Python, before anything reaches a query.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from cvj.parsing import MAX_ID, is_plain_text
from stages.models import STAGE_SLUGS

MAX_FRAME_BYTES = 16 * 1024
MAX_DEPTH = 4

# WebSocket close codes (RFC 6455 §7.4.1) for frames that are not messages at all.
CLOSE_UNSUPPORTED = 1003  # a binary frame
CLOSE_INVALID = 1007  # not JSON, or nested too deep
CLOSE_TOO_BIG = 1009  # over MAX_FRAME_BYTES

FIELD_KEY = r"^(journey|stage:[a-z]{1,20}|tactic:[1-9][0-9]{0,18})\.[a-z_]{1,40}$"


def _storable(text: str) -> str:
    if not is_plain_text(text):
        raise ValueError("text with a NUL byte or a broken emoji")
    return text


StageSlug = Literal["", *STAGE_SLUGS]  # type: ignore[valid-type]
GuestName = Annotated[str, Field(max_length=200), AfterValidator(_storable)]


class _Message(BaseModel):
    # Strict: "3" is not a version and true is not a slide number.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Heartbeat(_Message):
    type: Literal["heartbeat"]
    stage: StageSlug = ""
    name: GuestName = ""


class StageChange(_Message):
    type: Literal["stage"]
    stage: StageSlug = ""
    name: GuestName = ""


class Since(_Message):
    type: Literal["since"]
    version: int = Field(ge=0, le=MAX_ID)


class Typing(_Message):
    type: Literal["typing"]
    field: str = Field(max_length=80, pattern=FIELD_KEY)


class Follow(_Message):
    type: Literal["follow"]
    on: bool = False
    stage: StageSlug = ""
    slide: int | None = Field(default=None, ge=0, le=1000)
    view: Literal["", "editor", "present", "client", "guest"] = ""


# A field's text as the page holds it: the longest a model field takes (TEXT_LONG) with room
# for the JSON escapes; the frame cap (16 KiB) bounds it too, and the page sends a longer text
# over HTTP instead.
FieldText = Annotated[str, Field(max_length=8000), AfterValidator(_storable)]


class Draft(_Message):
    """Text being typed in a shared field: shown to the others as it is typed, never stored."""

    type: Literal["draft"]
    field: str = Field(max_length=80, pattern=FIELD_KEY)
    text: FieldText = ""


class Save(_Message):
    """An autosave over the socket: the same four strings as the HTTP post, plus the page's
    numbering (`id`, echoed in the acknowledgement) and its live client id."""

    type: Literal["save"]
    id: int = Field(ge=1, le=MAX_ID)
    target: str = Field(max_length=40, pattern=r"^(journey|stage:[a-z]{1,20}|tactic:[0-9]{1,19})$")
    field: str = Field(max_length=40, pattern=r"^[a-z_]{1,40}$")
    # Raw, like the HTTP form's: autosave judges the text (NUL, surrogates) and answers 422.
    value: str = Field(default="", max_length=8000)
    base: str = Field(default="", max_length=8000)
    client: str = Field(default="", max_length=20, pattern=r"^[a-z0-9]*$")


PageMessage = Annotated[
    Heartbeat | StageChange | Since | Typing | Follow | Draft | Save, Field(discriminator="type")
]
MESSAGE_TYPES = ("heartbeat", "stage", "since", "typing", "follow", "draft", "save")
# Only editors may send these; a read-only viewer is told so.
EDIT_TYPES = frozenset({"typing", "follow", "draft", "save"})

_page_message: TypeAdapter[PageMessage] = TypeAdapter(PageMessage)
_BRACKETS = re.compile(r"[\[\]{}]")


class FrameError(Exception):
    """The frame is not a message at all: the socket closes with `code`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class MessageError(Exception):
    """A well-formed frame whose message is unknown or malformed: answered, not fatal."""


def _depth(text: str) -> int:
    """How deep the brackets nest, counted before parsing (strings may hold brackets too,
    which only over-counts: a frame we send never nests past 3)."""
    deepest = level = 0
    for bracket in _BRACKETS.findall(text):
        level += 1 if bracket in "[{" else -1
        deepest = max(deepest, level)
    return deepest


def read_frame(text: str | None, binary: bytes | None) -> object:
    """The JSON value of a text frame, or FrameError with the close code that explains why."""
    if text is None:
        raise FrameError(CLOSE_UNSUPPORTED, "binary frames are not accepted")
    if len(text) > MAX_FRAME_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise FrameError(CLOSE_TOO_BIG, "frame too large")
    if _depth(text) > MAX_DEPTH:
        raise FrameError(CLOSE_INVALID, "frame nested too deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:  # incl. ints over Python's 4,300 digits
        raise FrameError(CLOSE_INVALID, "frame is not JSON") from error


def read_message(value: object) -> PageMessage:
    """The typed message, or MessageError with a sentence for the page."""
    if not isinstance(value, dict) or value.get("type") not in MESSAGE_TYPES:
        raise MessageError("Unknown message.")
    try:
        return _page_message.validate_python(value)
    except ValidationError as error:
        where = ", ".join(".".join(map(str, e["loc"][1:])) or "message" for e in error.errors())
        raise MessageError(f"Malformed {value['type']} message ({where}).") from None
