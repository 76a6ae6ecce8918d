"""The disclosure pages' own texts (ja first, en second), kept beside their templates so the shared
catalogs only carry the navigation entry."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from roadcam.common.errors import ConfigError

CATALOG = Path(__file__).parent / "templates" / "disclosure" / "texts.json"


@cache
def texts() -> dict[str, dict[str, str]]:
    loaded = json.loads(CATALOG.read_text(encoding="utf-8"))
    missing = [k for k, v in loaded.items() if set(v) != {"ja", "en"}]
    if missing:
        raise ConfigError(f"disclosure texts need ja and en: {missing[:5]}")
    return loaded


class DisclosureText:
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: object) -> str:
        text = texts()[key][self.lang]
        return text.format(**values) if values else text
