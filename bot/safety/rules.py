"""The crisis rules engine: builds the rules of content/safety/crisis_rules.yml and runs them.

Rules are tried in the file's order (suicidal intent with means, medical emergencies, suicidal
thoughts and self-harm, violence) on every normalised form of a message; the first rule whose
pattern matches and whose `unless` checks do not explain the match away decides the kind.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, FrozenSet, Optional, Pattern, Tuple

from bot.safety.checks import NAMED_CHECKS, PATTERN_CHECKS, Check, Cues, Found
from bot.safety.data import SAFETY_DIR, Vocabulary, Where, entries, fields, load_word_lists, read_yaml, text_of
from bot.safety.names import CRISIS_KINDS, CrisisKind
from bot.safety.normalise import variants

RULES_FILE = "crisis_rules.yml"
_RULE_ID = re.compile(r"^([a-z]+)\.[a-z_]+$")


@dataclass(frozen=True)
class SafetySignal:
    """A crisis recognised in a message.

    kind: suicide = suicidal thoughts/intent or self-harm; medical = overdose, poisoning, not
    breathing, unresponsive, seizure, severe withdrawal...; violence = threats to hurt others or
    being in danger from someone.
    rule: the id of the rule that fired (a constant from RULE_NAMES, never the user's text).
    """

    kind: CrisisKind
    rule: str


@dataclass(frozen=True)
class Rule:
    """One crisis rule: its pattern, what the message must also mention, what explains it away."""

    id: str
    kind: CrisisKind
    pattern: Pattern[str]
    requires: Optional[Pattern[str]]
    unless: Tuple[Check, ...]

    def fires(self, found: Found, cues: Cues) -> bool:
        if self.requires is not None and not self.requires.search(found.text):
            return False
        return not any(check(found, cues) for check in self.unless)


@dataclass(frozen=True)
class RuleBook:
    """The crisis rules in order, with the cues their checks use."""

    rules: Tuple[Rule, ...]
    cues: Cues

    @property
    def ids(self) -> FrozenSet[str]:
        return frozenset(rule.id for rule in self.rules)


def load_rules(directory: Path = SAFETY_DIR) -> RuleBook:
    """Read, check and compile crisis_rules.yml (and the word lists it names)."""
    where = Where(RULES_FILE)
    data = fields(read_yaml(directory, RULES_FILE), where, ("rules",), ("phrases",))
    vocabulary = Vocabulary(load_word_lists(directory)).with_phrases(data.get("phrases"), where)
    rules = entries(data["rules"], where, "rule", lambda node, at: _rule(node, vocabulary, at), lambda r: r.id)
    return RuleBook(rules, _cues(vocabulary, where))


def _rule(node: Any, vocabulary: Vocabulary, at: Where) -> Rule:
    fields(node, at, ("id", "kind", "means", "patterns"), ("requires", "unless"))
    rule_id, kind = node["id"], node["kind"]
    if kind not in CRISIS_KINDS:
        raise at.error(f"unknown kind {kind!r} (expected {', '.join(CRISIS_KINDS)})")
    shape = _RULE_ID.match(rule_id) if isinstance(rule_id, str) else None
    if shape is None:
        raise at.error(f"id {rule_id!r} must be kind.name, in lower case (for example {kind}.kill_self)")
    if shape.group(1) != kind:
        raise at.error(f"id starts with '{shape.group(1)}' but the kind is '{kind}'")
    text_of(node["means"], at, "means")
    pattern = vocabulary.compile(node["patterns"], at.at("patterns"), never_empty=True)
    requires = node.get("requires")
    return Rule(
        id=rule_id,
        kind=kind,
        pattern=pattern,
        requires=None if requires is None else vocabulary.compile(requires, at.at("requires")),
        unless=_unless(node.get("unless") or [], vocabulary, at.at("unless")),
    )


def _unless(items: Any, vocabulary: Vocabulary, at: Where) -> Tuple[Check, ...]:
    if not isinstance(items, list):
        raise at.error("expected a list of checks")
    checks = []
    for item in items:
        if isinstance(item, str):
            if item not in NAMED_CHECKS:
                raise at.error(f"unknown check '{item}' (known: {', '.join(NAMED_CHECKS)})")
            checks.append(NAMED_CHECKS[item])
        elif isinstance(item, dict) and len(item) == 1:
            (key, spec), = item.items()
            if key not in PATTERN_CHECKS:
                raise at.error(f"unknown condition '{key}' (expected {', '.join(PATTERN_CHECKS)})")
            checks.append(PATTERN_CHECKS[key](vocabulary.compile(spec, at.at(key))))
        else:
            known = ", ".join(PATTERN_CHECKS)
            raise at.error(f"expected a check name or one of {known}: [...], got {item!r}")
    return tuple(checks)


def _cues(vocabulary: Vocabulary, where: Where) -> Cues:
    return Cues(
        negators=vocabulary.word_set("negators", where, "the check negated"),
        negation_exceptions=vocabulary.word_set("negation_exceptions", where, "the check negated"),
        stops=vocabulary.word_set("clause_stops", where, "the checks negated and past") | {",", "."},
        past_lead=vocabulary.cue("past_lead", where, "past"),
        past_time=vocabulary.cue("past_time", where, "past"),
        recovered=vocabulary.cue("recovered", where, "past"),
        recent=vocabulary.cue("recent", where, "past"),
        not_recent_again=vocabulary.cue("not_recent_again", where, "past"),
        contrast=vocabulary.cue("contrast", where, "negated"),
    )


@lru_cache(maxsize=None)
def rule_book() -> RuleBook:
    """The crisis rules of content/safety/, loaded once."""
    return load_rules()


def detect_crisis(text: str) -> Optional[SafetySignal]:
    """A SafetySignal when the message signals imminent risk, else None.

    Rules are tried in priority order (suicidal intent with means, medical emergencies, suicidal
    thoughts and self-harm, violence); the first rule that fires decides the kind.
    """
    if not text or not text.strip():
        return None
    book = rule_book()
    forms = variants(text)
    for rule in book.rules:
        for variant in forms:
            for match in rule.pattern.finditer(variant):
                if rule.fires(Found.of(variant, match), book.cues):
                    return SafetySignal(kind=rule.kind, rule=rule.id)
    return None


def crisis_words_explained_away(text: str) -> bool:
    """True when crisis words occur but every match was ruled out (negated, in the past, an idiom,
    a general question). The classifier tends to fire on such words alone; this lets the NLU layer
    overrule it with the same evidence, while a message the rules know nothing about is left to it.
    """
    if not text or not text.strip() or detect_crisis(text) is not None:
        return False
    return any(
        rule.pattern.search(variant) is not None for rule in rule_book().rules for variant in variants(text)
    )
