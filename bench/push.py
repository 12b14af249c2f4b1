"""One Web Push as the worker sends it: encrypt the alert for the browser (RFC 8291), sign the VAPID
JWT (RFC 8292) and POST it, to a local push service that checks the JWT and decrypts every push
(spkt/alerts/tests/pushserver.py). ADR 0041.

Run: .venv/bin/python bench/push.py [--runs 300]

Baseline, same run: a bare POST of a body of the same size to the same server through the same
HTTP client (spkt.core.http.call), answered without decrypting: the difference is the cost of
encryption and signing here plus the server's decryption.
Target: p95 of one push ≤ 20 ms (a breach that alerts three devices adds well under 0.1 s to the
worker). A push the server cannot verify or decrypt fails the run.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import boot_django, percentile, summary_ms


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    os.environ["SPKT_VAPID_PRIVATE_KEY"] = (
        base64.urlsafe_b64encode(key.private_numbers().private_value.to_bytes(32, "big"))
        .rstrip(b"=")
        .decode()
    )
    with tempfile.TemporaryDirectory() as tmp:
        boot_django(var_dir=Path(tmp), database_url=None)
        from spkt.alerts.tests.pushserver import serve
        from spkt.alerts.webpush import push_post
        from spkt.core.http import call

        service, server = serve()
        browser = service.browser("bench")
        keys = browser.subscription()["keys"]
        message = {
            "title": "Kontak belum ditanggapi",
            "body": "WhatsApp K7QF2M belum ditanggapi dalam 5 menit.",
            "url": "/kontak/123456/",
            "tag": "contact-123456",
        }
        size = len(json.dumps(message).encode()) + 86  # aes128gcm header and tag
        bare, pushed = [], []
        for i in range(args.runs + 20):
            service.answers = [201]  # the bare POST is answered without decrypting
            start = time.perf_counter()
            call("POST", browser.endpoint, data=b"x" * size, headers={"TTL": "60"})
            if i >= 20:
                bare.append(time.perf_counter() - start)
            start = time.perf_counter()
            outcome = push_post(
                endpoint=browser.endpoint,
                p256dh=keys["p256dh"],
                auth=keys["auth"],
                message=message,
            )
            if i >= 20:
                pushed.append(time.perf_counter() - start)
            if not outcome.ok:
                print(f"FAIL: push {i} refused: {outcome.error} {service.errors}")
                return 1
        server.shutdown()
        if service.errors or len(service.received) != args.runs + 20:
            print(f"FAIL: {len(service.received)} pushes verified, errors {service.errors[:3]}")
            return 1
        print(f"baseline bare POST ({size} B): {summary_ms(bare)}")
        print(f"web push (encrypt + VAPID + POST): {summary_ms(pushed)}")
        p95 = percentile(pushed, 95) * 1000
        print(f"all {len(service.received)} pushes verified and decrypted by the push service")
        print(f"target p95 <= 20 ms: {'PASS' if p95 <= 20 else 'MISS'} ({p95:.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
