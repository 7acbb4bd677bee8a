"""The three patches this project makes to Rasa 3.6, all for speed, all with Rasa's behaviour kept.

- **The action server's answer** is checked against Rasa's JSON schema with a validator built once.
  `RemoteAction._validate_action_result` calls `jsonschema.validate`, which first validates the whole
  events schema against the metaschema, every time: about 13 ms of a 35 ms turn, where a validator built
  once costs about 0.4 ms. The schema, the error raised (jsonschema's best match) and its message are
  Rasa's own.
- **An event's class is found by a table**, not by walking every subclass of `Event`. Rasa reads a
  conversation back from the tracker store event by event, and `Event.resolve_by_type` rebuilt the list
  of all 23 event classes (recursively, with an abstract-class check each) for every one of them: about
  15 ms of reading back a finished conversation of 220 events. The table is built from that same list,
  in the same order, so where two classes share a name the one Rasa meets first wins (rasa.core.test's
  EndToEndUserUtterance shares 'user' with UserUttered). It is built again whenever a name is missing
  from it, so an event class imported later is found; one imported later that reuses the name of a
  deeper class already in the table would not take its place, as it could in Rasa's walk. No event
  class does that.
- **A conversation's applied events are worked out once per state.** `DialogueStateTracker.applied_events`
  walks the whole conversation (undoing reverted turns and form loops) and is called again by every
  policy and by the processor for the same state, about eight times a turn: a fifth of a turn's time.
  The result is kept on the tracker with the state it belongs to (the number of events and the first
  and last event objects: events are only ever appended, or the oldest dropped); any other state is
  worked out afresh, and every caller gets its own copy of the list.

Narrow on purpose: each patch applies only while the function it replaces is byte for byte the one it was
written against (its sha256); after a Rasa upgrade that changes one, Rasa's own code runs, a warning
says so, and `tests/unit/rasa_server/test_patches.py` fails until this module is reviewed. They are
applied when the crisis policy is imported (bot.rasa_server.policies), which every process that runs
our model does.
"""
from __future__ import annotations

import hashlib
import inspect
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Text, Type

logger = logging.getLogger(__name__)
_MARK = "_iop_patch"


def source_digest(function: Callable[..., Any]) -> str:
    """sha256 of a function's source text: what a patch was checked against."""
    return hashlib.sha256(inspect.getsource(function).encode("utf-8")).hexdigest()


@dataclass
class Patch:
    """One Rasa function replaced by ours, only while Rasa's is the one ours was written against."""

    owner: Callable[[], type]  # the class, imported when the patch is applied
    name: str
    source_sha256: str  # of inspect.getsource(Rasa's function) in Rasa 3.6.21
    replacement: Callable[..., Any]
    static: bool = False
    _original: Optional[Callable[..., Any]] = None

    def current(self) -> Callable[..., Any]:
        return getattr(self.owner(), self.name)

    def original(self) -> Callable[..., Any]:
        """Rasa's own function, whether or not the patch is in place."""
        return self._original or self.current()

    def apply(self) -> bool:
        """Install the replacement if Rasa's function is the expected one; True when in place."""
        current = self.current()
        if getattr(current, _MARK, False):
            return True
        if source_digest(current) != self.source_sha256:
            logger.warning(
                "Rasa's %s.%s is not the one bot/rasa_server/patches.py was written for; leaving Rasa's own "
                "(slower) code in place", self.owner().__name__, self.name,
            )
            return False
        self._original = current
        setattr(self.replacement, _MARK, True)
        setattr(self.owner(), self.name, staticmethod(self.replacement) if self.static else self.replacement)
        return True

    def remove(self) -> None:
        """Put Rasa's own function back (the benchmark measures Rasa's default configuration unpatched)."""
        if self._original is not None:
            setattr(self.owner(), self.name, staticmethod(self._original) if self.static else self._original)


@lru_cache(maxsize=1)
def _validator() -> Any:
    """Rasa's action response schema, checked against its metaschema once, compiled once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Rasa's `_validate_action_result` with the validator built once (same error, same message)."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_validator().iter_errors(result))  # what jsonschema.validate raises
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


_event_classes: Dict[Text, type] = {}


def event_class_table() -> Dict[Text, type]:
    """type_name -> the first event class with it, in the order Rasa's own lookup tries them."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table: Dict[Text, type] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def _resolve_by_type(type_name: Text, default: Optional[Type[Any]] = None) -> Optional[Type[Any]]:
    """Rasa's `Event.resolve_by_type` from a table (same class, same fallbacks, same error)."""
    global _event_classes
    found = _event_classes.get(type_name)
    if found is None:
        _event_classes = event_class_table()  # an event class may have been imported since
        found = _event_classes.get(type_name)
    if found is not None:
        return found
    if type_name == "topic":
        return None  # as Rasa: old TopicSet events are skipped
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


_APPLIED = "_iop_applied_events"  # (length, first event, last event, applied events) on the tracker


def _applied_events(self: Any) -> List[Any]:
    """Rasa's `applied_events`, worked out once per state of the tracker; a fresh list for each caller."""
    events = self.events
    first, last = (events[0], events[-1]) if events else (None, None)
    kept = self.__dict__.get(_APPLIED)
    if kept is not None and kept[0] == len(events) and kept[1] is first and kept[2] is last:
        return list(kept[3])
    applied = APPLIED_EVENTS.original()(self)
    self.__dict__[_APPLIED] = (len(events), first, last, list(applied))
    return applied


def _remote_action() -> type:
    from rasa.core.actions.action import RemoteAction

    return RemoteAction


def _event() -> type:
    from rasa.shared.core.events import Event

    return Event


def _tracker() -> type:
    from rasa.shared.core.trackers import DialogueStateTracker

    return DialogueStateTracker


VALIDATOR = Patch(_remote_action, "_validate_action_result",
                  "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42", _validate_action_result)
EVENT_TYPES = Patch(_event, "resolve_by_type",
                    "b5cf570fa7f286c7059ec73d8880528d03a78b28cf4e80285a46079c0fa65968", _resolve_by_type, static=True)
APPLIED_EVENTS = Patch(_tracker, "applied_events",
                       "764d5065ea9997d613c1984d9357370f9ae32d31ca21346086f16c54f0487aae", _applied_events)
PATCHES = (VALIDATOR, EVENT_TYPES, APPLIED_EVENTS)


def apply() -> bool:
    """Install every patch whose Rasa function is the expected one; True when all are in place."""
    return all([patch.apply() for patch in PATCHES])


def remove() -> None:
    """Rasa's own functions back in place, for measuring stock Rasa in a process that imported ours."""
    for patch in PATCHES:
        patch.remove()
