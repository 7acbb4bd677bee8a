"""`rasa data validate`, with two false positives of Rasa 3.6 resolved instead of ignored.

- "The utterance 'X' is not used in any story or rule" also appears for responses that forms ask
  (utter_ask_<slot>), that custom actions send, or that our channels send. Accepted only when the
  response is demonstrably used by one of those.
- "duplicated intents ... across multiple domain files: faq": Rasa merges each retrieval intent
  back into the domain that declares it and reports the merge as a duplicate. Accepted only for
  retrieval intents (intents with sub-intents in the NLU data).
- "The intent 'possible_risk' is listed in the domain file, but is not found in the NLU training
  data": the safety net sets it from the warning-sign rules, never the classifier. Accepted only
  for that intent.
Any other warning, or an unused response, fails.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List, Set

import yaml

from bot.settings import PROJECT_ROOT

UNUSED = re.compile(r"The utterance '([^']+)' is not used in any story or rule\.")
NO_EXAMPLES = re.compile(r"The intent '([^']+)' is listed in the domain file, but is not found in the NLU training data")
DUPLICATE_INTENTS = re.compile(r"duplicated intents have been found across multiple domain files: (.+?)(?:\x1b|$)")


def responses_used_outside_stories(root: Path = PROJECT_ROOT) -> Set[str]:
    """Responses asked by forms or named in our action and channel code."""
    domain = yaml.safe_load((root / "domain.yml").read_text())
    used = {f"utter_ask_{slot}" for form in domain.get("forms", {}).values() for slot in form.get("required_slots", [])}
    code = "\n".join(p.read_text() for folder in ("actions", "bot") for p in (root / folder).rglob("*.py"))
    used |= set(re.findall(r"\"(utter_[a-z0-9_]+)\"", code))
    # actions/screening.py names one response per outcome (f"utter_outcome_{outcome.kind}") and per
    # note (f"utter_screening_note_{note}"), both from content/screening/questions.yml
    from bot.screening import rules

    table = rules()
    if 'f"utter_outcome_{' in code:
        used |= {f"utter_outcome_{kind}" for kind in table.outcomes}
    if 'f"utter_screening_note_{' in code:
        used |= {f"utter_screening_note_{e.note}" for q in table.questions for e in q.on.values() if e.note}
    # Rasa's built-in fallback actions send these
    used |= {"utter_default", "utter_ask_rephrase"}
    return used


def retrieval_intents(root: Path = PROJECT_ROOT) -> Set[str]:
    """Intents that have sub-intents (`faq/cost`) in the NLU training data."""
    text = "\n".join(p.read_text() for p in (root / "data" / "nlu").glob("*.yml"))
    return set(re.findall(r"intent:\s*([a-z_]+)/", text))


def check(output: str, used: Set[str], retrieval: Set[str] = frozenset()) -> List[str]:
    """Problems left after accepting the three justified false positives."""
    from bot.safety.names import POSSIBLE_RISK_INTENT

    problems: List[str] = []
    for line in output.splitlines():
        no_examples = NO_EXAMPLES.search(line)
        if no_examples:
            if no_examples.group(1) != POSSIBLE_RISK_INTENT:
                problems.append(f"intent {no_examples.group(1)} has no training examples")
            continue
        match = UNUSED.search(line)
        if match:
            if match.group(1) not in used:
                problems.append(f"response {match.group(1)} is never used")
            continue
        dup = DUPLICATE_INTENTS.search(line)
        if dup:
            names = {n.strip() for n in dup.group(1).split(",")}
            if not names <= set(retrieval):
                problems.append(f"duplicated intents: {sorted(names - set(retrieval))}")
            continue
        if "UserWarning" in line or " WARNING " in line:
            problems.append(line.strip())
    return problems


def main() -> int:
    cmd = [
        str(Path(sys.executable).parent / "rasa"), "data", "validate", "--data", "data", "--domain", "domain.yml",
        "--config", "config.yml",
    ]
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    problems = check(output, responses_used_outside_stories(), retrieval_intents())
    if proc.returncode != 0 or problems:
        print(output)
        for problem in problems:
            print(f"validation: {problem}", file=sys.stderr)
        return 1
    print("rasa data validate: no warnings (form questions and action responses checked against the code)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
