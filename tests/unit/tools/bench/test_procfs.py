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



def test_memory_now_counts_shared_pages_once() -> None:
    """Two processes sharing one big anonymous mapping: their summed resident sets count it twice,
    memory_now_mb about once."""
    import mmap
    import time as _time

    from bot.tools.bench.procfs import memory_now_mb, process_tree, status_kb

    size = 64 * 1024 * 1024
    shared = mmap.mmap(-1, size)
    shared.write(b"x" * size)  # touch every page before the fork, so both processes map them
    pid = os.fork()
    if pid == 0:  # the child keeps the shared pages mapped until killed
        _time.sleep(30)
        os._exit(0)
    try:
        _time.sleep(0.2)
        me = os.getpid()
        both_rss = (status_kb(me, "VmRSS") + status_kb(pid, "VmRSS")) / 1024
        assert pid in process_tree(me)
        # counted once: the tree's memory is well under the sum of the two resident sets
        assert memory_now_mb(me) < both_rss - size / (1024 * 1024) * 0.5
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        shared.close()
