"""After a clear "no" to the safety check-in: go back to the message that raised the question.

The check-in interrupted a message (a question, a form answer). Rasa can replay it: the action
rewinds the user messages since that message (UserUtteranceReverted once per message) and hands
it back as a fresh user message, carrying what it would have been without the warning sign: the
intent ranked second by the safety net, the response selector's answer and the entities, minus
the crisis type. Rasa then runs its slot mappings and policies on it as if it had just arrived,
so an FAQ question is answered, and a form takes it as the answer to its pending question.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.safety.names import CRISIS_ENTITY, CRISIS_INTENT, POSSIBLE_RISK_INTENT

FALLBACK_INTENT = "nlu_fallback"


def replay_events(applied_events: Sequence[Mapping[str, Any]]) -> Optional[List[Dict[str, Any]]]:
    """The events that replay what the person last asked before the "no", or None if no check-in
    was raised.

    That is the message that raised the check-in, unless the person asked something else while the
    question was pending (the assistant asked again, then got the "no"): then it is that newer
    message, which has its own intent already.
    """
    users = [i for i, e in enumerate(applied_events) if e.get("event") == "user"]
    for count, index in enumerate(reversed(users), 1):
        if _intent(applied_events[index]) != POSSIBLE_RISK_INTENT:
            continue
        since = users[len(users) - count:]
        asked_meanwhile = since[1:-1]  # between the warning sign and the final answer
        event = applied_events[asked_meanwhile[-1] if asked_meanwhile else index]
        rewinds = [{"event": "rewind"} for _ in range(count)]
        return rewinds + [
            {"event": "action", "name": "action_listen"},
            {
                "event": "user",
                "text": event.get("text"),
                "parse_data": underlying_parse(event.get("parse_data") or {}),
                "input_channel": event.get("input_channel"),
                "metadata": event.get("metadata") or {},
            },
        ]
    return None


def underlying_parse(parse_data: Mapping[str, Any]) -> Dict[str, Any]:
    """The parse of a message as it would have been without the warning sign."""
    parsed = copy.deepcopy(dict(parse_data))
    ranking = [
        r for r in parsed.get("intent_ranking") or [] if r.get("name") not in (POSSIBLE_RISK_INTENT, CRISIS_INTENT)
    ]
    parsed["intent"] = dict(ranking[0]) if ranking else {"name": FALLBACK_INTENT, "confidence": 1.0}
    parsed["intent_ranking"] = ranking
    parsed["entities"] = [e for e in parsed.get("entities") or [] if e.get("entity") != CRISIS_ENTITY]
    return parsed


def _intent(event: Mapping[str, Any]) -> Optional[str]:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")
