"""bot.tools.bench.cli: what a run measures follows from its arguments."""
from __future__ import annotations

from argparse import Namespace

import pytest

from bot.tools.bench.cli import Plan, main


def _args(**changes: object) -> Namespace:
    defaults = dict(quick=False, retrain=False, only=None, repeat=0, repeat_training=1, levels="", conversations=0,
                    tf_threads="1/1", think_time=0.0, rasa_servers=1, reuse_models=False,
                    default_epochs=100)
    defaults.update(changes)
    return Namespace(**defaults)


def test_full_run_measures_both_configurations() -> None:
    plan = Plan.from_args(_args())
    assert plan.labels == ("ours", "default")
    assert plan.repetitions == 3 and plan.retrain and plan.levels == {1: 5, 10: 20, 50: 50}


def test_quick_ours_only_is_a_smoke_run_without_training() -> None:
    plan = Plan.from_args(_args(quick=True, only="ours"))
    assert plan.labels == ("ours",) and not plan.retrain and plan.repetitions == 1


def test_scaled_runs_reuse_the_trained_models() -> None:
    plan = Plan.from_args(_args(rasa_servers=2, reuse_models=True))
    assert plan.rasa_servers == 2 and not plan.retrain and plan.labels == ("ours", "default")
    assert Plan.from_args(_args(rasa_servers=0)).rasa_servers == 1


def test_the_default_can_be_trained_briefly_for_speed() -> None:
    assert Plan.from_args(_args()).default_epochs == 100
    assert Plan.from_args(_args(default_epochs=1)).default_epochs == 1
    assert Plan.from_args(_args(default_epochs=0)).default_epochs == 1


def test_help_names_the_module(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "python -m bot.tools.bench" in out and "--only" in out
