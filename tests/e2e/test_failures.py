"""Dead parts: the action server down, the database down. The user always gets a clear answer,
crisis replies never depend on either, and nothing is lost once the part is back."""
from __future__ import annotations

import pytest

from bot.tools.run import Stack
from tests.support.stack import new_postgres, require_model, temporary_stack
from tests.support.chat import Chat

pytestmark = pytest.mark.e2e


def test_action_server_down(live_stack: Stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("/start_screening")
    chat.click("Myself")
    live_stack.stop("actions")
    try:
        # the form cannot validate the answer: a clear message, not silence
        chat.click("Alcohol")
        assert "trouble" in chat.text and "988" in chat.text
        # a crisis in the middle of the form is still answered at once
        chat.say("i took all my pills and i feel like im dying")
        assert "911" in chat.text
        # FAQ answers are rendered by Rasa itself
        other = Chat(live_stack.rasa_url)
        other.say("how long does iop last")
        assert "week" in other.text
    finally:
        live_stack.start(names=["actions"])
    # back up: the same conversation resumes where it was; the answer given during the outage was kept
    chat.say("/start_screening")
    assert "harming yourself or ending your life" in chat.text


def test_postgres_outage(tmp_path) -> None:
    """The whole stack on PostgreSQL; the database stops mid-conversation and comes back."""
    require_model()
    server = new_postgres()
    try:
        stack = temporary_stack(tmp_path, database_url=server.url, tracker_url=server.url)
    except Exception:
        server.remove()
        raise
    try:
        stack.start(timeout=300)
        chat = Chat(stack.rasa_url)
        chat.say("/start_screening")
        chat.click("Someone I care about")
        assert "for them" in chat.text
        server.stop()
        chat.say("Alcohol")
        assert "trouble" in chat.text and "988" in chat.text
        crisis = Chat(stack.rasa_url)
        crisis.say("my son isnt breathing")
        assert "medical emergency" in crisis.text and "911" in crisis.text
        server.start()
        # the conversation survived in PostgreSQL: the question about the loved one is asked again
        chat.say("/start_screening")
        assert "for them" in chat.text
    finally:
        stack.stop()
        server.remove()
