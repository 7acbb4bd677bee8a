"""Every port the stack opens listens on loopback only (the action server too, which rasa-sdk would
otherwise bind to every interface)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import pytest

pytestmark = pytest.mark.e2e

LISTEN = "0A"
LOOPBACK = {"0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}


def listening(port: int) -> List[Tuple[str, str]]:
    """(table, local address in /proc's hex form) for every socket listening on `port`."""
    found = []
    for table in ("tcp", "tcp6"):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == LISTEN and int(hex_port, 16) == port:
                found.append((table, address))
    return found


@pytest.mark.parametrize("name", ["action_port", "rasa_port", "web_port"])
def test_each_process_listens_on_loopback_only(live_stack, name: str) -> None:
    sockets = listening(getattr(live_stack, name))
    assert sockets, f"nothing listens on the {name}"
    assert all(address in LOOPBACK for _, address in sockets), sockets
