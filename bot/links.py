"""Addresses in the staff console that other processes write into what they send staff.

The action server stores a link with each callback request for the staff notification; the
website serves the page behind it. Both read the address scheme here.
"""
from __future__ import annotations

from typing import Optional
from urllib.parse import quote

CONSOLE_BASE = "/staff"


def request_path(ref: str) -> str:
    """The console page of one callback request."""
    return f"{CONSOLE_BASE}/r/{quote(ref, safe='-')}"


def console_link(path: str, base_url: Optional[str]) -> str:
    """`path` as a link for a message leaving the building: on the console's public address
    (STAFF_CONSOLE_BASE_URL) when there is one, else the bare path."""
    return f"{base_url.rstrip('/')}{path}" if base_url and path else path
