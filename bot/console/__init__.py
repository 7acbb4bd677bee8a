"""Admissions staff console (aiohttp), mounted under /staff by `setup_console(app)`."""
from __future__ import annotations

from bot.console.app import setup_console

__all__ = ["setup_console"]
