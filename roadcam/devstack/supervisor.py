"""Keep the local stack's processes running, like a process manager: restart with backoff, report loops.

Pure bookkeeping apart from `respawn`: `tick(now)` is called by `roadcam up` every half second.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from roadcam.devstack.processes import Child, respawn

log = logging.getLogger(__name__)

INITIAL_DELAY_S, MAX_DELAY_S = 1.0, 30.0
LOOP_RESTARTS, LOOP_WINDOW_S = 5, 120.0  # this many restarts within the window = a crash loop


@dataclass
class RestartRecord:
    """What `roadcam status` shows per process."""

    restarts: int = 0
    last_exit: int | None = None
    crash_loop: bool = False
    recent: list[float] = field(default_factory=list)
    next_try: float | None = None
    delay: float = INITIAL_DELAY_S


class Supervisor:
    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.records: dict[str, RestartRecord] = {c.name: RestartRecord() for c in children}

    def tick(self, now: float) -> list[str]:
        """Restart what died once its backoff has passed; returns messages for the operator."""
        messages = []
        for child in self.children:
            record = self.records.setdefault(child.name, RestartRecord())
            if child.alive():
                if record.next_try is None and record.recent and now - record.recent[-1] > LOOP_WINDOW_S:
                    record.delay, record.crash_loop = INITIAL_DELAY_S, False  # stable again
                continue
            if record.next_try is None:  # just noticed the exit
                record.last_exit = child.process.returncode
                record.next_try = now + record.delay
                messages.append(f"{child.name} exited ({record.last_exit}); restarting in {record.delay:.0f}s "
                                f"(log: {child.log_path})")
            elif now >= record.next_try:
                messages += self._restart(child, record, now)
        return messages

    def _restart(self, child: Child, record: RestartRecord, now: float) -> list[str]:
        respawn(child)
        record.restarts += 1
        record.recent = [t for t in record.recent if now - t <= LOOP_WINDOW_S] + [now]
        record.next_try = None
        record.delay = min(record.delay * 2, MAX_DELAY_S)
        said = [f"restarted {child.name} (pid {child.pid}, restart {record.restarts})"]
        if len(record.recent) >= LOOP_RESTARTS and not record.crash_loop:
            record.crash_loop = True
            said.append(f"{child.name} is crash-looping ({len(record.recent)} restarts in {LOOP_WINDOW_S:.0f}s); "
                        f"see {child.log_path}")
        return said

    def state(self) -> dict[str, dict]:
        return {name: {"restarts": r.restarts, "last_exit": r.last_exit, "crash_loop": r.crash_loop}
                for name, r in self.records.items()}
