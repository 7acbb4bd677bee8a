"""bot.tools.bench.procfs: peak memory and CPU time of whole process trees."""
from __future__ import annotations

import os
import subprocess
import sys

from bot.tools.bench.procfs import cpu_seconds, own_cpu_seconds, peak_rss_mb, process_tree, vm_hwm_kb


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
    # the child burns 0.6 s of its own CPU time (however busy the machine), says so, then sleeps
    busy = "import time\nwhile time.process_time() < 0.6: pass\nprint('busy', flush=True)\ntime.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", busy], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "busy\n"
        child_cpu = cpu_seconds(child.pid)
        own_cpu = own_cpu_seconds()
        # own tree includes the child: both only grow, so the tree read last holds at least their sum
        # (one clock tick of slack for rounding); without the child it would miss 0.3 s or more
        assert cpu_seconds(os.getpid()) >= own_cpu + child_cpu - 0.02
        assert cpu_seconds(child.pid) >= 0.3
    finally:
        child.kill()
        child.wait()



SHARED_PAIR = """
import mmap, os, sys, time
size = 64 * 1024 * 1024
shared = mmap.mmap(-1, size)
shared.write(b"x" * size)  # every page touched before the fork, so both processes map them
child = os.fork()
if child == 0:
    sum(shared[i] for i in range(0, size, 4096))  # map every page in the child too
    print("ready", flush=True)
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
time.sleep(60)
"""


def test_memory_now_counts_shared_pages_once() -> None:
    """A process and its child sharing one 64 MB mapping: their summed resident sets count it twice,
    memory_now_mb about once, and all of it as the shared pool (memory_split_mb)."""
    from bot.tools.bench.procfs import memory_now_mb, memory_split_mb, process_tree, status_kb

    parent = subprocess.Popen([sys.executable, "-c", SHARED_PAIR], stdout=subprocess.PIPE, text=True)
    try:
        lines = {parent.stdout.readline().strip() for _ in range(2)}  # the child's pid, and "ready"
        child = int(next(line for line in lines if line != "ready"))
        assert set(process_tree(parent.pid)) == {parent.pid, child}
        both_rss = (status_kb(parent.pid, "VmRSS") + status_kb(child, "VmRSS")) / 1024
        assert both_rss > 128  # the mapping, counted in each
        assert memory_now_mb(parent.pid) < both_rss - 48  # counted about once
        own, pool = memory_split_mb(parent.pid)
        assert 56 <= pool <= 72  # the 64 MB mapping is shared memory
        assert abs(own + pool - memory_now_mb(parent.pid)) < 8
    finally:
        for pid in process_tree(parent.pid)[::-1]:
            os.kill(pid, 9)
        parent.wait()
