"""bot.tools.bench.procfs: peak memory and CPU time of whole process trees."""
from __future__ import annotations

import os
import subprocess
import sys

from bot.tools.bench.procfs import cpu_seconds, peak_rss_mb, process_tree, vm_hwm_kb


def test_peak_rss_includes_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; x = bytearray(60 * 1024 * 1024); time.sleep(30)"])
    try:
        deadline = 100
        while deadline and vm_hwm_kb(child.pid) < 50 * 1024:
            deadline -= 1
            subprocess.run(["sleep", "0.05"])
        assert child.pid in process_tree(os.getpid())
        own = vm_hwm_kb(os.getpid()) / 1024
        assert peak_rss_mb(os.getpid()) >= own + 50
    finally:
        child.kill()
        child.wait()
    assert vm_hwm_kb(child.pid) == 0  # gone


def test_cpu_time_of_a_busy_child_is_counted() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 0.6\nwhile time.time() < end: pass\ntime.sleep(30)"])
    try:
        subprocess.run(["sleep", "0.8"])
        assert cpu_seconds(os.getpid()) - cpu_seconds(child.pid) >= 0  # own tree includes the child
        assert cpu_seconds(child.pid) >= 0.3
    finally:
        child.kill()
        child.wait()

