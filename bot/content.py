"""Answer texts: load content/ and render Rasa responses with the program settings filled in.

Texts live in content/ (FAQ topics in content/faq/, everything else in content/messages.yml) so
that writers and providers never touch the dialogue files. `python -m bot.content` writes
data/generated/responses.yml, which Rasa reads as training data; nothing is hard-coded twice.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bot.settings import CONTENT_DIR, PROJECT_ROOT, Program, program

FAQ_DIR = CONTENT_DIR / "faq"
MESSAGES_FILE = CONTENT_DIR / "messages.yml"
GENERATED_FILE = PROJECT_ROOT / "data" / "generated" / "responses.yml"

# Output channel names (InputChannel.name()) that get the short SMS variation of each answer.
SMS_CHANNELS = ("twilio_sms",)

# Placeholders Rasa fills at run time from slots or action arguments; everything else must be
# a program setting and is filled here.
RUNTIME_PLACEHOLDERS = {"ref", "window", "reasons", "outcome_text", "topic_list", "when_open"}
_PLACEHOLDER = re.compile(r"{([a-z_]+)}")

SCREENING_BUTTON = {"title": "Check if IOP fits", "payload": "/start_screening"}
CALLBACK_BUTTON = {"title": "Request a callback", "payload": "/request_callback"}


class ContentError(ValueError):
    """A content file is missing a field or uses an unknown placeholder."""


@dataclass(frozen=True)
class Topic:
    """One FAQ topic: a short core answer for every channel, optional web detail, its sources."""

    key: str
    title: str
    question: str
    sources: List[str]
    short: str
    detail: str = ""
    related: List[str] = field(default_factory=list)


def render(text: str, values: Dict[str, str], where: str) -> str:
    """Fill {placeholders} from program settings; leave run-time ones for Rasa; reject unknown ones."""

    def fill(match: "re.Match[str]") -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        if name in RUNTIME_PLACEHOLDERS:
            return match.group(0)
        raise ContentError(f"{where}: unknown placeholder {{{name}}}")

    return _PLACEHOLDER.sub(fill, text)


def load_topics(directory: Path = FAQ_DIR) -> Dict[str, Topic]:
    """Every FAQ topic file, validated."""
    topics: Dict[str, Topic] = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        missing = [k for k in ("topic", "title", "question", "sources", "short") if not data.get(k)]
        if missing:
            raise ContentError(f"{path.name}: missing {', '.join(missing)}")
        key = str(data["topic"])
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise ContentError(f"{path.name}: topic must be snake_case, got {key!r}")
        if key in topics:
            raise ContentError(f"{path.name}: duplicate topic {key!r}")
        topics[key] = Topic(
            key=key,
            title=str(data["title"]).strip(),
            question=str(data["question"]).strip(),
            sources=[str(s) for s in data["sources"]],
            short=" ".join(str(data["short"]).split()),
            detail=str(data.get("detail") or "").strip(),
            related=[str(r) for r in data.get("related") or []],
        )
    for topic in topics.values():
        unknown = [r for r in topic.related if r not in topics]
        if unknown:
            raise ContentError(f"{topic.key}: related topics not found: {unknown}")
    return topics


def topic_buttons(topic: Topic, topics: Dict[str, Topic]) -> List[Dict[str, str]]:
    """Follow-ups after an answer: up to two related topics, the fit check, a callback."""
    buttons = [{"title": topics[r].title, "payload": topics[r].question} for r in topic.related[:2]]
    return buttons + [SCREENING_BUTTON, CALLBACK_BUTTON]


def faq_responses(topics: Dict[str, Topic], values: Dict[str, str]) -> Dict[str, List[Dict[str, Any]]]:
    """Rasa responses `utter_faq/<topic>`: web text (core + detail) and an SMS variation (core only)."""
    responses: Dict[str, List[Dict[str, Any]]] = {}
    for topic in topics.values():
        where = f"faq/{topic.key}"
        short = render(topic.short, values, where)
        detail = render(" ".join(topic.detail.split()), values, where) if topic.detail else ""
        buttons = topic_buttons(topic, topics)
        web = {"text": f"{short}\n\n{detail}" if detail else short, "buttons": buttons}
        variations = [web] + [
            {"channel": channel, "text": short, "buttons": buttons} for channel in SMS_CHANNELS
        ]
        responses[f"utter_faq/{topic.key}"] = variations
    return responses


def message_responses(values: Dict[str, str], path: Path = MESSAGES_FILE) -> Dict[str, List[Dict[str, Any]]]:
    """Core responses from content/messages.yml with program settings filled in."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    responses: Dict[str, List[Dict[str, Any]]] = {}
    for name, variations in data.items():
        if not name.startswith("utter_") or not isinstance(variations, list) or not variations:
            raise ContentError(f"messages.yml: {name} must be an utter_ name with a list of variations")
        rendered = []
        for variation in variations:
            item = dict(variation)
            if "text" not in item:
                raise ContentError(f"messages.yml: {name} has a variation without text")
            item["text"] = render(" ".join(str(item["text"]).split(" ")).strip(), values, name)
            if "buttons" in item:
                item["buttons"] = [
                    {"title": render(b["title"], values, name), "payload": b["payload"]} for b in item["buttons"]
                ]
            rendered.append(item)
        responses[name] = rendered
    return responses


def all_responses(prog: Optional[Program] = None) -> Dict[str, List[Dict[str, Any]]]:
    """Every response the assistant can send, ready for Rasa."""
    values = (prog or program()).placeholders()
    topics = load_topics()
    responses = message_responses(values)
    responses.update(faq_responses(topics, values))
    return responses


class _NoAliasDumper(yaml.SafeDumper):
    """Rasa's reader is fine with anchors, but a generated file should read plainly."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_generated(path: Path = GENERATED_FILE) -> Path:
    """Write data/generated/responses.yml (only when its content changed, to keep make's timestamps)."""
    body = yaml.dump(
        {"version": "3.1", "responses": all_responses()},
        Dumper=_NoAliasDumper,
        sort_keys=True,
        allow_unicode=True,
        width=100000,
    )
    text = "# Generated by `python -m bot.content` from content/. Do not edit.\n" + body
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def main() -> int:
    try:
        out = write_generated()
    except (ContentError, ValueError) as exc:
        print(f"content error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
