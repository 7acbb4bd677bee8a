"""The medical-advice detector (bot/safety/medical.py) on medical_advice_set.yml."""
from __future__ import annotations

from typing import Any, Dict

import pytest

from bot.safety import is_medical_advice_request, normalize
from tests.support.eval_sets import ADVICE, short


@pytest.mark.parametrize("item", ADVICE, ids=[short(i["text"]) for i in ADVICE])
def test_medical_advice_requests(item: Dict[str, Any]) -> None:
    assert is_medical_advice_request(item["text"]) is item["advice"], (item["text"], normalize(item["text"]))
