"""Logging setup shared by every service: one line per record, service name first."""
from __future__ import annotations

import logging
import re
import sys

_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")


def redact_url(url: str) -> str:
    """Drop user:password from a URL so it can be logged or reported."""
    return _USERINFO.sub(r"\g<scheme>***@", url)


class RedactingFormatter(logging.Formatter):
    """Never lets camera credentials reach a log line, whatever the caller formatted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_url(super().format(record))


def setup_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiokafka logs every rebalance and retry at INFO; keep ours readable.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("libav").setLevel(logging.ERROR)
