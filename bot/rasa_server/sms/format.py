"""Text-message formatting, as pure functions.

SMS is plain text: no buttons, no emoji budget, and every character outside the GSM-7 alphabet
switches the whole message to UCS-2, which cuts a segment from 160 to 70 characters and triples
the cost. Buttons become one numbered line, and a "2" sent back maps to that button's payload.
One text's turn (turn.py) applies these functions.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

# The GSM 03.38 basic character set (one septet each) and its extension table (escape + septet).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€")

# Typographic characters that have a plain GSM-7 equivalent.
_REPLACEMENTS: Dict[str, str] = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "-", "\u00b7": "-", "\u2044": "/",
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ",
    "\t": " ", "\r\n": "\n", "\r": "\n",
}
_DROPPED = "\x00"  # marks a removed character while cleaning up the spaces around it
_REPLACE = re.compile("|".join(re.escape(k) for k in sorted(_REPLACEMENTS, key=len, reverse=True)))

MAX_INBOUND_CHARS = 1600
SMS_PART_LIMIT = 320

_NUMERIC_REPLY = re.compile(
    r"^\s*(?:#\s*|no\.?\s*|num(?:ber)?\.?\s*|option\s*|opt\.?\s*)?(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE
)
_SENTENCE_BREAK = re.compile(r"((?:(?<=[.!?])|(?<=[.!?][\"')\]]))[ ]+|[ ]*\n+[ ]*)")
_WORD_BREAK = re.compile(r"(\s+)")


def _fold(ch: str) -> str:
    """A character outside GSM-7 as its closest GSM-7 text ('í' -> 'i'), or '' (emoji, symbols)."""
    decomposed = "".join(_REPLACEMENTS.get(c, c) for c in unicodedata.normalize("NFKD", ch))
    return "".join(c for c in decomposed if c in GSM7_BASIC or c in GSM7_EXTENDED)


def to_gsm7(text: str) -> str:
    """Text that fits the GSM-7 alphabet: typographic marks replaced, accents folded, emoji dropped."""
    text = _REPLACE.sub(lambda m: _REPLACEMENTS[m.group(0)], text or "")
    out = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENDED:
            out.append(ch)
        elif unicodedata.category(ch) == "Zs":
            out.append(" ")
        else:
            out.append(_fold(ch) or _DROPPED)
    # "home 🏠." -> "home." rather than "home ."
    folded = re.sub(f" *{_DROPPED}+(?=[ .,!?;:)\n]|$)", "", "".join(out)).replace(_DROPPED, "")
    lines = [" ".join(line.split()) for line in folded.split("\n")]
    collapsed = "\n".join(lines)
    collapsed = re.sub(r"\n{3,}", "\n\n", collapsed)
    return collapsed.strip()


def septets(text: str) -> int:
    """Length of text in GSM-7 septets: extension characters take two."""
    return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)


def render_buttons(text: str, buttons: Optional[Sequence[Mapping[str, Any]]]) -> str:
    """Text with its buttons as one compact numbered line the user can answer with a digit."""
    titles = [str(b.get("title") or b.get("payload") or "").strip() for b in buttons or []]
    titles = [t for t in titles if t]
    if not titles:
        return text
    options = " ".join(f"{i}) {title}" for i, title in enumerate(titles, start=1))
    return f"{text.rstrip()}\n{options}" if text.strip() else options


def _hard_cut(word: str, limit: int) -> List[str]:
    """A single word longer than the limit, cut into pieces of at most `limit` septets."""
    pieces: List[str] = []
    current = ""
    for ch in word:
        if septets(current + ch) > limit:
            pieces.append(current)
            current = ""
        current += ch
    if current:
        pieces.append(current)
    return pieces


def _pack(tokens: List[str], limit: int, split_long: Any) -> List[str]:
    """Greedy packing of [piece, separator, piece, ...] into parts of at most `limit` septets."""
    parts: List[str] = []
    current = ""
    for i in range(0, len(tokens), 2):
        piece = tokens[i]
        sep = tokens[i - 1] if i else ""
        if not piece:
            continue
        if not current:
            candidate = piece
        else:
            candidate = current + sep + piece
        if septets(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if septets(piece) <= limit:
            current = piece
        else:
            pieces = split_long(piece)
            parts.extend(pieces[:-1])
            current = pieces[-1] if pieces else ""
    if current:
        parts.append(current)
    return parts


def split_message(text: str, limit: int = SMS_PART_LIMIT) -> List[str]:
    """Parts of at most `limit` GSM-7 septets, split at sentences, then words; no empty parts."""
    if limit < 2:
        raise ValueError("limit must be at least 2 septets")
    text = (text or "").strip()
    if not text:
        return []
    if septets(text) <= limit:
        return [text]

    def split_sentence(sentence: str) -> List[str]:
        return _pack(_WORD_BREAK.split(sentence), limit, lambda word: _hard_cut(word, limit))

    parts = _pack(_SENTENCE_BREAK.split(text), limit, split_sentence)
    return [p.strip() for p in parts if p.strip()]


def map_numeric_reply(text: str, buttons: Optional[Sequence[Mapping[str, Any]]]) -> Optional[str]:
    """The payload of the button the user picked by number ("2", "#2", "option 2"), else None."""
    if not buttons or not text:
        return None
    match = _NUMERIC_REPLY.match(text)
    if not match:
        return None
    index = int(match.group(1))
    if 1 <= index <= len(buttons):
        payload = buttons[index - 1].get("payload")
        return str(payload) if payload else None
    return None


def compose_sms(messages: Iterable[Mapping[str, Any]], prefix: str = "", limit: int = SMS_PART_LIMIT) -> List[str]:
    """One turn's bot messages as SMS parts: GSM-7 text, numbered options, <= `limit` septets each.

    Only the last message that has buttons is numbered, so "1" always means one thing; that
    message's buttons are the ones the channel later reads from the tracker to map a reply.
    """
    items = [m for m in messages if (m.get("text") or "").strip() or m.get("buttons")]
    last_with_buttons = max((i for i, m in enumerate(items) if m.get("buttons")), default=-1)
    blocks = [prefix.strip()] if prefix.strip() else []
    for i, message in enumerate(items):
        text = str(message.get("text") or "").strip()
        if i == last_with_buttons:
            text = render_buttons(text, message.get("buttons"))
        if text:
            blocks.append(text)
    return split_message(to_gsm7("\n\n".join(blocks)), limit)
