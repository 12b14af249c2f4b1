"""gunicorn settings for an SPKT app server (scripts/cluster.sh and docs/deployment.md)."""

import os

workers = int(os.environ.get("SPKT_WEB_WORKERS", "2"))
threads = int(os.environ.get("SPKT_WEB_THREADS", "1"))
timeout = 30
graceful_timeout = 20
# A worker is recycled now and then so a slow leak never grows for weeks.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
forwarded_allow_ips = "127.0.0.1"
