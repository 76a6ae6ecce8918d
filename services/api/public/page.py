"""HTML of the public page: one card per camera with its notice (A7) and a live player."""
from __future__ import annotations

from html import escape

TEXT = {
    "ja": {
        "title": "道路ライブカメラ", "operator": "設置者", "purpose": "設置目的", "retention": "録画の保存期間",
        "contact": "問い合わせ先", "manager": "管理責任者", "days": "日", "switch": "English", "other": "en",
        "intro": "映像は個人が識別できないよう低解像度化し、顔・ナンバープレート・人物をぼかして配信しています。",
        "paused": "映像を一時停止しています（安全に匿名化できないため）。", "none": "公開中のカメラはありません。",
        "not_recorded": "録画しません",
    },
    "en": {
        "title": "Road live cameras", "operator": "Operator", "purpose": "Purpose", "retention": "Recording retention",
        "contact": "Contact", "manager": "Manager", "days": "days", "switch": "日本語", "other": "ja",
        "intro": "The video is downscaled and faces, licence plates and people are blurred so nobody can be identified.",
        "paused": "The live view is paused (it cannot be anonymized safely right now).", "none": "No camera is public.",
        "not_recorded": "not recorded",
    },
}

_SCRIPT = """
<script src="/static/hls.min.js"></script>
<script>
for (const video of document.querySelectorAll('video[data-src]')) {
  const src = video.dataset.src;
  if (window.Hls && Hls.isSupported()) {
    const hls = new Hls({liveSyncDurationCount: 2, enableWorker: true});
    hls.loadSource(src);
    hls.attachMedia(video);
    hls.on(Hls.Events.ERROR, (e, d) => { if (d.fatal) { setTimeout(() => hls.loadSource(src), 3000); } });
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = src;  // Safari plays HLS natively
  }
  video.muted = true;
  video.play().catch(() => {});
}
</script>
"""


def _card(camera, t: dict) -> str:
    n = camera.notice
    retention = f"{camera.retention_days} {t['days']}" if camera.records else t["not_recorded"]
    rows = [(t["operator"], n.operator), (t["purpose"], n.purpose), (t["retention"], retention),
            (t["contact"], n.contact)]
    if n.manager:
        rows.insert(1, (t["manager"], n.manager))
    notice = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    cid = escape(camera.id)
    v = camera.public_view
    return (
        f'<section class="camera" id="cam-{cid}"><h2>{escape(camera.name)}</h2>'
        f'<video id="video-{cid}" data-src="/hls/{cid}/index.m3u8" width="{v.width}" height="{v.height}" '
        f'muted autoplay playsinline controls></video>'
        f'<dl class="notice">{notice}</dl></section>'
    )


def render_page(cameras: list, lang: str = "ja") -> str:
    t = TEXT[lang]
    cards = "".join(_card(c, t) for c in cameras) or f"<p>{escape(t['none'])}</p>"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(t['title'])}</title><style>"
        "body{font-family:sans-serif;margin:1rem;background:#f4f4f4}"
        ".camera{background:#fff;padding:1rem;margin-bottom:1rem;border-radius:6px}"
        "video{max-width:100%;background:#333}dl.notice{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}"
        "dt{font-weight:bold}dd{margin:0}</style></head><body>"
        f'<header><h1>{escape(t["title"])}</h1><a id="lang-switch" href="/?lang={t["other"]}">{t["switch"]}</a>'
        f"<p>{escape(t['intro'])}</p></header><main>{cards}</main>{_SCRIPT}</body></html>"
    )
