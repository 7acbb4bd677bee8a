"""Reading the safety data in content/safety/: YAML files a clinician can review, checked at load.

A mistake in these files must stop the assistant from starting rather than quietly weaken crisis
detection, so every problem raises SafetyDataError with the file and the rule it concerns.

Patterns are written as a list of alternatives, each a regular expression or a list of pieces
read as one, or as `{any_of: [...]}` (any one of these, as whole words). Inside a pattern,
`{name}` stands for a word list of word_lists.yml or a phrase of the same file, and
`{up to 3 words}` for up to three other words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Pattern, Sequence, Set, Tuple, TypeVar

import yaml

from bot.settings import CONTENT_DIR

SAFETY_DIR = CONTENT_DIR / "safety"
WORD_LISTS_FILE = "word_lists.yml"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_WORD = re.compile(r"^[a-z0-9]+(?: [a-z0-9]+)*$")
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_ ]*)\}")
_FILLER = re.compile(r"^up to (\d+) words?$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SafetyDataError(ValueError):
    """A safety data file is missing, malformed or refers to something unknown."""


@dataclass(frozen=True)
class Where:
    """Where a value comes from, to name it in an error: a file and, inside it, a rule or a field."""

    file: str
    item: str = ""

    def at(self, item: str) -> "Where":
        return Where(self.file, f"{self.item}, {item}" if self.item else item)

    def error(self, message: str) -> SafetyDataError:
        where = f"{self.file}, {self.item}" if self.item else self.file
        return SafetyDataError(f"{where}: {message}")


T = TypeVar("T")


def entries(
    items: Any, where: Where, label: str, build: Callable[[Any, Where], T], id_of: Callable[[T], str]
) -> Tuple[T, ...]:
    """Each item of a list of `label`s built by `build`, named in errors by its id (or position);
    two items with one id are a mistake."""
    if not isinstance(items, list):
        raise where.error(f"{label}s must be a list")
    built: List[T] = []
    first_seen: Dict[str, int] = {}
    for index, node in enumerate(items, 1):
        node_id = node.get("id") if isinstance(node, dict) else None
        at = where.at(f"{label} {node_id}" if isinstance(node_id, str) else f"{label} {index}")
        item = build(node, at)
        if id_of(item) in first_seen:
            raise at.error(f"duplicate id ({label} {first_seen[id_of(item)]} has the same id)")
        first_seen[id_of(item)] = index
        built.append(item)
    return tuple(built)


def read_yaml(directory: Path, name: str) -> Any:
    """The parsed content of one data file."""
    try:
        text = (directory / name).read_text(encoding="utf-8")
    except OSError as exc:
        raise Where(name).error(f"cannot be read ({exc.strerror})") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise Where(name).error(f"not valid YAML: {exc}") from None


def fields(node: Any, where: Where, required: Sequence[str], optional: Sequence[str] = ()) -> Dict[str, Any]:
    """A mapping with all `required` keys and no key outside `required` and `optional`."""
    if not isinstance(node, dict):
        raise where.error(f"expected a mapping with {', '.join(required)}")
    for key in required:
        if node.get(key) in (None, ""):
            raise where.error(f"missing field '{key}'")
    unknown = [str(key) for key in node if key not in required and key not in optional]
    if unknown:
        raise where.error(f"unknown field '{unknown[0]}' (expected {', '.join([*required, *optional])})")
    return node


def text_of(value: Any, where: Where, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise where.error(f"{what} must be text")
    return value


def name_of(value: Any, where: Where, what: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise where.error(f"{what} {value!r} must be lower-case letters, digits and underscores")
    return value


def phrase_list(node: Any, where: Where, allow_empty: bool = False) -> Tuple[str, ...]:
    """A list of phrases a person reads and edits: lower-case words (letters, digits, single
    spaces), each listed once."""
    if node is None and allow_empty:
        return ()
    if not isinstance(node, list) or (not node and not allow_empty):
        raise where.error("expected a list of phrases")
    seen: Set[str] = set()
    for phrase in node:
        if not isinstance(phrase, str) or not _WORD.match(phrase):
            raise where.error(f"{phrase!r} must be lower-case words (quote yes, no, y, n)")
        if phrase in seen:
            raise where.error(f"{phrase!r} is listed twice")
        seen.add(phrase)
    return tuple(node)


_NEVER = re.compile(r"(?!x)x")


def phrase_pattern(phrases: Sequence[str], anchored: bool = False) -> Pattern[str]:
    """One of the phrases as whole words (the longest first), at the start of the text if anchored."""
    if not phrases:
        return _NEVER
    body = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    return re.compile(("^" if anchored else r"(?<![a-z0-9])") + "(?:" + body + r")(?![a-z0-9])")


def alternation(words: Sequence[str]) -> str:
    """One of the words, the longest first so that "sleeping pills" wins over "pills"."""
    return "(?:" + "|".join(sorted(set(words), key=lambda w: (-len(w), w))) + ")"


def filler(n: int) -> str:
    """Up to n words (never crosses a ',' or '.' token)."""
    return "(?:[a-z0-9]+ ){0,%d}?" % n


def load_word_lists(directory: Path) -> Dict[str, Tuple[str, ...]]:
    """word_lists.yml: name -> its words, each checked to be plain lower-case words."""
    where = Where(WORD_LISTS_FILE)
    data = read_yaml(directory, WORD_LISTS_FILE)
    if not isinstance(data, dict) or not data:
        raise where.error("expected a mapping of word lists")
    lists: Dict[str, Tuple[str, ...]] = {}
    for name, node in data.items():
        at = where.at(f"list {name}")
        name_of(name, at, "the list name")
        fields(node, at, ("means", "words"))
        text_of(node["means"], at, "means")
        words = node["words"]
        if not isinstance(words, list) or not words:
            raise at.error("words must be a non-empty list")
        seen: Set[str] = set()
        for word in words:
            if not isinstance(word, str) or not _WORD.match(word):
                raise at.error(
                    f"word {word!r} must be lower-case letters, digits and single spaces "
                    "(quote yes, no, on, off)"
                )
            if word in seen:
                raise at.error(f"word '{word}' is listed twice")
            seen.add(word)
        lists[name] = tuple(words)
    return lists


@dataclass(frozen=True)
class Vocabulary:
    """The word lists and the phrases a file's patterns may name in braces."""

    words: Mapping[str, Tuple[str, ...]]
    phrases: Mapping[str, str] = field(default_factory=dict)

    def with_phrases(self, raw: Any, where: Where) -> "Vocabulary":
        """This vocabulary plus a file's `phrases:` (name -> means, patterns), which may name each other."""
        if raw is None:
            return self
        if not isinstance(raw, dict):
            raise where.error("phrases must be a mapping")
        resolved: Dict[str, str] = {}

        def resolve(name: str, chain: Tuple[str, ...]) -> Optional[str]:
            if name in resolved:
                return resolved[name]
            if name not in raw:
                return None
            at = where.at(f"phrase {name}")
            if name in chain:
                raise at.error("refers to itself: " + " -> ".join([*chain, name]))
            fields(raw[name], at, ("means", "patterns"))
            text_of(raw[name]["means"], at, "means")
            alternatives, whole_words = _alternatives(raw[name]["patterns"], at.at("patterns"))

            def lookup(ref: str) -> Optional[str]:
                return resolve(ref, (*chain, name)) or self._lookup(ref)

            texts = [_expand(a, lookup, at.at("patterns")) for a in alternatives]
            resolved[name] = _join(texts, whole_words, group=True)
            _compile(resolved[name], at.at("patterns"))
            return resolved[name]

        for name in raw:
            at = where.at(f"phrase {name}")
            name_of(name, at, "the phrase name")
            if name in self.words:
                raise at.error(f"has the name of a word list in {WORD_LISTS_FILE}")
            resolve(name, ())
        return Vocabulary(self.words, {**self.phrases, **resolved})

    def _lookup(self, name: str) -> Optional[str]:
        if name in self.words:
            return alternation(self.words[name])
        return self.phrases.get(name)

    def compile(self, spec: Any, where: Where, *, never_empty: bool = False) -> Pattern[str]:
        """A pattern spec compiled; `never_empty` rejects a pattern that would match any message."""
        alternatives, whole_words = _alternatives(spec, where)
        texts = [_expand(a, self._lookup, where) for a in alternatives]
        try:
            compiled = re.compile(_join(texts, whole_words, group=False))
        except re.error:
            for index, text in enumerate(texts, 1):  # name the item at fault
                _compile(text, where.at(f"item {index}"))
            compiled = _compile(_join(texts, whole_words, group=False), where)
        if never_empty and compiled.search("") is not None:
            index = next((i for i, text in enumerate(texts, 1) if re.search(text, "") is not None), 0)
            raise (where.at(f"item {index}") if index else where).error(
                "matches an empty message, so it would match any message"
            )
        return compiled

    def cue(self, name: str, where: Where, used_by: str) -> Pattern[str]:
        """A phrase the code relies on, compiled."""
        if name not in self.phrases:
            raise where.error(f"missing phrase '{name}' (used by the check {used_by})")
        return _compile(self.phrases[name], where.at(f"phrase {name}"))

    def word_set(self, name: str, where: Where, used_by: str) -> FrozenSet[str]:
        """A word list the code uses as single words."""
        if name not in self.words:
            raise Where(WORD_LISTS_FILE).error(f"missing list '{name}' (used by {used_by})")
        return frozenset(self.words[name])


def _alternatives(spec: Any, where: Where) -> Tuple[List[str], bool]:
    """(alternatives, whole words?) of a pattern spec: a list, or {any_of: [...]}."""
    whole_words = False
    if isinstance(spec, dict):
        fields(spec, where, ("any_of",))
        spec, whole_words = spec["any_of"], True
    if isinstance(spec, str):
        spec = [spec]
    if not isinstance(spec, list) or not spec:
        raise where.error("expected a list of patterns or any_of: [...]")
    alternatives = []
    for index, item in enumerate(spec, 1):
        if isinstance(item, list) and item and all(isinstance(piece, str) for piece in item):
            item = "".join(item)
        if not isinstance(item, str) or not item:
            raise where.at(f"item {index}").error("expected a non-empty pattern (text, or a list of pieces)")
        alternatives.append(item)
    return alternatives, whole_words


def _expand(template: str, lookup: Callable[[str], Optional[str]], where: Where) -> str:
    def fill(match: "re.Match[str]") -> str:
        name = match.group(1)
        count = _FILLER.match(name)
        if count:
            return filler(int(count.group(1)))
        value = lookup(name)
        if value is None:
            raise where.error(f"unknown word list or phrase {{{name}}}")
        return value

    return _PLACEHOLDER.sub(fill, template)


def _join(texts: List[str], whole_words: bool, *, group: bool) -> str:
    joined = "|".join(texts)
    if whole_words:
        return r"\b(?:" + joined + r")\b"
    return "(?:" + joined + ")" if group and len(texts) > 1 else joined


def _compile(text: str, where: Where) -> Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise where.error(f"invalid regular expression: {exc}") from None
