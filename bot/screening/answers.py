"""Reading a typed answer to a fit-check question: an answer, a question, a stop or a call request.

People type answers the way they text: "ya", "nah he's on subs now", "no seizures, but I use heroin
every day". The reading is cautious where it matters: a message is cut into clauses, each clause is
read (a yes or no at its start, a hedge anywhere, a fact such as "every day" or "heroin"), and on a
safety question one risky clause makes the whole answer risky; a hedge counts as "not sure", which
leads where the risky answer does. Only when no phrase matches does the NLU's affirm / deny / unsure
reading decide. The phrases are data (content/screening/answers.yml); this is plain Python.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Pattern, Sequence, Set, Tuple

from bot.safety.check_in import answer_words
from bot.safety.data import Where, read_yaml
from bot.safety.normalise import normalize, plain_variants
from bot.screening.rules import LOVED_ONE, NO, SCREENING_DIR, SELF, UNSURE, YES, Question, rules

ANSWERS_FILE = "answers.yml"
NEGATION_WINDOW = 3  # a negation this many words before a fact turns it around
NLU_MIN_CONFIDENCE = 0.5
NLU_SAFE_MAX_WORDS = 4
CLARIFY_MIN_WORDS = 5  # unexplained words after a "no" on a safety question that make it worth asking again
CLARIFY = "clarify"
# What the classifier's intents mean as an answer, when no phrase decided.
NLU_ANSWERS = {"affirm": YES, "deny": NO, "unsure": UNSURE}
# Intents that ask something rather than answer.
QUESTION_INTENTS = frozenset({"faq", "bot_capabilities", "medical_advice", "out_of_scope"})
STOP_INTENT = "stop_form"  # read here, after the answer: "let's do it" is not a stop
PAYLOADS = {"/affirm": YES, "/deny": NO, "/unsure": UNSURE}
_PHRASE = re.compile(r"^[a-z0-9]+(?: [a-z0-9]+)*$")


class Kind(str, Enum):
    ANSWER = "answer"
    QUESTION = "question"  # a question or another request: answered, then the question is asked again
    WHY = "why"  # a question about the question itself ("why do you ask?", "does weed count?")
    CLARIFY = "clarify"  # a "no" with more said that could carry risk: the question is asked once more
    STOP = "stop"
    CALLBACK = "callback"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Reading:
    kind: Kind
    value: Optional[str] = None

    @property
    def is_answer(self) -> bool:
        return self.kind is Kind.ANSWER


@dataclass(frozen=True)
class Phrases:
    """answers.yml, compiled: each list as one longest-first regular expression."""

    yes: Pattern[str]
    yes_whole: FrozenSet[str]
    no: Pattern[str]
    filler: Pattern[str]
    fine: Pattern[str]
    neither: Pattern[str]
    unsure: Pattern[str]
    contrast: Pattern[str]
    negation: Pattern[str]
    stop_whole: FrozenSet[str]
    stop_anywhere: Pattern[str]
    callback: Pattern[str]
    question_start: Pattern[str]
    why: Pattern[str]
    long_ago: Pattern[str]
    recent: Pattern[str]
    not_negation: Pattern[str]
    emoji: Mapping[str, Tuple[str, ...]]
    facts: Mapping[str, Tuple[Pattern[str], Pattern[str]]]  # question -> (risky, safe)
    readiness: Tuple[Pattern[str], Pattern[str]]  # (yes, no)


_NEVER = re.compile(r"(?!x)x")


def _list(node: Any, where: Where) -> List[str]:
    if node is None:
        return []
    if not isinstance(node, list):
        raise where.error("expected a list of phrases")
    for phrase in node:
        if not isinstance(phrase, str) or not _PHRASE.match(phrase):
            raise where.error(f"{phrase!r} must be lower-case words (quote yes, no, y, n)")
    return list(node)


def _anywhere(phrases: Sequence[str]) -> Pattern[str]:
    if not phrases:
        return _NEVER
    body = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    return re.compile(r"(?<![a-z0-9])(?:" + body + r")(?![a-z0-9])")


def load_phrases(directory: Path = SCREENING_DIR) -> Phrases:
    where = Where(ANSWERS_FILE)
    data = read_yaml(directory, ANSWERS_FILE)
    if not isinstance(data, dict):
        raise where.error("expected a mapping")

    def pattern(key: str) -> Pattern[str]:
        return _anywhere(_list(data.get(key), where.at(key)))

    facts: Dict[str, Tuple[Pattern[str], Pattern[str]]] = {}
    for question, node in (data.get("facts") or {}).items():
        at = where.at(f"facts {question}")
        node = node or {}
        facts[question] = (_anywhere(_list(node.get("risky"), at.at("risky"))), _anywhere(_list(node.get("safe"), at.at("safe"))))
    known = set(rules().ids)
    unknown = [q for q in facts if q not in known]
    if unknown:
        raise where.error(f"facts for {unknown[0]!r}, which is not a question in questions.yml")
    readiness = data.get("readiness_facts") or {}
    emoji = {key: tuple(values) for key, values in (data.get("emoji") or {}).items()}
    return Phrases(
        yes=pattern("yes"), yes_whole=frozenset(_list(data.get("yes_whole"), where.at("yes_whole"))),
        no=pattern("no"), filler=_leading(_list(data.get("filler"), where.at("filler"))), fine=pattern("fine"), neither=pattern("neither"),
        unsure=pattern("unsure"), contrast=pattern("contrast"), negation=pattern("negation"),
        stop_whole=frozenset(_list(data.get("stop_whole"), where.at("stop_whole"))),
        stop_anywhere=pattern("stop_anywhere"), callback=pattern("callback"),
        question_start=pattern("question_start"), why=pattern("why"), emoji=emoji, facts=facts,
        long_ago=pattern("long_ago"), recent=pattern("recent"), not_negation=pattern("not_negation"),
        readiness=(_anywhere(_list(readiness.get(YES), where.at("readiness_facts yes"))),
                   _anywhere(_list(readiness.get(NO), where.at("readiness_facts no")))),
    )


def _leading(phrases_: Sequence[str]) -> Pattern[str]:
    body = "|".join(re.escape(p) for p in sorted(set(phrases_), key=len, reverse=True))
    return re.compile(r"^(?:(?:" + body + r") )+") if phrases_ else _NEVER


@lru_cache(maxsize=None)
def phrases() -> Phrases:
    """The answer phrases of content/screening/, loaded once."""
    return load_phrases()


# --- the two forms of a message --------------------------------------------------------------

_TAG = re.compile(r"<[^<>]{0,200}>")  # HTML typed or pasted into the widget: the words count, not the tags
_SPLIT = re.compile(r"\s*[.,;:!?()\[\]\n]+\s*|\s+-\s+")


def _forms(text: str) -> List[str]:
    """The message as typed (punctuation marks kept as clause breaks) and with shorthand written out."""
    text = _TAG.sub(" ", text)
    plain = plain_variants(text)[0].lower().replace("\u2019", "'")
    plain = re.sub(r"[!?;:]+", " . ", plain)
    plain = re.sub(r"[^a-z0-9',. ]+", " ", plain).replace("'", "")
    expanded = normalize(text)
    return [" ".join(form.split()) for form in (plain, expanded) if form.strip(" .,")]


def _clauses(form: str, words: Phrases) -> List[str]:
    parts: List[str] = []
    for piece in _SPLIT.split(form):
        parts += [words.filler.sub("", p.strip() + " ").strip() for p in words.contrast.split(piece)]
    return [p for p in parts if p]


def _start(pattern: Pattern[str], clause: str) -> int:
    match = pattern.match(clause)
    return len(match.group(0)) if match else 0


# --- one clause --------------------------------------------------------------------------------

def _negated(clause: str, start: int, words: Phrases) -> bool:
    before = " ".join(clause[:start].split()[-NEGATION_WINDOW:])
    wider = " ".join(clause[:start].split()[-NEGATION_WINDOW - 2:])
    return bool(words.negation.search(before)) and not words.not_negation.search(wider)


def _facts(clause: str, risky: Pattern[str], safe: Pattern[str], risky_value: str, safe_value: str,
           words: Phrases) -> Tuple[Set[str], int, int]:
    """The answers the facts in a clause give, where the first fact starts (-1: none), and how
    many words the facts cover.

    A risky phrase inside a safe one does not count ("keep narcan on me" is not an overdose)."""
    found: Set[str] = set()
    safe_spans = [m.span() for m in safe.finditer(clause)]
    first = min((a for a, _ in safe_spans), default=-1)
    covered = sum(len(clause[a:b].split()) for a, b in safe_spans)
    for match in risky.finditer(clause):
        if any(a <= match.start() and match.end() <= b for a, b in safe_spans):
            continue
        first = match.start() if first < 0 else min(first, match.start())
        covered += len(match.group(0).split())
        found.add(safe_value if _negated(clause, match.start(), words) else risky_value)
    for a, _ in safe_spans:
        if not _negated(clause, a, words):
            found.add(safe_value)
    return found, first, covered


@dataclass(frozen=True)
class ClauseReading:
    values: FrozenSet[str]
    from_facts: bool  # a fact (not only a yes or no) gave a value
    unexplained: int  # words no phrase accounts for


def _clause_values(clause: str, question: Question, words: Phrases) -> ClauseReading:
    facts: Set[str] = set()
    first_fact, covered = -1, 0
    if question.risk_side and question.id in words.facts:
        risky, safe = words.facts[question.id]
        facts, first_fact, covered = _facts(clause, risky, safe, question.risk_side, question.safe_side or NO, words)
    elif question.id == "readiness":
        yes, no = words.readiness
        facts, first_fact, covered = _facts(clause, yes, no, YES, NO, words)
    heads = {
        YES: max(_start(words.yes, clause), len(clause) if clause in words.yes_whole else 0),
        NO: _start(words.no, clause),
        "fine": _start(words.fine, clause),
        "neither": _start(words.neither, clause),
    }
    head = max(heads, key=lambda k: heads[k]) if any(heads.values()) else None
    if first_fact == 0:
        head = None  # "no alcohol in the house" is a fact, not a no
    values: Set[str] = set(facts)
    if head == YES:
        values.add(YES)
    elif head == NO:
        values.add(NO)
    elif head == "fine" and question.safe_side:
        values.add(question.safe_side)
    # A hedge after a yes or no head counts from the end of it; "not sure" is itself a hedge.
    unsure = words.unsure.search(clause, heads[head] if head in (YES, NO, "fine") else 0)
    if head != YES and unsure:
        values.add(UNSURE)
    head_words = len(clause[: heads[head]].split()) if head else 0
    unexplained = len(clause.split()) - head_words - covered - (len(unsure.group(0).split()) if unsure else 0)
    return ClauseReading(frozenset(values), bool(facts), max(0, unexplained))


def _long_ago(forms: Sequence[str], words: Phrases) -> bool:
    return any(words.long_ago.search(f) for f in forms) and not any(words.recent.search(f) for f in forms)


def distress_words() -> Pattern[str]:
    """Words that make "no, but ..." a hedge: the safety check-in's list (content/safety/check_in.yml)."""
    return answer_words().distress


def _contrast_follows(form: str, index: int, words: Phrases) -> bool:
    """The clause after clause `index` begins with a contrast word ("but", "though")."""
    pieces: List[Tuple[str, bool]] = []
    for piece in _SPLIT.split(form):
        parts = words.contrast.split(piece)
        pieces += [(p, i > 0) for i, p in enumerate(parts) if words.filler.sub("", p.strip() + " ").strip()]
    return index + 1 < len(pieces) and pieces[index + 1][1]


def _combine(values: Set[str], question: Question) -> Optional[str]:
    """The risky side first on a safety question; a hedge next; the safe answer last."""
    if not values:
        return None
    if question.risk_side:
        for value in (question.risk_side, UNSURE, question.safe_side):
            if value in values:
                return value
    if values == {YES} or values == {NO} or values == {UNSURE}:
        return next(iter(values))
    if YES in values and UNSURE in values and NO not in values:
        return YES  # "yes, with some doubts" is still a yes to trying
    return UNSURE


def read_yes_no(question: Question, text: str, intent: Optional[str] = None, confidence: float = 0.0,
                clarify: bool = False) -> Optional[str]:
    """yes / no / unsure for one of the yes-no questions; None when nothing in it answers.

    With `clarify`, a safe answer followed by words that no phrase explains gives CLARIFY."""
    words = phrases()
    forms = _forms(text)
    values: Set[str] = set()
    safe_by_fact = False
    unexplained = 0
    for form in forms:
        clauses = _clauses(form, words)
        readings = [_clause_values(clause, question, words) for clause in clauses]
        unexplained = max(unexplained, sum(r.unexplained for r in readings))
        for index, reading in enumerate(readings):
            values |= reading.values
            safe_by_fact |= reading.from_facts and question.safe_side in reading.values
            # "no, but I've been struggling" on a safety question: what follows the "but" may carry
            # the risk, so the answer is not a plain no.
            if question.risk_side and reading.values == {question.safe_side} and index + 1 < len(clauses) \
                    and not any(r.values for r in readings[index + 1:]) and _contrast_follows(form, index, words) \
                    and any(distress_words().search(later) for later in clauses[index + 1:]):
                values.add(UNSURE)
    if question.risk_side == YES and YES in values and _long_ago(forms, words):
        values.discard(YES)  # "once, back in 2019": before the question's time
        values.add(NO)
    if not values:  # an emoji answers only on its own: "Nope 👍" is a no
        values = {value for value, marks in words.emoji.items() if any(mark in text for mark in marks)}
    answer = _combine(values, question)
    if clarify and answer and answer == question.safe_side and not safe_by_fact and unexplained >= CLARIFY_MIN_WORDS:
        # "No" followed by words none of the phrases explain: the risk may be in them. Asked once more.
        return CLARIFY
    if answer is None and intent in NLU_ANSWERS and confidence >= NLU_MIN_CONFIDENCE:
        answer = NLU_ANSWERS[intent]
        # On a safety question the classifier alone may say "no" only to a short reply: in a longer
        # one that no phrase explains, the risk may be in the words it could not read.
        if answer == question.safe_side and len(text.split()) > NLU_SAFE_MAX_WORDS:
            answer = None
    return answer


# A yes/no question with no risk side and no facts: consent questions in the callback form.
PLAIN_QUESTION = Question(id="consent", dimension="intake", why="")


def read_plain_yes_no(text: str) -> Optional[str]:
    """yes / no / unsure by the same phrases, with no side taken (consent questions)."""
    return read_yes_no(PLAIN_QUESTION, text)


# --- the two intake questions -----------------------------------------------------------------

_SELF = ("me", "myself", "i", "i am", "im", "mine", "self", "for me", "my self", "my own", "yo", "moi")
_LOVED = (
    "someone", "somebody", "someone i care about", "loved one", "family", "family member", "son",
    "daughter", "child", "kid", "kids", "teen", "teenager", "husband", "wife", "spouse", "partner",
    "boyfriend", "girlfriend", "fiance", "fiancee", "mom", "mother", "dad", "father", "parent",
    "brother", "sister", "sibling", "friend", "grandson", "granddaughter", "grandchild", "cousin",
    "aunt", "uncle", "niece", "nephew", "relative", "him", "her", "them", "they", "he", "she",
    "stepson", "stepdaughter", "roommate", "coworker", "other", "bf", "gf", "hubby", "wifey", "bro",
    "sis", "mum", "ma", "pa", "stepdad", "stepmom", "grandma", "grandpa", "grandmother",
    "grandfather", "fiancé", "bestie", "best friend", "buddy", "pal", "niña", "hijo", "hija",
    "esposo", "esposa", "mi hijo", "mi hija", "novio", "novia", "amigo", "amiga", "twin",
)


def _has(text: str, phrases_: Sequence[str]) -> bool:
    return any(f" {p} " in text for p in phrases_)


def _padded(text: str) -> str:
    text = plain_variants(text)[0].lower().replace("\u2019", "'").replace("'", "")
    return " " + " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split()) + " "


def parse_screen_for(text: str) -> Optional[str]:
    """Who the check is for: 'myself' -> self, 'my son' -> loved_one."""
    t = _padded(text)
    if _has(t, _LOVED):
        return LOVED_ONE
    if _has(t, _SELF):
        return SELF
    return None


_CONCERNS: Dict[str, Tuple[str, ...]] = {
    "alcohol": (
        "alcohol", "drinking", "drink", "drinks", "drinker", "booze", "beer", "beers", "wine", "liquor",
        "vodka", "whiskey", "alcoholic", "alcoholism", "alc", "etoh", "drunk", "tequila", "rum",
        "alcohol use", "bebida", "alcol", "alchohol", "alcohal", "acohol", "alchol", "alcholic",
    ),
    "drugs": (
        "drug", "drugs", "opioid", "opioids", "opiates", "heroin", "fentanyl", "pills", "pill",
        "meth", "cocaine", "coke", "crack", "weed", "marijuana", "cannabis", "xanax", "benzo",
        "benzos", "oxy", "oxycodone", "percocet", "percs", "adderall", "ketamine", "substance",
        "substances", "using", "addiction", "painkillers", "kratom", "vaping", "pot", "dope", "fent",
        "molly", "mdma", "acid", "shrooms", "edibles", "dabs", "suboxone", "methadone", "drogas",
        "uppers", "downers", "speed", "ice", "tina", "k2", "spice", "lean", "bars", "perc",
    ),
    "mental_health": (
        "mental health", "mental", "depression", "depressed", "anxiety", "anxious", "ptsd", "trauma",
        "bipolar", "panic", "eating", "ocd", "mood", "emotional", "stress", "grief", "adhd",
        "psych", "psychiatric", "suicidal", "self harm", "cutting", "schizophrenia", "anger",
        "mood swings", "mh", "voices", "hears voices", "psychosis", "paranoid", "hallucinations", "depresion", "ansiedad", "salud mental", "burnout", "panic attacks",
    ),
}
_SEVERAL = ("several", "several of these", "all", "all of them", "both", "multiple", "mix", "combination",
            "more than one", "everything", "all of the above", "a bit of everything", "all three",
            "a little of everything", "a mix", "combo", "todo", "everything above")


_NOT = re.compile(r" (?:not|no|never|isnt|isn t|nothing|without) (?:really |any |anything |using |the |on )?(\S+(?: \S+)?) ")


def parse_concern(text: str) -> Optional[str]:
    """Main concern: alcohol, drugs, mental_health, or several (when more than one is named).

    A concern named after "not" does not count: "not drugs, it's the drinking" is alcohol."""
    t = _padded(text)
    for match in _NOT.finditer(t):
        t = t.replace(match.group(0), " ", 1)
    found = [name for name, words_ in _CONCERNS.items() if _has(t, words_)]
    if _has(t, _SEVERAL) or len(found) > 1:
        return "several"
    return found[0] if found else None


INTAKE_PARSERS = {"screen_for": parse_screen_for, "concern": parse_concern}


# --- the whole message ------------------------------------------------------------------------

def _starts_with_answer(form: str, words: Phrases) -> bool:
    form = words.filler.sub("", form + " ").strip()
    return any(_start(p, form) for p in (words.yes, words.no, words.fine, words.unsure))


def _request(text: str, forms: Sequence[str], words: Phrases) -> Optional[Kind]:
    if any(form.strip(" .,") in words.stop_whole for form in forms):
        return Kind.STOP
    if any(words.stop_anywhere.search(form) for form in forms):
        return Kind.STOP
    if any(words.callback.search(form) for form in forms):
        return Kind.CALLBACK
    return None


def _question_kind(forms: Sequence[str], words: Phrases) -> Kind:
    return Kind.WHY if any(words.why.search(form) for form in forms) else Kind.QUESTION


def _starts_as_question(forms: Sequence[str], words: Phrases) -> bool:
    starts = any(_start(words.question_start, form) for form in forms)
    return starts and not any(_starts_with_answer(form, words) for form in forms)


def read(question_id: str, text: str, intent: Optional[str] = None, confidence: float = 0.0,
         clarify: bool = True) -> Reading:
    """How one typed message at one question is read. The crisis layer has already run.

    clarify: whether an unclear "no" on a safety question may be asked about once more (not when it
    was just asked about)."""
    stripped = (text or "").strip()
    question = rules().question(question_id)
    if stripped.startswith("/"):
        if stripped.startswith("/" + STOP_INTENT):
            return Reading(Kind.STOP)
        value = PAYLOADS.get(stripped.split("{")[0])
        return Reading(Kind.ANSWER, value) if value and value in question.answers else Reading(Kind.UNCLEAR)
    words = phrases()
    forms = _forms(stripped)
    request = _request(stripped, forms, words)
    if request:
        return Reading(request)
    if _starts_as_question(forms, words):
        return Reading(_question_kind(forms, words))
    if question.id in INTAKE_PARSERS:
        value = INTAKE_PARSERS[question.id](stripped)
    else:
        value = read_yes_no(question, stripped, intent, confidence, clarify)
    if value == CLARIFY:
        return Reading(Kind.CLARIFY)
    if value is not None:
        return Reading(Kind.ANSWER, value)
    if intent == STOP_INTENT and confidence >= NLU_MIN_CONFIDENCE:
        return Reading(Kind.STOP)
    if "?" in stripped:
        return Reading(_question_kind(forms, words))
    if intent in QUESTION_INTENTS and confidence >= NLU_MIN_CONFIDENCE and len(stripped.split()) >= 3:
        return Reading(Kind.QUESTION)
    return Reading(Kind.UNCLEAR)
