"""The safety data in content/safety/: loaded once, and every mistake reported with its file and rule.

Each validation case copies the real files to a temporary folder, breaks one thing, and expects
SafetyDataError with a message that names the file, the rule (or list, or phrase) and the problem.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
import yaml

from bot.safety import RULE_NAMES, SafetyDataError
from bot.safety.__main__ import main as check_main
from bot.safety.checks import NAMED_CHECKS
from bot.safety.data import SAFETY_DIR
from bot.safety.medical import advice_book, load_advice
from bot.safety.names import CRISIS_KINDS
from bot.safety.normalise import load_shorthand, shorthand
from bot.safety.rules import load_rules, rule_book

Data = Dict[str, Any]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _walk(data: Data, path: List[Any]) -> Any:
    """The node at `path`; a key with a dot picks a rule of a list by its id."""
    node: Any = data
    for key in path:
        node = next(r for r in node if r["id"] == key) if isinstance(key, str) and "." in key else node[key]
    return node


def _set(path: List[Any], value: Any) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        _walk(data, path[:-1])[path[-1]] = value

    return mutate


def _delete(path: List[Any]) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        del _walk(data, path[:-1])[path[-1]]

    return mutate


def _duplicate_rule_id(data: Data) -> None:
    data["rules"][1]["id"] = data["rules"][0]["id"]


def _duplicate_request_id(data: Data) -> None:
    data["requests"][1]["id"] = data["requests"][0]["id"]


def _shorthand_in_two_sections(data: Data) -> None:
    data["misspellings"]["cant"] = "can not"


FIRST = "suicide.lethal_means_query"
KILL_SELF = "suicide.kill_self"

# (file, change, fragments the message must contain)
INVALID = [
    # crisis_rules.yml: unknown check name
    ("crisis_rules.yml", _set(["rules", KILL_SELF, "unless"], ["negatd", "past"]),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "unknown check 'negatd'"]),
    ("crisis_rules.yml", _set(["rules", KILL_SELF, "unless"], [{"bfore": ["x"]}]),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "unknown condition 'bfore'"]),
    # invalid regex, in a pattern and in a condition
    ("crisis_rules.yml", _set(["rules", KILL_SELF, "patterns"], [r"\bkill myself\b", r"\b(?:hurt myself\b"]),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "patterns, item 2", "invalid regular expression"]),
    ("crisis_rules.yml", _set(["rules", KILL_SELF, "unless"], ["past", {"before": ["[a-z"]}]),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "before, item 1", "invalid regular expression"]),
    # duplicate id
    ("crisis_rules.yml", _duplicate_rule_id,
     ["crisis_rules.yml", f"rule {FIRST}", "duplicate id", "rule 1"]),
    # unknown kind
    ("crisis_rules.yml", _set(["rules", KILL_SELF, "kind"], "selfharm"),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "unknown kind 'selfharm'"]),
    # missing fields
    ("crisis_rules.yml", _delete(["rules", KILL_SELF, "patterns"]),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "missing field 'patterns'"]),
    ("crisis_rules.yml", _delete(["rules", KILL_SELF, "kind"]),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "missing field 'kind'"]),
    ("crisis_rules.yml", _delete(["rules", KILL_SELF, "means"]),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "missing field 'means'"]),
    ("crisis_rules.yml", _delete(["rules", 0, "id"]),
     ["crisis_rules.yml", "rule 1", "missing field 'id'"]),
    # a misspelt field is not silently ignored
    ("crisis_rules.yml", _set(["rules", KILL_SELF, "unles"], ["past"]),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "unknown field 'unles'"]),
    # ids are kind.name, and the kind must agree
    ("crisis_rules.yml", _set(["rules", KILL_SELF, "id"], "Suicide-KillSelf"),
     ["crisis_rules.yml", "rule Suicide-KillSelf", "must be kind.name"]),
    ("crisis_rules.yml", _set(["rules", KILL_SELF, "id"], "medical.kill_self"),
     ["crisis_rules.yml", "rule medical.kill_self", "id starts with 'medical' but the kind is 'suicide'"]),
    # an unknown word list or phrase, a pattern that matches any message
    ("crisis_rules.yml", _set(["rules", KILL_SELF, "patterns"], [r"\btook {pils}\b"]),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "unknown word list or phrase {pils}"]),
    ("crisis_rules.yml", _set(["rules", KILL_SELF, "patterns"], [r"\bkill myself\b", "(?:i )?"]),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "item 2", "matches an empty message"]),
    ("crisis_rules.yml", _set(["rules", KILL_SELF, "patterns"], []),
     ["crisis_rules.yml", f"rule {KILL_SELF}", "expected a list of patterns"]),
    # phrases: a loop, a cue a check needs, a broken one
    ("crisis_rules.yml", _set(["phrases", "object_other", "patterns"], ["{object_any}"]),
     ["crisis_rules.yml", "phrase object_", "refers to itself"]),
    ("crisis_rules.yml", _delete(["phrases", "recent"]),
     ["crisis_rules.yml", "missing phrase 'recent'", "check past"]),
    ("crisis_rules.yml", _set(["phrases", "topic_before", "patterns"], ["(?:movie"]),
     ["crisis_rules.yml", "phrase topic_before", "invalid regular expression"]),
    # word_lists.yml
    ("word_lists.yml", _set(["pills", "words"], ["pills", "xan(ax"]),
     ["word_lists.yml", "list pills", "word 'xan(ax'"]),
    ("word_lists.yml", _set(["pills", "words"], ["pills", "xanax", "pills"]),
     ["word_lists.yml", "list pills", "'pills' is listed twice"]),
    ("word_lists.yml", _set(["negators", "words"], ["not", False]),
     ["word_lists.yml", "list negators", "quote yes, no"]),
    ("word_lists.yml", _delete(["negators"]),
     ["word_lists.yml", "missing list 'negators'"]),
    ("word_lists.yml", _delete(["pills", "means"]),
     ["word_lists.yml", "list pills", "missing field 'means'"]),
    # medical_advice.yml
    ("medical_advice.yml", _duplicate_request_id,
     ["medical_advice.yml", "request how_much_to_take", "duplicate id"]),
    ("medical_advice.yml", _delete(["requests", 2, "patterns"]),
     ["medical_advice.yml", "request which_dose", "missing field 'patterns'"]),
    ("medical_advice.yml", _set(["requests", 0, "patterns"], [r"\bhow (?:much"]),
     ["medical_advice.yml", "request how_much_to_take", "invalid regular expression"]),
    ("medical_advice.yml", _set(["mixing", "question"], [r"\bcan i mix\b(.*)"]),
     ["medical_advice.yml", "mixing, question", "(?P<rest>"]),
    ("medical_advice.yml", _delete(["mixing"]),
     ["medical_advice.yml", "missing field 'mixing'"]),
    # shorthand.yml
    ("shorthand.yml", _shorthand_in_two_sections,
     ["shorthand.yml", "section misspellings", "'cant' is already in section contractions"]),
    ("shorthand.yml", _set(["sms_shorthand", "u"], None),
     ["shorthand.yml", "section sms_shorthand", "'u' needs the words it stands for"]),
]


def _load_all(directory: Path) -> None:
    load_rules(directory)
    load_advice(directory)
    load_shorthand(directory)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    for path in SAFETY_DIR.glob("*.yml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_the_copied_data_loads(data_dir: Path) -> None:
    _load_all(data_dir)


@pytest.mark.parametrize("file, change, fragments", INVALID, ids=[" ".join(c[2][1:]) for c in INVALID])
def test_each_mistake_is_reported_with_file_and_rule(
    data_dir: Path, file: str, change: Callable[[Data], None], fragments: List[str]
) -> None:
    data = yaml.load((data_dir / file).read_text(encoding="utf-8"), Loader=_Loader)
    change(data)
    (data_dir / file).write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False), encoding="utf-8")
    with pytest.raises(SafetyDataError) as raised:
        _load_all(data_dir)
    message = str(raised.value)
    assert message.startswith(file), message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize(
    "file, content, fragment",
    [
        ("crisis_rules.yml", None, "cannot be read"),
        ("crisis_rules.yml", "rules: [\n", "not valid YAML"),
        ("word_lists.yml", "[]\n", "expected a mapping of word lists"),
        ("medical_advice.yml", "requests: []\n", "missing field 'not_advice'"),
        ("shorthand.yml", "contractions: []\n", "expected word: meaning lines"),
    ],
)
def test_unreadable_files_are_reported(data_dir: Path, file: str, content: str, fragment: str) -> None:
    if content is None:
        (data_dir / file).unlink()
    else:
        (data_dir / file).write_text(content, encoding="utf-8")
    with pytest.raises(SafetyDataError, match=fragment) as raised:
        _load_all(data_dir)
    assert str(raised.value).startswith(file)


# ------------------------------------------------------------------------------------------------
# The real data
# ------------------------------------------------------------------------------------------------


def test_data_is_loaded_once() -> None:
    assert rule_book() is rule_book()
    assert advice_book() is advice_book()
    assert shorthand() is shorthand()


def test_rules_cover_every_kind_and_match_rule_names() -> None:
    rules = rule_book().rules
    assert len(rules) >= 50
    assert {rule.kind for rule in rules} == set(CRISIS_KINDS)
    assert RULE_NAMES == {rule.id for rule in rules + rule_book().warnings}


def test_every_rule_says_what_it_means() -> None:
    data = yaml.load((SAFETY_DIR / "crisis_rules.yml").read_text(encoding="utf-8"), Loader=_Loader)
    assert all(len(rule["means"].split()) >= 3 for rule in data["rules"])


def test_named_checks_are_documented_in_code_and_for_clinicians() -> None:
    header = (SAFETY_DIR / "crisis_rules.yml").read_text(encoding="utf-8").split("\nphrases:")[0]
    for name, check in NAMED_CHECKS.items():
        assert check.__doc__ and check.__doc__.strip(), name
        assert name in header, f"{name} is not explained in the header of crisis_rules.yml"


def test_every_data_file_starts_with_a_comment_for_its_reader() -> None:
    for path in SAFETY_DIR.glob("*.yml"):
        assert path.read_text(encoding="utf-8").startswith("# "), path.name


def test_check_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_main() == 0
    out = capsys.readouterr().out
    assert f"{len(rule_book().rules)} crisis rules" in out and f"{len(rule_book().warnings)} warning signs" in out
