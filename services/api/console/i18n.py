"""Message catalogs (Japanese first, English second) and the language a request asked for.

Catalogs are JSON files in templates/i18n; a key missing from a catalog is an error at load time,
so no page can show a raw key in one language and text in the other.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from roadcam.common.errors import ConfigError

LANGUAGES = ("ja", "en")
DEFAULT = "ja"
COOKIE = "roadcam_lang"
CATALOG_DIR = Path(__file__).parent / "templates" / "i18n"


@cache
def catalogs() -> dict[str, dict[str, str]]:
    loaded = {lang: json.loads((CATALOG_DIR / f"{lang}.json").read_text(encoding="utf-8")) for lang in LANGUAGES}
    keys = [set(c) for c in loaded.values()]
    if any(k != keys[0] for k in keys):
        differ = sorted(set.union(*keys) - set.intersection(*keys))
        raise ConfigError(f"message catalogs disagree on keys: {differ[:5]}")
    return loaded


def pick_language(query: str | None, cookie: str | None) -> str:
    """`?lang=` wins (and the page sets the cookie), then the cookie, then Japanese."""
    for wanted in (query, cookie):
        if wanted in LANGUAGES:
            return wanted
    return DEFAULT


class Messages:
    """`t("key", name=...)` in templates: the text in the request's language, formatted."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._texts = catalogs()[lang]

    def __call__(self, key: str, **values: object) -> str:
        text = self._texts[key]
        return text.format(**values) if values else text

    def maybe(self, key: str, fallback: str) -> str:
        """For keys built from data (a pause reason code): the code itself when there is no text."""
        return self._texts.get(key, fallback)

    @property
    def other(self) -> str:
        return LANGUAGES[1 - LANGUAGES.index(self.lang)]
