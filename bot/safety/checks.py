"""Context checks: what explains a crisis match away (a denial, a past event, laughter, an idiom).

A rule in content/safety/crisis_rules.yml lists its checks under `unless`. The checks below need
more than a pattern (they look back over words, weigh recent against past, or combine several
cues), so they are code; NAMED_CHECKS is the registry the rules may name. Their cue words and
phrases are data too (word_lists.yml, and the phrases of crisis_rules.yml). Each check returns True
when the match should not fire.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, List, Pattern, Tuple

_SENT_SEPS = (" . ",)
_CLAUSE_SEPS = (" . ", " , ", " but ", " now ", " though ", " although ", " however ", " yet ")
_LOL = re.compile(r"\b(?:lol|lmao|lmfao|haha\w*|jaja\w*|jeje\w*|jk)\b")
_JUST_BEFORE = re.compile(r"\bjust $")
_NOT_INSIDE = re.compile(r"\b(?:not|never)\b")


@dataclass(frozen=True)
class Cues:
    """The word lists and phrases the named checks rely on (loaded with the rules)."""

    negators: FrozenSet[str]
    negation_exceptions: FrozenSet[str]
    stops: FrozenSet[str]
    past_lead: Pattern[str]
    past_time: Pattern[str]
    recovered: Pattern[str]
    recent: Pattern[str]
    not_recent_again: Pattern[str]
    contrast: Pattern[str]
    question_start: Pattern[str]
    hypothetical_start: Pattern[str]
    happening_now: Pattern[str]


def bounds(text: str, start: int, end: int, seps: Tuple[str, ...]) -> Tuple[int, int]:
    """The span of the sentence or clause (delimited by `seps`) around text[start:end]."""
    left = max((text.rfind(s, 0, start) + len(s) if text.rfind(s, 0, start) >= 0 else 0) for s in seps)
    rights = [text.find(s, end) for s in seps]
    rights = [r for r in rights if r >= 0]
    return left, (min(rights) if rights else len(text))


@dataclass(frozen=True)
class Found:
    """One match of a rule in a normalised message, with the text the checks look at around it."""

    text: str
    start: int
    end: int
    matched: str
    sentence: str
    sentence_end: int
    before: str  # the clause up to the match (at most 120 characters)
    after: str  # the rest of the sentence after the match (at most 80 characters)

    @classmethod
    def of(cls, text: str, match: "re.Match[str]") -> "Found":
        start, end = match.span()
        s0, s1 = bounds(text, start, end, _SENT_SEPS)
        c0, _ = bounds(text, start, end, _CLAUSE_SEPS)
        return cls(
            text=text,
            start=start,
            end=end,
            matched=match.group(0),
            sentence=text[s0:s1],
            sentence_end=s1,
            before=text[max(c0, start - 120):start],
            after=text[end:min(s1, end + 80)].lstrip(),
        )


Check = Callable[[Found, Cues], bool]


def _denial_before(before: str, cues: Cues) -> bool:
    """A negator among the last five words before the match, with no clause stop in between."""
    tokens = before.split()[-5:]
    for i in range(len(tokens) - 1, -1, -1):
        tok = tokens[i]
        if tok in cues.negators:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if nxt not in cues.negation_exceptions:
                return True
            continue
        if tok in cues.stops:
            return False
    return False


def _contrast_after(found: Found, cues: Cues) -> bool:
    return cues.contrast.search(found.text[found.end:found.sentence_end]) is not None


def negated(found: Found, cues: Cues) -> bool:
    """A denial just before the words ("I'm not suicidal"), unless the sentence goes on "but ...
    sometimes"."""
    return _denial_before(found.before, cues) and not _contrast_after(found, cues)


def negated_inside(found: Found, cues: Cues) -> bool:
    """"not" or "never" within the matched words ("I would never hurt him"), with the same exception."""
    return _NOT_INSIDE.search(found.matched) is not None and not _contrast_after(found, cues)


def _past_lead(before: str, cues: Cues) -> bool:
    """'used to' / 'history of' directly governing the match."""
    tokens = before.split()[-6:]
    tail: List[str] = []
    for tok in reversed(tokens):
        if tok in cues.stops and tok not in ("i", "he", "she", "they"):
            break
        tail.insert(0, tok)
    return bool(cues.past_lead.search(" ".join(tail)))


def past(found: Found, cues: Cues) -> bool:
    """A clearly past, resolved event ("two years ago", or "18 months clean" anywhere in the sentence);
    a recent one ("last night", "again") still counts."""
    text, start, end = found.text, found.start, found.end
    s0, s1 = bounds(text, start, end, _SENT_SEPS)
    sentence = text[s0:s1]
    recent_text = cues.not_recent_again.sub(" ", sentence)
    if cues.recent.search(recent_text):
        return False
    if _JUST_BEFORE.search(text[max(s0, start - 6):start]):
        return False
    c0, c1 = bounds(text, start, end, _CLAUSE_SEPS)
    clause = text[c0:c1]
    if cues.past_time.search(clause) or cues.recovered.search(sentence):
        return True
    return _past_lead(text[c0:start], cues)


def laughing(found: Found, cues: Cues) -> bool:
    """Laughter ("lol", a laughing emoji) in the same sentence marks a figure of speech."""
    return _LOL.search(found.sentence) is not None


_KILL_ME = re.compile(r"\b(?:kil{1,2}|murder) (?:me|us)$")
_CONDITIONAL = re.compile(r"(?:if|when|once|for|lol|after|because|before|unless)\b")
_REAL_THREAT = re.compile(
    r"\b(?:said|says|swore|swears|told me|texted|threat\w*|gun|knife|weapon|hit|hits|hitting|beat|"
    r"beats|beating|chok\w+|strangl\w+|scared|afraid|terrified|danger|safe|hurt me|hurts me|drunk|"
    r"high|abus\w+|violent|police|911|help|hiding|locked|cops|divorc\w+|report\w*|tell anyone|tell someone|"
    r"told anyone|talked to you|talking to you)\b"
    # leaving him, or trying to: "he'll kill me if i leave" (not "if i leave the dishes")
    r"|(?<!take )(?<!taking )(?<!took )\bleav(?:e|ing)(?: (?:him|her|them|home|the house|the relationship))?(?= ?(?:[.,!?]|$))"
)
_HIT_ME = re.compile(r"\bhit\w* (?:me|us)$")


def kill_me_figure_of_speech(found: Found, cues: Cues) -> bool:
    """'My mom will kill me if she finds out' is a figure of speech; 'he'll kill me' is not, nor is
    any sentence with a sign of a real threat (a weapon, a beating, the police)."""
    return bool(
        _KILL_ME.search(found.matched)
        and (_CONDITIONAL.match(found.after) or _LOL.search(found.sentence))
        and not _REAL_THREAT.search(found.sentence)
    )


def hit_me_up(found: Found, cues: Cues) -> bool:
    """'He hit me up' means he got in touch."""
    return bool(_HIT_ME.search(found.matched)) and found.after.startswith("up")


def general_question(found: Found, cues: Cues) -> bool:
    """A question about the topic in general ("what are the signs of an overdose?") with nothing in
    its sentence said to be happening now ("my son took...", "I am...", "right now"), or a supposition
    ("what happens if I tell my counselor...", "if someone in the program...")."""
    sentence = found.sentence.lstrip(" ,")
    if cues.hypothetical_start.match(sentence):
        return True
    return bool(cues.question_start.match(sentence)) and not cues.happening_now.search(sentence)


NAMED_CHECKS: Dict[str, Check] = {
    "negated": negated,
    "negated_inside": negated_inside,
    "past": past,
    "laughing": laughing,
    "kill_me_figure_of_speech": kill_me_figure_of_speech,
    "hit_me_up": hit_me_up,
    "general_question": general_question,
}


def preceded_by(pattern: Pattern[str]) -> Check:
    """One of the patterns comes just before the match, in the same clause."""
    return lambda found, cues: pattern.search(found.before) is not None


def followed_by(pattern: Pattern[str]) -> Check:
    """The words right after the match begin like one of the patterns."""
    return lambda found, cues: pattern.match(found.after) is not None


def in_sentence(pattern: Pattern[str]) -> Check:
    """One of the patterns occurs anywhere in the sentence of the match."""
    return lambda found, cues: pattern.search(found.sentence) is not None


def in_message(pattern: Pattern[str]) -> Check:
    """One of the patterns matches the whole message (a sign of danger in another sentence counts)."""
    return lambda found, cues: pattern.search(found.text) is not None


PATTERN_CHECKS: Dict[str, Callable[[Pattern[str]], Check]] = {
    "before": preceded_by,
    "after": followed_by,
    "in_sentence": in_sentence,
    "in_message": in_message,
}
