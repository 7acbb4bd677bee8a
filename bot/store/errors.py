"""What the store raises, and the one place that turns database failures into StorageUnavailable.

Callers handle a single exception for "the database is not there right now" so the assistant can
apologise and give the phone number, and the console can show a clear page, instead of either
failing silently or leaking driver messages (which may hold personal data) into logs.
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Callable, TypeVar

from sqlalchemy import exc as sa_exc

log = logging.getLogger("bot.store")

T = TypeVar("T")


class StorageUnavailable(RuntimeError):
    """The database cannot be reached or used right now; the caller should apologise and move on."""


class RequestNotFound(LookupError):
    """No callback request has that reference."""


class InvalidTransition(ValueError):
    """The request is not in a state that allows this step (e.g. claiming a finished request).

    The store knows why, not how to say it: `reason` (one of the constants below) and `data` (the
    reference, and who holds the request) let the staff console word it from content/console.yml.
    """

    ALREADY_CLAIMED = "already_claimed"  # data: ref, name (who claimed it)
    ALREADY_DONE = "already_done"  # data: ref
    CLAIMED_MEANWHILE = "claimed_meanwhile"  # data: ref (someone else claimed it a moment ago)
    CLOSED_MEANWHILE = "closed_meanwhile"  # data: ref (someone else closed it a moment ago)

    def __init__(self, reason: str, **data: str) -> None:
        super().__init__(f"{reason}: {data.get('ref', '')}")
        self.reason = reason
        self.data = data


def guard(func: Callable[..., T]) -> Callable[..., T]:
    """Turn driver and pool failures into StorageUnavailable (without parameters in the text)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return func(*args, **kwargs)
        except (sa_exc.DBAPIError, sa_exc.TimeoutError) as exc:
            log.error("database unavailable in %s: %s", func.__name__, type(exc).__name__)
            raise StorageUnavailable(f"database unavailable ({type(exc).__name__})") from exc

    return wrapper
