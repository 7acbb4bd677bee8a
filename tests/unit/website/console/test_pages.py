"""The console's words come from content/console.yml: ages, labels, refusals, and whole pages escaped."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Callable, Optional

import pytest
from aiohttp import web

from bot.store import InvalidTransition, Store
from bot.texts import catalogue
from bot.website.console import pages, setup_console
from tests.support.console import sign_in


@pytest.fixture(autouse=True)
def plain_http_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test client speaks plain http to 127.0.0.1: allow the session cookie there."""
    monkeypatch.setenv("STAFF_COOKIE_INSECURE_LOCALHOST", "1")

NOW = dt.datetime(2026, 6, 10, 16, 0, tzinfo=dt.timezone.utc)

# how long ago, expected wording
AGE_CASES = [
    (dt.timedelta(seconds=-5), "just now"),  # a clock a little ahead
    (dt.timedelta(seconds=59), "just now"),
    (dt.timedelta(minutes=1), "1 min ago"),
    (dt.timedelta(minutes=59), "59 min ago"),
    (dt.timedelta(minutes=60), "1 h ago"),
    (dt.timedelta(hours=47, minutes=59), "47 h ago"),
    (dt.timedelta(hours=48), "2 days ago"),
    (dt.timedelta(days=10, hours=5), "10 days ago"),
]


@pytest.mark.parametrize("ago, text", AGE_CASES)
def test_age(ago: dt.timedelta, text: str) -> None:
    assert pages.age(NOW - ago, NOW, catalogue()) == text


# prefix, stored value, known values, expected label
LABEL_CASES: list = [
    ("outcome_", "iop_fit", pages.OUTCOMES, "IOP looks like a good fit"),
    ("outcome_", "weird<b>", pages.OUTCOMES, "weird<b>"),  # unknown: as stored (escaped by the page)
    ("outcome_", "missing", pages.OUTCOMES, "missing"),  # never another console text by accident
    ("outcome_", None, pages.OUTCOMES, ""),
    ("for_", "loved_one", ("self", "loved_one"), "A loved one"),
    ("filter_", "all", pages.FILTERS, "All"),
]


@pytest.mark.parametrize("prefix, value, known, expected", LABEL_CASES)
def test_label(prefix: str, value: Optional[str], known: Any, expected: str) -> None:
    assert pages.label(catalogue(), prefix, value, known) == expected


# reason, data as the store sends it, expected message
REFUSAL_CASES = [
    (
        InvalidTransition.ALREADY_CLAIMED,
        {"ref": "HL-7K3Q", "name": "joe"},
        "Not changed: HL-7K3Q is already claimed by joe.",
    ),
    (InvalidTransition.ALREADY_DONE, {"ref": "HL-7K3Q"}, "Not changed: HL-7K3Q is already done."),
    (InvalidTransition.CLAIMED_MEANWHILE, {"ref": "HL-7K3Q"}, "Not changed: HL-7K3Q was just claimed by someone else."),
    (InvalidTransition.CLOSED_MEANWHILE, {"ref": "HL-7K3Q"}, "Not changed: HL-7K3Q was just closed by someone else."),
]


@pytest.mark.parametrize("reason, data, message", REFUSAL_CASES)
def test_every_refusal_of_the_store_is_worded(reason: str, data: dict, message: str) -> None:
    refused = InvalidTransition(reason, **data)
    assert catalogue().console_text(refused.reason, **refused.data) == message


OWN_WORDS = {
    "brand": "Front desk & co",
    "page_title": "{title} | Front desk",
    "queue_empty": "Nothing <here> yet",
    "sign_in_button": "Log in",
    "sign_out": 'Leave "{username}"',
    "claimed_message": "Yours now.",
}


async def test_pages_take_their_words_from_the_catalogue_escaped(
    aiohttp_client: Any, store: Store, staff_env: None, add_request: Callable[..., str]
) -> None:
    texts = catalogue()
    app = web.Application()
    setup_console(app, store=store, texts=replace(texts, console={**texts.console, **OWN_WORDS}))
    client = await aiohttp_client(app)
    login = await (await client.get("/staff/login")).text()
    assert ">Log in</button>" in login and "Front desk &amp; co</span>" in login
    assert (await sign_in(client)).status == 303
    queue = await (await client.get("/staff/")).text()
    assert "Nothing &lt;here&gt; yet" in queue and "Leave &quot;maria&quot;" in queue
    assert "<title>Queue | Front desk</title>" in queue
    assert "<here>" not in queue and "Admissions console" not in queue
    ref = add_request()
    detail = await (await client.get(f"/staff/r/{ref}?m=claimed")).text()
    assert "Yours now." in detail


@pytest.mark.parametrize(
    "topic, relation, expected",
    [
        ("family_consultation", "partner", "Family consultation: a family member, about their partner"),
        ("family_consultation", "child_under_18", "Family consultation: a family member, about their child under 18"),
        ("family_consultation", None, "Family consultation: a family member, about a loved one"),
        (None, None, "A loved one"),
    ],
)
def test_a_family_consultation_says_so_with_the_relation_only(topic: Optional[str], relation: Optional[str], expected: str) -> None:
    from bot.store.callbacks import CallbackRecord

    now = dt.datetime(2026, 3, 4, 12, tzinfo=dt.timezone.utc)
    record = CallbackRecord(
        id=1, ref="HL-7K3Q", conversation_id="c", created_at=now, first_name="Pat", phone_e164="+14105550143",
        best_time="evening", voicemail_ok=False, voicemail_name_ok=False, text_ok=True, for_whom="loved_one",
        screening_outcome=None, urgent=False, channel="web", status="new", claimed_by=None, claimed_at=None,
        done_at=None, outcome_note=None, expected_window_text="soon", topic=topic, loved_one_relation=relation,
    )
    fields = dict(pages._summary_fields(record, dt.timezone.utc, now, catalogue()))
    assert fields["For"] == expected
