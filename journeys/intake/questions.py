"""The intake's questions, once: their order, plain wording, and the business or persona field
each answer can be taken into. The page, the forms and the take-in all read this list."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from journeys.models import Business, Persona


class Target(StrEnum):
    BUSINESS = "business"
    PERSONA = "persona"


@dataclass(frozen=True, kw_only=True)
class Question:
    key: str
    section: str
    label: str
    help: str
    target: Target
    field: str
    long: bool = True

    @property
    def max_length(self) -> int:
        """The answer may be no longer than the field it is taken into."""
        model = Business if self.target == Target.BUSINESS else Persona
        return model._meta.get_field(self.field).max_length

    @property
    def field_label(self) -> str:
        """What the strategist calls the field the answer goes into."""
        model = Business if self.target == Target.BUSINESS else Persona
        label = str(model._meta.get_field(self.field).verbose_name)
        prefix = "Client: " if self.target == Target.BUSINESS else ""
        return prefix + label[:1].upper() + label[1:]


BUSINESS = "Your business"
AVATAR = "Your ideal customer"

# DigitalMarketer's avatar worksheet, in its order, after the business basics. Demographics go
# into the persona's one-line "role" (who they are), the closest field the map has.
QUESTIONS: tuple[Question, ...] = (
    Question(
        key="industry",
        section=BUSINESS,
        label="What industry are you in?",
        help="A few words, e.g. “home cleaning” or “B2B accounting software”.",
        target=Target.BUSINESS,
        field="industry",
        long=False,
    ),
    Question(
        key="website",
        section=BUSINESS,
        label="What is your website address?",
        help="For example https://example.com — leave it empty if you have none.",
        target=Target.BUSINESS,
        field="website",
        long=False,
    ),
    Question(
        key="offer",
        section=BUSINESS,
        label="What do you sell, to whom, and roughly at what price?",
        help="Your main product or service, and anything customers buy before or after it.",
        target=Target.BUSINESS,
        field="notes",
    ),
    Question(
        key="avatar_name",
        section=AVATAR,
        label="Give your ideal customer a name.",
        help="Think of one real person you would love more of. A name like “Busy Parent Priya” "
        "helps everyone picture them.",
        target=Target.PERSONA,
        field="name",
        long=False,
    ),
    Question(
        key="goals_values",
        section=AVATAR,
        label="What are they trying to achieve, and what matters most to them?",
        help="Their goals, and the values they care about.",
        target=Target.PERSONA,
        field="goals_values",
    ),
    Question(
        key="channels",
        section=AVATAR,
        label="Where do they get their information?",
        help="Websites, social media, groups, podcasts, magazines, events, people they trust.",
        target=Target.PERSONA,
        field="channels",
    ),
    Question(
        key="demographics",
        section=AVATAR,
        label="Who are they?",
        help="Age, family, where they live, job, income — a line or two.",
        target=Target.PERSONA,
        field="role",
        long=False,
    ),
    Question(
        key="pains",
        section=AVATAR,
        label="What challenges and pain points do they have?",
        help="What frustrates them or keeps them up at night, as they would say it.",
        target=Target.PERSONA,
        field="pains",
    ),
    Question(
        key="objections",
        section=AVATAR,
        label="Why might they decide not to buy from you?",
        help="Their doubts and objections: price, trust, timing, “I can do it myself”…",
        target=Target.PERSONA,
        field="objections",
    ),
    Question(
        key="decision_role",
        section=AVATAR,
        label="What is their role in the decision to buy?",
        help="Do they decide alone, research for someone else, or need a partner's or boss's yes?",
        target=Target.PERSONA,
        field="decision_role",
        long=False,
    ),
)

QUESTION_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)
BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}


def sections() -> list[tuple[str, list[Question]]]:
    """The questions grouped under their headings, in order."""
    grouped: dict[str, list[Question]] = {}
    for question in QUESTIONS:
        grouped.setdefault(question.section, []).append(question)
    return list(grouped.items())
