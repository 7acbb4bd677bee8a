"""The plan a family member gets at the end of the guided conversation, from content/family/plan.yml.

Which texts go in, and in what order, is decided here from the answers: the relation words and
sample sentences for who the loved one is, how to answer what happened last time, a line for the
main concern, and for a child under 18 what parents can arrange themselves. Each text is one
message (web bubble, or its own SMS parts), so every text stays within one SMS pair (320 characters).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional

import yaml

from bot.family.answers import CONCERNS, RELATIONS, SKIPPED, TRIED
from bot.settings import CONTENT_DIR, Program
from bot.texts import ContentError, render

PLAN_FILE = CONTENT_DIR / "family" / "plan.yml"
MAX_TEXT = 320
CHILD = "child_under_18"
SECTIONS = ("intro", "say_intro", "when_to_talk", "backfires", "consequences_and_rewards", "options_together",
            "own_support", "teen", "teen_sentences_note")


@lru_cache(maxsize=1)
def plan_texts() -> Dict[str, Any]:
    """content/family/plan.yml, checked: every section, relation, concern and "how it went" answer."""
    data = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    where = PLAN_FILE.name
    missing = [k for k in SECTIONS + ("relation_words", "sentences", "concern", "tried", "sources") if not data.get(k)]
    missing += [f"sentences.{r}" for r in RELATIONS if not (data.get("sentences") or {}).get(r)]
    missing += [f"relation_words.{r}" for r in RELATIONS + (SKIPPED,) if not (data.get("relation_words") or {}).get(r)]
    missing += [f"concern.{c}" for c in CONCERNS if not (data.get("concern") or {}).get(c)]
    missing += [f"tried.{t}" for t in TRIED if not (data.get("tried") or {}).get(t)]
    if missing:
        raise ContentError(f"{where}: missing {', '.join(missing)}")
    return data


def _fill(text: str, values: Mapping[str, str]) -> str:
    filled = render(" ".join(str(text).split()), values, PLAN_FILE.name, runtime=())
    if len(filled) > MAX_TEXT:
        raise ContentError(f"{PLAN_FILE.name}: a text is longer than {MAX_TEXT} characters: {filled[:60]}...")
    return filled


def compose(prog: Program, relation: Optional[str], concern: Optional[str], tried: Optional[str]) -> List[str]:
    """The plan's messages, in order, for these answers (None or "skipped" for a skipped question)."""
    data = plan_texts()
    relation = relation if relation in RELATIONS else SKIPPED
    values = dict(prog.placeholders(), relation=str(data["relation_words"][relation]))
    # Skipped: the sentences for a sibling or friend, which suit anyone close.
    sentences = data["sentences"][relation if relation != SKIPPED else "sibling_friend"]
    say = [_fill(data["say_intro"], values)] + [f'"{_fill(s, values)}"' for s in sentences]
    messages = [_fill(data["intro"], values), _fill(data["when_to_talk"], values), " ".join(say)]
    if tried in TRIED:
        messages.append(_fill(data["tried"][tried], values))
    if concern in CONCERNS:
        messages.append(_fill(data["concern"][concern], values))
    messages += [_fill(data[k], values) for k in ("backfires", "consequences_and_rewards")]
    if relation == CHILD:
        messages += [_fill(data[k], values) for k in ("teen", "teen_sentences_note")]
    messages += [_fill(data[k], values) for k in ("options_together", "own_support")]
    return messages
