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
