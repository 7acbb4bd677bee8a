"""The fit-check table in README.md, for clinical review, names every question of
content/screening/questions.yml with its ASAM dimension, in order."""
from __future__ import annotations

import re

from bot.screening import rules
from bot.settings import PROJECT_ROOT


def test_readme_table_matches_the_rules() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (intake|\d) [^|]*\| `([a-z_]+)`:", readme, flags=re.MULTILINE)
    assert [(d, q) for d, q in rows] == [(str(q.dimension), q.id) for q in rules().questions]
