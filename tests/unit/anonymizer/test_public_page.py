from types import SimpleNamespace

import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from services.api.public import create_router
from roadcam.common.settings import S3Settings

NOTICE = {"operator": "群馬県 道路管理課", "purpose": "道路の状況把握", "contact": "027-226-0000 <roads@example.jp>"}


def client(tmp_path):
    cams = [
        {"id": "pub-1", "name": "国道17号 上武大橋", "source": {"url": "/x"}, "purposes": ["road_management", "crime_prevention"],
         "department": "roads", "notice": NOTICE, "retention_days": 14, "recording": {"enabled": True}},
        {"id": "survey-only", "name": "交通量調査", "source": {"url": "/x"}, "purposes": ["traffic_survey"],
         "department": "roads", "notice": NOTICE},
    ]
    config = tmp_path / "cameras.yaml"
    config.write_text(yaml.safe_dump({"version": 1, "cameras": cams}, allow_unicode=True))
    settings = SimpleNamespace(config_file=config, s3=S3Settings(endpoint="127.0.0.1:1"), s3_secret_key=SecretStr("x"),
                               public_bucket="roadcam-public")
    app = FastAPI()
    app.include_router(create_router(settings))
    return TestClient(app)


def test_page_lists_publishing_cameras_with_notice_in_japanese(tmp_path):
    c = client(tmp_path)
    listing = c.get("/")
    assert listing.status_code == 200 and "国道17号 上武大橋" in listing.text and "survey-only" not in listing.text
    page = c.get("/cameras/pub-1")
    assert page.status_code == 200 and 'lang="ja"' in page.text
    assert c.get("/cameras/survey-only").status_code == 404  # not a road_management camera: no public view
    for text in ("国道17号 上武大橋", "群馬県 道路管理課", "道路の状況把握", "14日", "設置者", "問い合わせ先"):
        assert text in page.text
    assert "&lt;roads@example.jp&gt;" in page.text  # escaped
    assert 'data-src="/hls/pub-1/index.m3u8"' in page.text
    assert '<script src="/static/hls.min.js">' in page.text and "cdn" not in page.text.lower()


def test_english_switch(tmp_path):
    c = client(tmp_path)
    assert 'lang=en' in c.get("/cameras/pub-1").text
    page = c.get("/cameras/pub-1?lang=en")
    assert 'lang="en"' in page.text and "Operator" in page.text and "14 days" in page.text
    unknown = c.get("/cameras/pub-1?lang=xx")  # an unknown language falls back to Japanese
    assert unknown.status_code == 200 and 'lang="ja"' in unknown.text


def test_hls_js_is_served_locally(tmp_path):
    r = client(tmp_path).get("/static/hls.min.js")
    assert r.status_code == 200 and len(r.content) > 100_000 and "javascript" in r.headers["content-type"]


def test_hls_paths_are_restricted(tmp_path):
    c = client(tmp_path)
    for path in ("/hls/pub-1/..%2Fsecret", "/hls/pub-1/other.txt", "/hls/UPPER/index.m3u8", "/hls/pub-1/seg-1.ts", "/hls/pub-1/seg-0000000001.ts.bak"):
        assert c.get(path).status_code == 404, path
