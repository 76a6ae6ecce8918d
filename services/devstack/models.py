"""Find model files in the folder given to `roadcam up --models` (hooks of the ML services)."""
from __future__ import annotations

from pathlib import Path


def find_model(models_dir: str | None, *patterns: str) -> Path | None:
    """The first file matching any pattern, in pattern order; None without a folder or match."""
    if not models_dir:
        return None
    for pattern in patterns:
        found = sorted(Path(models_dir).glob(pattern))
        if found:
            return found[0]
    return None
