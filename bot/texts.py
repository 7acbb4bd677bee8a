"""Every text the assistant sends, from content/, with the program settings filled in.

Writers and providers edit content/ only: FAQ topics in content/faq/, the assistant's other
responses in content/messages.yml, the texts the SMS channel sends on its own in content/sms.yml,
the buttons added in code in content/buttons.yml, the website chat widget's own texts in
content/widget.yml, the staff console's and the staff webhook's texts in content/console.yml, the
callback-window phrases in content/callback_window.yml, how the program's own facts are said in
content/program_facts.yml. `build()` reads and checks all of it at once,
so a broken file stops the server at start with the file and the problem named, never
mid-conversation.

The catalogue serves every road a text takes to a person: `python -m bot.texts` writes
data/generated/responses.yml, which Rasa reads as training data; the channels take their own
replies (technical trouble, crisis by kind, empty message, SMS keywords) from it when Rasa cannot
answer; the website writes the widget's texts into its script; the demo page is rendered with the
same placeholder rules; the staff console, the staff webhook and the callback windows take theirs
from it with their run-time values filled in.
"""
from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Collection, Dict, List, Mapping, Optional

import yaml

from bot import program_facts
from bot.rasa_server.sms.format import SMS_PART_LIMIT
from bot.safety.names import CRISIS_KINDS, UTTER_CRISIS
from bot.text_keys import BUTTON_SETS, CALLBACK_WINDOW_TEXTS, CONSOLE_TEXTS, SMS_TEXTS, WIDGET_TEXTS
from bot.settings import CONTENT_DIR, PROJECT_ROOT, Program, program

FAQ_DIR = CONTENT_DIR / "faq"
MESSAGES_FILE = CONTENT_DIR / "messages.yml"
SMS_FILE = CONTENT_DIR / "sms.yml"
BUTTONS_FILE = CONTENT_DIR / "buttons.yml"
WIDGET_FILE = CONTENT_DIR / "widget.yml"
CONSOLE_FILE = CONTENT_DIR / "console.yml"
CALLBACK_WINDOW_FILE = CONTENT_DIR / "callback_window.yml"
FACTS_FILE = CONTENT_DIR / "program_facts.yml"
GENERATED_FILE = PROJECT_ROOT / "data" / "generated" / "responses.yml"

# Output channel names (InputChannel.name()) that get the short SMS variation of each answer.
SMS_CHANNELS = ("twilio_sms",)

# Placeholders Rasa fills at run time from slots or action arguments; everything else must be
# a program setting and is filled here.
RUNTIME_PLACEHOLDERS = frozenset({"ref", "window", "reasons", "why", "outcome_text", "topic_list", "when_open"})
PLACEHOLDER = re.compile(r"{([a-z_]+)}")

UTTER_TECHNICAL_TROUBLE = "utter_technical_trouble"
UTTER_EMPTY_MESSAGE = "utter_empty_message"

# What the channels send on their own must exist, or they would have nothing to say when Rasa fails.
REQUIRED_RESPONSES = (UTTER_TECHNICAL_TROUBLE, UTTER_EMPTY_MESSAGE, UTTER_CRISIS)
Variation = Dict[str, Any]
Responses = Dict[str, List[Variation]]


class ContentError(ValueError):
    """A content file is missing, unreadable, misses a field or uses an unknown placeholder."""


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
    # Buttons offered first after this answer, e.g. the guided family conversation.
    offers: List[Dict[str, str]] = field(default_factory=list)
    # The program's own facts said first when set (bot/program_facts.SAYABLE), and the general
    # answer that follows them instead of `short` ("ask us what we charge" is moot once we said it).
    ours: List[str] = field(default_factory=list)
    short_after_ours: str = ""


def render(
    text: str,
    values: Mapping[str, str],
    where: str,
    runtime: Collection[str] = RUNTIME_PLACEHOLDERS,
    escape: Optional[Callable[[str], str]] = None,
) -> str:
    """Fill {placeholders} from `values`; leave `runtime` ones for later; reject unknown ones.

    `escape` is applied to every filled-in value (not to the text around it), e.g. for HTML.
    """

    def fill(match: "re.Match[str]") -> str:
        name = match.group(1)
        if name in values:
            value = str(values[name])
            return escape(value) if escape else value
        if name in runtime:
            return match.group(0)
        raise ContentError(f"{where}: unknown placeholder {{{name}}}")

    return PLACEHOLDER.sub(fill, text)


def render_html(template: str, values: Mapping[str, str], where: str) -> str:
    """A page: every placeholder must have a value, and every value is HTML-escaped (quotes too)."""
    return render(template, values, where, runtime=(), escape=lambda v: html.escape(v, quote=True))


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContentError(f"{path.name}: file not found ({path})") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: not valid YAML: {exc}") from exc


def _mapping(path: Path) -> Dict[str, Any]:
    data = _read_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(f"{path.name}: must be a mapping of names to entries")
    return data


def load_topics(directory: Path = FAQ_DIR) -> Dict[str, Topic]:
    """Every FAQ topic file, validated."""
    topics: Dict[str, Topic] = {}
    for path in sorted(directory.glob("*.yml")):
        data = _mapping(path)
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
            offers=_offers(path, data.get("offers")),
            ours=_ours(path, data.get("ours")),
            short_after_ours=" ".join(str(data.get("short_after_ours") or "").split()),
        )
    for topic in topics.values():
        unknown = [r for r in topic.related if r not in topics]
        if unknown:
            raise ContentError(f"{topic.key}: related topics not found: {unknown}")
    return topics


def _offers(path: Path, raw: Any) -> List[Dict[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(b, dict) and b.get("title") and b.get("payload") for b in raw):
        raise ContentError(f"{path.name}: offers must be a list of buttons with a title and a payload")
    return [{"title": str(b["title"]), "payload": str(b["payload"])} for b in raw]


def _ours(path: Path, raw: Any) -> List[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise ContentError(f"{path.name}: ours must be a list of fact names")
    unknown = [f for f in raw if f not in program_facts.SAYABLE]
    if unknown:
        raise ContentError(f"{path.name}: ours names unknown facts {unknown}; known: {list(program_facts.SAYABLE)}")
    return [str(f) for f in raw]


def load_fact_phrases(path: Path = FACTS_FILE) -> Dict[str, str]:
    """content/program_facts.yml: every phrase present, each using only its own values."""
    data = _mapping(path)
    phrases: Dict[str, str] = {}
    for key, allowed in program_facts.PHRASES.items():
        raw = data.get(key)
        if not isinstance(raw, str) or not raw.strip():
            raise ContentError(f"{path.name}: {key} is missing or empty")
        text = " ".join(raw.split())
        used = PLACEHOLDER.findall(text)
        if set(used) - set(allowed) or text.count("{") != len(used) or text.count("}") != len(used):
            raise ContentError(f"{path.name}: {key} may use only {sorted(allowed) or 'no placeholders'}")
        phrases[key] = text
    unknown = sorted(set(data) - set(program_facts.PHRASES))
    if unknown:
        raise ContentError(f"{path.name}: unknown entries {unknown}")
    return phrases


def load_buttons(path: Path = BUTTONS_FILE) -> Dict[str, List[Dict[str, str]]]:
    """The button sets added in code (content/buttons.yml): each a list of {title, payload}."""
    data = _mapping(path)
    buttons: Dict[str, List[Dict[str, str]]] = {}
    for name in BUTTON_SETS:
        items = data.get(name)
        if not isinstance(items, list) or not items:
            raise ContentError(f"{path.name}: {name} must be a list of buttons")
        for item in items:
            if not isinstance(item, dict) or not item.get("title") or not item.get("payload"):
                raise ContentError(f"{path.name}: every button in {name} needs a title and a payload")
        buttons[name] = [{"title": str(b["title"]), "payload": str(b["payload"])} for b in items]
    return buttons


def topic_buttons(topic: Topic, topics: Mapping[str, Topic], follow_up: List[Dict[str, str]]) -> List[Dict[str, str]]:
    """Follow-ups after an answer: its own offers, related topics (two buttons together), then
    `follow_up` (fit check, callback)."""
    related = [{"title": topics[r].title, "payload": topics[r].question} for r in topic.related[: max(0, 2 - len(topic.offers))]]
    return [dict(b) for b in topic.offers] + related + [dict(b) for b in follow_up]


def topic_short(topic: Topic, ours: List[str], values: Mapping[str, str]) -> str:
    """The core answer: the program's own stated facts (`ours`, sentences) first, then the general answer."""
    where = f"{FAQ_DIR.name}/{topic.key}.yml"
    if not ours:
        return render(topic.short, values, where)
    return " ".join(ours + [render(topic.short_after_ours or topic.short, values, where)])


def topic_sms(topic: Topic, short: str, ours: List[str], values: Mapping[str, str], sms_after: str) -> str:
    """The core answer `short` in one SMS part: with long facts (many insurers, three tracks) the
    general answer after them gives way to a line with the phone number; facts too long even then
    are a settings error, named at start, rather than an answer cut in two."""
    if len(short) <= SMS_PART_LIMIT or not ours:
        return short
    fitted = " ".join(ours + [render(sms_after, values, FACTS_FILE.name)])
    if len(fitted) > SMS_PART_LIMIT:
        raise ContentError(
            f"{FAQ_DIR.name}/{topic.key}.yml: with the program's facts ({', '.join(topic.ours)}) the text-message "
            f"answer is {len(fitted)} characters, over {SMS_PART_LIMIT}; say less in content/program.yml facts"
        )
    return fitted


def faq_responses(
    topics: Mapping[str, Topic],
    values: Mapping[str, str],
    follow_up: Optional[List[Dict[str, str]]] = None,
    said: Optional[Mapping[str, str]] = None,
    sms_after: str = "",
) -> Responses:
    """Rasa responses `utter_faq/<topic>`: web text (core + detail) and an SMS variation (core only).

    `said`: the program's stated facts as sentences (bot.program_facts.sentences), said first;
    `sms_after`: what follows them by text message when the general answer would not fit.
    """
    after = follow_up if follow_up is not None else load_buttons()["after_answer"]
    responses: Responses = {}
    for topic in topics.values():
        where = f"{FAQ_DIR.name}/{topic.key}.yml"
        ours = [said[fact] for fact in topic.ours if said and fact in said]
        short = topic_short(topic, ours, values)
        detail = render(" ".join(topic.detail.split()), values, where) if topic.detail else ""
        buttons = topic_buttons(topic, topics, after)
        web = {"text": f"{short}\n\n{detail}" if detail else short, "buttons": buttons}
        sms = topic_sms(topic, short, ours, values, sms_after)
        variations = [web] + [{"channel": channel, "text": sms, "buttons": buttons} for channel in SMS_CHANNELS]
        responses[f"utter_faq/{topic.key}"] = variations
    return responses


def message_responses(values: Mapping[str, str], path: Path = MESSAGES_FILE) -> Responses:
    """Core responses from content/messages.yml with program settings filled in."""
    responses: Responses = {}
    for name, variations in _mapping(path).items():
        if not name.startswith("utter_") or not isinstance(variations, list) or not variations:
            raise ContentError(f"{path.name}: {name} must be an utter_ name with a list of variations")
        rendered = []
        for variation in variations:
            if not isinstance(variation, dict) or "text" not in variation:
                raise ContentError(f"{path.name}: {name} has a variation without text")
            item = dict(variation)
            where = f"{path.name}: {name}"
            item["text"] = render(" ".join(str(item["text"]).split(" ")).strip(), values, where)
            if "buttons" in item:
                if not all(isinstance(b, dict) and b.get("title") and b.get("payload") for b in item["buttons"] or []):
                    raise ContentError(f"{where}: every button needs a title and a payload")
                item["buttons"] = [
                    {"title": render(b["title"], values, where), "payload": b["payload"]} for b in item["buttons"]
                ]
            rendered.append(item)
        responses[name] = rendered
    return responses


def _named_texts(
    values: Mapping[str, str], path: Path, keys: Mapping[str, Collection[str]]
) -> Dict[str, str]:
    """A file of named one-line texts (content/sms.yml, widget.yml, console.yml, callback_window.yml):
    every key present, no other, program settings filled in."""
    data = _mapping(path)
    texts: Dict[str, str] = {}
    for key, runtime in keys.items():
        raw = data.get(key)
        if not isinstance(raw, str) or not raw.strip():
            raise ContentError(f"{path.name}: {key} is missing or empty")
        texts[key] = render(" ".join(raw.split()), values, f"{path.name}: {key}", runtime=runtime)
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise ContentError(f"{path.name}: unknown entries {unknown}")
    return texts


def pick(variations: List[Variation], channel: Optional[str] = None, kind: Optional[str] = None) -> Variation:
    """The variation Rasa would send on `channel` when only the crisis kind (if any) is known.

    Variations for the channel win over general ones; among those, one whose condition names
    `kind`, else the first without a condition.
    """
    own = [v for v in variations if channel and v.get("channel") == channel]
    candidates = own or [v for v in variations if not v.get("channel")]
    if kind is not None:
        for variation in candidates:
            if any(c.get("value") == kind for c in variation.get("condition") or []):
                return variation
    return next(v for v in candidates if not v.get("condition"))


@dataclass(frozen=True)
class Catalogue:
    """All texts for one set of program settings, rendered and checked. Treat as read-only."""

    values: Mapping[str, str]
    topics: Mapping[str, Topic]
    responses: Mapping[str, List[Variation]]
    sms: Mapping[str, str]
    buttons: Mapping[str, List[Dict[str, str]]]
    widget: Mapping[str, str]
    console: Mapping[str, str]
    callback_window: Mapping[str, str]

    def text(self, name: str, channel: Optional[str] = None) -> str:
        """A response's text as Rasa would send it on `channel` in a conversation without slots."""
        return str(pick(self.responses[name], channel)["text"])

    def crisis(self, kind: Optional[str] = None) -> str:
        """The crisis reply for a kind (suicide / medical / violence), or the general one."""
        return str(pick(self.responses[UTTER_CRISIS], kind=kind)["text"])

    def technical_trouble(self) -> str:
        """What a person reads when we failed: try again, the phone number, the crisis numbers."""
        return self.text(UTTER_TECHNICAL_TROUBLE)

    def sms_text(self, key: str, **runtime: str) -> str:
        """A text the SMS channel sends on its own, run-time placeholders filled from `runtime`."""
        return _fill(self.sms, SMS_FILE, key, runtime)

    def console_text(self, key: str, **runtime: object) -> str:
        """A staff console (or webhook) text with its run-time values; plain text, so that each
        page escapes the whole of it, the words around the values too."""
        return _fill(self.console, CONSOLE_FILE, key, runtime)

    def window_text(self, key: str, **runtime: str) -> str:
        """A callback-window phrase with bot.hours' clock words filled in."""
        return _fill(self.callback_window, CALLBACK_WINDOW_FILE, key, runtime)


def _fill(texts: Mapping[str, str], path: Path, key: str, runtime: Mapping[str, object]) -> str:
    """A named text with its run-time placeholders filled (all of them: none may be left)."""
    values = {name: str(value) for name, value in runtime.items()}
    return render(texts[key], values, f"{path.name}: {key}", runtime=())


def _check(responses: Responses) -> None:
    """The responses the channels rely on exist, with a general variation and one per crisis kind."""
    for name in REQUIRED_RESPONSES:
        if name not in responses:
            raise ContentError(f"{MESSAGES_FILE.name}: {name} is required")
        try:
            pick(responses[name])
        except StopIteration:
            raise ContentError(f"{MESSAGES_FILE.name}: {name} needs a variation without condition") from None
    kinds = {c.get("value") for v in responses[UTTER_CRISIS] for c in v.get("condition") or []}
    missing = [kind for kind in CRISIS_KINDS if kind not in kinds]
    if missing:
        raise ContentError(f"{MESSAGES_FILE.name}: {UTTER_CRISIS} has no variation for {missing}")


def build(prog: Optional[Program] = None, content_dir: Path = CONTENT_DIR) -> Catalogue:
    """Read and check every content file for these program settings; raises ContentError."""
    prog = prog or program()
    values = prog.placeholders()
    topics = load_topics(content_dir / FAQ_DIR.name)
    buttons = load_buttons(content_dir / BUTTONS_FILE.name)
    phrases = load_fact_phrases(content_dir / FACTS_FILE.name)
    said = program_facts.sentences(prog.facts, phrases)
    responses = message_responses(values, content_dir / MESSAGES_FILE.name)
    responses.update(faq_responses(topics, values, buttons["after_answer"], said, phrases[program_facts.SMS_AFTER]))
    _check(responses)
    return Catalogue(
        values=values,
        topics=topics,
        responses=responses,
        sms=_named_texts(values, content_dir / SMS_FILE.name, SMS_TEXTS),
        buttons=buttons,
        widget=_named_texts(values, content_dir / WIDGET_FILE.name, WIDGET_TEXTS),
        console=_named_texts(values, content_dir / CONSOLE_FILE.name, CONSOLE_TEXTS),
        callback_window=_named_texts(values, content_dir / CALLBACK_WINDOW_FILE.name, CALLBACK_WINDOW_TEXTS),
    )


@lru_cache(maxsize=4)
def _built(prog: Program) -> Catalogue:
    return build(prog)


def catalogue(prog: Optional[Program] = None) -> Catalogue:
    """The catalogue for these program settings (the deployed ones by default), built once."""
    return _built(prog or program())


def all_responses(prog: Optional[Program] = None) -> Responses:
    """Every response the assistant can send, ready for Rasa (freshly built, safe to change)."""
    return build(prog).responses  # type: ignore[return-value]


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
    text = "# Generated by `python -m bot.texts` from content/. Do not edit.\n" + body
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def main() -> int:
    try:
        out = write_generated()
    except ValueError as exc:  # ContentError, or SettingsError from content/program.yml
        print(f"content error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
