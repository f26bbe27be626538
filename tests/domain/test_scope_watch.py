"""Which chat lines read like a new ask: the unmistakable phrasings only, so the nudge is worth reading."""

from __future__ import annotations

import pytest

from domain.scope_watch import quote, scope_creep_phrase


@pytest.mark.parametrize(("text", "phrase"), [
    ("Love it! Can you also add a blog section?", "can you also"),
    ("While you’re at it, the footer needs a newsletter signup", "while you're at it"),
    ("One more thing:   a dark mode?", "one more thing"),
    ("Could we ALSO include the Spanish site", "could we also"),
    ("It's not in the brief but could you...", "not in the brief but"),
])
def test_a_new_ask_is_recognised_by_its_phrase(text: str, phrase: str) -> None:
    assert scope_creep_phrase(text) == phrase


@pytest.mark.parametrize("text", [
    "Homepage is live, thanks all",
    "I'll add the assets tomorrow",
    "can you review the PR",
    "Scalable architecture, as agreed",  # "also" inside another word is not the phrase
    "mascot you also liked",  # no phrase on word boundaries
])
def test_ordinary_lines_are_left_alone(text: str) -> None:
    assert scope_creep_phrase(text) is None


def test_a_quote_is_one_line_cut_at_a_word() -> None:
    assert quote("one\ntwo   three") == "one two three"
    assert quote("alpha beta gamma delta", limit=12) == "alpha beta…"
