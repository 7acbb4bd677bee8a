"""bot.tools.bench.load: the scripted conversations and how buttons are followed."""
from __future__ import annotations

import asyncio

from bot.tools.bench.load import (
    FAQ_QUESTIONS,
    LOOPBACK,
    conversation_script,
    messages_per_conversation,
    pick_payload,
    run_load,
)


def test_script_covers_faq_screening_and_callback() -> None:
    script = conversation_script(0)
    texts = [value for _, value in script]
    assert texts[0] == "hi"
    assert sum(t in FAQ_QUESTIONS for t in texts) == 3
    assert "/start_screening" in texts and ("click", "callback") in script
    assert messages_per_conversation() == len(script)
    assert conversation_script(1)[1] != script[1]  # questions rotate between conversations


def test_button_payloads_are_followed_by_title() -> None:
    replies = [{"text": "?", "buttons": [{"title": "Not sure", "payload": "Not sure"}, {"title": "No", "payload": "No"},
                                         {"title": "Yes", "payload": "/crisis"}]}]
    assert pick_payload(replies, "No") == ("No", True)  # exact title beats "Not sure"
    assert pick_payload(replies, "yes") == ("/crisis", True)
    assert pick_payload([], "Evening") == ("Evening", False)



async def _serve_replies(text: str):
    """A stand-in for the REST channel on a free loopback port: every message gets `text` back."""
    from aiohttp import web

    async def webhook(request: web.Request) -> web.Response:
        await request.json()
        return web.json_response([{"text": text}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, LOOPBACK, 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://{LOOPBACK}:{port}"


def test_a_fixed_number_of_conversations_each_completed_once() -> None:
    async def go():
        runner, url = await _serve_replies("Your reference is AB-1234.")
        try:
            return await run_load(url, users=3, conversations=5, sender_prefix="t")
        finally:
            await runner.cleanup()

    result = asyncio.run(go())
    assert result.errors == 0 and result.conversations == 5
    assert sorted(result.completed_senders) == [f"t-{i}" for i in range(5)]
    assert len(result.latencies_s) == 5 * messages_per_conversation()


def test_a_timed_run_starts_conversations_until_the_time_is_up_and_finishes_them() -> None:
    async def go():
        runner, url = await _serve_replies("Your reference is AB-1234.")
        try:
            return await run_load(url, users=2, conversations=10_000, sender_prefix="t", duration_s=0.5)
        finally:
            await runner.cleanup()

    result = asyncio.run(go())
    assert 2 <= result.conversations < 10_000
    assert result.completed == result.conversations == len(set(result.completed_senders))
    assert len(result.latencies_s) == result.conversations * messages_per_conversation()
    assert result.errors == 0


def test_the_technical_trouble_text_counts_as_an_error() -> None:
    async def go():
        runner, url = await _serve_replies("Sorry, something went wrong on our side.")
        try:
            return await run_load(url, users=1, conversations=1, sender_prefix="t",
                                  trouble_text="something went wrong")
        finally:
            await runner.cleanup()

    result = asyncio.run(go())
    assert result.errors == messages_per_conversation() and result.completed == 0
    assert result.error_kinds == {"technical_trouble": messages_per_conversation()}
