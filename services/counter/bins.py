"""Count bins (T2): 5/15/60-minute counts per camera, line, direction and class. Pure.

The clock is the cameras' capture time, not the wall clock, so a replayed or delayed stream
lands in the right bins. A bin is final once capture time has passed its end by `grace_s`
(late crossings settle a few seconds after they happen); open bins are re-published
periodically so dashboards see them grow.

Each bin also carries the camera's picture quality over it (`observe`, from `view_check`): a bin
the camera could not see for part of its time is "degraded", for half or more "unusable", and
such a bin is sent even where nothing was counted (class "", count 0), so a frozen or covered
camera never looks like an empty road.
"""
from __future__ import annotations

from dataclasses import dataclass, field

BinKey = tuple[str, str, int, str, int, int, str]  # camera, line, direction, class, bin_start_us, bin_seconds, census
SpanKey = tuple[str, int, int]  # camera, bin_start_us, bin_seconds
UNUSABLE_FRAC = 0.5


@dataclass(frozen=True)
class BinCount:
    camera_id: str
    line_id: str
    direction: int
    object_class: str
    bin_start_us: int
    bin_seconds: int
    count: int
    final: bool
    quality: str = "ok"  # ok | degraded | unusable
    quality_reason: str = ""  # the camera's faults during the bin, comma-separated
    census_class: str = ""  # "" = the configured class mapping decides (no size judged)
    size_basis: str = ""  # how 小型/大型 was decided for this bin's vehicles (comma-separated if mixed)


@dataclass
class _Sight:
    """How much of a bin's time the camera saw well."""

    seen_us: int = 0
    faulty_us: int = 0
    reasons: set[str] = field(default_factory=set)

    @property
    def quality(self) -> str:
        if not self.faulty_us:
            return "ok"
        return "unusable" if self.faulty_us >= UNUSABLE_FRAC * max(self.seen_us, 1) else "degraded"


def bin_start(time_us: int, seconds: int) -> int:
    size = seconds * 1_000_000
    return time_us - time_us % size


@dataclass
class BinAggregator:
    bin_seconds: tuple[int, ...] = (300, 900, 3600)
    grace_s: float = 10.0
    _counts: dict[BinKey, int] = field(default_factory=dict)
    _bases: dict[BinKey, set[str]] = field(default_factory=dict)
    _now_us: dict[str, int] = field(default_factory=dict)  # latest capture time per camera
    _sight: dict[SpanKey, _Sight] = field(default_factory=dict)
    _lines: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lines per camera, for unseen bins
    _last_look_us: dict[str, int] = field(default_factory=dict)

    def observe(self, camera_id: str, time_us: int, faults: list[str], line_ids: tuple[str, ...]) -> None:
        """The camera's picture at `time_us`: healthy (no faults) or not, since its previous frame."""
        self._lines[camera_id] = line_ids
        last = self._last_look_us.get(camera_id, time_us)
        step = max(0, min(time_us - last, 1_000_000))  # a stream gap is not time seen
        self._last_look_us[camera_id] = time_us
        for seconds in self.bin_seconds:
            sight = self._sight.setdefault((camera_id, bin_start(time_us, seconds), seconds), _Sight())
            sight.seen_us += step
            if faults:
                sight.faulty_us += step
                sight.reasons.update(faults)

    def add(self, camera_id: str, line_id: str, direction: int, object_class: str, time_us: int,
            census_class: str = "", size_basis: str = "") -> None:
        """One crossing. The census class is part of the bin's key (a truck may be 小型 by size);
        the size basis is not (bins of one key may mix bases: all of them are reported)."""
        for seconds in self.bin_seconds:
            key = (camera_id, line_id, direction, object_class, bin_start(time_us, seconds), seconds, census_class)
            self._counts[key] = self._counts.get(key, 0) + 1
            if size_basis:
                self._bases.setdefault(key, set()).add(size_basis)

    def advance(self, camera_id: str, time_us: int) -> None:
        """The camera's stream has reached `time_us` (even with nothing counted)."""
        self._now_us[camera_id] = max(time_us, self._now_us.get(camera_id, 0))

    @property
    def clock(self) -> dict[str, int]:
        """Latest capture time per camera."""
        return dict(self._now_us)

    def close_due(self) -> list[BinCount]:
        """Bins whose end (plus grace) the camera has passed: final, and forgotten here."""
        due = [k for k in self._spans() if self._now_us.get(k[0], 0) >= k[1] + k[2] * 1_000_000 + self.grace_s * 1e6]
        return self._report(due, final=True, forget=True)

    def open_bins(self) -> list[BinCount]:
        return self._report(self._spans(), final=False, forget=False)

    def close_all(self) -> list[BinCount]:
        """Shutdown: what has been counted so far, marked not final (the bin was not seen to end)."""
        return self._report(self._spans(), final=False, forget=True)

    def _spans(self) -> list[SpanKey]:
        return sorted({(k[0], k[4], k[5]) for k in self._counts} | set(self._sight))

    def _report(self, spans: list[SpanKey], final: bool, forget: bool) -> list[BinCount]:
        out = []
        for span in spans:
            sight = self._sight.get(span, _Sight())
            quality, reason = sight.quality, ",".join(sorted(sight.reasons))
            keys = [k for k in self._counts if (k[0], k[4], k[5]) == span]
            out += [BinCount(*k[:6], count=self._counts[k], final=final, quality=quality, quality_reason=reason,
                             census_class=k[6], size_basis=",".join(sorted(self._bases.get(k, ())))) for k in keys]
            if quality != "ok":  # unseen is not empty: say so for every line and direction
                counted = {(k[1], k[2]) for k in keys}
                out += [BinCount(span[0], line, d, "", span[1], span[2], 0, final, quality, reason)
                        for line in self._lines.get(span[0], ()) for d in (1, -1) if (line, d) not in counted]
            if forget:
                for k in keys:
                    del self._counts[k]
                    self._bases.pop(k, None)
                self._sight.pop(span, None)
        return out
