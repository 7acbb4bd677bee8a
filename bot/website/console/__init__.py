"""Admissions staff console (aiohttp), mounted under /staff by `setup_console(app)`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from aiohttp import web

if TYPE_CHECKING:
    from bot.store import Store
    from bot.texts import Catalogue


def setup_console(app: web.Application, *, store: "Store", texts: "Optional[Catalogue]" = None) -> None:
    """Mount the console on `app`; see bot.website.console.app. Imported lazily so that
    `python -m bot.website.console.passwords` stays quick and needs no database libraries
    (`python -m bot.website.console.staff` manages the accounts in the database)."""
    from bot.website.console.app import setup_console as mount

    mount(app, store=store, texts=texts)


__all__ = ["setup_console"]
