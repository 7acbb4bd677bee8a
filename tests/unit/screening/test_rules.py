"""content/screening/questions.yml is checked when loaded, with errors that name the question."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.safety.data import SafetyDataError
from bot.screening.rules import QUESTIONS_FILE, SCREENING_DIR, load_rules


def write(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((SCREENING_DIR / QUESTIONS_FILE).read_text(encoding="utf-8"))
    change(data)
    (tmp_path / QUESTIONS_FILE).write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp_path


def question(data, qid):
    return next(q for q in data["questions"] if q["id"] == qid)


def test_the_shipped_rules_load() -> None:
    table = load_rules()
    assert table.outcomes[0] == "crisis" and table.outcomes[-1] == "iop_fit"
    assert {q.dimension for q in table.questions} == {"intake", 1, 2, 3, 4, 5, 6}


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: question(d, "home")["rule"]["no"].update(outcome="detox"), "'detox' is not one of the outcomes"),
        (lambda d: question(d, "home")["rule"].update(maybe={"note": "x"}), "'maybe' is not an answer"),
        (lambda d: question(d, "opioids").update(asked_when={"concern": ["heroin"]}), "'heroin' is not an answer to concern"),
        (lambda d: question(d, "concern").update(asked_when={"readiness": ["yes"]}), "not an earlier question"),
        (lambda d: question(d, "medical").update(dimension=7), "dimension 7 must be intake or 1-6"),
        (lambda d: question(d, "medical")["rule"]["yes"].pop("reason"), "an outcome needs a reason"),
        (lambda d: question(d, "medical").update(colour="red"), "unknown field 'colour'"),
        (lambda d: question(d, "medical").update(risk_side="maybe"), "risk_side"),
        (lambda d: d["questions"].append(dict(question(d, "home"), id="extra")), "at most 10"),
        (lambda d: d["questions"].append(dict(question(d, "home"))), "duplicate id"),
        (lambda d: d.update(outcomes=["crisis", "iop_fit", "higher_care"]), "must end with iop_fit"),
        (lambda d: d["outcomes"].insert(1, "never_used"), "'never_used' is never reached"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, change, message: str) -> None:
    with pytest.raises(SafetyDataError) as error:
        load_rules(write(tmp_path, change))
    assert message in str(error.value)
    assert QUESTIONS_FILE in str(error.value)
