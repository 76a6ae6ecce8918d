"""The one way services open object storage (MinIO in production, moto locally): TLS verified
against the configured CA (or the public ones), bounded timeouts."""
from __future__ import annotations

import certifi
import urllib3
from minio import Minio

from roadcam.common.settings import S3Settings


def minio_client(s3: S3Settings, secret_key: str, *, timeout_s: float = 10.0, sdk_retries: int = 2) -> Minio:
    """`sdk_retries=0` for a caller that retries with its own backoff (the recorder)."""
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=timeout_s, read=timeout_s),
        cert_reqs="CERT_REQUIRED",
        ca_certs=str(s3.ca_file) if s3.ca_file else certifi.where(),
        retries=urllib3.Retry(total=sdk_retries, backoff_factor=0.2),
        maxsize=8,
    )
    return Minio(s3.endpoint, access_key=s3.access_key, secret_key=secret_key,
                 secure=s3.secure, region=s3.region, http_client=http)
