"""bot.tools.bench.train: Rasa's default configuration as `rasa init` writes it, and what gets trained."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.tools.bench import train
from bot.tools.bench.train import DEFAULT_CONFIG_YAML


def test_default_config_is_rasa_init_config() -> None:
    config = yaml.safe_load(DEFAULT_CONFIG_YAML)
    names = [c["name"] for c in config["pipeline"]]
    assert names == ["WhitespaceTokenizer", "RegexFeaturizer", "LexicalSyntacticFeaturizer", "CountVectorsFeaturizer",
                     "CountVectorsFeaturizer", "DIETClassifier", "EntitySynonymMapper", "ResponseSelector",
                     "FallbackClassifier"]
    selector = config["pipeline"][7]
    assert "retrieval_intent" not in selector and selector["epochs"] == 100
    assert config["pipeline"][4] == {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}
    assert config["pipeline"][8] == {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1}
    assert [p["name"] for p in config["policies"]] == ["MemoizationPolicy", "RulePolicy", "UnexpecTEDIntentPolicy", "TEDPolicy"]



def _no_training(*args: object) -> float:
    raise AssertionError("nothing should be trained")


def test_quick_ours_only_reuses_the_project_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project_model = tmp_path / "iop.tar.gz"
    project_model.write_bytes(b"model")
    monkeypatch.setattr(train, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(train, "BENCH_MODELS", tmp_path / "bench")
    monkeypatch.setattr(train, "PROJECT_MODEL", project_model)
    monkeypatch.setattr(train, "train_model", _no_training)
    models, training = train.prepare_models(("ours",), retrain=False, repetitions=1, work=tmp_path)
    assert models == {"ours": project_model}
    assert training["reused"] == ["ours"] and training["ratios"] == [] and training["ratio_median"] is None
    assert training["default"] == {"runs_s": [], "median_s": None}
    assert not (tmp_path / "bench" / "default").exists()  # the default config is written only when needed


def test_a_reused_model_is_not_paired_with_a_timed_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project_model = tmp_path / "iop.tar.gz"
    project_model.write_bytes(b"model")
    monkeypatch.setattr(train, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(train, "BENCH_MODELS", tmp_path / "bench")
    monkeypatch.setattr(train, "PROJECT_MODEL", project_model)
    monkeypatch.setattr(train, "train_model", lambda config, out_dir, name, log_file: 900.0)
    models, training = train.prepare_models(train.LABELS, retrain=False, repetitions=1, work=tmp_path)
    assert models["ours"] == project_model and models["default"] == tmp_path / "bench" / "default" / "default.tar.gz"
    assert training["reused"] == ["ours"]
    assert training["default"]["runs_s"] == [900.0] and training["ratios"] == []
    assert yaml.safe_load((tmp_path / "bench" / "default" / "config.yml").read_text())["recipe"] == "default.v1"
