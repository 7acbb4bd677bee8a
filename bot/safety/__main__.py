"""`python -m bot.safety`: check the safety data in content/safety/ after an edit.

Prints what was loaded, or the mistake with the file and the rule it concerns (exit status 1).
"""
from __future__ import annotations

import sys

from bot.safety import SafetyDataError, load_safety_data
from bot.safety.data import SAFETY_DIR
from bot.safety.medical import advice_book
from bot.safety.normalise import shorthand
from bot.safety.rules import rule_book


def main() -> int:
    try:
        load_safety_data()
    except SafetyDataError as exc:
        print(f"{SAFETY_DIR}: {exc}", file=sys.stderr)
        return 1
    rules = rule_book().rules
    warnings = rule_book().warnings
    kinds = sorted({rule.kind for rule in rules})
    print(
        f"{SAFETY_DIR}: {len(rules)} crisis rules ("
        + ", ".join(f"{sum(rule.kind == kind for rule in rules)} {kind}" for kind in kinds)
        + f"), {len(warnings)} warning signs, {len(advice_book().requests)} medical-advice requests, {len(shorthand())} shorthand words: OK"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
