"""Gammu SMSD with a USB GSM modem (Debian ``gammu-smsd``), FILES backend (docs/channels.md, 6.2).

Inbound: gammu-smsd runs ``manage.py gammu_receive <slug>`` (RunOnReceive) with the inbox file
names of one received message as arguments and the message in its environment (gammu-smsd-run(7):
SMS_MESSAGES, SMS_1_NUMBER, SMS_1_TEXT, SMS_1_REFERENCE, DECODED_PARTS, DECODED_1_TEXT). With
``InboxFormat = detail`` the files are Gammu SMS backups (gammu-smsbackup(5)) that also carry what
the environment lacks: the user data header (the concatenation reference of a multipart SMS) and
the PDU type (a delivery report is ``Status_Report``). The command turns them into one JSON payload
and stores it like a webhook (store, then process; the inbox file name is its stable id).

Multipart: gammu-smsd joins the parts that arrive within MultipartTimeout and passes them in one
call. Parts that come later arrive alone; each is stored under a key naming its sender,
concatenation reference and part count, and waits (``NotYetError``) until the others are there,
then the parts become one message; after PARTS_WAIT what arrived is filed, with a warning.

Outbound: a reply is a file ``OUTA<date>_<time>_00_<+number>_spkt-<id>.txtd`` (UTF-16, "d" asks
for a delivery report) written atomically into the OutboxPath (gammu-smsd-files(7)); gammu-smsd
splits a long text into a multipart SMS itself. RunOnSent / RunOnFailure (``--event sent`` /
``--event failed``) name the file, which is the reply's external id; a delivery report
(``DeliveryReport = sms``) names the number, and settles the oldest sent reply to it.
"""

from __future__ import annotations

import configparser
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from spkt.channels import smstext
from spkt.channels.models import ChannelAccount, InboundPayload
from spkt.channels.webhooks import (
    MalformedError,
    NotYetError,
    Tally,
    _receive,
    received_at_checked,
)
from spkt.core import clock
from spkt.intake.models import Channel, Delivery, Direction, Message
from spkt.intake.outbox import outbox_delivery_update
from spkt.intake.services import Incoming, sender_key

log = logging.getLogger(__name__)

# Longer than gammu-smsd's default MultipartTimeout (10 minutes): parts it gave up on still meet.
PARTS_WAIT = timedelta(minutes=15)
PARTS_WINDOW = timedelta(days=1)  # pieces further apart are not one message
MAX_FILES = 255  # parts of one message
FILE_LIMIT = 1024 * 1024  # an inbox file is a few kB; more is not an SMS
INBOX_NAME = re.compile(r"^IN(\d{8})_(\d{6})_(\d{2})_([^_/\\]*)_(\d{2})\.(txt|bin|smsbackup)$")
REPORTS = {"delivered": Delivery.DELIVERED, "failed": Delivery.FAILED}


class GammuConfigError(Exception):
    """The account's gammu-smsdrc cannot be read or lacks what SPKT needs."""


# --- The daemon's configuration -------------------------------------------------------------------
def smsd_settings(path: str) -> dict[str, str]:
    """The [smsd] options of a gammu-smsdrc (names lower-cased, as Gammu reads them)."""
    if not path:
        raise GammuConfigError(_("gammu_config belum diisi."))
    parser = configparser.ConfigParser(
        interpolation=None, strict=False, comment_prefixes=("#", ";"), inline_comment_prefixes=None
    )
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            parser.read_file(stream)
    except OSError as exc:
        raise GammuConfigError(
            _("Berkas konfigurasi Gammu tidak dapat dibaca: %(error)s") % {"error": exc.strerror}
        ) from None
    except configparser.Error:
        raise GammuConfigError(_("Berkas konfigurasi Gammu tidak dapat diurai.")) from None
    section = next((name for name in parser.sections() if name.lower() == "smsd"), None)
    if section is None:
        raise GammuConfigError(_("Berkas konfigurasi Gammu tidak memiliki bagian [smsd]."))
    return {key.lower(): value.strip().strip('"') for key, value in parser.items(section)}


def _dir(settings: Mapping[str, str], name: str) -> Path:
    value = settings.get(name, "")
    if not value:
        raise GammuConfigError(_("%(name)s tidak diatur di [smsd].") % {"name": name})
    return Path(value)


# --- Reading what gammu-smsd hands over -----------------------------------------------------------
def _concat(udh_hex: str) -> dict | None:
    """The concatenation information element of a user data header: reference, parts, part."""
    try:
        udh = bytes.fromhex(udh_hex)
    except ValueError:
        return None
    if not udh or udh[0] + 1 > len(udh):
        return None
    at, end = 1, udh[0] + 1
    while at + 2 <= end:
        iei, length = udh[at], udh[at + 1]
        data = udh[at + 2 : at + 2 + length]
        if iei == 0x00 and length == 3 and len(data) == 3:
            ref, total, seq = data[0], data[1], data[2]
        elif iei == 0x08 and length == 4 and len(data) == 4:
            ref, total, seq = data[0] << 8 | data[1], data[2], data[3]
        else:
            at += 2 + length
            continue
        return {"ref": ref, "total": total, "seq": seq} if 1 <= seq <= total else None
    return None


def _backup_time(value: str) -> str | None:
    """An SMS backup's DateTime ("20261201T094600Z"): only a time given in UTC is trusted."""
    if not value.endswith("Z"):
        return None
    try:
        return datetime.strptime(value[:-1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC).isoformat()
    except ValueError:
        return None


def _backup_parts(text: str) -> list[dict]:
    parser = configparser.ConfigParser(
        interpolation=None, strict=False, comment_prefixes=("#", ";"), inline_comment_prefixes=None
    )
    parser.optionxform = str.lower  # type: ignore[assignment, method-assign]
    parser.read_string(text)
    parts = []
    for name in parser.sections():
        if not name.lower().startswith("smsbackup"):
            continue
        values = {key: value.strip().strip('"') for key, value in parser.items(name)}
        hex_text = "".join(values[k] for k in sorted(values) if re.fullmatch(r"text\d\d", k))
        coding = values.get("coding", "").lower()
        try:
            body = "" if coding.startswith("8bit") else bytes.fromhex(hex_text).decode("utf-16-be")
        except (ValueError, UnicodeDecodeError):
            body = ""
        reference = values.get("messagereference", "0")
        parts.append(
            {
                "number": values.get("number", ""),
                "text": body,
                "binary": coding.startswith("8bit"),
                "report": values.get("pdu", "").lower() == "status_report",
                "reference": int(reference) if reference.isdigit() else 0,
                "concat": _concat(values.get("udh", "")),
                "at": _backup_time(values.get("datetime", "")),
            }
        )
    return parts


def _plain_part(name: str, data: bytes) -> dict:
    """A part stored as text (InboxFormat unicode or standard): the number is in the file name."""
    match = INBOX_NAME.match(name)
    binary = name.endswith(".bin")
    if binary:
        text = ""
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        text = data.decode("utf-8", errors="replace")
    return {
        "number": match.group(4) if match else "",
        "text": text,
        "binary": binary,
        "report": False,
        "reference": 0,
        "concat": None,
        "at": None,
    }


def _env_parts(env: Mapping[str, str]) -> list[dict]:
    """The message from RunOnReceive's environment (no files: Service = null)."""
    count = env.get("SMS_MESSAGES", "0")
    parts = []
    for n in range(1, min(int(count) if count.isdigit() else 0, MAX_FILES) + 1):
        reference = env.get(f"SMS_{n}_REFERENCE", "0")
        parts.append(
            {
                "number": env.get(f"SMS_{n}_NUMBER", ""),
                "text": env.get(f"SMS_{n}_TEXT", ""),
                "binary": False,
                "report": False,
                "reference": int(reference) if reference.isdigit() else 0,
                "concat": None,
                "at": None,
            }
        )
    decoded = env.get("DECODED_1_TEXT")
    if parts and decoded and env.get("DECODED_PARTS", "0") not in ("", "0"):
        # gammu-smsd decoded the parts into one text already.
        parts = [{**parts[0], "text": decoded}]
    return parts


def received_payload(
    settings: Mapping[str, str], names: list[str], env: Mapping[str, str]
) -> dict[str, Any]:
    """The payload of one RunOnReceive call: the inbox files named, or else the environment."""
    files = [os.path.basename(name) for name in names[:MAX_FILES]]
    parts: list[dict] = []
    inbox = Path(settings.get("inboxpath", "")) if settings.get("inboxpath") else None
    for name in files:
        if inbox is None or not INBOX_NAME.match(name):
            parts = []
            break
        try:
            with open(inbox / name, "rb") as stream:
                data = stream.read(FILE_LIMIT)
            text = data.decode("utf-8", errors="replace")
            parts.extend(_backup_parts(text) if "[SMSBackup" in text else [_plain_part(name, data)])
        except (OSError, configparser.Error):
            # Unreadable: the environment still has the number and the text.
            log.warning("gammu: inbox file %r unreadable; reading the environment", name)
            parts = []
            break
    if not parts:
        parts = _env_parts(env)
    return {"gammu": "received", "files": files, "parts": parts}


def _piece_prefix(number: str, concat: dict) -> str:
    return f"gammu:part:{number[:40]}:{concat['ref']}:{concat['total']}:"


def _one_message(parts: list[dict]) -> dict | None:
    """The concatenation info the parts share (one multipart message), else None."""
    concats = [p.get("concat") for p in parts]
    if parts and all(concats) and len({(c["ref"], c["total"]) for c in concats if c}) == 1:
        return concats[0]
    return None


def _seqs(parts: list[dict]) -> set[int]:
    return {p["concat"]["seq"] for p in parts if p.get("concat")}


def _all_there(parts: list[dict], total: int) -> bool:
    return _seqs(parts) == set(range(1, total + 1))


def payload_key(payload: dict) -> str | None:
    """The stable id of a payload (None: a hash of the body is used)."""
    kind = payload.get("gammu")
    if kind in ("sent", "failed") and payload.get("file"):
        return f"gammu:{kind}:{payload['file']}"[:255]
    files, parts = payload.get("files") or [], payload.get("parts") or []
    if not files:
        return None
    concat = _one_message(parts)
    if concat is not None and not _all_there(parts, concat["total"]):
        seqs = ".".join(str(seq) for seq in sorted(_seqs(parts)))
        return f"{_piece_prefix(parts[0]['number'], concat)}{seqs}:{files[0]}"[:255]
    return f"gammu:in:{files[0]}"[:255]


# --- Processing -----------------------------------------------------------------------------------
def _parts_of(payload: InboundPayload) -> list[dict]:
    try:
        data = json.loads(payload.body)
    except ValueError:
        return []
    return [p for p in data.get("parts") or [] if isinstance(p, dict)]


def _join(parts: list[dict], total: int | None = None) -> tuple[str, str]:
    """The parts' text in order; a warning naming the parts that never came."""
    by_seq: dict[Any, Any] = {}
    for part in parts:
        seq = (part.get("concat") or {}).get("seq")
        by_seq.setdefault(seq, part)
    if total is None:
        return "".join(str(p.get("text") or "") for p in parts), ""
    missing = [n for n in range(1, total + 1) if n not in by_seq]
    text = "".join(
        str(by_seq[n].get("text") or "") if n in by_seq else " […] " for n in range(1, total + 1)
    )
    warning = ""
    if missing:
        warning = _(
            "SMS bersambung tidak lengkap: bagian %(missing)s dari %(total)d tidak tiba."
        ) % {"missing": ", ".join(map(str, missing)), "total": total}
    return text, warning


def _time(parts: list[dict]) -> datetime | None:
    value = next((p.get("at") for p in parts if p.get("at")), None)
    try:
        return received_at_checked(datetime.fromisoformat(value)) if value else None
    except (ValueError, MalformedError):
        return None


def _file(
    account: ChannelAccount,
    tally: Tally,
    parts: list[dict],
    external_id: str,
    *,
    text: str,
    warning: str = "",
) -> None:
    sender = str(parts[0].get("number") or "").strip()
    if not sender:
        raise MalformedError(_("SMS tanpa nomor pengirim."))
    if not text.strip() and any(p.get("binary") for p in parts):
        text = _("[SMS biner (8-bit) tanpa teks]")
    body, clipped = smstext.clip(text)
    incoming = Incoming(
        channel=Channel.SMS,
        body=body,
        sender_address=sender,
        external_id=external_id[:255],
        external_thread=sender,
        received_at=_time(parts),
        warning=" ".join(w for w in (warning, clipped) if w)[:255],
    )
    _receive(account, lambda: incoming, tally, external_id[:255])


def _pieces(account: ChannelAccount, tally: Tally, parts: list[dict]) -> None:
    """Parts of a multipart SMS that came without the others: file them when all are stored (or
    when PARTS_WAIT has passed since the first), else wait."""
    concat = parts[0]["concat"]
    now = clock.now()
    stored = list(
        InboundPayload.objects.filter(
            account=account,
            key__startswith=_piece_prefix(str(parts[0].get("number") or ""), concat),
            received_at__gte=now - PARTS_WINDOW,
        ).order_by("pk")
    )
    group = [part for payload in stored for part in _parts_of(payload) if part.get("concat")]
    group = group or parts
    total = concat["total"]
    seqs = _seqs(group)
    first = min((p.received_at for p in stored), default=now)
    if not _all_there(group, total) and now < first + PARTS_WAIT:
        raise NotYetError(
            f"waiting for the other parts of a multipart SMS ({len(seqs)} of {total})",
            first + PARTS_WAIT,
        )
    text, warning = _join(group, total)
    anchor = stored[0].key.rsplit(":", 1)[-1] if stored else "?"
    external_id = f"gammu:{anchor}:{concat['ref']}:{'.'.join(map(str, sorted(seqs)))}"
    _file(account, tally, group, external_id, text=text, warning=warning)


def _report(account: ChannelAccount, tally: Tally, part: dict) -> None:
    delivery = REPORTS.get(str(part.get("text") or "").strip().lower())
    if delivery is None:
        return  # "Pending" and the like: nothing settled yet
    key = sender_key(Channel.SMS, str(part.get("number") or ""))
    reply = (
        Message.objects.filter(
            contact__unit=account.unit,
            contact__channel=Channel.SMS,
            contact__sender_key=key,
            direction=Direction.OUT,
            delivery=Delivery.SENT,
            external_id__startswith="OUT",
        )
        .order_by("pk")
        .first()
    )
    if reply is not None:
        tally.updated += outbox_delivery_update(
            unit=account.unit,
            external_id=reply.external_id,
            delivery=delivery,
            error=_("Laporan pengiriman: gagal") if delivery == Delivery.FAILED else "",
        )


def receive(account: ChannelAccount, payload: dict) -> Tally:
    tally = Tally()
    kind = payload.get("gammu")
    if kind in ("sent", "failed"):
        name = str(payload.get("file") or "")
        if name.startswith("OUT"):
            tally.updated += outbox_delivery_update(
                unit=account.unit,
                external_id=name,
                delivery=Delivery.SENT if kind == "sent" else Delivery.FAILED,
                error="" if kind == "sent" else _("gammu-smsd gagal mengirim SMS ini."),
            )
        return tally
    if kind != "received":
        raise MalformedError("not a gammu-smsd payload")
    parts = [p for p in payload.get("parts") or [] if isinstance(p, dict)]
    files = [str(f) for f in payload.get("files") or []]
    for part in [p for p in parts if p.get("report")]:
        _report(account, tally, part)
    parts = [p for p in parts if not p.get("report")]
    if not parts:
        return tally
    concat = _one_message(parts)
    if concat is not None and not _all_there(parts, concat["total"]):
        _pieces(account, tally, parts)
        return tally
    text, warning = _join(parts, concat["total"] if concat else None)
    external_id = f"gammu:{files[0]}" if files else ""
    _file(account, tally, parts, external_id, text=text, warning=warning)
    return tally


# --- Outbound -------------------------------------------------------------------------------------
class OutboxError(Exception):
    """The outbox cannot be written now (a later try may succeed)."""


def send(account: ChannelAccount, message_id: int, to: str, text: str) -> str:
    """Queue the reply for gammu-smsd; the file name is its external id. A retry of the same reply
    finds its file (in the outbox or already sent) and writes nothing."""
    try:
        settings = smsd_settings(str(account.config.get("gammu_config") or ""))
        outbox = _dir(settings, "outboxpath")
    except GammuConfigError as exc:
        raise OutboxError(str(exc)) from None
    number = "+" + re.sub(r"\D", "", to)
    tag = f"_spkt-{message_id}.txt"
    for folder in {outbox, Path(settings.get("sentsmspath") or outbox)}:
        try:
            for entry in folder.iterdir():
                if entry.name.startswith("OUT") and tag in entry.name:
                    return entry.name
        except OSError:
            continue
    at = timezone.localtime(clock.now())
    name = f"OUTA{at:%Y%m%d_%H%M%S}_00_{number}{tag}d"
    try:
        # Written under a name gammu-smsd does not read, then renamed: it never sees half a file.
        handle, temporary = tempfile.mkstemp(prefix=".spkt-", dir=outbox)
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-16"))  # with a BOM: Gammu reads it as Unicode
        os.chmod(temporary, 0o644)
        os.replace(temporary, outbox / name)
    except OSError as exc:
        raise OutboxError(f"Gammu outbox not writable: {exc.strerror}") from None
    return name


# --- The admin's connection test ------------------------------------------------------------------
def connection_check(account: ChannelAccount) -> tuple[bool, str]:
    """The configuration file, the folders SPKT reads and writes, the hooks that call SPKT, and,
    when gammu-smsd-monitor is installed, the running daemon's own report."""
    path = str(account.config.get("gammu_config") or "")
    try:
        settings = smsd_settings(path)
        if settings.get("service", "").lower() != "files":
            raise GammuConfigError(_("SPKT membutuhkan Service = files di [smsd]."))
        names = ("inboxpath", "outboxpath", "sentsmspath")
        folders = {name: _dir(settings, name) for name in names}
    except GammuConfigError as exc:
        return False, str(exc)
    problems = [
        _("%(name)s (%(path)s) tidak ada.") % {"name": name, "path": folder}
        for name, folder in folders.items()
        if not folder.is_dir()
    ]
    if folders["outboxpath"].is_dir() and not os.access(folders["outboxpath"], os.W_OK):
        problems.append(_("SPKT tidak dapat menulis ke outboxpath."))
    if settings.get("inboxformat", "").lower() != "detail":
        problems.append(_("Atur InboxFormat = detail (SMS bersambung dan laporan pengiriman)."))
    for option in ("runonreceive", "runonsent", "runonfailure"):
        if account.slug not in settings.get(option, "").split():
            problems.append(
                _("%(option)s belum memanggil gammu_receive %(slug)s.")
                % {"option": option, "slug": account.slug}
            )
    running, status = _monitor(path)
    if not running:
        problems.append(status)
    if problems:
        return False, " ".join(problems)
    return True, " ".join([_("Konfigurasi Gammu lengkap."), status]).strip()


def _monitor(path: str) -> tuple[bool, str]:
    """Whether the daemon runs, by gammu-smsd-monitor (not installed: not asked)."""
    binary = shutil.which("gammu-smsd-monitor")
    if binary is None:
        return True, ""
    try:
        done = subprocess.run(  # noqa: S603 (fixed binary, the admin's own config path)
            [binary, "-c", path, "-n", "1", "-d", "0", "-C"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False, _("gammu-smsd-monitor tidak menjawab.")
    if done.returncode != 0:
        return False, _("gammu-smsd tidak berjalan (gammu-smsd-monitor gagal).")
    # CSV: client;phone id;IMEI;IMSI;sent;received;failed;battery;signal
    fields = (done.stdout.strip().splitlines() or [""])[-1].split(";")
    if len(fields) >= 9:
        return True, _(
            "gammu-smsd berjalan: terkirim %(sent)s, diterima %(received)s, gagal %(failed)s, "
            "sinyal %(signal)s%%."
        ) % {"sent": fields[4], "received": fields[5], "failed": fields[6], "signal": fields[8]}
    return True, _("gammu-smsd berjalan.")
