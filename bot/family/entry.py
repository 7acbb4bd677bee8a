"""Whether a message asks how to raise the subject with a loved one, so the guided conversation starts.

"How do I talk to my son about his drinking?" or "how do I get my husband to go to rehab" ask for
help with one particular person: they start the guided family conversation rather than the general
answer about approaching a loved one. The test is plain: a loved one named after "my", and a way of
asking how to talk, bring it up or get them to accept help. The phrases are in content/family/entry.yml.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Tuple

import yaml

from bot.family.answers import mentioned_relation, normalise, phrases
from bot.settings import CONTENT_DIR

ENTRY_FILE = CONTENT_DIR / "family" / "entry.yml"


@lru_cache(maxsize=1)
def _patterns() -> Tuple[re.Pattern, re.Pattern]:
    data = yaml.safe_load(ENTRY_FILE.read_text(encoding="utf-8"))
    asks: List[str] = [str(p) for p in data["asks"]]
    not_for: List[str] = [str(p) for p in data["not_for"]]
    return re.compile(r"(?<![\w'])(?:" + "|".join(asks) + r")(?![\w'])"), re.compile("|".join(not_for))


def is_planning_request(text: str) -> bool:
    """A loved one named after "my", and a question of how to talk with them or get them to accept help."""
    (asks, not_for), clean = _patterns(), normalise(text)  # the phrases load (and fail) even for an empty text
    if not clean or not asks.search(clean) or not_for.search(clean):
        return False
    return mentioned_relation(text) is not None or bool(re.search(r"\bmy\s+(?:[\w'-]+\s+){0,3}(?:" + phrases().child_words.pattern + ")", clean))
