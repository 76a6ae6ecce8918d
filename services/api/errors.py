"""The api's errors. One policy: every RoadcamError raised in a request becomes a 4xx/5xx with a
clear message (see app.py); the bus consumers log bad messages and skip them (see messages.py)."""
from __future__ import annotations

from roadcam.common.errors import RoadcamError


class StoreError(RoadcamError):
    """The database refused, or the schema cannot be brought up to date."""


class ApiError(RoadcamError):
    """A request cannot be served; `status` is the HTTP status the client gets."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class NotFound(ApiError):
    status = 404


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class Conflict(ApiError):
    status = 409


class TooManyAttempts(ApiError):
    status = 429

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
