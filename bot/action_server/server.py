"""The action server's own entry point: rasa-sdk's executor behind a token check and one guard.

`rasa run actions` listens on every interface, checks no credentials, and on an exception answers
500 with the whole tracker in the body, which Rasa then logs. This server runs the same actions
(the `actions` package) with three differences:

- every request except /health must carry `Authorization: Bearer <ACTION_SERVER_TOKEN>`; Rasa
  sends it from endpoints.yml. Without the token the answer is 401 and no action runs;
- an exception in any action is logged as its type and the action's name only, and the person
  gets the technical-trouble reply (nothing they said is echoed anywhere);
- request bodies are capped (a tracker with a month of turns fits easily).
"""
from __future__ import annotations

import argparse
import hmac
import json
import logging
import sys
import zlib
from typing import Any, Dict, List, Optional

from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import env
from bot.texts import UTTER_TECHNICAL_TROUBLE

log = logging.getLogger(__name__)

TOKEN_ENV = "ACTION_SERVER_TOKEN"
MIN_TOKEN_LENGTH = 24
MAX_BODY_BYTES = 8 * 1024 * 1024
OPEN_PATHS = ("/health",)


class ConfigurationError(RuntimeError):
    """The server cannot start safely (no or weak token)."""


def configured_token() -> str:
    """ACTION_SERVER_TOKEN; refuses to run without one, since an open action server writes to the queue."""
    token = env(TOKEN_ENV)
    if token is None or len(token.strip()) < MIN_TOKEN_LENGTH:
        raise ConfigurationError(f"{TOKEN_ENV} must be set to a random secret of at least {MIN_TOKEN_LENGTH} characters")
    return token.strip()


def authorized(header: Optional[str], token: str) -> bool:
    """`Bearer <token>` compared in constant time."""
    if not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer "):].strip().encode("utf-8"), token.encode("utf-8"))


def trouble_result() -> Dict[str, Any]:
    """What Rasa gets when an action fails: no events, the technical-trouble reply."""
    dispatcher = CollectingDispatcher()
    dispatcher.utter_message(response=UTTER_TECHNICAL_TROUBLE)
    return {"events": [], "responses": dispatcher.messages}


def _action_call(request: Request, max_body: int) -> Optional[Dict[str, Any]]:
    """The JSON object in the body (inflated if Rasa compressed it, never past `max_body`), else None."""
    try:
        body = request.body
        if request.headers.get("Content-Encoding") == "deflate":
            inflater = zlib.decompressobj()
            body = inflater.decompress(body, max_body)
            if inflater.unconsumed_tail:
                return None
        call = json.loads(body)
    except (ValueError, zlib.error):
        return None
    return call if isinstance(call, dict) and call.get("next_action") else None


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def create_app(package: str, token: str, max_body: int = MAX_BODY_BYTES) -> Sanic:
    """The action server application: /health (open), /webhook and /actions (token required)."""
    app = Sanic("iop_actions", configure_logging=False)
    app.config.REQUEST_MAX_SIZE = max_body
    executor = ActionExecutor()
    executor.register_package(package)

    @app.on_request
    async def require_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS or authorized(request.headers.get("Authorization"), token):
            return None
        log.warning("action server: request without a valid token refused (%s %s)", request.method, request.path)
        return _error("unauthorized", 401)

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/actions")
    async def actions(_: Request) -> HTTPResponse:
        return response.json([{"name": name} for name in executor.actions])

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        call = _action_call(request, max_body)
        if call is None:
            return _error("the body must be a JSON object naming next_action", 400)
        name = str(call.get("next_action") or "")[:100]
        try:
            result = await executor.run(call)
        except ActionExecutionRejection as exc:  # a form hands the turn back to the policies
            return response.json({"error": exc.message, "action_name": exc.action_name}, status=400)
        except ActionNotFoundException:
            log.error("action server: no action named %r", name)
            return _error("no such action", 404)
        except Exception as exc:  # noqa: BLE001 - the guard: any failure, one kind answer
            log.error("action %s failed: %s", name, type(exc).__name__)
            return response.json(trouble_result())
        return response.json(result)

    @app.exception(Exception)
    async def failed(request: Request, exc: Exception) -> HTTPResponse:
        status = getattr(exc, "status_code", 500)
        if status >= 500:
            log.error("action server: %s on %s", type(exc).__name__, request.path)
        return _error("request failed", status if isinstance(status, int) else 500)

    return app


def main(argv: Optional[List[str]] = None) -> int:
    from bot.logs import configure_logging

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=env("ACTION_SERVER_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("ACTION_PORT", "5055") or 5055))
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    configure_logging(logging.INFO)
    try:
        token = configured_token()
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    app = create_app(args.actions, token)
    log.info("action server on http://%s:%d", args.host, args.port)
    app.run(args.host, args.port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
