"""The crisis names shared by the Rasa server, its channels and the tools, written once.

The NLU component sets the intent and entity, the dialogue policy answers with the responses, and a
channel recognises a crisis turn by the response Rasa chose; all of them must spell these alike.
"""
from __future__ import annotations

from typing import Literal, Tuple

CrisisKind = Literal["suicide", "medical", "violence"]
CRISIS_KINDS: Tuple[CrisisKind, ...] = ("suicide", "medical", "violence")
# The crisis_type value of a crisis written in Spanish: the reply is the Spanish one, whatever the kind.
SPANISH = "spanish"

CRISIS_INTENT = "crisis"
# A warning sign: the assistant asks directly about suicide before anything else.
POSSIBLE_RISK_INTENT = "possible_risk"
CRISIS_ENTITY = "crisis_type"
MEDICAL_ADVICE_INTENT = "medical_advice"

UTTER_CRISIS = "utter_crisis"
UTTER_CRISIS_NEXT = "utter_crisis_next"
# The check-in, its second asking, and the reply to an unsure answer.
UTTER_RISK_CHECK = "utter_risk_check"
UTTER_RISK_CHECK_AGAIN = "utter_risk_check_again"
UTTER_RISK_UNSURE = "utter_risk_unsure"
# After a clear "no" in the middle of a form: thanks, and the form asks its question again.
UTTER_RISK_CHECK_RESUME = "utter_risk_check_resume"
# The slot that remembers a check-in is waiting for its answer ("asked", "asked_again").
RISK_CHECK_SLOT = "risk_check"
# The fit-check answer a warning sign also gave, kept while the check-in waits: a "no" stores it.
HELD_ANSWER_SLOT = "held_answer"
# The action that, after a clear "no", replays the message that raised the question.
ACTION_BACK_TO_QUESTION = "action_back_to_question"
