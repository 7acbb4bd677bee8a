"""What /proc says: resident memory (peak, and now with shared pages counted once) and CPU time of process trees, and the machine.

Every figure covers a process and all its descendants, so work done in a child process is not missed.
Linux only.
"""
from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

def _children_map() -> Dict[int, List[int]]:
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # the command name may contain spaces and parentheses: the ppid follows the last ')'
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def process_tree(pid: int) -> List[int]:
    """pid and all its descendants that exist right now."""
    children = _children_map()
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def _kb_line(path: str, key: str) -> Optional[int]:
    """The kB figure of the `key:` line of a /proc file; None if the file or the line is missing."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def status_kb(pid: int, key: str = "VmHWM") -> int:
    """A memory line of /proc/PID/status in kB (0 if gone): VmHWM (peak resident set) or VmRSS (now)."""
    return _kb_line(f"/proc/{pid}/status", key) or 0


def vm_hwm_kb(pid: int) -> int:
    """Peak resident set size (VmHWM) of one process, in kB (0 if gone)."""
    return status_kb(pid, "VmHWM")


def peak_rss_mb(pid: int) -> float:
    """Sum of the peak RSS of a process and its descendants, in MB."""
    return sum(vm_hwm_kb(p) for p in process_tree(pid)) / 1024.0


def pss_kb(pid: int) -> int:
    """Proportional set size of one process in kB: its resident memory with each shared page divided
    among the processes sharing it (/proc/PID/smaps_rollup); its VmRSS where that cannot be read."""
    return _rollup_kb(pid)[0]


def memory_now_mb(pid: int) -> float:
    """Memory a process and its descendants use right now, in MB, shared pages counted once: summing
    each PostgreSQL backend's resident set would count the shared buffers once per backend."""
    return sum(pss_kb(p) for p in process_tree(pid)) / 1024.0


def _rollup_kb(pid: int) -> Tuple[int, int]:
    """(Pss, Pss_Shmem) of one process in kB, read in one pass of /proc/PID/smaps_rollup; where that
    cannot be read, (VmRSS, 0): all of it counted as the process's own."""
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
        return int(fields["Pss"].split()[0]), int(fields.get("Pss_Shmem", "0 kB").split()[0])
    except (OSError, ValueError, KeyError, IndexError):
        return status_kb(pid, "VmRSS"), 0


def memory_split_mb(pid: int) -> Tuple[float, float]:
    """memory_now_mb in two parts from one walk of the process tree: (own, shared pool). The shared
    pool is shared memory (Pss_Shmem): for PostgreSQL its buffer cache, which fills as tables are
    read and written, up to its configured size (shared_buffers)."""
    parts = [_rollup_kb(p) for p in process_tree(pid)]
    pss, shmem = sum(a for a, _ in parts), sum(b for _, b in parts)
    return (pss - shmem) / 1024.0, shmem / 1024.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live descendants, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in process_tree(pid):
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def own_cpu_seconds() -> float:
    """User + system CPU time of this process (the load generator), in seconds."""
    times = os.times()
    return times.user + times.system


def machine_info() -> Dict[str, Any]:
    """What the numbers were measured on: cores, CPU model, RAM, versions, load average."""
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu,
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "rasa": version("rasa"),
        "rasa_sdk": version("rasa-sdk"),
        "tensorflow": version("tensorflow") if version("tensorflow") != "?" else version("tensorflow-cpu"),
        "kernel": platform.release(),
        "loadavg_start": ", ".join(f"{v:.2f}" for v in os.getloadavg()),
    }
