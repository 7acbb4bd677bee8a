"""Training for the benchmark: both configurations on the same data, timed, and Rasa's default config.

Each training is `rasa train --force` with a private cache, so neither configuration reuses work the
other (or an earlier `make train`) did and the times compare like with like.
"""
from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.settings import PROJECT_ROOT
from bot.tools.bench.report import log
from bot.tools.bench.stats import LABELS, median, ratio_entry
from bot.tools.bench.targets import FULL_EPOCHS
from bot.tools.run import DEFAULT_MODEL, VENV_BIN, child_env

BENCH_MODELS = PROJECT_ROOT / "models" / "bench"
PROJECT_MODEL = DEFAULT_MODEL
OUR_CONFIG = PROJECT_ROOT / "config.yml"

# Rasa 3.6's default configuration, as `rasa init` writes it (the commented-out defaults made explicit).
# The ResponseSelector has no retrieval_intent: it serves every retrieval intent (here: faq).
DEFAULT_CONFIG_YAML = """\
recipe: default.v1
language: en
assistant_id: iop-bench-default

pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1

policies:
  - name: MemoizationPolicy
  - name: RulePolicy
  - name: UnexpecTEDIntentPolicy
    max_history: 5
    epochs: 100
  - name: TEDPolicy
    max_history: 5
    epochs: 100
    constrain_similarities: true
"""


def default_config_yaml(epochs: int = FULL_EPOCHS) -> str:
    """Rasa's default configuration with every `epochs: 100` set to `epochs`.

    Fewer epochs change what the networks learned, not their size or the work one message takes, so a
    default pipeline trained briefly is a fair yardstick for speed (not for accuracy) on a machine where
    the full 100 epochs take hours.
    """
    return DEFAULT_CONFIG_YAML.replace(f"epochs: {FULL_EPOCHS}", f"epochs: {max(1, epochs)}")


def trained_epochs(config: Path) -> Optional[int]:
    """The epochs the default model in models/bench was trained with (its config.yml, written when trained)."""
    if not config.exists():
        return None
    epochs = {step.get("epochs") for section in ("pipeline", "policies")
              for step in yaml.safe_load(config.read_text()).get(section) or [] if step.get("epochs")}
    return min(epochs) if epochs else None


def train_model(config: Path, out_dir: Path, name: str, log_file: Path) -> float:
    """`rasa train --force` of one configuration on the project data; returns wall seconds."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
        cmd = [
            str(VENV_BIN / "rasa"), "train", "--data", "data", "--config", str(config), "--domain", "domain.yml",
            "--out", str(out_dir), "--fixed-model-name", name, "--force",
        ]
        start = time.perf_counter()
        with open(log_file, "ab") as handle:
            proc = subprocess.run(
                cmd, cwd=PROJECT_ROOT, env=child_env({"RASA_CACHE_DIRECTORY": cache}),
                stdout=handle, stderr=subprocess.STDOUT,
            )
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"training {config.name} failed (exit {proc.returncode}); see {log_file}")
    return elapsed


def prepare_models(
    labels: Sequence[str], retrain: bool, repetitions: int, work: Path, default_epochs: int = FULL_EPOCHS
) -> Tuple[Dict[str, Path], Dict[str, Any]]:
    """Train the configurations in `labels` (or, without retrain, reuse trained ones); the models and
    result['training'].

    Without retrain our model falls back to models/iop.tar.gz (what `make train` built); a reused model's
    training is not timed. Over several repetitions the order alternates, so neither side always trains
    on a cold machine.
    """
    configs = {"ours": OUR_CONFIG, "default": BENCH_MODELS / "default" / "config.yml"}
    models = {label: BENCH_MODELS / label / f"{label}.tar.gz" for label in labels}
    to_train = list(labels)
    if not retrain:
        if "ours" in models and not models["ours"].exists() and PROJECT_MODEL.exists():
            models["ours"] = PROJECT_MODEL
        to_train = [label for label in labels if not models[label].exists()]
        for label in labels:
            if label not in to_train:
                log(f"--quick: reusing {models[label].relative_to(PROJECT_ROOT)} (training not timed)")
    if "default" in to_train:
        configs["default"].parent.mkdir(parents=True, exist_ok=True)
        configs["default"].write_text(default_config_yaml(default_epochs))
    times: Dict[str, List[Optional[float]]] = {label: [] for label in LABELS}
    for rep in range(repetitions if to_train else 0):
        order = LABELS if rep % 2 == 0 else tuple(reversed(LABELS))
        for label in (name for name in order if name in to_train):
            log(f"training {label} ({rep + 1}/{repetitions})...")
            seconds = train_model(configs[label], models[label].parent, label, work / f"train-{label}.log")
            times[label].append(seconds)
            log(f"  {label}: {seconds:.0f} s")
    training = {
        "reused": [label for label in labels if label not in to_train],
        "default_epochs": trained_epochs(configs["default"]) if "default" in labels else None,
        **{label: {"runs_s": times[label], "median_s": median(times[label])} for label in LABELS},
        **ratio_entry(times["ours"], times["default"]),
    }
    return models, training
