"""Text normalisation: the form of a message the safety rules read.

People write to this assistant late at night, by SMS, in slang and with typos. Before any rule is
tried a message is lower-cased; unicode quotes, look-alike letters and invisible characters are
mapped; SMS shorthand, contractions and common misspellings are written out (the table is
content/safety/shorthand.yml); leetspeak and words spelled letter by letter are rejoined; letters
repeated three times or more are squeezed. Punctuation becomes " . " between sentences and " , "
between clauses, which is what the rules' context checks split on.

Pure text processing with bounded repetition only (linear time); input is truncated to MAX_CHARS.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Pattern, Tuple

from bot.safety.data import SAFETY_DIR, Where, read_yaml

MAX_CHARS = 5000
SHORTHAND_FILE = "shorthand.yml"

_CHAR_TABLE = {ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u02bc\u02b9`\u00b4"}
_CHAR_TABLE.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"})
_CHAR_TABLE.update({ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"})
_CHAR_TABLE.update({ord(c): " , " for c in "\u2013\u2014\u2015"})
_CHAR_TABLE.update({ord(c): " " for c in "\n\r\t"})  # SMS line breaks split sentences at random
# Look-alike letters (Cyrillic, Greek) that defeat a plain keyword match: "kіll" with a Cyrillic i.
_CHAR_TABLE.update(
    {
        ord(k): v
        for k, v in zip(
            "аеорсухіјѕԁӏһкмтвнАЕОРСУХІЈЅКМТВНοαιεκνρτυχ",
            "aeopcyxijsdlhkmtbhaeopcyxijskmtbhoaiekvptux",
        )
    }
)

# Laughing / skull emoji read as "lol": "i'm dead 💀" is laughter.
_LAUGH_EMOJI = re.compile("[\U0001F602\U0001F923\U0001F606\U0001F605\U0001F639\U0001F480\u2620]")

_PRE_SUBS: Tuple[Tuple[Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"\bo\s?\.\s?d\b\.?", " od "),  # o.d.
        (r"\bod(?:'d|'ed|-d|-ed|ed)\b", " overdosed "),  # od'd, od-ed, oded
        (r"\bod(?:'ing|-ing|ing)\b", " overdosing "),
        (r"\bod(?:'s|-s)\b", " overdoses "),
        (r"\bw/o\b", " without "),
        (r"\bw/", " with "),
        (r"\bb/c\b", " because "),
        (r"(?<=[a-z])\s*\+\s*(?=[a-z])", " and "),
        (r"&", " and "),
        (r"\.{2,}", " "),  # ellipsis is a pause, not a sentence end
        (r"[!?;:]+", " . "),
        (r"\.(?=\s|$|[\"')\]])|(?<=\s)\.", " . "),
        (r"(?<! )\.|\.(?! )", " "),  # a dot inside a word or a number ("a.m.", "3.5"); " . " stays
        (r",", " , "),
        (r"[^a-z0-9'., ]+", " "),
    )
)

_PRONOUN_S = frozenset(
    "he she it that what who there here everyone everybody someone somebody nobody where how".split()
)

_POST_SUBS: Tuple[Tuple[Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"\bi m\b", "i am"),
        (r"\bmy sel(?:f|ve)\b", "myself"),
        (r"\bhim self\b", "himself"),
        (r"\bher self\b", "herself"),
        (r"\bthem ?sel(?:f|ves)\b", "themselves"),
        (r"\byour self\b", "yourself"),
        (r"\bany more\b", "anymore"),
        (r"\bevery (one|body)\b", r"every\1"),
        (r"\bsome (one|body)\b", r"some\1"),
        (r"\bno body\b", "nobody"),
        (r"\bill (?=(?:kill|hurt|do|end|be|just|never|go|take|jump|shoot|stab|beat|murder|make|die"
         r"|probably|actually|fucking|cut|overdose|od|swallow|drink|finish|show|get|try|slit|hang"
         r"|really|definitely|literally|end|run|burn|choke|strangle)\b)", "i will "),
        (r"\bid (?=(?:rather|be|never|just|kill|die|like|love|want|hurt|have|take|do|better)\b)",
         "i would "),
        (r"\b(want|wanted|wants|going|got|have|need|needs|about|ready|try|trying|plan|planning|"
         r"used|how) 2\b", r"\1 to"),
    )
)

_REPEAT3 = re.compile(r"([a-z])\1{2,}")
_SPACES = re.compile(r"\s+")
_TOKEN_SPLIT = re.compile(r"[a-z0-9']+|[.,]")

_LEET = str.maketrans("013457", "oieast")
_NOT_LEET = re.compile(r"^(?:\d+(?:[a-z]{1,3})?|m30s?|[a-z]\d+|\d+[a-z]+\d+|b4|2nite|2night|2day|"
r"2morrow)$")

_UPPER_OD = re.compile(r"\bOD(?:'?[dD]|'?ED|'?ed|-d|-ed)\b")
_UPPER_ODING = re.compile(r"\bOD(?:'?ING|'?ing|-ing)\b")
# Words spelled out letter by letter ("d i e") that are rejoined.
_SPELLED = re.compile(r"\b(?:[a-z] ){2,9}[a-z]\b")
_SPELLED_WORDS = frozenset("die dead kill kms kys suicide suicidal overdose help".split())
_LEET_SYMBOL = re.compile(r"(?<=[a-z])[@$]|[@$](?=[a-z])")
_SHORTHAND_KEY = re.compile(r"^[a-z0-9']+$")


def load_shorthand(directory: Path = SAFETY_DIR) -> Dict[str, str]:
    """shorthand.yml: one table from its sections (contractions, SMS shorthand, misspellings)."""
    where = Where(SHORTHAND_FILE)
    data = read_yaml(directory, SHORTHAND_FILE)
    if not isinstance(data, dict) or not data:
        raise where.error("expected sections of word: meaning")
    table: Dict[str, str] = {}
    section_of: Dict[str, str] = {}
    for section, entries in data.items():
        at = where.at(f"section {section}")
        if not isinstance(entries, dict) or not entries:
            raise at.error("expected word: meaning lines")
        for word, meaning in entries.items():
            if not isinstance(word, str) or not _SHORTHAND_KEY.match(word):
                raise at.error(f"{word!r} must be one lower-case word (quote yes, no, on, off)")
            if not isinstance(meaning, str) or not meaning.strip():
                raise at.error(f"'{word}' needs the words it stands for")
            if word in section_of:
                raise at.error(f"'{word}' is already in section {section_of[word]}")
            section_of[word] = str(section)
            table[word] = meaning
    return table


@lru_cache(maxsize=None)
def shorthand() -> Mapping[str, str]:
    """The shorthand table of content/safety/, loaded once."""
    return load_shorthand()


def _expand_token(word: str, table: Mapping[str, str]) -> str:
    word = word.strip("'")
    if not word:
        return ""
    if word in table:
        return table[word]
    if not word.isalpha() and not _NOT_LEET.match(word) and any(c.isalpha() for c in word):
        word = word.translate(_LEET)  # leetspeak: "k1ll", "su1c1de"
        if word in table:
            return table[word]
    if "'" in word:
        if word.endswith("n't"):
            word = word[:-3] + " not"
        elif word.endswith("'re"):
            word = word[:-3] + " are"
        elif word.endswith("'ve"):
            word = word[:-3] + " have"
        elif word.endswith("'ll"):
            word = word[:-3] + " will"
        elif word.endswith("'d"):
            word = word[:-2] + " would"
        elif word.endswith("'m"):
            word = word[:-2] + " am"
        elif word.endswith("'s"):
            stem = word[:-2]
            word = stem + (" is" if stem in _PRONOUN_S else "s")
        word = word.replace("'", "")
        return table.get(word, word)
    return word


def _expand(text: str) -> str:
    table = shorthand()
    out = " ".join(_expand_token(t, table) for t in _TOKEN_SPLIT.findall(text))
    for pattern, repl in _POST_SUBS:
        out = pattern.sub(repl, out)
    return _SPACES.sub(" ", out).strip()


def _join_spelled(match: "re.Match[str]") -> str:
    joined = match.group(0).replace(" ", "")
    return joined if joined in _SPELLED_WORDS else match.group(0)


def _fold_accents(text: str) -> str:
    """Letters without their accents ("tomé" -> "tome", "más" -> "mas"), so Spanish keeps its words."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(_CHAR_TABLE)
    text = _fold_accents(text)
    text = _UPPER_ODING.sub(" overdosing ", _UPPER_OD.sub(" overdosed ", text)).lower()
    text = _LAUGH_EMOJI.sub(" lol ", text)
    text = _LEET_SYMBOL.sub(lambda m: "a" if m.group(0) == "@" else "s", text)
    for pattern, repl in _PRE_SUBS:
        text = pattern.sub(repl, text)
    return _SPELLED.sub(_join_spelled, _SPACES.sub(" ", text))


def variants(text: str) -> List[str]:
    """Normalized forms of a message: letters repeated 3+ times squeezed to two, and to one."""
    prepared = _prepare(text)
    two = _expand(_REPEAT3.sub(r"\1\1", prepared))
    one = _expand(_REPEAT3.sub(r"\1", prepared))
    return [two] if one == two else [two, one]


def plain_variants(text: str) -> List[str]:
    """Forms of a message with punctuation and accents normalised but no English shorthand written
    out: the rules for other languages read these ("ya no aguanto" must not become "you no ...")."""
    prepared = _SPACES.sub(" ", _prepare(text)).strip()
    two = _REPEAT3.sub(r"\1\1", prepared)
    one = _REPEAT3.sub(r"\1", prepared)
    return [two] if one == two else [two, one]


def normalize(text: str) -> str:
    """The main normalized form of a message (lowercase words, '.' and ',' as separate tokens)."""
    return variants(text)[0]
