"""Self-disclosure redaction, the pure part: follow the person the operator marked from frame to
frame, and decide what each frame blurs. No video, no models: detections in, decisions out.

The requester is followed by associating person detections frame to frame (IoU with the previous
frame's box), forwards and backwards from the marked frame. Fail closed: where the requester
cannot be followed with confidence (no matching person for more than `max_gap` frames, or two
people matching about equally well) the rest of the clip in that direction has nobody to keep,
and every frame without a followed requester is blurred whole.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from roadcam.common.errors import RoadcamError
from roadcam.vision.detectors import Box

SELF_DISCLOSURE = "self_disclosure"
SECRET_KINDS = ("face", "plate", "person", "vehicle_plate")  # a "vehicle" box is known content, its plate band is not


class MarkError(RoadcamError):
    """The operator's mark does not fit the clip (frame beyond its end, box outside the picture)."""


@dataclass(frozen=True)
class Mark:
    """The operator's input: the requester's box (x1, y1, x2, y2 in the clip's pixels) on one frame (0 = first)."""

    frame: int
    box: tuple[float, float, float, float]

    def check(self, frames: int, width: int, height: int) -> None:
        x1, y1, x2, y2 = self.box
        if not 0 <= self.frame < frames:
            raise MarkError(f"the mark is on frame {self.frame}, but the clip has frames 0 to {frames - 1}")
        if not (0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height):
            raise MarkError(f"the box {list(self.box)} is not inside the {width}x{height} picture "
                            "(x1 < x2, y1 < y2, in the clip's pixels)")

    def as_box(self) -> Box:
        return Box(*self.box, kind="person")


@dataclass(frozen=True)
class FollowRules:
    min_iou: float = 0.3  # a detection this much overlapping the previous box may be the same person
    ambiguity: float = 0.15  # a runner-up within this IoU of the best match: cannot tell who is who
    max_gap: int = 2  # frames without a matching detection before the requester counts as lost
    hold: int = 2  # others' boxes are also blurred this many frames before and after (detector flicker)


def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a.x2, b.x2) - max(a.x1, b.x1))
    iy = max(0.0, min(a.y2, b.y2) - max(a.y1, b.y1))
    inter = ix * iy
    union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter
    return inter / union if union > 0 else 0.0


def match(previous: Box, candidates: Sequence[Box], rules: FollowRules) -> tuple[Box | None, bool]:
    """(the candidate that continues `previous` or None, whether the choice is ambiguous)."""
    scored = sorted(((iou(previous, c), i) for i, c in enumerate(candidates)), reverse=True)
    scored = [(s, i) for s, i in scored if s >= rules.min_iou]
    if not scored:
        return None, False
    if len(scored) > 1 and scored[0][0] - scored[1][0] < rules.ambiguity:
        return None, True
    return candidates[scored[0][1]], False


def _persons(boxes: Sequence[Box]) -> list[Box]:
    return [b for b in boxes if b.kind == "person"]


def _walk(start: Box, order: range, detections: Sequence[Sequence[Box]], rules: FollowRules,
          kept: list[Box | None]) -> None:
    previous, gap = start, 0
    for t in order:
        found, ambiguous = match(previous, _persons(detections[t]), rules)
        if ambiguous:
            return  # someone else could be taken for the requester from here on
        if found is None:
            gap += 1
            if gap > rules.max_gap:
                return
            continue
        kept[t], previous, gap = found, found, 0


def follow(mark: Mark, detections: Sequence[Sequence[Box]], rules: FollowRules = FollowRules()) -> list[Box | None]:
    """The requester's box on every frame, None where they are not followed (those frames blur whole).

    On the marked frame the best-overlapping person detection stands for the operator's box; if none
    overlaps clearly, the operator's own box is kept there and followed from."""
    kept: list[Box | None] = [None] * len(detections)
    found, _ = match(mark.as_box(), _persons(detections[mark.frame]), rules)
    kept[mark.frame] = found or mark.as_box()
    _walk(kept[mark.frame], range(mark.frame + 1, len(detections)), detections, rules, kept)
    _walk(kept[mark.frame], range(mark.frame - 1, -1, -1), detections, rules, kept)
    return kept


def is_requesters(box: Box, requester: Box) -> bool:
    """The followed figure itself, or a face centred inside it (someone else in front of the requester
    has a person box of their own, which is blurred over the requester)."""
    if box == requester:
        return True
    if box.kind != "face":
        return False
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    return requester.x1 <= cx <= requester.x2 and requester.y1 <= cy <= requester.y2


def plausible(box: Box, large_face_px: float, large_face_score: float) -> bool:
    """False for a large face the face detector is unsure of: at the low threshold small faces need,
    YuNet also reports frame-sized "faces" on texture, which would blur the requester away. A real face
    that large scores high; a real person that near is a person detection, blurred anyway."""
    return box.kind != "face" or box.y2 - box.y1 < large_face_px or box.score >= large_face_score


@dataclass(frozen=True)
class FramePlan:
    """What one output frame blurs: everything (requester not followed), or these boxes."""

    whole: bool
    boxes: tuple[Box, ...] = ()


def plan(detections: Sequence[Sequence[Box]], kept: Sequence[Box | None], rules: FollowRules = FollowRules()) -> list[FramePlan]:
    """Per frame: blur whole where the requester is not followed; else blur every secret box that is
    not the requester's, found on this frame or up to `rules.hold` frames around it."""
    others: list[list[Box]] = []
    for boxes, requester in zip(detections, kept):
        secret = [b for b in boxes if b.kind in SECRET_KINDS]
        others.append([b for b in secret if requester is None or not is_requesters(b, requester)])
    plans = []
    for t, requester in enumerate(kept):
        if requester is None:
            plans.append(FramePlan(True))
            continue
        near = range(max(0, t - rules.hold), min(len(kept), t + rules.hold + 1))
        plans.append(FramePlan(False, tuple(b for u in near for b in others[u])))
    return plans
