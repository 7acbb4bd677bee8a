"""bot.tools.bench.soak: when memory counts as flat, and the command line."""
from __future__ import annotations

import pytest

from bot.tools.bench import soak
from bot.tools.bench.soak import FLAT_GROWTH, is_flat, memory_growth


@pytest.mark.parametrize(
    "samples, warm_up, growth, flat",
    [
        # too few samples to say
        ([100.0] * 6, 1, None, None),
        # steady after the warm-up (the warm-up itself may climb)
        ([50, 80, 100, 100, 101, 100, 100, 101, 100], 2, 0.0, True),
        # one spike at the end is outvoted by the median of three
        ([100, 100, 100, 100, 100, 100, 180, 100, 100], 1, 0.0, True),
        # a steady leak
        ([100, 100, 100, 110, 120, 130, 140, 150, 160], 1, 0.5, False),
        # just within the bar
        ([700, 700, 700, 700, 730, 760, 765, 765, 765], 1, 0.093, True),
        # a small process moving by a few MB is not a leak
        ([40, 40, 40, 45, 50, 55, 60, 60, 60], 1, 0.5, True),
    ],
)
def test_memory_growth_and_flatness(samples, warm_up, growth, flat) -> None:
    measured = memory_growth([float(v) for v in samples], warm_up)
    if growth is None:
        assert measured is None
    else:
        assert measured == pytest.approx(growth, abs=0.005)
    assert is_flat([float(v) for v in samples], warm_up) is flat


def test_the_bar_is_ten_percent() -> None:
    assert FLAT_GROWTH == 0.10


def test_one_rasa_server_is_refused(capsys) -> None:
    with pytest.raises(SystemExit):
        soak.main(["--rasa-servers", "1"])
    assert "at least 2" in capsys.readouterr().err


def test_the_report_shows_the_shared_pool_apart() -> None:
    from bot.tools.bench.soak import report

    result = {
        "load": {"messages": 10, "conversations": 2, "p50_ms": 50.0, "p95_ms": 90.0, "msgs_per_s": 1.0, "errors": 0,
                 "error_kinds": {}},
        "plan": {"users": 2, "minutes": 1.0},
        "killed": {"at_s": 30, "back": "rasa-1 is answering again after 9 s", "supervisor": []},
        "callbacks": {"completed_conversations": 2, "stored": 2, "missing": 0, "stored_twice": 0},
        "memory": {
            "postgres": {"samples_mb": [40.0, 41.0], "shared_pool_mb": [6.0, 70.0], "growth": 0.02, "flat": True},
            "redis": {"samples_mb": [8.0, 8.0], "shared_pool_mb": [0.0, 0.0], "growth": 0.0, "flat": True},
        },
        "met": {"memory_flat": True},
    }
    text = report(result)
    assert "memory postgres: [40.0] -> [41.0] MB, growth +2.0% flat; shared pool 6.0 -> 70.0 MB (at most 70.0;" in text
    assert "memory redis: [8.0] -> [8.0] MB, growth +0.0% flat\n" in text
