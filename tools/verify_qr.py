#!/usr/bin/env python3
"""Check an SPKT document QR offline, with the issuing unit's published public key.

    python3 tools/verify_qr.py "https://…/v/<token>/?p=…&s=…" --key spkt-kota-selatan.pem

Needs only the `cryptography` package. Prints the signed payload and exits 0 when the signature
holds; exits 1 when the QR was changed or was not signed by that key.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the text of the QR code")
    parser.add_argument("--key", required=True, type=Path, help="the unit's public key (PEM)")
    args = parser.parse_args()
    query = parse_qs(urlparse(args.url).query)
    try:
        body, signature = unb64(query["p"][0]), unb64(query["s"][0])
        key = load_pem_public_key(args.key.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 key")
        key.verify(signature, body)
    except (KeyError, ValueError, InvalidSignature) as exc:
        print(f"TIDAK SAH: {exc.__class__.__name__}", file=sys.stderr)
        return 1
    payload = json.loads(body)
    print("SAH")
    for label, key_name in (
        ("Nomor", "n"),
        ("Jenis", "t"),
        ("Tanggal", "d"),
        ("Satuan", "u"),
        ("Atas nama", "a"),
        ("Status saat terbit", "s"),
    ):
        print(f"{label}: {payload.get(key_name, '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
