"""An on-call rota for tests, and the moments it is read at (America/New_York, the shipped hours:
Mon-Thu 8am-8pm, Fri 8am-6pm, Sat 9am-1pm, Sunday closed, 2026-11-26 and 2026-12-25 holidays)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
NIGHT_NURSE = "+14105550170"
WEEKEND = "+14105550171"
BACKUP = "+14105550179"
STRANGER = "+14155552671"

WEDNESDAY_2AM = dt.datetime(2026, 3, 4, 2, 0, tzinfo=NY)
WEDNESDAY_NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=NY)


def on_call_section(**changes: Any) -> Dict[str, Any]:
    """A rota as a provider writes it in program.yml: weekends and holidays first, then nights."""
    section: Dict[str, Any] = {
        "page_for": "urgent",
        "page_when": "outside_opening_hours",
        "acknowledge_within_minutes": 15,
        "rota": [
            {"name": "Weekend clinician", "phone": WEEKEND, "days": ["saturday", "sunday", "holidays"]},
            {"name": "Night nurse", "phone": NIGHT_NURSE, "when": "outside_opening_hours"},
        ],
        "backup": {"name": "Clinical director", "phone": BACKUP},
    }
    section.update(changes)
    return section
