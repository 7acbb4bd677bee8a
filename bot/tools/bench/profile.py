"""Where a turn's time goes, and NLU accuracy: one model in process, in a child process.

The child loads the model with Rasa's Agent, scores the evaluation sets (`bot.tools.evaluate.score`),
then replays the scripted conversations one message at a time through `Agent.handle_text` with a SQLite
tracker store (ours; for the default configuration Rasa's own, with our patches to Rasa removed) and the
stack's real action server, timing NLU, policies, action-server calls and the tracker store by wrapping
Rasa's methods. A child process, so that TensorFlow never runs (and the wrapped methods never exist)
inside the load generator.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

from bot.settings import PROJECT_ROOT
from bot.tools.bench.load import conversation_script, pick_payload
from bot.tools.bench.project import nlu_scores, tracker_store
from bot.tools.bench.stack import BenchStack
from bot.tools.bench.stats import percentile
from bot.tools.run import child_env, tf_threads_env


def default_selector_as_faq(parse: Dict[str, Any]) -> Dict[str, Any]:
    """A ResponseSelector without retrieval_intent reports under 'default': file it under 'faq' too,
    which is where bot.tools.evaluate.full_intent (and Rasa's utter_faq) looks first."""
    selector = parse.get("response_selector") or {}
    if "faq" not in selector and "default" in selector:
        parse = dict(parse)
        parse["response_selector"] = dict(selector, faq=selector["default"])
    return parse


async def _worker_async(model: Path, action_url: str, profile_conversations: int, stock: bool) -> Dict[str, Any]:
    """NLU scores of one model, then a replay of the scripted conversations with the turn's parts timed."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor
    from rasa.utils.endpoints import EndpointConfig

    timers: Dict[str, float] = {
        "nlu": 0.0, "policies": 0.0, "actions": 0.0, "tracker": 0.0,
        # parts of "actions": request body (tracker + domain as dicts), HTTP round trip (incl. the
        # action server's own work and JSON), and the jsonschema check of the answer
        "actions_payload": 0.0, "actions_http": 0.0, "actions_validate": 0.0,
    }

    def timed_async(key: str, func: Callable[..., Any]) -> Callable[..., Any]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await func(*args, **kwargs)
            finally:
                timers[key] += time.perf_counter() - start
        return wrapper

    def timed_sync(key: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                timers[key] += time.perf_counter() - start
        return wrapper

    store = tracker_store(stock)
    if stock:  # Rasa's default configuration runs on unpatched Rasa in its own server: the same here
        import bot.rasa_server.policies  # noqa: F401 - the scoring imports it, which installs our patches
        from bot.rasa_server import patches

        patches.remove()
    agent = Agent.load(
        str(model),
        tracker_store=store,
        action_endpoint=EndpointConfig(  # the token comes with the stack's environment
            f"{action_url}/webhook", headers={"Authorization": f"Bearer {os.environ['ACTION_SERVER_TOKEN']}"}
        ),
    )

    parse_times: List[float] = []

    class TimedParser:
        async def parse(self, text: str) -> Dict[str, Any]:
            start = time.perf_counter()
            result = await agent.parse_message(text)
            parse_times.append(time.perf_counter() - start)
            return default_selector_as_faq(result)

    await agent.parse_message("warm up")
    scores = await nlu_scores(TimedParser())
    nlu = {
        "heldout_accuracy": scores.heldout_accuracy,
        "faq_topic_accuracy": scores.faq_topic_accuracy,
        "heldout_total": scores.heldout_total,
        "crisis_recall": scores.crisis_recall,
        "crisis_total": scores.crisis_total,
        "near_miss_false_alarms": scores.near_miss_false_alarms,
        "near_miss_total": scores.near_miss_total,
        "parse_p50_ms": percentile([1000 * t for t in parse_times], 50),
        "parse_p95_ms": percentile([1000 * t for t in parse_times], 95),
        "missed_crises": scores.missed_crises,
        "false_alarms": scores.false_alarms,
        "confusions": [{"text": t, "expected": g, "predicted": p} for t, g, p in scores.confusions],
    }

    # Instrument the processor, then replay the scripted conversations one message at a time.
    MessageProcessor.parse_message = timed_async("nlu", MessageProcessor.parse_message)  # type: ignore[method-assign]
    MessageProcessor._predict_next_with_tracker = timed_sync(  # type: ignore[method-assign]
        "policies", MessageProcessor._predict_next_with_tracker
    )
    RemoteAction.run = timed_async("actions", RemoteAction.run)  # type: ignore[method-assign]
    RemoteAction._action_call_format = timed_sync(  # type: ignore[method-assign]
        "actions_payload", RemoteAction._action_call_format
    )
    RemoteAction._validate_action_result = timed_sync(  # type: ignore[method-assign]
        "actions_validate", RemoteAction._validate_action_result
    )
    EndpointConfig.request = timed_async("actions_http", EndpointConfig.request)  # type: ignore[method-assign]
    for name in ("retrieve", "retrieve_full_tracker", "save"):  # on the class in use (ours or Rasa's)
        setattr(type(store), name, timed_async("tracker", getattr(type(store), name)))

    turn_times: List[float] = []
    for index in range(profile_conversations + 1):  # the first conversation warms up and is not counted
        sender = f"bench-profile-{index}-{secrets.token_hex(4)}"
        replies: List[Dict[str, Any]] = []
        if index == 1:
            turn_times.clear()
            for key in timers:
                timers[key] = 0.0
        for kind, value in conversation_script(index):
            text = value
            if kind == "click":
                text, _ = pick_payload(replies, value)
            start = time.perf_counter()
            replies = await agent.handle_text(text, sender_id=sender) or []
            turn_times.append(time.perf_counter() - start)
    n = max(1, len(turn_times))
    turn_ms = 1000 * sum(turn_times) / n
    profile = {
        "messages": len(turn_times),
        "turn_ms": turn_ms,
        "turn_p50_ms": percentile([1000 * t for t in turn_times], 50) if turn_times else None,
        "nlu_ms": 1000 * timers["nlu"] / n,
        "policies_ms": 1000 * timers["policies"] / n,
        "actions_ms": 1000 * timers["actions"] / n,
        "tracker_ms": 1000 * timers["tracker"] / n,
        "actions_payload_ms": 1000 * timers["actions_payload"] / n,
        "actions_http_ms": 1000 * timers["actions_http"] / n,
        "actions_validate_ms": 1000 * timers["actions_validate"] / n,
    }
    profile["other_ms"] = turn_ms - sum(profile[k] for k in ("nlu_ms", "policies_ms", "actions_ms", "tracker_ms"))
    return {"nlu": nlu, "profile": profile}


def worker_main(argv: List[str]) -> int:
    """`python -m bot.tools.bench _worker ...`: the child process run_worker starts."""
    ap = argparse.ArgumentParser(prog="bot.tools.bench _worker")
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--action-url", required=True)
    ap.add_argument("--conversations", type=int, default=3)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--stock", action="store_true", help="Rasa's own SQLTrackerStore instead of ours")
    args = ap.parse_args(argv)
    import logging

    from rasa.utils.log_utils import configure_structlog
    from rasa.utils.tensorflow.environment import setup_tf_environment

    setup_tf_environment()
    # as in the server (`rasa run` logs at INFO): no per-message debug events in the timings
    logging.basicConfig(level=logging.WARNING)
    configure_structlog(logging.WARNING)
    result = asyncio.run(_worker_async(args.model, args.action_url, args.conversations, args.stock))
    args.out.write_text(json.dumps(result, indent=2))
    return 0


def run_worker(
    stack: BenchStack, model: Path, conversations: int, log_file: Path, stock: bool = False
) -> Dict[str, Any]:
    """NLU scores and a per-turn profile for one model, in a child process, with the stack's action server
    (stock: on Rasa's own tracker store, as the stack runs it)."""
    out = stack.var_dir / "worker.json"
    env = stack.stack.process_env()  # the Rasa server's own environment, TensorFlow threads included
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{stack.var_dir / 'profile-tracker.sqlite'}"
    cmd = [
        sys.executable, "-m", "bot.tools.bench", "_worker", "--model", str(model),
        "--action-url", stack.stack.action_url, "--conversations", str(conversations), "--out", str(out),
        *(["--stock"] if stock else []),
    ]
    with open(log_file, "ab") as handle:
        proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise RuntimeError(f"NLU/profile worker failed for {model} (exit {proc.returncode}); see {log_file}")
    return json.loads(out.read_text())
