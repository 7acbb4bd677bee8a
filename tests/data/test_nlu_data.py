"""Checks on the NLU training data (data/nlu/) and the held-out test sets (bot/tools/eval_sets/heldout.yml
and the unseen FAQ-topic sets faq_unseen*.yml).

Fast: reads the YAML directly, trains nothing. The held-out set must stay unseen, so any example
that repeats (or nearly repeats) a training example fails here.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest
import yaml
from tests.support.faq_topics import FAQ_TOPICS as ALL_FAQ_TOPICS

from bot.settings import PROJECT_ROOT as ROOT
NLU_DIR = ROOT / "data" / "nlu"
from bot.tools.evaluate import FAQ_UNSEEN_SETS, HELDOUT
DOMAIN = ROOT / "domain.yml"
CONTENT_FAQ_DIR = ROOT / "content" / "faq"

# The FAQ topics: one faq/<key> sub-intent per content/faq topic.
FAQ_TOPICS = set(ALL_FAQ_TOPICS)

# Conversational intents written in data/nlu/conversation.yml (crisis data lives in another file).
OTHER_INTENTS = {
    "greet",
    "goodbye",
    "thanks",
    "bot_capabilities",
    "affirm",
    "deny",
    "unsure",
    "out_of_scope",
    "start_screening",
    "request_callback",
    "human_handoff",
    "stop_form",
    "medical_advice",
}

MIN_FAQ_TRAIN = 18
MIN_FAQ_HELDOUT = 6
MIN_OTHER_TRAIN = 15
MIN_OUT_OF_SCOPE_TRAIN = 30
MIN_OTHER_HELDOUT = 5

# Files owned by the NLU data task (the crisis data file is someone else's and may use entities).
# The unseen FAQ-topic sets, by their key in results/eval.json.
UNSEEN = {key: path for key, (path, _) in FAQ_UNSEEN_SETS.items()}
OWN_FILES = sorted(NLU_DIR.glob("faq_*.yml")) + [NLU_DIR / "conversation.yml", HELDOUT, *UNSEEN.values()]

# Held-out examples this similar (difflib ratio, after normalizing) to a training example count as copies.
NEAR_COPY_RATIO = 0.9
# SMS spellings mapped to plain words before comparing, so "hw r u" and "how are you" are the same text.
SMS_WORDS = {
    "u": "you", "r": "are", "ur": "your", "hw": "how", "wat": "what", "wht": "what", "wut": "what",
    "whats": "what is", "thx": "thanks", "thnx": "thanks", "ty": "thank you", "pls": "please",
    "plz": "please", "ppl": "people", "w": "with", "b4": "before", "2": "to", "im": "i am",
    "dont": "do not", "cant": "can not", "ins": "insurance", "rly": "really",
}

_ENTITY = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def normalize(text: str) -> str:
    """Lowercase, entity annotations reduced to their text, punctuation stripped, spaces collapsed.

    Apostrophes are dropped ("what's" -> "whats"); other punctuation separates words ("part-time").
    """
    text = _ENTITY.sub(r"\1", text).lower()
    text = re.sub(r"['\u2019`]", "", text)
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


def canonical(text: str) -> str:
    """normalize() plus SMS shorthand spelled out, for the near-copy check."""
    return " ".join(SMS_WORDS.get(word, word) for word in normalize(text).split())


def _examples(block) -> List[str]:
    if isinstance(block, str):
        return [line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")]
    if isinstance(block, list):  # examples given as a list of {text: ..., metadata: ...}
        return [str(item["text"]).strip() if isinstance(item, dict) else str(item).strip() for item in block]
    return []


def load_nlu(path: Path) -> List[Tuple[str, str]]:
    """(intent, text) pairs of one Rasa NLU YAML file; faq sub-intents keep their full name."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for item in data.get("nlu") or []:
        if isinstance(item, dict) and "intent" in item:
            pairs.extend((str(item["intent"]), text) for text in _examples(item.get("examples")))
    return pairs


def by_intent(pairs: List[Tuple[str, str]]) -> Dict[str, List[str]]:
    grouped: Dict[str, List[str]] = defaultdict(list)
    for intent, text in pairs:
        grouped[intent].append(text)
    return grouped


def faq_topics(grouped: Dict[str, List[str]]) -> Set[str]:
    return {intent.split("/", 1)[1] for intent in grouped if intent.startswith("faq/")}


@pytest.fixture(scope="module")
def training() -> List[Tuple[str, str]]:
    files = sorted(NLU_DIR.glob("*.yml"))
    assert files, f"no NLU files in {NLU_DIR}"
    return [pair for path in files for pair in load_nlu(path)]


@pytest.fixture(scope="module")
def heldout() -> List[Tuple[str, str]]:
    """The held-out sets: none may repeat a training example."""
    return load_nlu(HELDOUT) + [pair for path in UNSEEN.values() for pair in load_nlu(path)]


def test_there_are_37_hardcoded_topics():
    assert len(FAQ_TOPICS) == 37


@pytest.mark.parametrize("path", OWN_FILES + sorted(set(NLU_DIR.glob("*.yml")) - set(OWN_FILES)), ids=lambda p: p.name)
def test_file_format(path: Path):
    text = path.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    assert first.strip() == 'version: "3.1"', f"{path.name}: must start with version: \"3.1\""
    data = yaml.safe_load(text)
    assert isinstance(data.get("nlu"), list), f"{path.name}: needs an nlu: list"


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: p.name)
def test_own_files_have_no_entities_and_no_crisis(path: Path):
    pairs = load_nlu(path)
    assert pairs
    annotated = [text for _, text in pairs if _ENTITY.search(text)]
    assert not annotated, f"{path.name}: entity annotations: {annotated}"
    assert "crisis" not in {intent for intent, _ in pairs}, f"{path.name}: crisis data belongs elsewhere"


def test_training_faq_topics_match(training):
    assert faq_topics(by_intent(training)) == FAQ_TOPICS


def test_heldout_faq_topics_match():
    # The first held-out set predates the eight topics parents and partners asked for; the unseen set has all.
    assert faq_topics(by_intent(load_nlu(HELDOUT))) <= FAQ_TOPICS
    for path in UNSEEN.values():
        assert faq_topics(by_intent(load_nlu(path))) == FAQ_TOPICS, path.name


def test_content_topics_match():
    files = sorted(CONTENT_FAQ_DIR.glob("*.yml"))
    if not files:
        pytest.skip("content/faq/ has no topic files yet")
    keys = {str((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("topic")) for path in files}
    assert keys == FAQ_TOPICS, f"missing in content: {FAQ_TOPICS - keys}; not in NLU: {keys - FAQ_TOPICS}"


def test_faq_topic_counts(training, heldout):
    train, held = Counter(i for i, _ in training), Counter(i for i, _ in heldout)
    short = {
        topic: (train[f"faq/{topic}"], held[f"faq/{topic}"])
        for topic in FAQ_TOPICS
        if train[f"faq/{topic}"] < MIN_FAQ_TRAIN or held[f"faq/{topic}"] < MIN_FAQ_HELDOUT
    }
    assert not short, f"(training, held-out) below {MIN_FAQ_TRAIN}/{MIN_FAQ_HELDOUT}: {short}"


def test_other_intent_counts(training, heldout):
    train, held = Counter(i for i, _ in training), Counter(i for i, _ in heldout)
    short = {}
    for intent in OTHER_INTENTS:
        need = MIN_OUT_OF_SCOPE_TRAIN if intent == "out_of_scope" else MIN_OTHER_TRAIN
        if train[intent] < need or held[intent] < MIN_OTHER_HELDOUT:
            short[intent] = (train[intent], held[intent])
    assert not short, f"(training, held-out) below minimum: {short}"


def _domain_intents() -> Set[str]:
    data = yaml.safe_load(DOMAIN.read_text(encoding="utf-8")) or {}
    names = set()
    for entry in data.get("intents") or []:
        names.update(entry.keys() if isinstance(entry, dict) else [str(entry)])
    return names


def test_training_intents_are_in_domain(training):
    missing = {intent.split("/", 1)[0] for intent, _ in training} - _domain_intents()
    assert not missing, f"intents not in domain.yml: {missing}"


def test_heldout_intents_are_in_domain(heldout):
    missing = {intent.split("/", 1)[0] for intent, _ in heldout} - _domain_intents()
    assert not missing, f"intents not in domain.yml: {missing}"


def test_no_training_example_in_two_intents(training):
    seen: Dict[str, Set[str]] = defaultdict(set)
    for intent, text in training:
        seen[normalize(text)].add(intent)
    clashes = {text: sorted(intents) for text, intents in seen.items() if len(intents) > 1}
    assert not clashes, f"same text under several intents: {clashes}"


def test_no_duplicates_within_files(training):
    sets = [("data/nlu", training), ("heldout", load_nlu(HELDOUT))] + [(key, load_nlu(path)) for key, path in UNSEEN.items()]
    for name, pairs in sets:
        counts = Counter(normalize(text) for _, text in pairs)
        dupes = [text for text, n in counts.items() if n > 1]
        assert not dupes, f"{name}: repeated examples: {dupes}"


def test_heldout_does_not_copy_training(training, heldout):
    train_norm = {normalize(text) for _, text in training}
    copies = [text for _, text in heldout if normalize(text) in train_norm]
    assert not copies, f"held-out examples equal to training examples: {copies}"


def near_copies(held_texts: List[str], train_texts: List[str]) -> List[Tuple[str, str, float]]:
    """Held-out texts equal to, or at least NEAR_COPY_RATIO similar to, some training text."""
    train_canon = sorted({canonical(text) for text in train_texts})
    found = []
    for text in held_texts:
        held = canonical(text)
        matcher = difflib.SequenceMatcher(None, "", held, autojunk=False)  # b (cached) = held-out text
        for other in train_canon:
            if held == other:
                found.append((text, other, 1.0))
                break
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() >= NEAR_COPY_RATIO and matcher.quick_ratio() >= NEAR_COPY_RATIO:
                ratio = matcher.ratio()
                if ratio >= NEAR_COPY_RATIO:
                    found.append((text, other, round(ratio, 2)))
                    break
    return found


def test_near_copy_check_catches_copies():
    train = ["how do i enroll", "no he doesn't", "what are the program hours"]
    assert len(near_copies(["hw do i enroll", "No she doesn't!", "What r the program hours?"], train)) == 3
    assert near_copies(["can i bring my kids", "what does it cost"], train) == []


def test_heldout_has_no_near_copies(training, heldout):
    near = near_copies([text for _, text in heldout], [text for _, text in training])
    assert not near, f"held-out examples nearly equal to training examples: {near}"
