"""The website process: demo provider page with the chat widget, and the staff console (/staff)."""
from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional

from aiohttp import web


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(rasa_url: str, db_url: Optional[str] = None) -> web.Application:
    """Both parts on one app; each module mounts its own routes."""
    from bot.website.console import setup_console
    from bot.website.widget import setup_widget

    app = web.Application(client_max_size=64 * 1024)
    app.router.add_get("/healthz", healthz)
    setup_widget(app, rasa_url=rasa_url)
    setup_console(app, db_url=db_url)
    return app


def main(argv: Optional[List[str]] = None) -> int:
    from bot.logs import configure_logging

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default="http://localhost:5005")
    args = parser.parse_args(argv)
    configure_logging(logging.INFO)
    web.run_app(create_app(args.rasa_url), host=args.host, port=args.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
