"""A small REST-channel client for end-to-end tests."""
from __future__ import annotations

import json
import secrets
import urllib.request
from typing import Any, Dict, List, Optional


class Chat:
    """One conversation through the real REST channel."""

    def __init__(self, rasa_url: str, sender: Optional[str] = None) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = sender or "test-" + secrets.token_hex(16)
        self.last: List[Dict[str, Any]] = []

    def say(self, text: str) -> List[Dict[str, Any]]:
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310 - loopback only
            self.last = json.loads(resp.read())
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.last)

    @property
    def buttons(self) -> List[Dict[str, str]]:
        return [b for m in self.last for b in m.get("buttons") or []]

    def click(self, title_part: str) -> List[Dict[str, Any]]:
        """Send the payload of the first button whose title contains `title_part`."""
        for button in self.buttons:
            if title_part.lower() in button["title"].lower():
                return self.say(button["payload"])
        raise AssertionError(f"no button {title_part!r} in {[b['title'] for b in self.buttons]}")
