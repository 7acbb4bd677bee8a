"""Addresses in the staff console that other processes write into what they send staff.

The action server stores a link with each callback request for the staff notification; the
website serves the page behind it. Both read the address scheme here.
"""
from __future__ import annotations

from urllib.parse import quote

CONSOLE_BASE = "/staff"


def request_path(ref: str) -> str:
    """The console page of one callback request."""
    return f"{CONSOLE_BASE}/r/{quote(ref, safe='-')}"
