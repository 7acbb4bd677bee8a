"""The one patch this project makes to Rasa 3.6: the action server's answer is checked against
Rasa's JSON schema with a validator built once, not built and self-checked on every action call.

Why: `RemoteAction._validate_action_result` calls `jsonschema.validate`, which first validates the
whole events schema against the metaschema, every time. That was about 13 ms of a 35 ms turn; a
validator built once costs about 0.4 ms. The schema, the error raised (jsonschema's best match) and
its message are Rasa's own, so behaviour is unchanged.

Narrow on purpose: the patch applies only while the function it replaces is byte for byte the one
it was written against (`PATCHED_SOURCE_SHA256`); after a Rasa upgrade that changes it, Rasa's
own code runs, a warning says so, and `tests/unit/rasa_server/test_patches.py` fails until this
module is reviewed. It is applied when the crisis policy is imported (bot.rasa_server.policies), which
every process that runs our model does.
"""
from __future__ import annotations

import hashlib
import inspect
import logging
from functools import lru_cache
from typing import Any, Callable, Dict, Optional, Text

logger = logging.getLogger(__name__)

# sha256 of inspect.getsource(RemoteAction._validate_action_result) in Rasa 3.6.21.
PATCHED_SOURCE_SHA256 = "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42"
_MARK = "_iop_validator_built_once"
_original: Optional[Callable[..., bool]] = None  # Rasa's function, once replaced


def source_digest(function: Callable[..., Any]) -> str:
    """sha256 of a function's source text: what the patch was checked against."""
    return hashlib.sha256(inspect.getsource(function).encode("utf-8")).hexdigest()


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


setattr(_validate_action_result, _MARK, True)


def original() -> Callable[..., bool]:
    """Rasa's own `_validate_action_result`, whether or not the patch is in place."""
    from rasa.core.actions.action import RemoteAction

    return _original or RemoteAction._validate_action_result


def apply() -> bool:
    """Install the patch if Rasa's function is the one it was written for; True when in place."""
    global _original
    from rasa.core.actions.action import RemoteAction

    current = RemoteAction._validate_action_result
    if getattr(current, _MARK, False):
        return True
    if source_digest(current) != PATCHED_SOURCE_SHA256:
        logger.warning(
            "Rasa's RemoteAction._validate_action_result is not the one bot/rasa_server/patches.py was "
            "written for; leaving Rasa's own (slower) validation in place"
        )
        return False
    _original = current
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
    return True
