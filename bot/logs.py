"""Logging that keeps names and phone numbers out of log files.

People contact an addiction and mental health program in confidence; log files are copied,
shipped and kept far longer than the data they describe. A filter on the handlers masks
phone-number-like digit runs and the values of known personal fields in every record, including
tracebacks, whichever library wrote it. Our own code still never logs them on purpose.
"""
from __future__ import annotations

import logging
import re
import sys
from typing import Optional, Union

MASK = "[redacted]"

# Values of these keys are masked in `key=value`, `key: value`, `"key": "value"` forms. Besides
# personal fields and secrets: what a person typed ("text", "message", Twilio's "Body") and what we
# kept from it ("value" of a slot event, the "slots" of a tracker), wherever JSON reaches a log.
SENSITIVE_KEYS = (
    "text",
    "message",
    "body",
    "request_body",
    "value",
    "slots",
    "first_name",
    "last_name",
    "full_name",
    "name",
    "phone",
    "phone_e164",
    "phone_number",
    "mobile",
    "email",
    "from",
    "to",
    "caller",
    "password",
    "passwd",
    "secret",
    "token",
    "auth_token",
    "authorization",
    "cookie",
    "set-cookie",
)

_KEYS = "|".join(re.escape(key) for key in sorted(SENSITIVE_KEYS, key=len, reverse=True))
_KEY = re.compile(rf"""(?<![\w-])["']?(?:{_KEYS})["']?\s*[:=]\s*""", re.IGNORECASE)
# Where an unquoted value ends: the next `key=`/`key:` (after a comma or a space), a separator of
# query strings and headers, a line break, or a bracket closing around it.
_NEXT_KEY = re.compile(r"""(?:,\s*|\s+)["']?[A-Za-z_][\w.-]*["']?\s*[:=]|[&;\n)}\]]""")
_SCHEME = re.compile(r"(?:Bearer|Basic)\s+\S+", re.IGNORECASE)
_CLOSE = {"{": "}", "[": "]"}


def _quoted_end(text: str, start: int) -> int:
    """Index after the string literal opening at `start` (backslash escapes honoured)."""
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return len(text)


def _bracketed_end(text: str, start: int) -> int:
    """Index after the object or list opening at `start`, nested ones and strings inside included."""
    stack, i = [_CLOSE[text[start]]], start + 1
    while i < len(text) and stack:
        ch = text[i]
        if ch in "\"'":
            i = _quoted_end(text, i)
            continue
        if ch in _CLOSE:
            stack.append(_CLOSE[ch])
        elif ch == stack[-1]:
            stack.pop()
        i += 1
    return i


def _value_end(text: str, start: int) -> int:
    """Where the value that starts at `start` ends, whatever its form."""
    if start >= len(text):
        return start
    if text[start] in "\"'":
        return _quoted_end(text, start)
    if text[start] in _CLOSE:
        return _bracketed_end(text, start)
    scheme = _SCHEME.match(text, start)
    if scheme:
        return scheme.end()
    following = _NEXT_KEY.search(text, start)
    return following.start() if following else len(text)


def _mask_fields(text: str) -> str:
    out, position = [], 0
    for match in _KEY.finditer(text):
        if match.start() < position:  # inside a value already masked
            continue
        start = match.end()
        end = _value_end(text, start)
        if end == start:
            continue
        quote = text[start] if text[start] in "\"'" else ""
        out.append(text[position:start] + f"{quote}{MASK}{quote}")
        position = end
    out.append(text[position:])
    return "".join(out)


# ISO dates and times are left alone; anything else with 7+ digits joined by phone separators
# (spaces, dots, dashes, parentheses, slashes; a leading + or URL-encoded %2B) is masked.
_NUMBERISH = re.compile(
    r"(?P<date>\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?)"
    r"|(?P<phone>(?<![\w%+])(?:\+|%2[Bb])?\(?\d(?:[ .\-/()]{0,3}\d){6,}(?!\w))"
)


def redact(text: str) -> str:
    """`text` with personal fields and phone-number-like digit runs masked."""
    if not text:
        return text

    def number(match: "re.Match[str]") -> str:
        return match.group("date") or MASK

    return _NUMBERISH.sub(number, _mask_fields(text))


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback text) in place; never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_iop_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template only
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._iop_redacted = True  # type: ignore[attr-defined]
        return True


def install_redaction(logger: Optional[logging.Logger] = None) -> None:
    """Add the redacting filter to every handler of `logger` (default: the root logger).

    Handler filters see records propagated from all child loggers; a filter on the logger itself
    would not. Safe to call repeatedly; call again after adding handlers.
    """
    target = logger if logger is not None else logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def configure_logging(level: Union[int, str] = logging.INFO) -> None:
    """Plain timestamped logs on stderr for our processes, with redaction installed."""
    root = logging.getLogger()
    if isinstance(level, str):
        level = logging.getLevelName(level.upper())
        if not isinstance(level, int):
            level = logging.INFO
    root.setLevel(level)
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    install_redaction(root)
