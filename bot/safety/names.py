"""The crisis names shared by the Rasa server, its channels and the tools, written once.

The NLU component sets the intent and entity, the dialogue policy answers with the responses, and a
channel recognises a crisis turn by the response Rasa chose; all of them must spell these alike.
"""
from __future__ import annotations

from typing import Literal, Tuple

CrisisKind = Literal["suicide", "medical", "violence"]
CRISIS_KINDS: Tuple[CrisisKind, ...] = ("suicide", "medical", "violence")

CRISIS_INTENT = "crisis"
CRISIS_ENTITY = "crisis_type"
MEDICAL_ADVICE_INTENT = "medical_advice"

UTTER_CRISIS = "utter_crisis"
UTTER_CRISIS_NEXT = "utter_crisis_next"
