"""Resident memory of the whole local stack, for `roadcam status` and the memory log."""
from __future__ import annotations

from pathlib import Path

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


class MemoryLog:
    """`memory.csv` in the run directory: total and per-process RSS over time (soak checks read it)."""

    def __init__(self, path: Path, names: list[str]) -> None:
        self.path, self.names = path, names
        path.write_text("elapsed_s,total_mb," + ",".join(f"{n}_mb" for n in names) + "\n")

    def sample(self, elapsed_s: float, pids: dict[str, int]) -> None:
        rss = stack_rss(pids)
        row = [f"{elapsed_s:.0f}", f"{sum(rss.values()) / 1e6:.1f}"] + [f"{rss.get(n, 0) / 1e6:.1f}" for n in self.names]
        with self.path.open("a") as out:
            out.write(",".join(row) + "\n")
