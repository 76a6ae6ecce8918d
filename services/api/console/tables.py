"""The console's tables (issue 10): versioned camera configuration documents.

Each row is one whole configuration (the YAML text exactly as imported, or as the console wrote it),
so `roadcam config export` gives back byte for byte what `import` stored. Rows are never changed.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.api.db.tables import Base


class ConfigVersion(Base):
    __tablename__ = "config_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)
    created_us: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    camera_id: Mapped[str] = mapped_column(String(64), default="")  # "" = the whole file (import, seed)
    diff: Mapped[str] = mapped_column(Text, default="")
