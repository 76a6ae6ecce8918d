"""An operator's viewing conditions (Odawara 7.3②, A1): which cameras, on which days and hours
(local time), until when. Applied on every footage access of the disclosure path; empty = no limit
beyond the account's departments and expiry.

Accounts made before conditions were structured hold free text; it is read as the `note`.
"""
from __future__ import annotations

import json
from datetime import datetime, time, tzinfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from roadcam.common.camconfig.models import Slug

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class ViewingConditions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cameras: list[Slug] | None = Field(None, max_length=1000, description="only these cameras; null = any")
    weekdays: list[int] | None = Field(None, max_length=7, description="0 = Monday ... 6 = Sunday, local time")
    hours_from: time | None = Field(None, description="local time of day access opens, e.g. 08:30")
    hours_to: time | None = Field(None, description="local time of day access closes (exclusive)")
    expires_at: datetime | None = Field(None, description="after this no footage access; no zone = local time")
    note: str = Field("", max_length=2000, description="anything else, e.g. 管理室内でのみ閲覧 (not enforced)")

    @model_validator(mode="after")
    def _consistent(self) -> ViewingConditions:
        if (self.hours_from is None) != (self.hours_to is None):
            raise ValueError("give both hours_from and hours_to, or neither")
        if self.hours_from is not None and self.hours_from >= self.hours_to:  # type: ignore[operator]
            raise ValueError("hours_from must be before hours_to (one window within a day)")
        if self.weekdays is not None and (not self.weekdays or any(not 0 <= d <= 6 for d in self.weekdays)):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday), at least one")
        return self

    @property
    def limits(self) -> bool:
        return any(v is not None for v in (self.cameras, self.weekdays, self.hours_from, self.expires_at))

    def refusal(self, camera_id: str, now_us: int, tz: tzinfo) -> str:
        """Why this access is refused, or "" when the conditions allow it."""
        now = datetime.fromtimestamp(now_us / 1e6, tz)
        expires = self.expires_at
        if expires is not None and now >= (expires if expires.tzinfo else expires.replace(tzinfo=tz)):
            return f"viewing conditions expired at {expires.isoformat()}"
        if self.cameras is not None and camera_id not in self.cameras:
            return f"viewing conditions do not include camera {camera_id}"
        if self.weekdays is not None and now.weekday() not in self.weekdays:
            return f"viewing conditions do not allow {WEEKDAY_NAMES[now.weekday()]}"
        if self.hours_from is not None and not self.hours_from <= now.time() < self.hours_to:  # type: ignore[operator]
            return f"viewing conditions allow {self.hours_from:%H:%M}-{self.hours_to:%H:%M} only (now {now:%H:%M %Z})"
        return ""

    def __bool__(self) -> bool:
        return self.limits or bool(self.note)

    def __str__(self) -> str:
        """One line for printed rules (A8) and logs."""
        parts = []
        if self.cameras is not None:
            parts.append("cameras " + ", ".join(self.cameras))
        if self.weekdays is not None:
            parts.append("/".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays)))
        if self.hours_from is not None:
            parts.append(f"{self.hours_from:%H:%M}-{self.hours_to:%H:%M}")
        if self.expires_at is not None:
            parts.append(f"until {self.expires_at.isoformat()}")
        return "; ".join(parts + ([self.note] if self.note else []))

    def stored(self) -> str:
        return self.model_dump_json(exclude_defaults=True)


NONE = ViewingConditions()


def from_stored(text: str | None) -> ViewingConditions:
    """The column's JSON; old free text (or JSON that is not conditions) becomes the note."""
    text = (text or "").strip()
    if not text:
        return NONE
    try:
        data = json.loads(text)
        if isinstance(data, dict):
            return ViewingConditions.model_validate(data)
    except (ValueError, ValidationError):
        pass
    return ViewingConditions(note=text[:2000])


def from_input(value: ViewingConditions | str | None) -> ViewingConditions:
    """API input: the structured object, or (as before) free text kept as the note."""
    if isinstance(value, ViewingConditions):
        return value
    return ViewingConditions(note=value.strip()) if value and value.strip() else NONE
