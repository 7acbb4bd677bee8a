"""Log redaction: no phone numbers or personal fields reach a log line."""
from __future__ import annotations

import io
import logging
from typing import Iterator, Tuple

import pytest

from bot.logs import MASK, RedactingFilter, configure_logging, install_redaction, redact

# text, expected
REDACT_CASES = [
    ("call +14105550142 now", f"call {MASK} now"),
    ("call (410) 555-0142 now", f"call {MASK} now"),
    ("call 410-555-0142", f"call {MASK}"),
    ("call 410.555.0142", f"call {MASK}"),
    ("call 410 555 0142", f"call {MASK}"),
    ("call 1-410-555-0142", f"call {MASK}"),
    ("call 555-0142", f"call {MASK}"),  # seven digits
    ("uk +44 20 7946 0958", f"uk {MASK}"),
    ("From=%2B14105550142&Body=hi", f"From={MASK}&Body={MASK}"),
    # what a person typed and what we kept from it, in JSON and Python reprs
    ('{"event": "user", "text": "my son uses heroin", "x": 1}', f'{{"event": "user", "text": "{MASK}", "x": 1}}'),
    ('{"text": "he said \\"help\\" twice", "x": 1}', f'{{"text": "{MASK}", "x": 1}}'),
    ("{'text': \"I'm scared\", 'x': 1}", f"{{'text': \"{MASK}\", 'x': 1}}"),
    ('{"event": "slot", "name": "self_harm", "value": "yes"}', f'{{"event": "slot", "name": "{MASK}", "value": "{MASK}"}}'),
    ('"slots": {"self_harm": "yes", "concern": "drugs"}, "paused": false', f'"slots": {MASK}, "paused": false'),
    ('{"request_body": "x", "error": "boom"}', f'{{"request_body": "{MASK}", "error": "boom"}}'),
    ("message='I want to die' code=3", f"message='{MASK}' code=3"),
    ("Authorization: Bearer abc.def-123 next", f"Authorization: {MASK} next"),
    # unquoted values run to the next key or the end of the line; nested objects and lists go whole
    ("UserUttered(text: my son uses heroin, intent: greet)", f"UserUttered(text: {MASK}, intent: greet)"),
    ("message=I want to die", f"message={MASK}"),
    ("first_name=Ann Marie status=new", f"first_name={MASK} status=new"),
    ('"slots": {"a": {"b": "Sam"}, "c": ["Quintessa"]}, "paused": false', f'"slots": {MASK}, "paused": false'),
    ('{"text": ["I use heroin"], "x": 1}', f'{{"text": {MASK}, "x": 1}}'),
    ('{"text": "a } in it", "x": 1}', f'{{"text": "{MASK}", "x": 1}}'),
    ("text: two\nnext line", f"text: {MASK}\nnext line"),
    ("number4105550142", "number4105550142"),  # glued to a word: an identifier, not a number
    ("ref HL-7K3Q claimed", "ref HL-7K3Q claimed"),
    ("at 2026-11-26 20:58:00,123 ok", "at 2026-11-26 20:58:00,123 ok"),
    ("at 2026-11-26T20:58:00+00:00 ok", "at 2026-11-26T20:58:00+00:00 ok"),
    ("took 120 ms, 3 rows, port 5005", "took 120 ms, 3 rows, port 5005"),
    ("first_name=Ann status=new", f"first_name={MASK} status=new"),
    ("CallbackData(first_name='Ann', phone_e164='+14105550142', urgent=False)",
     f"CallbackData(first_name='{MASK}', phone_e164='{MASK}', urgent=False)"),
    ('{"first_name": "Ann", "ref": "HL-7K3Q"}', f'{{"first_name": "{MASK}", "ref": "HL-7K3Q"}}'),
    ("Name: Ann; Phone: 4105550142", f"Name: {MASK}; Phone: {MASK}"),
    ("password=hunter2&username=staff", f"password={MASK}&username=staff"),
    ("Authorization: Bearer", f"Authorization: {MASK}"),
    ("hostname=web1", "hostname=web1"),  # 'name' inside a longer key is not a name
    ("", ""),
]


@pytest.mark.parametrize("text, expected", REDACT_CASES)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.fixture
def captured() -> Iterator[Tuple[logging.Logger, io.StringIO]]:
    """A private logger with one handler writing to a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("test.logs.private")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, stream
    logger.removeHandler(handler)


def test_filter_masks_arguments_and_tracebacks(captured: Tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    install_redaction(logger)
    install_redaction(logger)  # twice is harmless
    assert sum(isinstance(f, RedactingFilter) for f in logger.handlers[0].filters) == 1

    logger.info("texting %s for %s", "+14105550142", {"first_name": "Ann"})
    try:
        raise ValueError("bad phone 410-555-0142")
    except ValueError:
        logger.exception("failed for first_name=%s", "Ann")
    output = stream.getvalue()
    assert "4105550142" not in output.replace("-", "")
    assert "Ann" not in output
    assert "ValueError: bad phone" in output and "Traceback" in output
    assert output.count(MASK) >= 4


def test_filter_reaches_records_from_child_loggers() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        install_redaction()
        logging.getLogger("some.library").warning("sms to +14105550142 failed")
    finally:
        root.removeHandler(handler)
    assert stream.getvalue().strip() == f"sms to {MASK} failed"


def test_broken_format_string_still_logs(captured: Tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    install_redaction(logger)
    logger.info("value %d for 4105550142", "not a number")
    assert "4105550142" not in stream.getvalue()


def test_configure_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    monkeypatch.setattr(root, "handlers", [])
    try:
        configure_logging("debug")
        assert root.level == logging.DEBUG
        assert len(root.handlers) == 1
        assert any(isinstance(f, RedactingFilter) for f in root.handlers[0].filters)
        configure_logging(logging.WARNING)
        assert root.level == logging.WARNING and len(root.handlers) == 1
        configure_logging("nonsense")
        assert root.level == logging.INFO
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)
