"""Reading mail: the hand-written corpus (spkt/channels/tests/mailcorpus) through parse_mail, with
its baseline measured in the same run, and hostile mails that must not take the poller's round.

Run: .venv/bin/python bench/mail_parse.py [--rounds 20]

1. Corpus: every mail of the corpus, ``--rounds`` times, through ``parse_mail`` (junk skipping,
   sender rules, charset detection, the whole MIME tree, the content digest). Baseline: the
   standard library alone on the same bytes: ``BytesParser(policy=default)``, ``msg["From"]``'s
   addresses, the subject, and every part's decoded payload. Prints p50/p95 per mail and the ratio
   (target: p95 ≤ 20 ms per mail: 50 mails, the most one 15 s round reads, in 1 s).
2. Hostile: long dotted From headers, a 400 KB run of 8-bit bytes, 100,000 blank lines, 20,000
   uuencode ``begin`` lines without ``end``: each must be read in under 1 s (target), once.
   The standard library's address parser is quadratic on long values; the poller reads an
   address header only to its first 2,000 characters.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import boot_django

CORPUS = Path(__file__).resolve().parent.parent / "spkt/channels/tests/mailcorpus"


def _baseline(raw: bytes) -> None:
    from email import policy
    from email.parser import BytesParser

    msg = BytesParser(policy=policy.default).parsebytes(raw)
    try:
        _ = msg["From"].addresses if msg["From"] is not None else ()
        _ = str(msg["Subject"] or "")
    except Exception:  # noqa: S110 - the baseline only has to touch the same fields
        pass
    for part in msg.walk():
        if not part.is_multipart():
            part.get_payload(decode=True)


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        boot_django(var_dir=Path(var_dir), database_url=None)
        from spkt.channels.mailparse import parse_mail

        # The corpus holds malformed mail on purpose: its warnings are not news here.
        logging.getLogger("spkt.channels.email").setLevel(logging.ERROR)

        mails = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]
        for raw in mails:  # warm-up (charset-normalizer loads its tables on first use)
            parse_mail(raw)
            _baseline(raw)
        real, base = [], []
        for _round in range(args.rounds):
            for raw in mails:
                start = time.perf_counter()
                _baseline(raw)
                base.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                parse_mail(raw)
                real.append((time.perf_counter() - start) * 1000)
        p95 = _percentile(real, 0.95)
        print(f"corpus: {len(mails)} mails x {args.rounds} rounds")
        print(
            f"  baseline (stdlib parse + payloads): p50 {statistics.median(base):.2f} ms, "
            f"p95 {_percentile(base, 0.95):.2f} ms per mail"
        )
        print(
            f"  parse_mail:                         p50 {statistics.median(real):.2f} ms, "
            f"p95 {p95:.2f} ms per mail "
            f"(x{statistics.median(real) / statistics.median(base):.1f} the baseline at p50)"
        )
        print(f"  target p95 <= 20 ms: {'PASS' if p95 <= 20 else 'MISS'}")

        hostile = {
            "From of 200,000 'a.'": b"From: " + b"a." * 200000 + b"\r\nSubject: x\r\n\r\nx",
            "From x@ + 200,000 'a.'": b"From: x@" + b"a." * 200000 + b"\r\n\r\nx",
            "400 KB of 8-bit bytes": b"From: "
            + b"\xe9" * 400000
            + b"\r\nSubject: "
            + b"\xb1\xa8" * 100000
            + b"\r\n\r\n"
            + b"\xe9a" * 200000,
            "100,000 blank lines first": b"\n" * 100000 + b"From: a@b.test\r\n\r\nx",
            "20,000 uuencode begins": b"From: a@b.test\r\n\r\n"
            + (b"begin 644 x.jpg\r\n" + b"M" * 61 + b"\r\n") * 20000,
        }
        worst = 0.0
        print("hostile mails (each once):")
        for label, raw in hostile.items():
            start = time.perf_counter()
            parsed = parse_mail(raw)
            took = time.perf_counter() - start
            worst = max(worst, took)
            print(f"  {label:28s} {took * 1000:8.1f} ms ({parsed.kind})")
        print(f"  target each < 1 s: {'PASS' if worst < 1 else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
