"""The on-call staff's replies to a page: "ACK <ref>" texted back to the assistant's number.

Only a number on the rota in program.yml (bot.paging) can acknowledge, whatever the time; from
any other number the same words are an ordinary message for the assistant. An acknowledgement
stops the backup from being paged and shows in the staff console (bot.store.pages). Replies come
from content/console.yml (ack_*), so they never name the person who asked.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Callable, Optional, Tuple

from bot import paging
from bot.links import console_link, request_path
from bot.rasa_server.sms.format import split_message, to_gsm7
from bot.settings import Program, env
from bot.store import Store, configured_store
from bot.store.callbacks import ref_prefix
from bot.texts import catalogue

logger = logging.getLogger(__name__)


async def answer(
    phone: str,
    body: str,
    now: dt.datetime,
    prog: Program,
    store: Callable[[], Store] = configured_store,
) -> Optional[Tuple[str, ...]]:
    """The reply to an acknowledgement from a rota member, or None when the text is not one."""
    contact = paging.rota_contact(phone, prog)
    if contact is None:
        return None
    prefix = ref_prefix(prog.short_name)
    ack = paging.parse_acknowledgement(body, prefix)
    if ack is None:
        return None
    texts = catalogue(prog)
    try:
        result = await asyncio.to_thread(lambda: store().pages.acknowledge(ack.ref, phone, contact.name, now))
    except Exception as exc:
        logger.error("acknowledgement not stored: %s", type(exc).__name__)
        return tuple(split_message(to_gsm7(texts.technical_trouble())))
    if result.ref is None and ack.ref:
        reply = texts.console_text("ack_unknown_ref", ref=ack.ref, example=f"{prefix}-7K3Q")
    elif result.ref is None:
        reply = texts.console_text("ack_not_found", example=f"{prefix}-7K3Q")
    elif result.already:
        key = "ack_claimed" if result.claimed else "ack_already"
        reply = texts.console_text(key, ref=result.ref, name=result.by or "")
    else:
        link = console_link(request_path(result.ref), env("STAFF_CONSOLE_BASE_URL"))
        reply = texts.console_text("ack_done", ref=result.ref, link=link)
        logger.info("on-call page for request %s acknowledged", result.ref)
    return tuple(split_message(to_gsm7(reply)))
