"""Reading a raw mail as it really arrives, not as a library would write it (spkt.channels.email
polls and stores; this module only reads bytes).

Mail that nobody here wrote breaks the textbook: two ``From`` headers, a display name without an
address, a junk line before the headers, GB2312 labels on GBK text, raw 8-bit headers, images in a
``multipart/related`` inside a ``multipart/alternative``, uuencoded files, forwarded mails. The
rules (docs/adr/0043-real-world-mail-reading.md):

- the sender is the first valid address of ``From`` (every one), ``Sender``, ``Reply-To``, then
  the envelope's ``Return-Path``; a value without ``@`` or one the parser flagged is never taken;
- a declared charset is read through its superset (GB2312 as GB18030, ISO-8859-1 as
  windows-1252); undeclared or mis-declared 8-bit text is read by the message's own charsets, UTF-8,
  then detection (charset-normalizer), and only then with replacement characters;
- files are collected from the whole MIME tree, every alternative included; a part refused by
  policy is named to the desk with the reason;
- ``content_digest`` identifies the mail by what its author wrote (not the trace headers servers
  add), so the same mail fetched twice is one message and a different mail reusing a Message-ID
  is another.
"""

from __future__ import annotations

import binascii
import bisect
import codecs
import contextlib
import hashlib
import logging
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import errors as email_errors
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import cast

from django.utils.translation import gettext as _

from spkt.intake.models import Channel
from spkt.intake.services import ALLOWED_TYPES, MAX_ATTACHMENT, Incoming, IncomingFile

log = logging.getLogger("spkt.channels.email")

MAX_BODY = 50_000  # characters of body text kept
RAW_NAME = "pesan-asli.eml"
# A forwarded mail or the raw source of a malformed one is kept as an .eml attachment.
EML_TYPE = "message/rfc822"
SIGNATURE_TYPES = {
    "application/pgp-signature",
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
}
TYPE_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "audio/mp3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "application/x-pdf": "application/pdf",
    "application/acrobat": "application/pdf",
    "text/comma-separated-values": "text/csv",
    "text/x-csv": "text/csv",
    "application/csv": "text/csv",
    "application/x-csv": "text/csv",
    "text/rtf": "application/rtf",
    "application/x-rtf": "application/rtf",
    "application/doc": "application/msword",
    "application/x-msword": "application/msword",
    "application/vnd.msword": "application/msword",
    "application/msexcel": "application/vnd.ms-excel",
    "application/x-msexcel": "application/vnd.ms-excel",
    "application/x-excel": "application/vnd.ms-excel",
    "application/excel": "application/vnd.ms-excel",
}
# Types that say nothing about the file: its name tells.
GENERIC_TYPES = {
    "application/octet-stream",
    "application/x-download",
    "application/force-download",
    "application/download",
    "application/unknown",
    "binary/octet-stream",
    "application/binary",
}
# Office files are zip archives; some clients label them so.
ZIP_TYPES = {"application/zip", "application/x-zip-compressed", "application/x-zip"}
# Names Windows would run whatever the declared type says: never stored.
PROGRAM_EXTENSIONS = {
    "exe", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "dll", "cpl", "js", "jse", "vbs",
    "vbe", "wsf", "wsh", "hta", "ps1", "jar", "lnk", "reg", "scf", "iso", "img", "vhd",
    "docm", "xlsm", "pptm", "dotm", "xltm",
}  # fmt: skip
UNKNOWN_CHARSETS = {"unknown-8bit", "x-unknown", "unknown", "default", "8bit", "x-user-defined"}
# Labels read through the superset senders really mean (the WHATWG encoding standard does the same).
CHARSET_SUPERSETS = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "iso-8859-8-i": "iso-8859-8",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "iso-8859-11": "cp874",
    "unicode-1-1-utf-7": "utf-7",
}
# Defects after which the parse cannot be trusted: the raw source is kept with the message.
STRUCTURAL_DEFECTS = (
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.CloseBoundaryNotFoundDefect,
    email_errors.MultipartInvariantViolationDefect,
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.InvalidMultipartContentTransferEncodingDefect,
    email_errors.MissingHeaderBodySeparatorDefect,
    email_errors.FirstHeaderLineIsContinuationDefect,
    email_errors.MisplacedEnvelopeHeaderDefect,
    email_errors.InvalidBase64CharactersDefect,
    email_errors.InvalidBase64PaddingDefect,
    email_errors.InvalidBase64LengthDefect,
)
AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autogenerated")
AUTO_PRECEDENCE = {"bulk", "auto_reply", "list", "junk"}
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
SENDER_HEADERS = ("From", "Sender", "Reply-To", "Return-Path")
MSGID = re.compile(r"<([^<>\s]+)>")
SURROGATES = re.compile(r"[\ud800-\udfff]")
ADDRESS = re.compile(r"[^@\s<>()\[\]\\,;:\"']{1,64}@(?:[\w-]+\.)+[\w-]{2,}")
HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
KNOWN_HEADER = re.compile(
    rb"(from|to|cc|subject|date|message-id|received|return-path|mime-version|content-type|"
    rb"delivered-to|reply-to|sender|x-[!-9;-~]+)[ \t]*:",
    re.IGNORECASE,
)
TRACE_HEADER = re.compile(
    rb"(return-path|delivered-to|received|envelope-to|x-original-to|x-[!-9;-~]+)[ \t]*:",
    re.IGNORECASE,
)
# An address header is read to here: the standard parser takes quadratic time on long values,
# and a real From is one line (RFC 5322 lines end at 998 characters).
MAX_ADDRESS_HEADER = 2000
JUNK_LINES = 8  # lines before the headers that may be junk (an mbox separator, a log line)
# What the author wrote, not what servers add on the way: the content digest covers these.
DIGEST_HEADERS = {
    b"from",
    b"sender",
    b"to",
    b"cc",
    b"subject",
    b"date",
    b"message-id",
    b"in-reply-to",
    b"references",
    b"content-type",
}
UU_BEGIN = re.compile(r"^begin [0-7]{3,4} (\S.*?)\s*$")
HIGH = re.compile(rb"[\x80-\xff]+")
DETECT_SAMPLE = 64 * 1024  # bytes a charset is guessed from
SHORT_TEXT = 1024  # shorter text (a header) is guessed together with the rest of the mail


# --- Text ---------------------------------------------------------------------------------------
def clean_text(value: str) -> str:
    """Text that every database stores: raw 8-bit bytes the parser kept as surrogates decoded as
    UTF-8 (with replacement; callers that can do better use ``fix_text``), NUL characters
    (refused by PostgreSQL) removed."""
    if SURROGATES.search(value):
        with contextlib.suppress(UnicodeEncodeError):  # only \udc80-\udcff are raw bytes
            value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        value = SURROGATES.sub("\ufffd", value)
    return value.replace("\x00", "")


def one_line(value: str) -> str:
    return " ".join(clean_text(value).split())


def _codec(charset: str | None) -> str | None:
    charset = (charset or "").strip().strip("\"'").lower()
    if not charset or charset in UNKNOWN_CHARSETS:
        return None
    charset = CHARSET_SUPERSETS.get(charset, charset)
    try:
        info = codecs.lookup(charset)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return CHARSET_SUPERSETS.get(info.name, info.name)


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a stray byte or two (a quoted mail pasted in): at least as many valid
    multi-byte characters as broken ones (text in a single-byte charset almost never holds one)."""
    text = data.decode("utf-8", "replace")
    valid = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return valid > 0 and valid >= text.count("\ufffd")


def _guess(data: bytes, context: bytes = b"") -> str | None:
    """The charset of undeclared 8-bit text. Latin text (Indonesian with a name like André, a
    euro sign, curly quotes) has lone high bytes, or few of them: windows-1252, the usual mail
    client's charset here, reads it (a detector guesses Big5 as readily on a short sample). Text
    that is mostly high bytes in runs (Chinese, Cyrillic) goes to charset-normalizer, over the
    text and the rest of the mail (a short header alone is too little to go by)."""
    sample = data[:DETECT_SAMPLE]
    if len(data) > DETECT_SAMPLE and b"\n" in sample:
        # Cut at a line end, never inside a character (no multi-byte charset has 0x0A in one).
        sample = sample[: sample.rindex(b"\n")]
    runs = [len(m.group()) for m in HIGH.finditer(sample)]
    visible = len(b"".join(sample.split()))
    if runs and (runs.count(1) * 2 >= len(runs) or sum(runs) * 7 < visible):
        with contextlib.suppress(UnicodeDecodeError):
            sample.decode("cp1252")
            return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if len(sample) < SHORT_TEXT and context:
        best = from_bytes(sample + b"\n" + context[:DETECT_SAMPLE]).best() or best
    codec = _codec(best.encoding) if best is not None else None
    if codec:
        try:
            sample.decode(codec)  # the text itself, not only the mail around it
        except UnicodeDecodeError as exc:
            # A sample cut inside a multi-byte character still fits.
            cut = len(data) > len(sample) and exc.start >= len(sample) - 4
            return codec if cut else None
        except LookupError:
            return None
        return codec
    return None


def decode_bytes(
    data: bytes, declared: Iterable[str] = (), hints: Iterable[str] = (), context: bytes = b""
) -> tuple[str, str]:
    """``data`` as text, and "" or the charset that had to be guessed ("?" when nothing fit and
    replacement characters stand for the unreadable bytes). The ``declared`` charset (of this
    part, of this encoded word) comes first, then UTF-8, then ``hints`` (the charsets the rest of
    the mail declares: raw 8-bit headers are usually written in the body's charset)."""
    if data.isascii():
        return clean_text(data.decode("ascii")), ""
    for charset in (*declared, "utf-8", *hints):
        codec = _codec(charset)
        if codec and codec != "ascii":
            with contextlib.suppress(UnicodeDecodeError, LookupError):
                return clean_text(data.decode(codec)), ""
    if _mostly_utf8(data):
        return clean_text(data.decode("utf-8", "replace")), "utf-8"
    guessed = _guess(data, context)
    if guessed:
        return clean_text(data.decode(guessed, "replace")), guessed
    return clean_text(data.decode("utf-8", "replace")), "?"


def fix_text(value: str, hints: Iterable[str] = (), context: bytes = b"") -> str:
    """A parsed string in which raw 8-bit bytes survive as surrogates, read by ``decode_bytes``."""
    if not SURROGATES.search(value):
        return clean_text(value)
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return clean_text(value)
    return decode_bytes(data, (), hints, context)[0]


def decode_header_value(raw: str, hints: Iterable[str] = (), context: bytes = b"") -> str:
    """A header's raw value as one line of text: RFC 2047 words decoded by their charset's
    superset (adjacent words of one charset joined first, so a character split over two words
    survives), raw 8-bit bytes by ``decode_bytes``."""
    raw = raw or ""
    try:
        chunks = decode_header(raw)
    except Exception:  # a broken encoded word: the raw text, read as well as it can be
        chunks = [(raw, None)]
    parts = []
    for data, charset in chunks:
        if isinstance(data, str):  # no encoded word: raw 8-bit bytes are surrogates
            parts.append(fix_text(data, hints, context))
        else:
            parts.append(decode_bytes(data, [charset] if charset else (), hints, context)[0])
    return one_line("".join(parts))


def raw_values(msg: Message, name: str) -> list[str]:
    """Every value of header ``name`` as it stands in the mail (two ``From`` lines give two)."""
    try:
        return [str(v) for k, v in msg.raw_items() if k.lower() == name.lower()]
    except Exception:
        return []


def header(msg: Message, name: str, charsets: Iterable[str] = (), context: bytes = b"") -> str:
    """The first value of a header, decoded; never raises."""
    values = raw_values(msg, name)
    return decode_header_value(values[0], charsets, context) if values else ""


def normalize_msgid(value: str) -> str:
    """``<id@host>`` as stored in Message.external_id; ids too long for it become a hash."""
    value = clean_text(value or "")
    found = MSGID.search(value)
    token = found.group(1) if found else next((t for t in value.split() if "@" in t), "")
    token = token.strip("<>")
    if not token:
        return ""
    msgid = f"<{token}>"
    if len(msgid) > 255:
        return "sha256:" + hashlib.sha256(msgid.encode()).hexdigest()
    return msgid


def msgids(value: str) -> list[str]:
    return [normalize_msgid(f"<{m}>") for m in MSGID.findall(clean_text(value or ""))]


# --- Junk and digest ----------------------------------------------------------------------------
def skip_junk(raw: bytes) -> bytes:
    """The mail without what stands before its headers: a byte-order mark, blank lines or a stray
    line (an mbox separator, a line a gateway logged), also when our own mail server put its trace
    headers (Return-Path, Delivered-To, Received) above them. Otherwise the parser takes the junk
    for the end of the headers, and every header becomes body text."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    lines = raw.split(b"\n")
    kept: list[bytes] = []
    trace_only, changed, i = True, False, 0
    while i < len(lines):
        if lines[i].startswith(b"\xef\xbb\xbf"):  # a byte-order mark below our trace headers
            lines[i], changed = lines[i][3:], True
        line = lines[i].rstrip(b"\r")
        if HEADER_LINE.match(line):
            kept.append(lines[i])
            trace_only = trace_only and TRACE_HEADER.match(line) is not None
            i += 1
            continue
        if line[:1] in (b" ", b"\t") and kept:  # a folded header line
            kept.append(lines[i])
            i += 1
            continue
        if not trace_only:  # the author's headers have begun: this is where they end
            break
        j = i
        while j < len(lines) and j - i < JUNK_LINES and not HEADER_LINE.match(lines[j]):
            j += 1
        if j + 1 < len(lines) and KNOWN_HEADER.match(lines[j]) and HEADER_LINE.match(lines[j + 1]):
            changed, i = True, j  # junk, then the author's headers
            continue
        break
    return b"\n".join(kept + lines[i:]) if changed else raw


def _split(raw: bytes) -> tuple[bytes, bytes]:
    found = re.search(rb"\r?\n\r?\n", raw)
    if found is None:
        return raw, b""
    return raw[: found.start()], raw[found.end() :]


def content_digest(raw: bytes) -> str:
    """SHA-256 of what the author wrote: the headers in DIGEST_HEADERS and the body, with line ends
    and trailing blanks normalised. The same mail fetched twice, or delivered twice with other
    ``Received`` lines, hashes the same; a different mail reusing a Message-ID does not."""
    head, body = _split(skip_junk(raw))
    digest = hashlib.sha256()
    for line in re.split(rb"\r?\n(?![ \t])", head):
        name, colon, value = line.partition(b":")
        if colon and name.strip().lower() in DIGEST_HEADERS:
            digest.update(name.strip().lower() + b":" + b" ".join(value.split()) + b"\n")
    digest.update(b"\n")
    digest.update(b"\n".join(line.rstrip() for line in body.splitlines()).strip())
    return digest.hexdigest()


# --- Sender -------------------------------------------------------------------------------------
def valid_address(address: str) -> bool:
    return bool(address) and len(address) <= 254 and ADDRESS.fullmatch(address) is not None


def _parsed_addresses(name: str, raw: str) -> list[tuple[str, str, bool]]:
    """The addresses of one header value that the standard parser read without a defect, then
    the lenient parser's, each kept only when it is an address; with whether its display name is
    decoded already (the standard parser decodes RFC 2047, the lenient one does not)."""
    found = []
    raw = raw[:MAX_ADDRESS_HEADER]
    try:
        parsed = policy.default.header_factory(name, raw)
        flagged = [
            d for d in parsed.defects if not isinstance(d, email_errors.ObsoleteHeaderDefect)
        ]
        if not flagged:
            found += [(a.display_name or "", a.addr_spec or "", True) for a in parsed.addresses]
    except Exception:  # noqa: S110 - the lenient parser below
        pass
    if not any(valid_address(clean_text(a)) for _n, a, _d in found):
        with contextlib.suppress(Exception):
            found += [(n, a, False) for n, a in getaddresses([raw])]
    return [
        (n, clean_text(a).strip(), d) for n, a, d in found if valid_address(clean_text(a).strip())
    ]


def sender(msg: Message, charsets: Iterable[str] = ()) -> tuple[str, str]:
    """(display name, address): the first valid address of From (every From line), Sender,
    Reply-To, then Return-Path, as the parser reads it or, in a value without brackets, as it is
    written. A From that holds only a name still names the sender."""
    name_only = ""
    for header_name in SENDER_HEADERS:
        for raw in raw_values(msg, header_name):
            for display, address, decoded in _parsed_addresses(header_name, raw):
                if decoded:
                    display = one_line(fix_text(display, charsets))
                else:
                    display = decode_header_value(display, charsets)
                return display.strip("\"' ") or name_only, address
            text = decode_header_value(raw, charsets)
            if "<" not in text:
                # No address in brackets the parser could have refused: "Name name@host" or a
                # bare name.
                found = ADDRESS.search(text)
                if found:
                    rest = (text[: found.start()] + text[found.end() :]).strip("\"'() ")
                    return name_only or (rest if header_name == "From" else ""), found.group()
            if header_name == "From" and not name_only and "@" not in text:
                name_only = text.strip("\"'<> ")
    return name_only, ""


def matches(address: str, patterns: Iterable[str] | None) -> bool:
    address = address.strip().lower()
    if not address:
        return False
    for pattern in patterns or ():
        pattern = str(pattern).strip().lower()
        if pattern and (
            address == pattern or (pattern.startswith("@") and address.endswith(pattern))
        ):
            return True
    return False


def classify(msg: Message, address: str, own_addresses: Iterable[str] = ()) -> tuple[str, str]:
    """("mail", "") or why the mail must not open a contact."""
    local = address.lower().rsplit("@", 1)[0]
    if msg.get_content_type() == "multipart/report":
        return "bounce", "multipart/report"
    if local in BOUNCE_SENDERS:
        return "bounce", f"sender {address}"
    if re.fullmatch(r"\s*<\s*>\s*", header(msg, "Return-Path")):
        return "bounce", "Return-Path <>"
    auto = header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return "autoreply", f"Auto-Submitted: {auto}"
    for name in AUTO_HEADERS:
        if raw_values(msg, name):
            return "autoreply", name
    precedence = header(msg, "Precedence").strip().lower()
    if precedence in AUTO_PRECEDENCE:
        return "autoreply", f"Precedence: {precedence}"
    if matches(address, own_addresses):
        return "own", f"from our own address {address}"
    return "mail", ""


# --- HTML ---------------------------------------------------------------------------------------
class _HTMLText(HTMLParser):
    """HTML to readable text: blocks become lines, list items get a dash, links keep their URL,
    scripts and styles are dropped."""

    BLOCK = {
        "p", "div", "br", "tr", "table", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "hr", "section", "article", "header", "footer", "address", "dd",
        "dt", "form",
    }  # fmt: skip
    SKIP = {"script", "style", "head", "title", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0
        self.href: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in self.BLOCK:
            self.out.append("\n")
        elif tag in ("td", "th"):
            self.out.append("  ")
        if tag == "pre":
            self.pre += 1
        if tag == "a":
            self.href.append((dict(attrs).get("href") or "", len(self.out)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(self.skip - 1, 0)
        elif tag in self.BLOCK and tag != "li":
            self.out.append("\n")
        if tag == "pre":
            self.pre = max(self.pre - 1, 0)
        if tag == "a" and self.href:
            href, start = self.href.pop()
            shown = "".join(self.out[start:])
            if href.startswith(("http://", "https://")) and href not in shown:
                self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.out.append(data if self.pre else re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.out).splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    parser = _HTMLText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; keep whatever it read before giving up
        log.warning("email: HTML could not be read to the end", exc_info=True)
    return parser.text()


# --- MIME tree ----------------------------------------------------------------------------------
class _MalformedError(Exception):
    pass


@dataclass
class _Found:
    """What the walk found, shared by every branch: numbering and de-duplication span the mail."""

    files: list[IncomingFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    hashes: set[str] = field(default_factory=set)
    count: int = 0


class _Collector:
    def __init__(self, found: _Found, charsets: list[str], context: bytes) -> None:
        self.found = found
        self.texts: list[str] = []
        self.charsets = charsets
        self.context = context

    def branch(self) -> _Collector:
        return _Collector(self.found, self.charsets, self.context)

    def warn(self, text: str) -> None:
        self.found.warnings.append(text)


def _decode_text(part: Message, out: _Collector) -> str:
    data = part.get_payload(decode=True) or b""
    if not isinstance(data, bytes):
        data = str(data).encode("utf-8", "surrogateescape")
    declared = part.get_content_charset()
    text, guessed = decode_bytes(data, [declared] if declared else (), out.charsets, out.context)
    if guessed == "?":
        out.warn(_("Sebagian karakter tidak terbaca (charset %(c)s).") % {"c": declared or "?"})
    elif guessed and declared and _codec(declared):
        out.warn(
            _("Teks berlabel charset %(c)s dibaca sebagai %(g)s.") % {"c": declared, "g": guessed}
        )
    elif guessed:
        out.warn(_("Charset teks tidak dinyatakan; dibaca sebagai %(g)s.") % {"g": guessed})
    return text


def _filename(part: Message, out: _Collector | None = None) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if not name:
        with contextlib.suppress(Exception):
            raw = part.get_param("name", header="content-type") or ""
            # A tuple: an RFC 2231 value the parser left undecoded.
            name = raw[2] if isinstance(raw, tuple) else raw
    name = str(name)
    charsets = out.charsets if out is not None else ()
    if "=?" in name:
        name = decode_header_value(name, charsets)
    name = fix_text(name, charsets)
    name = one_line(name).replace("\\", "/").rsplit("/", 1)[-1].strip(". ")
    return "".join(ch for ch in name if ch.isprintable())[:200]


def _content_type(ctype: str, filename: str) -> str:
    ctype = TYPE_ALIASES.get(ctype.lower(), ctype.lower())
    guessed = mimetypes.guess_type(filename)[0] if filename else None
    guessed = TYPE_ALIASES.get(guessed, guessed) if guessed else None
    if guessed and (
        ctype in GENERIC_TYPES
        or (ctype in ZIP_TYPES and guessed.startswith("application/vnd."))
        or (ctype == "application/vnd.ms-excel" and guessed == "text/csv")
    ):
        return guessed
    return ctype


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _add_file(out: _Collector, filename: str, ctype: str, data: bytes) -> None:
    """Keep a file, or name it to the desk with the reason it was refused."""
    found = out.found
    digest = hashlib.sha256(data).hexdigest()
    if digest in found.hashes:  # the same image in both alternatives: one file
        return
    found.hashes.add(digest)
    shown = filename if len(filename) <= 60 else filename[:28] + "…" + filename[-28:]
    if _extension(filename) in PROGRAM_EXTENSIONS:
        out.warn(
            _("Lampiran %(name)s ditolak: berkas program/makro (.%(ext)s) tidak diizinkan.")
            % {"name": shown, "ext": _extension(filename)}
        )
    elif len(data) > MAX_ATTACHMENT:
        out.warn(_("Lampiran %(name)s ditolak: lebih dari 10 MB.") % {"name": shown})
    elif ctype not in ALLOWED_TYPES:
        out.warn(
            _("Lampiran %(name)s ditolak: jenis %(type)s tidak diizinkan.")
            % {"name": shown, "type": ctype[:60]}
        )
    else:
        found.files.append(IncomingFile(filename=filename, content_type=ctype, data=data))


def _default_name(out: _Collector, ctype: str) -> str:
    out.found.count += 1
    ext = mimetypes.guess_extension(ctype) or ".bin"
    if ext in (".jpe", ".jpeg"):
        ext = ".jpg"
    stem = "gambar" if ctype.startswith("image/") else "lampiran"  # a stored name, not UI text
    return f"{stem}-{out.found.count}{ext}"


def _uudecode(lines: list[str]) -> bytes:
    data = bytearray()
    for line in lines:
        if not line.strip() or line.strip() == "`":
            continue
        if any(not " " <= ch <= "`" for ch in line) or (ord(line[0]) - 32) & 63 > 45:
            raise binascii.Error("not uuencode")  # a2b_uu reads almost anything
        try:
            data += binascii.a2b_uu(line)
        except binascii.Error:
            # Encoders that pad lines with garbage: decode what the length byte announces.
            size = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
            data += binascii.a2b_uu(line[:size])
    return bytes(data)


def _uu_blocks(text: str, out: _Collector) -> str:
    """Files written into the text between ``begin 644 name`` and ``end`` (old clients and some
    gateways still do): kept as files, cut from the text."""
    if "begin " not in text:
        return text
    kept, lines, i = [], text.splitlines(), 0
    ends = [j for j, line in enumerate(lines) if line.strip() == "end"]
    while i < len(lines):
        begin = UU_BEGIN.match(lines[i])
        later = bisect.bisect_right(ends, i) if begin else len(ends)
        if begin is None or later == len(ends):
            kept.append(lines[i])
            i += 1
            continue
        end = ends[later]
        name = _filename_from(begin.group(1))
        try:
            data = _uudecode(lines[i + 1 : end])
        except (binascii.Error, IndexError):
            out.warn(_("Lampiran %(name)s ditolak: isi uuencode rusak.") % {"name": name})
        else:
            _add_file(out, name, _content_type("application/octet-stream", name), data)
        i = end + 1
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _filename_from(value: str) -> str:
    name = one_line(value).replace("\\", "/").rsplit("/", 1)[-1].strip(". ")
    return "".join(ch for ch in name if ch.isprintable())[:200] or "lampiran.bin"


def _attachment(part: Message, out: _Collector) -> None:
    filename = _filename(part, out)
    ctype = part.get_content_type().lower()
    if ctype in ("application/x-uuencode", "text/x-uuencode"):
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("latin-1") if isinstance(payload, bytes) else str(payload)
        if "begin " in text:
            _uu_blocks(text, out)
            return
    ctype = _content_type(ctype, filename)
    if not filename:
        filename = _default_name(out, ctype)
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes) or not data:  # bytes for a part that is not multipart
        out.warn(_("Lampiran %(name)s kosong atau tidak terbaca.") % {"name": filename})
        return
    _add_file(out, filename, ctype, data)


def _forwarded(part: Message, out: _Collector, depth: int) -> None:
    """A mail forwarded as an attachment (often the evidence: a fraud message) is kept whole as
    an .eml file, and its text and files are shown too, below a line that says so."""
    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else inner
    if not isinstance(inner, Message):
        return
    try:
        data = inner.as_bytes()
    except Exception:
        data = b""
    out.found.count += 1
    if data:
        _add_file(out, f"pesan-terlampir-{out.found.count}.eml", EML_TYPE, data)
    branch = out.branch()
    _walk(inner, branch, depth + 1)
    who = header(inner, "From", out.charsets)
    subject = header(inner, "Subject", out.charsets)
    text = "\n\n".join(t for t in branch.texts if t.strip())
    out.texts.append(
        _("--- Pesan terlampir dari %(who)s: %(subject)s ---") % {"who": who, "subject": subject}
        + ("\n" + text if text else "")
    )


def _walk(part: Message, out: _Collector, depth: int = 0) -> None:
    if depth > 30:
        raise _MalformedError("MIME nesting too deep")
    ctype = part.get_content_type()
    if ctype in ("message/rfc822", "message/global"):
        _forwarded(part, out, depth)
        return
    if part.is_multipart():
        subparts = part.get_payload()
        if not isinstance(subparts, list):
            raise _MalformedError("multipart without parts")
        if part.get_content_subtype() == "alternative":
            _alternative(subparts, out, depth)
        else:
            for sub in cast("list[Message]", subparts):
                _walk(sub, out, depth + 1)
        return
    if ctype.startswith("multipart/"):  # its boundary never came: the parts are lost
        raise _MalformedError(f"{ctype} without readable parts")
    disposition = part.get_content_disposition()
    if (
        ctype in ("text/plain", "text/html")
        and disposition != "attachment"
        and not _filename(part, out)
    ):
        text = _decode_text(part, out)
        if ctype == "text/html":
            out.texts.append(html_to_text(text))
        else:
            out.texts.append(_uu_blocks(text.strip(), out))
        return
    if ctype in SIGNATURE_TYPES:
        return
    _attachment(part, out)


def _alternative(subparts: list, out: _Collector, depth: int) -> None:
    """The text of one version (plain text if it says something, else HTML, else whatever part
    yields text), and the files of every version: an HTML version's images (a multipart/related
    inside the alternative) are the sender's photos even when the plain version is read."""
    order = sorted(
        range(len(subparts)),
        key=lambda i: {"text/plain": 0, "text/html": 1}.get(subparts[i].get_content_type(), 2),
    )
    branches = []
    for i in order:
        branch = out.branch()
        _walk(subparts[i], branch, depth + 1)
        branches.append(branch)
    chosen = next((b for b in branches if any(t.strip() for t in b.texts)), None)
    if chosen is not None:
        out.texts += chosen.texts


def _defects(msg: Message) -> list[str]:
    found = []
    for part in msg.walk():
        found += [type(d).__name__ for d in part.defects if isinstance(d, STRUCTURAL_DEFECTS)]
    return found


def _charsets(msg: Message) -> list[str]:
    """The charsets the mail declares anywhere: the best guess for its raw 8-bit headers."""
    found = []
    with contextlib.suppress(Exception):
        for part in msg.walk():
            codec = _codec(part.get_content_charset())
            if codec and codec not in ("ascii", "utf-8") and codec not in found:
                found.append(codec)
    return found


def join_warnings(warnings: list[str]) -> str:
    text = " ".join(dict.fromkeys(w for w in warnings if w))
    return text if len(text) <= 255 else text[:254] + "…"


# --- The mail -----------------------------------------------------------------------------------
@dataclass
class ParsedMail:
    """What a mail is: "mail" (opens or continues a contact), or "bounce", "autoreply" or "own"
    (our own address; a loop), which never open one. ``message_id`` is the mail's own id ("" when
    it has none), ``digest`` its content_digest."""

    kind: str
    incoming: Incoming | None = None
    reason: str = ""
    refs: list[str] = field(default_factory=list)  # In-Reply-To, then References newest first
    message_id: str = ""
    digest: str = ""


def parse_mail(
    raw: bytes,
    *,
    fax_senders: Iterable[str] = (),
    own_addresses: Iterable[str] = (),
    too_big: int = 0,
) -> ParsedMail:
    """A raw RFC 5322 mail as an Incoming; never raises. ``too_big`` is the size of a mail of
    which only the headers were fetched."""
    source = skip_junk(raw)
    digest = content_digest(raw)
    try:
        msg = BytesParser(policy=policy.default).parsebytes(source)
    except Exception:
        log.exception("email: the parser failed; the raw source is kept")
        msg = BytesParser(policy=policy.default).parsebytes(b"\r\n")
        malformed = ["parser failure"]
    else:
        malformed = []
    charsets = _charsets(msg)
    context = _split(source)[1][:8192]  # the body helps guess raw 8-bit headers
    name, address = sender(msg, charsets)
    kind, reason = classify(msg, address, own_addresses)
    if kind != "mail":
        return ParsedMail(kind=kind, reason=reason, digest=digest)

    found = _Found()
    out = _Collector(found, charsets, context)
    try:
        _walk(msg, out)
    except Exception as exc:
        log.warning("email from %s: MIME structure unreadable (%s)", address, exc)
        malformed.append(str(exc) or type(exc).__name__)
    malformed += _defects(msg)

    body = "\n\n".join(t for t in out.texts if t.strip()).strip()
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY]
        out.warn(_("Isi email dipotong."))
    if not address:
        found.warnings.insert(
            0, _("Alamat pengirim tidak terbaca; balasan lewat email tidak dapat dikirim.")
        )
    if too_big:
        out.warn(
            _("Email terlalu besar (%(mb)s MB) untuk diambil; buka di kotak surat.")
            % {"mb": round(too_big / 1024 / 1024, 1)}
        )
    elif malformed:
        log.warning("email from %s is malformed (%s); raw source kept", address, malformed)
        if len(raw) <= MAX_ATTACHMENT:
            found.files.insert(0, IncomingFile(filename=RAW_NAME, content_type=EML_TYPE, data=raw))
            found.warnings.insert(
                0, _("Format email rusak; sumber aslinya terlampir sebagai %s.") % RAW_NAME
            )
        else:
            found.warnings.insert(0, _("Format email rusak dan terlalu besar untuk disimpan."))
    if not body and found.files and found.files[0].filename == RAW_NAME:
        body = _("(Isi email tidak dapat dibaca; lihat lampiran %s.)") % RAW_NAME
    elif not body:
        body = _("(Email tanpa isi teks.)")

    message_id = normalize_msgid(header(msg, "Message-ID"))
    # Without an id, the same stored mail always hashes the same: polled twice, one message.
    external_id = message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    references = msgids(header(msg, "References"))
    refs = list(dict.fromkeys([*msgids(header(msg, "In-Reply-To")), *reversed(references)]))
    thread = references[0] if references else (refs[0] if refs else external_id)
    channel = Channel.FAX if matches(address, fax_senders) else Channel.EMAIL
    incoming = Incoming(
        channel=channel,
        body=body,
        sender_name=name,
        sender_address=address,
        subject=header(msg, "Subject", charsets, context),
        external_id=external_id,
        external_thread=thread,
        in_reply_to=refs[0] if refs else "",
        files=found.files,
        warning=join_warnings(found.warnings),
    )
    return ParsedMail(
        kind="mail", incoming=incoming, refs=refs, message_id=message_id, digest=digest
    )
