"""Resident memory of the whole local stack, for `roadcam status` and the memory log."""
from __future__ import annotations

import psutil


def stack_rss(pids: dict[str, int]) -> dict[str, int]:
    """RSS in bytes per named process, children of each (e.g. moto's workers) included."""
    usage: dict[str, int] = {}
    for name, pid in pids.items():
        try:
            proc = psutil.Process(pid)
            procs = [proc, *proc.children(recursive=True)]
            usage[name] = sum(p.memory_info().rss for p in procs if p.is_running())
        except psutil.Error:
            usage[name] = 0
    return usage
