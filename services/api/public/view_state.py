"""Is a camera's public view live or paused, and why (V2, O1)? Pure, from what object storage holds.

The anonymizer may write `hls/<camera>/state.json` ({"state": "live"|"paused", "reason": "...",
"time_us": ...}) next to the playlist; it is trusted while fresh. Without it the playlist's age
decides: no playlist or one not updated for `stale_s` means the view is paused (nothing new is
published). A fresh playlist without a state file reads as "live" (the slate is inside the video).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

STATE_FILE = "state.json"
PLAYLIST = "index.m3u8"


@dataclass(frozen=True)
class ViewState:
    live: bool
    reason: str          # a short code: no_video, stopped, model_missing, ... ("" when live)
    updated_s: float     # when storage last changed (0: never)


def decide(playlist_modified_s: float | None, state_raw: bytes | None, state_modified_s: float | None,
           now_s: float, stale_s: float = 30.0) -> ViewState:
    if state_raw is not None and state_modified_s is not None and now_s - state_modified_s <= stale_s:
        try:
            state = json.loads(state_raw)
            live = state.get("state") == "live"
            return ViewState(live, "" if live else str(state.get("reason") or "paused")[:60], state_modified_s)
        except (ValueError, AttributeError):
            pass  # an unreadable state file is ignored, the playlist age still decides
    if playlist_modified_s is None:
        return ViewState(False, "no_video", 0.0)
    if now_s - playlist_modified_s > stale_s:
        return ViewState(False, "stopped", playlist_modified_s)
    return ViewState(True, "", playlist_modified_s)


async def read_state(store, camera_id: str, now_s: float) -> ViewState:
    playlist = await store.fetch(f"hls/{camera_id}/{PLAYLIST}")
    state = await store.fetch(f"hls/{camera_id}/{STATE_FILE}")
    return decide(playlist.modified_s if playlist else None, state.data if state else None,
                  state.modified_s if state else None, now_s)
