"""Where uploaded and rendered files live (ADR 0050): the media directory, or S3-compatible object
storage through django-storages when ``SPKT_S3_BUCKET`` is set. Read from the environment once,
by the settings; the tests build the same options for their local S3 server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.env import env_str


def s3_options(bucket: str, endpoint_url: str | None = None, **overrides: Any) -> dict[str, Any]:
    """django-storages' S3Storage options: private objects served only through SPKT's own views
    (after its permission checks), names never overwritten, and a storage that does not answer
    fails a request in seconds, not minutes."""
    from botocore.config import Config

    options: dict[str, Any] = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": None,
        "access_key": None,  # None: boto3's own chain (AWS_* variables, instance role)
        "secret_key": None,
        "location": "",
        "addressing_style": None,
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        "client_config": Config(
            connect_timeout=3, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"}
        ),
    }
    options.update(overrides)
    return options


def default_storage_config(var_dir: Path) -> dict[str, Any]:
    bucket = env_str("SPKT_S3_BUCKET", "")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(var_dir / "media")},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_options(
            bucket,
            env_str("SPKT_S3_ENDPOINT_URL", ""),
            region_name=env_str("SPKT_S3_REGION", "") or None,
            access_key=env_str("SPKT_S3_ACCESS_KEY", "") or None,
            secret_key=env_str("SPKT_S3_SECRET_KEY", "") or None,
            location=env_str("SPKT_S3_PREFIX", ""),
            addressing_style=env_str("SPKT_S3_ADDRESSING_STYLE", "") or None,
        ),
    }
