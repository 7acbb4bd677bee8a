"""The words of the staff audit log: what is recorded, and the one way the console records it.

Each action is worded for staff by `audit_action_<action>` in content/console.yml, each detail code by
`audit_detail_<detail>`; a queue view's and an export's detail is the status filter used (worded by `filter_<key>`),
an account change's is the account's username. Details are codes or usernames, never text a person
typed, so the log holds no notes, callers' names or phone numbers.
"""
from __future__ import annotations

import asyncio
from typing import Optional, Tuple

from bot.store import Store
from bot.store.pages import AUDIT_ACKNOWLEDGE

SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
SIGN_OUT = "sign_out"
VIEW = "view"
QUEUE = "queue"
EXPORT = "export"
CLAIM = "claim"
DONE = "done"
ACCOUNT_ADD = "account_add"
ACCOUNT_ADD_ADMIN = "account_add_admin"
ACCOUNT_DISABLE = "account_disable"
ACCOUNT_ENABLE = "account_enable"
ACCOUNT_RESET = "account_reset"
# An on-call person's ACK of a page, texted to the assistant (recorded by bot.store.pages).
ACKNOWLEDGE = AUDIT_ACKNOWLEDGE
ACTIONS: Tuple[str, ...] = (
    SIGN_IN, SIGN_IN_FAILED, SIGN_OUT, QUEUE, VIEW, EXPORT, CLAIM, DONE, ACKNOWLEDGE,
    ACCOUNT_ADD, ACCOUNT_ADD_ADMIN, ACCOUNT_DISABLE, ACCOUNT_ENABLE, ACCOUNT_RESET,
)
# Changes to an account: their detail is the account's username.
ACCOUNT_ACTIONS: Tuple[str, ...] = (ACCOUNT_ADD, ACCOUNT_ADD_ADMIN, ACCOUNT_DISABLE, ACCOUNT_ENABLE, ACCOUNT_RESET)

# Why a sign-in failed, when an administrator can act on it (a wrong password has no detail).
DETAIL_DISABLED = "disabled"
DETAIL_THROTTLED = "throttled"
DETAILS: Tuple[str, ...] = (DETAIL_DISABLED, DETAIL_THROTTLED)

# Who changed an account when it was not a signed-in person: the configured first administrator.
BY_SETTINGS = "settings:STAFF_USERNAME"


async def note(
    store: Store, username: str, action: str, ref: Optional[str] = None, detail: Optional[str] = None
) -> None:
    """Record one event without blocking the event loop (StorageUnavailable if the database is down)."""
    await asyncio.to_thread(store.audit.record, username, action, ref, detail)
