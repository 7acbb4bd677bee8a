"""The crisis rules engine: builds the rules of content/safety/ and runs them, in two tiers.

Definite crisis rules (crisis_rules.yml) are tried first, in the file's order (suicidal intent
with means, medical emergencies, suicidal thoughts and self-harm, violence); then the warning
signs (warning_signs.yml): means and quantities, preparation, farewells, hopelessness, reckless
use. Each rule runs on every normalised form of a message (rules for another language on forms
without English shorthand); the first rule whose pattern matches and whose `unless` checks do not
explain the match away decides the tier and the kind. A definite crisis gets the crisis reply; a
warning sign gets a direct question about suicide, with the crisis numbers, in the same turn.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Literal, Optional, Pattern, Tuple

from bot.safety.checks import NAMED_CHECKS, PATTERN_CHECKS, Check, Cues, Found
from bot.safety.data import SAFETY_DIR, Vocabulary, Where, entries, fields, load_word_lists, read_yaml, text_of
from bot.safety.names import CRISIS_KINDS, CrisisKind
from bot.safety.normalise import plain_variants, variants

RULES_FILE = "crisis_rules.yml"
WARNINGS_FILE = "warning_signs.yml"
_RULE_ID = re.compile(r"^([a-z]+)\.[a-z_]+$")

Tier = Literal["definite", "possible"]
DEFINITE: Tier = "definite"
POSSIBLE: Tier = "possible"
# Languages with rules of their own; English is the default and reads the shorthand-expanded forms.
LANGUAGES = ("en", "es")
# What a warning sign may be answered with after a clear "no" to the check-in, instead of what the
# classifier thought: a question about amounts of a drug gets the refusal of dosing advice.
AFTER_NO = ("medical_advice",)


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
    tier: Tier = DEFINITE
    language: str = "en"
    after_no: Optional[str] = None  # the intent to answer after a clear "no" to the check-in

    @property
    def definite(self) -> bool:
        return self.tier == DEFINITE


@dataclass(frozen=True)
class Rule:
    """One crisis rule: its pattern, what the message must also mention, what explains it away."""

    id: str
    kind: CrisisKind
    pattern: Pattern[str]
    requires: Optional[Pattern[str]]
    unless: Tuple[Check, ...]
    tier: Tier = DEFINITE
    language: str = "en"
    ask_if: Tuple[Check, ...] = ()
    after_no: Optional[str] = None

    def fires(self, found: Found, cues: Cues) -> bool:
        if self.requires is not None and not self.requires.search(found.text):
            return False
        return not any(check(found, cues) for check in self.unless)

    def tier_for(self, found: Found, cues: Cues) -> Tier:
        """The rule's tier, or "possible" when an `ask_if` check holds (a general question, a film)."""
        if self.tier == DEFINITE and any(check(found, cues) for check in self.ask_if):
            return POSSIBLE
        return self.tier


@dataclass(frozen=True)
class RuleBook:
    """The crisis rules in order, then the warning signs, with the cues their checks use."""

    rules: Tuple[Rule, ...]
    cues: Cues
    warnings: Tuple[Rule, ...] = ()

    @property
    def ids(self) -> FrozenSet[str]:
        return frozenset(rule.id for rule in self.rules + self.warnings)


def load_rules(directory: Path = SAFETY_DIR) -> RuleBook:
    """Read, check and compile crisis_rules.yml and warning_signs.yml (and the word lists they name).

    The warning signs may use the phrases of crisis_rules.yml; an id may not be used twice."""
    where = Where(RULES_FILE)
    data = fields(read_yaml(directory, RULES_FILE), where, ("rules",), ("phrases", "ask_instead_if"))
    vocabulary = Vocabulary(load_word_lists(directory)).with_phrases(data.get("phrases"), where)
    ask = _unless(data.get("ask_instead_if") or [], vocabulary, where.at("ask_instead_if"))
    rules = tuple(
        replace(rule, ask_if=ask + rule.ask_if)
        for rule in entries(
            data["rules"], where, "rule", lambda node, at: _rule(node, vocabulary, at, DEFINITE), lambda r: r.id
        )
    )
    w_where = Where(WARNINGS_FILE)
    w_data = fields(read_yaml(directory, WARNINGS_FILE), w_where, ("rules",), ("phrases",))
    w_vocabulary = vocabulary.with_phrases(w_data.get("phrases"), w_where)
    warnings = entries(
        w_data["rules"], w_where, "rule", lambda node, at: _rule(node, w_vocabulary, at, POSSIBLE), lambda r: r.id
    )
    taken = {rule.id for rule in rules}
    for warning in warnings:
        if warning.id in taken:
            raise w_where.at(f"rule {warning.id}").error(f"the id is already used in {RULES_FILE}")
    return RuleBook(rules, _cues(vocabulary, where), warnings)


def _rule(node: Any, vocabulary: Vocabulary, at: Where, tier: Tier) -> Rule:
    fields(node, at, ("id", "kind", "means", "patterns"), ("requires", "unless", "ask_if", "language", "after_no"))
    language = node.get("language", "en")
    after_no = node.get("after_no")
    if after_no is not None and after_no not in AFTER_NO:
        raise at.error(f"after_no must be one of {', '.join(AFTER_NO)}, got {after_no!r}")
    if language not in LANGUAGES:
        raise at.error(f"unknown language {language!r} (expected {', '.join(LANGUAGES)})")
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
        tier=tier,
        language=language,
        ask_if=_unless(node.get("ask_if") or [], vocabulary, at.at("ask_if")),
        after_no=after_no,
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
        question_start=vocabulary.cue("question_start", where, "general_question"),
        hypothetical_start=vocabulary.cue("hypothetical_start", where, "general_question"),
        happening_now=vocabulary.cue("happening_now", where, "general_question"),
    )


@lru_cache(maxsize=None)
def rule_book() -> RuleBook:
    """The crisis rules of content/safety/, loaded once."""
    return load_rules()


def assess(text: str) -> Optional[SafetySignal]:
    """A SafetySignal when the message signals risk: a definite crisis first, else a warning sign.

    Within a tier rules are tried in their file's order; the first rule that fires decides.
    """
    if not text or not text.strip():
        return None
    book = rule_book()
    forms = _Forms(text)
    asked: Optional[SafetySignal] = None  # a definite rule downgraded by `ask_if`: kept if nothing definite fires
    for tier_rules in (book.rules, book.warnings):
        for rule in tier_rules:
            for variant in forms.of(rule.language):
                for match in rule.pattern.finditer(variant):
                    found = Found.of(variant, match)
                    if not rule.fires(found, book.cues):
                        continue
                    tier = rule.tier_for(found, book.cues)
                    signal = SafetySignal(rule.kind, rule.id, tier, rule.language, rule.after_no)
                    if tier == DEFINITE or tier_rules is book.warnings:
                        return signal
                    asked = asked or signal
        if asked is not None:
            return asked
    return None


def detect_crisis(text: str) -> Optional[SafetySignal]:
    """A SafetySignal when the message signals imminent risk (a definite crisis), else None.

    Rules are tried in priority order (suicidal intent with means, medical emergencies, suicidal
    thoughts and self-harm, violence); the first rule that fires decides the kind.
    """
    signal = assess(text)
    return signal if signal is not None and signal.definite else None


def mentions_crisis_words(text: str) -> bool:
    """Whether any rule's words occur in the message, explained away or not.

    For a message `assess` found nothing in, True means every match was ruled out (negated, in the
    past, an idiom, a general question). The classifier tends to fire on such words alone; this
    lets the NLU layer ask it to be surer with the same evidence, while a message the rules know
    nothing about is left to it at its usual bar.
    """
    if not text or not text.strip():
        return False
    book = rule_book()
    forms = _Forms(text)
    return any(
        rule.pattern.search(variant) is not None
        for rule in book.rules + book.warnings
        for variant in forms.of(rule.language)
    )


class _Forms:
    """The normalised forms of one message, each language's computed once, when first needed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._by_language: Dict[str, List[str]] = {}

    def of(self, language: str) -> List[str]:
        if language not in self._by_language:
            self._by_language[language] = variants(self.text) if language == "en" else plain_variants(self.text)
        return self._by_language[language]
