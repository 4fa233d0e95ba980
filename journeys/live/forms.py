"""The posts of live collaboration: a strategist's answer, a guest's question."""

from __future__ import annotations

from django import forms

from cvj.formfields import RawTextField


class QuestionUpdateForm(forms.Form):
    """A new status and/or answer; a field left out of the post keeps what the question has."""

    status = RawTextField(required=False)
    answer = RawTextField(required=False)

    def clean_status(self) -> str | None:
        return self.cleaned_data["status"] if "status" in self.data else None

    def clean_answer(self) -> str | None:
        return self.cleaned_data["answer"] if "answer" in self.data else None


class GuestQuestionForm(forms.Form):
    """A guest's question: the stage and tactic are looked up (and judged) by the scoped
    lookups, the name and text by `question_ask`, so each keeps its own answer."""

    name = RawTextField(required=False)
    stage = RawTextField(required=False)
    tactic = RawTextField(required=False)
    text = RawTextField(required=False)
