"""The Twilio REST client against a local fake of Twilio's Messages API: order, retries, error codes,
timeouts, and no phone number in any log line."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.clients import twilio_api
from bot.clients.twilio_api import RecipientUnsubscribed, TwilioClient

FROM = "+14105550100"
TO = "+14155552671"


def client_for(fake: Any, **overrides: Any) -> TwilioClient:
    settings = dict(account_sid=fake.account_sid, auth_token=fake.auth_token, from_number=FROM, api_base=fake.base_url, retry_delay=0.01)
    settings.update(overrides)
    return TwilioClient(**settings)


@pytest.mark.asyncio
async def test_parts_are_sent_in_order_from_our_number(fake_twilio: Any) -> None:
    await client_for(fake_twilio).send(TO, ["one", "two", "three"])
    assert fake_twilio.messages == [{"To": TO, "From": FROM, "Body": body} for body in ("one", "two", "three")]


@pytest.mark.asyncio
async def test_nothing_to_send_makes_no_request(fake_twilio: Any) -> None:
    await client_for(fake_twilio).send(TO, [])
    assert fake_twilio.attempts == 0


@pytest.mark.asyncio
async def test_server_errors_are_retried_then_given_up(fake_twilio: Any) -> None:
    client = client_for(fake_twilio)
    fake_twilio.fail_next(2)
    await client.send(TO, ["hi"])
    assert fake_twilio.bodies() == ["hi"] and fake_twilio.attempts == 3
    fake_twilio.clear()
    fake_twilio.fail_next(5)  # more failures than attempts: given up, no exception
    await client.send(TO, ["hi"])
    assert fake_twilio.messages == [] and fake_twilio.attempts == twilio_api.SEND_ATTEMPTS == 3


@pytest.mark.asyncio
async def test_wrong_credentials_are_not_retried(fake_twilio: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="bot.clients.twilio_api")
    await client_for(fake_twilio, account_sid="AC" + "f" * 32).send(TO, ["hi"])
    assert fake_twilio.attempts == 1 and fake_twilio.messages == []
    assert "HTTP 401, error code 20003" in caplog.text


@pytest.mark.asyncio
async def test_unsubscribed_recipient_stops_the_reply(fake_twilio: Any) -> None:
    fake_twilio.unsubscribe(TO)
    with pytest.raises(RecipientUnsubscribed):
        await client_for(fake_twilio).send(TO, ["one", "two"])
    assert fake_twilio.attempts == 1  # not retried, and the second part is not tried


@pytest.mark.asyncio
async def test_without_settings_nothing_is_sent_and_it_is_said_once(fake_twilio: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.clients.twilio_api")
    client = client_for(fake_twilio, from_number=None)
    await client.send(TO, ["hi"])
    await client.send(TO, ["hi"])
    assert fake_twilio.attempts == 0 and not client.configured
    assert caplog.text.count("TWILIO_FROM_NUMBER") == 1


@pytest.mark.asyncio
async def test_a_slow_api_times_out_and_is_retried(fake_twilio: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """An API that accepts the request and answers too late must not hold the turn: time out, retry."""
    monkeypatch.setattr(twilio_api, "SEND_TIMEOUT_SECONDS", 0.2)
    fake_twilio.slow_next(1, 0.6)
    await asyncio.wait_for(client_for(fake_twilio).send(TO, ["hi"]), timeout=5)
    assert fake_twilio.attempts == 2
    assert fake_twilio.bodies()[-1] == "hi"
    await asyncio.sleep(0.6)  # the late answer to the first attempt finishes before the fake stops


@pytest.mark.asyncio
async def test_no_phone_number_in_logs(fake_twilio: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(fake_twilio)
    fake_twilio.fail_next(3)
    await client.send(TO, ["hi"])
    await client_for(fake_twilio, account_sid="AC" + "f" * 32).send(TO, ["hi"])
    fake_twilio.unsubscribe(TO)  # Twilio's error message quotes the number
    with pytest.raises(RecipientUnsubscribed):
        await client.send(TO, ["hi"])
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "error code 21610" in logged
    for digits in (TO, TO.lstrip("+"), "4155552671", "555-2671"):
        assert digits not in logged
