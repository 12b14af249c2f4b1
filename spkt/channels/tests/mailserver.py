"""A real mail server for the email tests: Debian's Dovecot (IMAP) run as a child process from a
generated config, and aiosmtpd (SMTP), both on free ports of 127.0.0.1 and sharing Maildirs in
one temporary directory. Mail sent by SMTP to a mailbox's address lands in its Maildir/new, where
Dovecot serves it; every mail the SMTP server accepts is also kept in ``relayed``.

Recipients whose local part starts with "tidak-ada" are refused with 550, "sibuk" with 451.
"""

from __future__ import annotations

import contextlib
import ctypes
import grp
import imaplib
import logging
import os
import pwd
import secrets
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

DOMAIN = "polsek.test"
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line
SMTP_LOGIN = ("relay", "relay-rahasia")
# Dovecot re-reads the passwd-file at most once a second: users are made before it starts.
POOL = 64
PR_SET_PDEATHSIG = 1
DOVECOT_PATHS = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")


class MailServerUnavailableError(RuntimeError):
    pass


def dovecot_binary() -> str | None:
    found = shutil.which("dovecot")
    if found:
        return found
    return next((p for p in DOVECOT_PATHS if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    user: str
    password: str
    address: str
    path: Path


@dataclass
class Relayed:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.data)


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        local = address.split("@", 1)[0].lower()
        if local.startswith("tidak-ada"):
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if local.startswith("sibuk"):
            return f"451 4.3.0 <{address}>: try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        data = envelope.original_content or envelope.content
        self.server.accept(envelope.mail_from, list(envelope.rcpt_tos), data)
        return "250 2.0.0 OK: queued"


class MailServer:
    def __init__(self) -> None:
        self.root: Path | None = None
        self.imap_port = 0
        self.smtp_port = 0
        self.relayed: list[Relayed] = []
        self.smtp_logins: list[str] = []
        self._mailboxes: dict[str, Mailbox] = {}
        self._pool: list[tuple[str, str]] = []
        self._delivered_ns = 0  # the last Maildir name's time, see deliver()
        self._dovecot: subprocess.Popen | None = None
        self._smtp: Controller | None = None
        if os.geteuid() == 0:
            # Dovecot refuses mail access as uid 0: the mailboxes belong to nobody.
            self.mail_uid = pwd.getpwnam("nobody").pw_uid
            self.mail_gid = pwd.getpwnam("nobody").pw_gid
        else:
            self.mail_uid, self.mail_gid = os.getuid(), os.getgid()

    # --- life cycle ----------------------------------------------------------------------------
    def start(self) -> MailServer:
        binary = dovecot_binary()
        if binary is None:
            raise MailServerUnavailableError(
                "dovecot is not installed: `apt-get install dovecot-imapd` (make test does it "
                "as root), or set SPKT_SKIP_MAIL=1 to leave the email tests out"
            )
        self.root = Path(tempfile.mkdtemp(prefix="spkt-mail-"))
        try:
            self.root.chmod(0o755)
            (self.root / "mail").mkdir(mode=0o755)
            self._pool = [
                (f"spkt-{uuid.uuid4().hex[:10]}", secrets.token_hex(8)) for _ in range(POOL)
            ]
            (self.root / "passwd").write_text(
                "".join(f"{user}:{{PLAIN}}{password}\n" for user, password in self._pool)
            )
            self._start_dovecot(binary)
            self._start_smtp()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):
                self._smtp.stop()
            self._smtp = None
        self._stop_dovecot()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _config(self, port: int) -> str:
        root = self.root
        if os.geteuid() == 0:
            internal = _existing_user("dovecot") or "nobody"
            login = _existing_user("dovenull") or internal
            chroot = ""
        else:
            internal = login = pwd.getpwuid(os.getuid()).pw_name
            chroot = "  chroot =\n"  # chroot needs root
        group = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name
        return f"""# generated by spkt/channels/tests/mailserver.py
instance_name = spkt-test-{uuid.uuid4().hex[:8]}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={self.mail_uid} gid={self.mail_gid} home={root}/mail/%u
}}
service imap-login {{
{chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
{chroot}  # No auth penalty: a test's failed login must not slow the next tests' logins.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""

    def _start_dovecot(self, binary: str) -> None:
        conf = self.root / "dovecot.conf"
        for _attempt in range(3):
            port = free_port()
            conf.write_text(self._config(port))
            stderr = (self.root / "dovecot.stderr").open("wb")
            self._dovecot = subprocess.Popen(
                [binary, "-F", "-c", str(conf)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,  # its own process group: stop() ends all its children
                preexec_fn=_die_with_parent,
            )
            stderr.close()
            if self._wait_imap(port):
                self.imap_port = port
                return
            self._stop_dovecot()
        raise MailServerUnavailableError("dovecot did not start:\n" + self.log())

    def _wait_imap(self, port: int, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._dovecot.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                    if sock.recv(64).startswith(b"* OK"):
                        return True
            except OSError:
                time.sleep(0.05)
        return False

    def _stop_dovecot(self) -> None:
        proc, self._dovecot = self._dovecot, None
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(wait)
            except subprocess.TimeoutExpired:
                continue
            # The master is gone; anything it left in its group goes too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            return

    def _start_smtp(self) -> None:
        for _attempt in range(3):
            port = free_port()
            controller = Controller(
                _Handler(self),
                hostname="127.0.0.1",
                port=port,
                server_hostname=f"mail.{DOMAIN}",
                ready_timeout=10,
                authenticator=self._authenticate,
                auth_require_tls=False,
            )
            try:
                controller.start()
            except Exception:
                with contextlib.suppress(Exception):
                    controller.stop()
                continue
            self._smtp, self.smtp_port = controller, port
            return
        raise MailServerUnavailableError("the SMTP server did not start")

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else ""
        password = auth_data.password.decode() if isinstance(auth_data.password, bytes) else ""
        ok = (login, password) == SMTP_LOGIN
        if ok:
            self.smtp_logins.append(login)
        return AuthResult(success=ok, handled=False)

    def log(self) -> str:
        parts = []
        for name in ("dovecot.stderr", "dovecot.log"):
            path = self.root / name if self.root else None
            if path and path.exists():
                parts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    # --- mailboxes and mail ---------------------------------------------------------------------
    def mailbox(self) -> Mailbox:
        """A new, empty mailbox (each test takes its own: no state leaks between tests)."""
        if self._pool:
            user, password = self._pool.pop()
        else:
            user, password = f"spkt-{uuid.uuid4().hex[:10]}", secrets.token_hex(8)
            with (self.root / "passwd").open("a") as passwd:
                passwd.write(f"{user}:{{PLAIN}}{password}\n")
            time.sleep(1.1)  # see POOL
        path = self.root / "mail" / user
        for sub in ("", "cur", "new", "tmp"):
            (path / sub).mkdir(mode=0o700, exist_ok=True)
            os.chown(path / sub, self.mail_uid, self.mail_gid)
        mailbox = Mailbox(user=user, password=password, address=f"{user}@{DOMAIN}", path=path)
        self._mailboxes[mailbox.address.lower()] = mailbox
        return mailbox

    def accept(self, mail_from: str, rcpt_tos: list[str], data: bytes) -> None:
        self.relayed.append(Relayed(mail_from=mail_from, rcpt_tos=rcpt_tos, data=data))
        for rcpt in rcpt_tos:
            mailbox = self._mailboxes.get(rcpt.lower())
            if mailbox is not None:
                self.deliver(mailbox, data, mail_from=mail_from, rcpt=rcpt)

    def deliver(
        self, mailbox: Mailbox, data: bytes, *, mail_from: str = "", rcpt: str = ""
    ) -> None:
        """Drop a mail into the Maildir as an MTA's local delivery would."""
        sender = mail_from.strip("<>")
        trace = f"Return-Path: <{sender}>\r\nDelivered-To: {rcpt or mailbox.address}\r\n"
        # Dovecot numbers new mails in the order of their names: a strictly increasing time keeps
        # that the order of delivery even when the test clock stands still.
        self._delivered_ns = max(time.time_ns(), self._delivered_ns + 1)
        name = f"{self._delivered_ns}.M{uuid.uuid4().hex}P{os.getpid()}.{DOMAIN}"
        tmp, new = mailbox.path / "tmp" / name, mailbox.path / "new" / name
        tmp.write_bytes(trace.encode() + data)
        os.chown(tmp, self.mail_uid, self.mail_gid)
        tmp.chmod(0o600)
        tmp.rename(new)

    def send(self, data: bytes | EmailMessage, *, to: str, mail_from: str | None = None) -> None:
        """Send through the SMTP server as a citizen's mail server would."""
        if isinstance(data, EmailMessage):
            data = data.as_bytes(policy=data.policy.clone(linesep="\r\n"))  # SMTP wants CRLF
        if mail_from is None:
            head = BytesParser(policy=policy.compat32).parsebytes(data, headersonly=True)
            mail_from = parseaddr(head.get("From", ""))[1]
        with smtplib.SMTP("127.0.0.1", self.smtp_port, local_hostname="client.test") as smtp:
            smtp.sendmail(mail_from, [to], data)

    def imap(self, mailbox: Mailbox) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        imap.login(mailbox.user, mailbox.password)
        imap.select("INBOX")
        return imap

    def unseen(self, mailbox: Mailbox) -> int:
        imap = self.imap(mailbox)
        try:
            _typ, data = imap.uid("SEARCH", "UNSEEN")
            return len(data[0].split()) if data and data[0] else 0
        finally:
            imap.logout()

    def mark_all_unseen(self, mailbox: Mailbox) -> None:
        imap = self.imap(mailbox)
        try:
            imap.uid("STORE", "1:*", "-FLAGS.SILENT", r"(\Seen)")
        finally:
            imap.logout()

    def relayed_to(self, address: str) -> list[Relayed]:
        return [
            r
            for r in self.relayed
            if address.lower() in (a.lower() for _n, a in getaddresses(r.rcpt_tos))
        ]


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends SIGTERM when the test process dies without
    its teardown (killed, timed out), so no Dovecot outlives it. Linux only; elsewhere a no-op."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _existing_user(name: str) -> str | None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return None
    return name
