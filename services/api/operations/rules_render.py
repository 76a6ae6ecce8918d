"""The 規程 as Markdown or as one printable HTML page (no external assets: it prints offline)."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from html import escape
from pathlib import Path

from services.api.operations.rules_doc import RulesDocument

FORMATS = ("md", "html")
PRINT_CSS = ("body{font-family:'Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif;max-width:50em;margin:2em auto;"
             "line-height:1.7}h1{font-size:1.4em;border-bottom:1px solid #000}h2{font-size:1.1em;margin-top:1.4em}"
             "section{page-break-inside:avoid}footer{margin-top:2em;font-size:.85em;color:#444}"
             "@media print{body{margin:0}.doc{page-break-after:always}}")


def config_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def markdown(docs: Sequence[RulesDocument]) -> str:
    out: list[str] = []
    for doc in docs:
        out += [f"# {doc.title}", "", f"カメラID: {doc.camera_id}　作成日時: {doc.generated}", ""]
        for s in doc.sections:
            out += [f"## {s.mark} {s.title}", ""]
            for p in s.paragraphs:
                out += [p, ""]
        out += ["附則　この規程は作成日から適用する。", ""]
    return "\n".join(out)


def html(docs: Sequence[RulesDocument]) -> str:
    parts = ['<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>カメラ管理・運用規程</title>',
             f"<style>{PRINT_CSS}</style></head><body>"]
    for doc in docs:
        parts.append(f'<article class="doc" id="rules-{escape(doc.camera_id)}"><h1>{escape(doc.title)}</h1>'
                     f"<p>カメラID: {escape(doc.camera_id)}　作成日時: {escape(doc.generated)}</p>")
        for s in doc.sections:
            paras = "".join(f"<p>{escape(p)}</p>" for p in s.paragraphs)
            parts.append(f'<section data-item="{escape(s.mark)}"><h2>{escape(s.mark)} {escape(s.title)}</h2>{paras}</section>')
        parts.append("<footer>附則　この規程は作成日から適用する。</footer></article>")
    parts.append("</body></html>")
    return "".join(parts)


def render(docs: Sequence[RulesDocument], fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    return html(docs) if fmt == "html" else markdown(docs)
