"""SMS opt-outs: STOP and START per number, kept in the database."""
from __future__ import annotations


import pytest

from bot.store import Store


def test_sms_opt_out(any_store: Store) -> None:
    phone = "+14105550142"
    opt_outs = any_store.opt_outs
    assert opt_outs.is_opted_out(phone) is False
    opt_outs.set(phone, True)
    assert opt_outs.is_opted_out(phone) is True
    assert opt_outs.is_opted_out("+14105550143") is False
    opt_outs.set(phone, True)
    opt_outs.set(phone, False)
    assert opt_outs.is_opted_out(phone) is False


def test_sms_opt_out_needs_e164(store: Store) -> None:
    with pytest.raises(ValueError):
        store.opt_outs.set("410 555 0142", True)
