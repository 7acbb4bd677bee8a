"""Admissions staff console (aiohttp), mounted under /staff by `setup_console(app)`."""
from __future__ import annotations

from typing import Optional

from aiohttp import web


def setup_console(app: web.Application, *, db_url: Optional[str] = None) -> None:
    """Mount the console on `app`; see bot.website.console.app. Imported lazily so that
    `python -m bot.website.console.passwords` stays quick and needs no database libraries."""
    from bot.website.console.app import setup_console as mount

    mount(app, db_url=db_url)


__all__ = ["setup_console"]
