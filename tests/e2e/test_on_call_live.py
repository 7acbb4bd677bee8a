"""On-call paging through the real processes, on the real clock: the action server plans the page
with the request, the website's pager sends it through the local fake of Twilio's API, the Rasa
server's SMS channel takes the on-call person's ACK, and the backup is paged for the request nobody
acknowledged (after one minute here, so the test can wait for it)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator, List

import pytest

from bot.store import Store
from bot.tools.run import Stack
from tests.support.chat import Chat
from tests.support.fixtures.on_call import write_program
from tests.support.on_call import BACKUP, NIGHT_NURSE, on_call_section
from tests.support.stack import require_model, send_sms, temporary_stack

pytestmark = pytest.mark.e2e
EVERY_DAY = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "holidays"]


@pytest.fixture(scope="module")
def on_call_stack(tmp_path_factory: pytest.TempPathFactory, twilio_fake: Any) -> Iterator[Stack]:
    """The assistant with a rota that pages for urgent requests at any hour and escalates after a minute."""
    require_model()
    var = tmp_path_factory.mktemp("on-call-stack")
    rota = [{"name": "Night nurse", "phone": NIGHT_NURSE, "days": EVERY_DAY}]
    path = write_program(var / "program.yml", on_call_section(page_when="always", acknowledge_within_minutes=1, rota=rota))
    stack = temporary_stack(var, twilio_fake.url, env={"IOP_PROGRAM_FILE": str(path)})
    stack.start(timeout=300)
    yield stack
    stack.stop()


def urgent_request(stack: Stack, name: str) -> str:
    """A crisis, then an urgent callback through the widget's REST channel; returns the reference."""
    chat = Chat(stack.rasa_url)
    chat.say("i want to end my life")
    chat.click("Urgent callback")
    chat.click("Yes")
    for text in [name, "410-555-0188", "Any time", "No", "No", "Myself"]:
        chat.say(text)
    assert "on call right now has been told" in chat.text and "988" in chat.text, chat.text
    with Store(stack.env["DATABASE_URL"]) as store:
        [row] = [r for r in store.callbacks.list() if r.conversation_id == chat.sender]
    return row.ref


def pages_to(fake: Any, number: str, ref: str) -> List[str]:
    return [m["Body"] for m in list(fake.messages) if m["To"] == number and ref in m["Body"]]


def wait_for(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError("timed out")


def test_pages_go_out_an_ack_stops_escalation_and_silence_pages_the_backup(on_call_stack: Stack, twilio_fake: Any) -> None:
    acked, silent = urgent_request(on_call_stack, "Robin"), urgent_request(on_call_stack, "Sasha")
    wait_for(lambda: pages_to(twilio_fake, NIGHT_NURSE, acked) and pages_to(twilio_fake, NIGHT_NURSE, silent), 30)
    for ref in (acked, silent):
        [page] = pages_to(twilio_fake, NIGHT_NURSE, ref)
        assert "URGENT" in page and "Robin" not in page and "Sasha" not in page and "0188" not in page

    [thanks] = send_sms(on_call_stack, twilio_fake, NIGHT_NURSE, f"ACK {acked}")
    assert thanks.startswith(f"Thanks. {acked} is yours")

    wait_for(lambda: pages_to(twilio_fake, BACKUP, silent), 120)
    time.sleep(6)  # one more pager round
    assert pages_to(twilio_fake, BACKUP, acked) == []
    assert len(pages_to(twilio_fake, BACKUP, silent)) == 1 and len(pages_to(twilio_fake, NIGHT_NURSE, silent)) == 1
    with Store(on_call_stack.env["DATABASE_URL"]) as store:
        record = store.callbacks.get(acked)
        assert record is not None and record.acknowledged_by == "Night nurse"
    log = Path(on_call_stack.log_dir, "web.log")
    if log.exists():
        assert "Robin" not in log.read_text(encoding="utf-8")
