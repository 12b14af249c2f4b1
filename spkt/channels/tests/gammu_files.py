"""Gammu SMS backup files (gammu-smsbackup(5)) as gammu-smsd's FILES backend writes them with
InboxFormat = detail, and as its dummy phone driver reads them from <device>/sms/<folder>/<n>."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path


def minutes_ago(minutes: int = 5) -> datetime:
    """A time of the test clock's recent past (SPKT_TEST_NOW moves it), to the second."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes)


def backup_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def backup(
    parts: list[str],
    *,
    number: str = "+6281234567890",
    udh: list[str] | None = None,
    pdu: str = "Deliver",
    reference: int = 0,
    at: str | None = None,
) -> str:
    at = at or backup_time(minutes_ago())
    sections = []
    for n, text in enumerate(parts):
        lines = [
            f"[SMSBackup{n:03d}]",
            f"; {text}",
            'SMSC = "+6281100000"',
            f"PDU = {pdu}",
            f"DateTime = {at}",
            "State = UnRead",
            f'Number = "{number}"',
            'Name = ""',
            f"Text00 = {text.encode('utf-16-be').hex().upper()}",
            "Coding = Default_No_Compression",
            "Folder = 1",
            f"Length = {len(text)}",
            "Class = -1",
            f"MessageReference = {reference}",
        ]
        if udh:
            lines.append(f"UDH = {udh[n]}")
        sections.append("\n".join(lines) + "\n")
    return "\n".join(sections)


def concat_udh(ref: int, total: int, seq: int) -> str:
    """A concatenation header with an 8-bit reference (IEI 00)."""
    return f"050003{ref:02X}{total:02X}{seq:02X}"


def inbox_file(inbox: Path, name: str, text: str) -> str:
    (inbox / name).write_text(text)
    return name
