"""Every action of the `actions` package, made to fail with the conversation in the exception.

The action server registers a subclass after its base, so serving this module (`--actions
tests.support.faulty_actions`) replaces each real action by one that raises. If anything logged an
exception's text, the person's words would show up in the logs; the tests grep for them.
"""
from __future__ import annotations

import inspect
from typing import Any, Dict, List

from rasa_sdk import Action, utils
from rasa_sdk.executor import ActionExecutor

ActionExecutor()._import_submodules("actions")


def _fail(self: Action, dispatcher: Any, tracker: Any, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
    said = (tracker.latest_message or {}).get("text")
    raise RuntimeError(f"forced failure: said {said!r}, slots {tracker.slots!r}")


def _failing_copies() -> Dict[str, type]:
    made: Dict[str, type] = {}
    for cls in utils.all_subclasses(Action):
        if cls.__module__.startswith("actions.") and not inspect.isabstract(cls):
            made[cls.__name__] = type(f"Failing{cls.__name__}", (cls,), {"run": _fail, "__module__": __name__})
    return made


FAILING = _failing_copies()
