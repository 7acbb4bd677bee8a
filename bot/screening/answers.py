"""Reading a typed answer to a fit-check question: an answer, a question, a stop or a call request.

People type answers the way they text: "ya", "nah he's on subs now", "no seizures, but I use heroin
every day". The reading is cautious where it matters: a message is cut into clauses, each clause is
read (a yes or no at its start, a hedge anywhere, a fact such as "every day" or "heroin"), and on a
safety question one risky clause makes the whole answer risky; a hedge counts as "not sure", which
leads where the risky answer does. A learned reading (bot.screening.classifier), trained on answers
written by people who never saw the phrases, answers where the phrases find nothing and decides where
it is sure, but never turns a risky reading into a safe one. The phrases are data
(content/screening/answers.yml); this is plain Python.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Pattern, Sequence, Set, Tuple

from bot.safety.check_in import answer_words
from bot.safety.data import Where, fields, phrase_list, phrase_pattern, read_yaml
from bot.safety.names import POSSIBLE_RISK_INTENT
from bot.safety.normalise import normalize, plain_variants
from bot.screening.classifier import OTHER, best, classifier
from bot.screening.rules import INTAKE, LOVED_ONE, NO, SCREENING_DIR, SELF, UNSURE, YES, Question, rules

ANSWERS_FILE = "answers.yml"
NEGATION_WINDOW = 3  # a negation this many words before a fact turns it around
NLU_MIN_CONFIDENCE = 0.5  # the NLU's stop or question intent counts from here
# The learned reading (bot.screening.classifier), chosen by leaving each development set out of its
# training in turn: it answers alone from LEARNED_MIN, its safe answer alone on a safety question
# from LEARNED_SAFE_ALONE, and it decides over the phrases from LEARNED_STRONG. A phrase "no" it
# finds this likely to be risky or unsure is asked about once more.
LEARNED_MIN = 0.5
LEARNED_SAFE_ALONE = 0.9
LEARNED_STRONG = 0.8
LEARNED_RISK_OVER_SAFE = 0.7
CLARIFY_MIN_WORDS = 5  # unexplained words (beyond the neutral ones) after a "no" that make it worth asking again
CONTRAST_MIN_WORDS = 2  # unexplained words after "but" that make a safe answer mixed
CLARIFY = "clarify"
# Intents that ask something rather than answer.
QUESTION_INTENTS = frozenset({"faq", "bot_capabilities", "medical_advice", "out_of_scope"})
STOP_INTENT = "stop_form"  # read here, after the answer: "let's do it" is not a stop
PAYLOADS = {"/affirm": YES, "/deny": NO, "/unsure": UNSURE}
LISTS = ("yes", "yes_whole", "no", "fine", "filler", "neutral", "neither", "unsure", "contrast", "negation", "long_ago",
         "recent", "not_negation", "stop_whole", "stop_anywhere", "callback", "question_start", "why")


class Kind(str, Enum):
    ANSWER = "answer"
    QUESTION = "question"  # a question or another request: answered, then the question is asked again
    WHY = "why"  # a question about the question itself ("why do you ask?", "does weed count?")
    CLARIFY = "clarify"  # a safe answer that may carry risk or is not sure: the question is asked once more
    STOP = "stop"
    CALLBACK = "callback"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Wary:
    """When the learned reading must be surer: the message reads like a question or a stop (its
    answer alone needs LEARNED_STRONG), or the NLU saw a warning sign in it (it gives no safe answer
    alone)."""

    question_like: bool = False
    warning_sign: bool = False


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

    lists: Mapping[str, Pattern[str]]  # anywhere in the text
    heads: Mapping[str, Pattern[str]]  # at the start of a clause: yes, no, fine, neither
    yes_whole: FrozenSet[str]
    neutral: FrozenSet[str]
    stop_whole: FrozenSet[str]
    filler: Pattern[str]
    emoji: Mapping[str, Tuple[str, ...]]
    facts: Mapping[str, Mapping[str, Pattern[str]]]  # question -> answer it gives -> phrases

    def __getattr__(self, name: str) -> Pattern[str]:
        try:
            return self.lists[name]
        except KeyError:
            raise AttributeError(name) from None


def load_phrases(directory: Path = SCREENING_DIR) -> Phrases:
    where = Where(ANSWERS_FILE)
    data = fields(read_yaml(directory, ANSWERS_FILE), where, LISTS + ("emoji", "facts"))
    lists = {key: phrase_list(data[key], where.at(key)) for key in LISTS}
    table = rules()
    facts: Dict[str, Dict[str, Pattern[str]]] = {}
    for question_id, node in (data["facts"] or {}).items():
        at = where.at(f"facts {question_id}")
        if question_id not in table.ids:
            raise at.error("is not a question in questions.yml")
        question = table.question(question_id)
        # A safety question lists its risky and safe facts; one without a risk side, the facts
        # that read as each answer.
        keys = ("risky", "safe") if question.risk_side else tuple(a for a in question.answers if a != UNSURE)
        node = fields(node, at, (), keys)
        facts[question_id] = {key: phrase_pattern(phrase_list(node.get(key), at.at(key), allow_empty=True)) for key in keys}
    filler = "|".join(re.escape(p) for p in sorted(lists["filler"], key=len, reverse=True))
    return Phrases(
        lists={key: phrase_pattern(lists[key]) for key in LISTS},
        heads={key: phrase_pattern(lists[key], anchored=True) for key in ("yes", "no", "fine", "neither", "question_start")},
        yes_whole=frozenset(lists["yes_whole"]),
        neutral=frozenset(lists["neutral"]),
        stop_whole=frozenset(lists["stop_whole"]),
        filler=re.compile(r"^(?:(?:" + filler + r") )+"),
        emoji={key: tuple(marks) for key, marks in (data["emoji"] or {}).items()},
        facts=facts,
    )


@lru_cache(maxsize=None)
def phrases() -> Phrases:
    """The answer phrases of content/screening/, loaded once."""
    return load_phrases()


# --- the two forms of a message, and its clauses ---------------------------------------------

_DENIAL = re.compile(r"\b(?:not|never|none|nothing|dont|doesnt|didnt|isnt|hasnt|havent|wont|cant)\b")
_TAG = re.compile(r"<[^<>]{0,200}>")  # HTML typed or pasted into the widget: the words count, not the tags
_SPLIT = re.compile(r"\s*[.,;:!?()\[\]\n]+\s*|\s+-\s+")


def message_forms(text: str) -> List[str]:
    """The message as typed (punctuation kept as clause breaks) and with shorthand written out."""
    text = _TAG.sub(" ", text)
    plain = plain_variants(text)[0].lower().replace("\u2019", "'")
    plain = re.sub(r"[!?;:]+", " . ", plain)
    plain = re.sub(r"[^a-z0-9',. ]+", " ", plain).replace("'", "")
    return [" ".join(form.split()) for form in (plain, normalize(text)) if form.strip(" .,")]


@dataclass(frozen=True)
class Clause:
    text: str
    after_contrast: bool  # begins after "but", "though"...


def _clauses(form: str, words: Phrases) -> List[Clause]:
    clauses: List[Clause] = []
    for piece in _SPLIT.split(form):
        for index, part in enumerate(words.contrast.split(piece)):
            text = words.filler.sub("", part.strip() + " ").strip()
            if text:
                clauses.append(Clause(text, index > 0))
    return clauses


def _start(pattern: Pattern[str], clause: str) -> int:
    match = pattern.match(clause)
    return len(match.group(0)) if match else 0


# --- one clause --------------------------------------------------------------------------------

def _negated(clause: str, start: int, words: Phrases, answer_end: int = 0) -> bool:
    """A negation shortly before the fact, unless it does not deny it ("can't go a day without") or
    is doubled ("I'm not NOT drinking every day"). A "no" that answers the question negates only a
    fact right after it ("no violence"), not one later on ("no, my husband drinks every night"); a
    fact that is itself negative ("not safe") is not turned around."""
    if words.negation.match(clause, start):
        return False
    if answer_end and start > answer_end + 1:
        clause, start = clause[answer_end:], start - answer_end
    before = clause[:start].split()
    near = len(words.negation.findall(" ".join(before[-NEGATION_WINDOW:])))
    wider = len(words.negation.findall(" ".join(before[-2 * NEGATION_WINDOW:])))
    if near == 0 or wider % 2 == 0:  # "not that he isn't drinking daily" denies nothing
        return False
    return not words.not_negation.search(" ".join(before[-NEGATION_WINDOW - 2:]))


@dataclass(frozen=True)
class Facts:
    values: FrozenSet[str]
    first: int  # where the first fact starts (-1: none)
    words: int  # how many words the facts cover


def _facts(clause: str, risky: Pattern[str], safe: Pattern[str], risky_value: str, safe_value: str, words: Phrases,
           answer_end: int = 0) -> Facts:
    """The answers the facts in a clause give. A risky phrase inside a safe one does not count
    ("keep narcan on me" is not an overdose); a negated safe phrase says nothing."""
    found: Set[str] = set()
    safe_spans = [m.span() for m in safe.finditer(clause)]
    found |= {safe_value for a, _ in safe_spans if not _negated(clause, a, words, answer_end)}
    starts = [a for a, _ in safe_spans]
    covered = sum(len(clause[a:b].split()) for a, b in safe_spans)
    for match in risky.finditer(clause):
        if any(a <= match.start() and match.end() <= b for a, b in safe_spans):
            continue
        starts.append(match.start())
        covered += len(match.group(0).split())
        found.add(safe_value if _negated(clause, match.start(), words, answer_end) else risky_value)
    return Facts(frozenset(found), min(starts, default=-1), covered)


def _clause_facts(clause: str, question: Question, words: Phrases, answer_end: int) -> Facts:
    table = words.facts.get(question.id)
    if not table:
        return Facts(frozenset(), -1, 0)
    if question.risk_side:
        return _facts(clause, table["risky"], table["safe"], question.risk_side, str(question.safe_side), words, answer_end)
    return _facts(clause, table[YES], table[NO], YES, NO, words, answer_end)


@dataclass(frozen=True)
class ClauseReading:
    values: FrozenSet[str]
    safe_by_fact: bool  # a fact (not only a "no") gave the safe answer
    unexplained: int  # words no phrase accounts for


def _read_clause(clause: str, question: Question, words: Phrases) -> ClauseReading:
    heads = {
        YES: max(_start(words.heads["yes"], clause), len(clause) if clause in words.yes_whole else 0),
        NO: _start(words.heads["no"], clause),
        "fine": _start(words.heads["fine"], clause),
        "neither": _start(words.heads["neither"], clause),
    }
    head: Optional[str] = max(heads, key=lambda k: heads[k]) if any(heads.values()) else None
    # A bare "no" / "nah" answers the question; "never" or "not" in the head also denies what follows.
    interjection = head == NO and not _DENIAL.search(clause[: heads[NO]])
    facts = _clause_facts(clause, question, words, heads[NO] if interjection else 0)
    unnegated = words.not_negation.search(clause)
    if facts.first == 0 or (head == NO and unnegated and unnegated.start() < heads[NO]):
        head = None  # "no alcohol in the house" is a fact, and "never misses a night" is not a no
    if head == NO and question.risk_side == NO and facts.values == {YES}:
        head = None  # at the home question "no fights since he moved out" denies the trouble, not the safety
    values: Set[str] = set(facts.values)
    if head == YES:
        values.add(YES)
    elif head == NO:
        values.add(NO)
    elif head == "fine" and question.safe_side:
        values.add(question.safe_side)
    # A hedge after a yes or no head counts from the end of it; "not sure" is itself a hedge.
    end = heads[head] if head in (YES, NO, "fine") else 0
    hedge = words.unsure.search(clause, end)
    if head != YES and hedge:
        values.add(UNSURE)
    if head == NO and words.recent.search(clause, end):
        values.add(UNSURE)  # "not since last week": inside the question's time
    content = [w for w in clause[end:].split() if w not in words.neutral]
    unexplained = len(content) - facts.words - (len(hedge.group(0).split()) if hedge else 0)
    safe_by_fact = bool(question.safe_side) and question.safe_side in facts.values
    return ClauseReading(frozenset(values), safe_by_fact, max(0, unexplained))


# --- a whole yes/no answer --------------------------------------------------------------------

def _long_ago(forms: Sequence[str], words: Phrases) -> bool:
    return any(words.long_ago.search(f) for f in forms) and not any(words.recent.search(f) for f in forms)


def _combine(values: Set[str], question: Question) -> Optional[str]:
    """The risky side first on a safety question; a hedge next; the safe answer last."""
    if not values:
        return None
    if question.risk_side:
        for value in (question.risk_side, UNSURE, question.safe_side):
            if value in values:
                return value
    if len(values) == 1:
        return next(iter(values))
    if values == {YES, UNSURE}:
        return YES  # "yes, with some doubts" is still a yes to trying
    return UNSURE


def read_yes_no(question: Question, text: str, clarify: bool = False, forms: Optional[Sequence[str]] = None,
                learned: bool = True, wary: Wary = Wary()) -> Optional[str]:
    """yes / no / unsure for one of the yes-no questions; None when nothing in it answers.

    With `clarify`, a safe answer the phrases or the learned reading are not sure of gives CLARIFY
    (the question is asked once more); without `learned`, the phrases alone read it."""
    words = phrases()
    forms = message_forms(text) if forms is None else forms
    values: Set[str] = set()
    safe_by_fact = False
    unexplained = 0
    doubted = False  # "yes, it's safe, though his brother brings coke over": the rest may carry the risk
    distress = answer_words().distress  # the safety check-in's words for "no, but I've been struggling"
    for form in forms:
        clauses = _clauses(form, words)
        readings = [_read_clause(c.text, question, words) for c in clauses]
        unexplained = max(unexplained, sum(r.unexplained for r in readings))
        for index, reading in enumerate(readings):
            values |= reading.values
            safe_by_fact |= reading.safe_by_fact
            if not question.risk_side or reading.values != {question.safe_side}:
                continue
            # "no, but I've been struggling" on a safety question: what follows the "but" may carry
            # the risk, so the answer is not a plain no.
            rest, rest_readings = clauses[index + 1:], readings[index + 1:]
            if rest and rest[0].after_contrast and not any(r.values for r in rest_readings) \
                    and any(distress.search(c.text) for c in rest):
                values.add(UNSURE)
            doubted |= any(c.after_contrast and not r.values and r.unexplained >= CONTRAST_MIN_WORDS
                           for c, r in zip(rest, rest_readings))
    if question.risk_side == YES and YES in values and _long_ago(forms, words):
        values.discard(YES)  # "once, back in 2019": before the question's time
        values.add(NO)
        safe_by_fact = True
    if not values:  # an emoji answers only on its own: "Nope 👍" is a no
        values = {value for value, marks in words.emoji.items() if any(mark in text for mark in marks)}
    answer = _combine(values, question)
    if doubted and answer == question.safe_side:
        # A safe answer, then "but" and words none of the phrases explain: a mixed answer is never
        # read as the safe one. Asked once more; already asked, it is "not sure".
        answer = CLARIFY if clarify else UNSURE
    if clarify and answer and answer == question.safe_side and not safe_by_fact and unexplained >= CLARIFY_MIN_WORDS:
        # "No" followed by words none of the phrases explain: the risk may be in them. Asked once more.
        answer = CLARIFY
    if not learned or not text.strip():
        return answer
    return with_learned_reading(question, text, answer, safe_by_fact, clarify, wary)


def with_learned_reading(question: Question, text: str, answer: Optional[str], safe_by_fact: bool,
                         clarify: bool, wary: Wary = Wary()) -> Optional[str]:
    """The phrases' answer weighed with the learned reading (bot.screening.classifier).

    The learned reading answers when the phrases found nothing, and decides when it is sure, with
    one exception that keeps the issue's promise: on a safety question it only ever adds caution.
    It lowers the phrases' risky answer to "not sure" only where both lead to the same outcome and
    note (the reason says it is not clear), and never turns either into the safe answer; its
    safe answer alone needs more certainty (below it, the question is asked once more); and a phrase
    "no" it finds likely to be risky is asked about once more (or, already asked, read as risky)."""
    probabilities = classifier().probabilities(question.id, text)
    label, p = best(probabilities)
    risky, safe = question.risk_side, question.safe_side
    if answer is None or answer == CLARIFY:
        if label == OTHER or p < (LEARNED_STRONG if wary.question_like else LEARNED_MIN):
            return answer
        if label == safe and (wary.warning_sign or p < (LEARNED_STRONG if answer == CLARIFY else LEARNED_SAFE_ALONE)):
            return answer if answer == CLARIFY else (CLARIFY if clarify else None)
        return label
    if not risky:
        return label if label != OTHER and p >= LEARNED_STRONG else answer
    if p >= LEARNED_STRONG and {answer, label} == {risky, UNSURE} and (answer == UNSURE or _same_effect(question, risky, UNSURE)):
        return label  # "not sure" made risky; or a risky answer read as unsure where that changes only the reason
    if answer == safe and not safe_by_fact and probabilities.get(risky, 0.0) + probabilities.get(UNSURE, 0.0) >= LEARNED_RISK_OVER_SAFE:
        if clarify:
            return CLARIFY
        return label if label in (risky, UNSURE) else UNSURE
    return answer


def _same_effect(question: Question, one: str, other: str) -> bool:
    """Both answers lead to the same outcome and note, for a person and for a family member."""
    a, b = question.on.get(one), question.on.get(other)
    if a is None or b is None:
        return a is b
    return a.note == b.note and all(a.outcome_for(who) == b.outcome_for(who) for who in (SELF, LOVED_ONE))


# A yes/no question with no risk side and no facts: consent questions in the callback form.
PLAIN_QUESTION = Question(id="consent", dimension=INTAKE, why="")


def read_plain_yes_no(text: str) -> Optional[str]:
    """yes / no / unsure by the same phrases, with no side taken (consent questions: the learned
    reading knows only the fit check's questions)."""
    return read_yes_no(PLAIN_QUESTION, text, learned=False)


# --- the two intake questions -----------------------------------------------------------------

# "Me" and its kin say the check is for the writer when they open the answer or follow "for" or
# "it's" ("this is for me not my kid", "me, my wife made me fill this out"); elsewhere "me" is often
# an object ("my son steals from me", Spanish "no me hace caso") and counts only when no one else is
# named, like "i" and "im" ("im asking for my brother").
_SELF = ("me", "myself", "mine", "self", "my self", "moi", "yo", "mee", "myslef", "meself", "mself",
         "mi misma", "mi mismo")
_SELF_WEAK = ("i", "i am", "im", "my own", "me", "myself", "mine", "yo")
_SPANISH_FAMILY = ("hijo", "hija", "esposo", "esposa", "mama", "papa", "hermano", "hermana", "novio", "novia",
                   "amigo", "amiga", "familia")
# Words an intake answer may open with before saying whom it is for: "its ...", "um ...", "ok so ...".
_LEAD_IN = "its |it is |this is |um |uh |well |ok |so "
_SELF_PLACED = re.compile(
    # opening the answer: "me", "its for me", "myself i guess", "para mi misma"
    r"^ (?:" + _LEAD_IN + r"|just |only |honestly |yes |hi )*(?:for |about |para )?"
    r"(?:" + "|".join(_SELF) + r") "
    # after "for", "it's", "is": "i'm asking for myself", "the person is me"; not "its me asking for
    # my son", nor "para mi hijo"
    r"| (?:for|about|its|it is|is|para) (?:me|myself|mi|mi misma|mi mismo)(?! [a-z]+ (?:for|about)) "
    r"(?!(?:" + "|".join(_SPANISH_FAMILY) + r") )"
    # "my mom is making me do this"
    r"| (?:making|made|makes|forcing|forced|wants|told|sent|pushing|pushed) me "
)
_LOVED = (
    "someone", "somebody", "someone i care about", "loved one", "family", "family member", "son",
    "daughter", "child", "kid", "kids", "teen", "teenager", "husband", "wife", "spouse", "partner",
    "boyfriend", "girlfriend", "fiance", "fiancee", "mom", "mother", "dad", "father", "parent",
    "brother", "sister", "sibling", "friend", "grandson", "granddaughter", "grandchild", "cousin",
    "aunt", "uncle", "niece", "nephew", "relative", "him", "her", "them", "they", "he", "she",
    "stepson", "stepdaughter", "roommate", "coworker", "other", "bf", "gf", "hubby", "wifey", "bro",
    "sis", "mum", "ma", "pa", "stepdad", "stepmom", "grandma", "grandpa", "grandmother",
    "grandfather", "fiancé", "bestie", "best friend", "buddy", "pal", "niña", "hijo", "hija",
    "esposo", "esposa", "mi hijo", "mi hija", "novio", "novia", "amigo", "amiga", "twin", "mama",
    "papa", "hermano", "hermana", "stepchild", "employee", "employees", "ex", "neighbor",
)
# plurals and possessives with the apostrophe gone: "my sons 19", "my husbands drinking"
_LOVED_ALL = _LOVED + tuple(w + "s" for w in _LOVED if " " not in w and not w.endswith("s"))
# "im a mom and i drink every day" says who the writer is, not whom the check is for ("im the parent"
# alone does)
_I_AM_A = re.compile(r" (?:im|i am) (?:a|an|the) [a-z]+ (?=[a-z])")
# Someone else named as the one the check is for: "for my mom, im 15", "asking on behalf of my
# sister", or the answer opening with them ("my roommate, he ... and i'm the one who found him").
_OPENS_WITH = re.compile(
    r"^ (?:" + _LEAD_IN + r"|its for |for )*(?:my |our |a |mi |para mi |para )?([a-z]+) (?:([a-z]+) )?"
)
_FOR_SOMEONE = re.compile(r"(?<! not) (?:for|about|behalf of|with|para) (?:one of )?(?:my|our|a|mi) ([a-z]+) (?:([a-z]+) )?")
_NOT_ME = re.compile(r" not (?:for )?(?:me|myself) ")


def _has(text: str, phrases_: Sequence[str]) -> bool:
    return any(f" {p} " in text for p in phrases_)


def _padded(text: str, keep_commas: bool = False) -> str:
    text = plain_variants(text)[0].lower().replace("\u2019", "'").replace("'", "")
    text = re.sub(r"[^a-z0-9, ]+" if keep_commas else r"[^a-z0-9 ]+", " ", text).replace(",", " , ")
    return " " + " ".join(text.split()) + " "


def parse_screen_for(text: str) -> Optional[str]:
    """Who the check is for: 'myself' -> self, 'my son' -> loved_one. An answer that opens with
    "me" is the writer's ("me for my kids"); then someone named first or as the one it is for
    ("my son, he steals from me", "its for my mom, im 15"); then "for me" anywhere; then anyone
    named; then "i" or "me" alone."""
    t = _NOT_ME.sub(" ", _padded(text))
    t = _I_AM_A.sub(" i ", t)
    if _SELF_PLACED.match(t):
        return SELF
    named = [word for m in (_OPENS_WITH.match(t), *_FOR_SOMEONE.finditer(t)) if m for word in m.groups()]
    if any(word in _LOVED_ALL and word != "other" for word in named):
        return LOVED_ONE
    if _SELF_PLACED.search(t):
        return SELF
    if _has(t, _LOVED_ALL):
        return LOVED_ONE
    if _has(t, _SELF_WEAK):
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


# "not drugs", "she's not using anything": the words after a negation, within the clause, unless
# "just", "only" or "but" follows it ("not just alcohol", "nothing but drinking").
_NOT = re.compile(r" (?:not|no|never|isnt|isn t|nothing)(?! just| only| but) (?:really |any |anything |using |the |on )?([^ ,]+(?: [^ ,]+)?) ")


def parse_concern(text: str) -> Optional[str]:
    """Main concern: alcohol, drugs, mental_health, or several (when more than one is named).

    A concern named after "not" does not count: "not drugs, it's the drinking" is alcohol."""
    t = _padded(text, keep_commas=True)
    for match in _NOT.finditer(t):
        t = t.replace(match.group(0), " ", 1)
    t = t.replace(" , ", " ")
    found = [name for name, words_ in _CONCERNS.items() if _has(t, words_)]
    if _has(t, _SEVERAL) or len(found) > 1:
        return "several"
    return found[0] if found else None


INTAKE_PARSERS = {"screen_for": parse_screen_for, "concern": parse_concern}


# --- the whole message ------------------------------------------------------------------------

def _starts_with_answer(form: str, words: Phrases) -> bool:
    form = words.filler.sub("", form + " ").strip()
    return any(_start(words.heads[key], form) for key in ("yes", "no", "fine")) or bool(words.unsure.match(form))


def _request(forms: Sequence[str], words: Phrases) -> Optional[Kind]:
    if any(form.strip(" .,") in words.stop_whole or words.stop_anywhere.search(form) for form in forms):
        return Kind.STOP
    if any(words.callback.search(form) for form in forms):
        return Kind.CALLBACK
    return None


def _question_kind(forms: Sequence[str], words: Phrases) -> Kind:
    return Kind.WHY if any(words.why.search(form) for form in forms) else Kind.QUESTION


def _starts_as_question(forms: Sequence[str], words: Phrases) -> bool:
    starts = any(_start(words.heads["question_start"], form) for form in forms)
    return starts and not any(_starts_with_answer(form, words) for form in forms)


def _is_risk(question: Question, value: Optional[str]) -> bool:
    return bool(question.risk_side) and value in (question.risk_side, UNSURE)


def read(question_id: str, text: str, intent: Optional[str] = None, confidence: float = 0.0,
         clarify: bool = True, learned: bool = True) -> Reading:
    """How one typed message at one question is read. The crisis layer has already run.

    A message that starts as a question is one ("does kratom count?"). Otherwise a risky answer wins
    over everything else in it ("yes. stop asking" is a yes); then a stop or call request, the
    answer, and the classifier's stop or question.
    clarify: whether an unclear safe answer on a safety question may be asked about once more (not
    when it was just asked about).
    learned: whether the learned reading weighs in; the crisis policy reads with the phrases alone,
    since only a message that plainly gives the risky answer may stand in for the safety check-in."""
    stripped = (text or "").strip()
    question = rules().question(question_id)
    if stripped.startswith("/"):
        if stripped.startswith("/" + STOP_INTENT):
            return Reading(Kind.STOP)
        value = PAYLOADS.get(stripped.split("{")[0])
        return Reading(Kind.ANSWER, value) if value and value in question.answers else Reading(Kind.UNCLEAR)
    words = phrases()
    forms = message_forms(stripped)
    if question.id in INTAKE_PARSERS:
        value: Optional[str] = INTAKE_PARSERS[question.id](stripped)
    else:
        asks = intent in QUESTION_INTENTS or intent == STOP_INTENT
        wary = Wary(question_like="?" in stripped or (asks and confidence >= NLU_MIN_CONFIDENCE),
                    warning_sign=intent == POSSIBLE_RISK_INTENT)
        value = read_yes_no(question, stripped, clarify, forms, learned, wary)
    request = _request(forms, words)
    if _starts_as_question(forms, words) and not request:
        return Reading(_question_kind(forms, words))
    if _is_risk(question, value):
        return Reading(Kind.ANSWER, value)
    if request:
        return Reading(request)
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
