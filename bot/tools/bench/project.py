"""The assistant's own code that the benchmark calls, imported in this module only.

Each import sits inside its function: the Rasa tracker store pulls in Rasa, which stays out of the
load generator's process (only the profiling child loads it), and a rename is one edit here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.tools.evaluate import Scores


def technical_trouble() -> str:
    """The technical-trouble reply: a reply that contains it counts as an error."""
    from bot.texts import catalogue

    return catalogue().technical_trouble()


def hash_staff_password(password: str) -> str:
    """A staff password hash, so the website starts as it does in production."""
    from bot.website.console.passwords import hash_password

    return hash_password(password)


def tracker_store(stock: bool = False) -> Any:
    """The Rasa server's tracker store on TRACKER_DATABASE_URL: ours, or (stock) Rasa's own on the same file."""
    from bot.rasa_server.tracker_store import UrlSQLTrackerStore, sql_store_fields

    if not stock:
        return UrlSQLTrackerStore()
    from rasa.core.tracker_store import SQLTrackerStore

    from bot.settings import tracker_database_url

    return SQLTrackerStore(**sql_store_fields(tracker_database_url()))


async def nlu_scores(parser: Any) -> "Scores":
    """Held-out accuracy, crisis recall and near-miss false alarms, as `make eval` computes them."""
    from bot.tools.evaluate import score

    return await score(parser)
