"""Activity 1: every contact from the public — any channel, walk-in included — under one clock."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    WALKIN = "walkin", _("Datang langsung")
    PHONE = "phone", _("Telepon")
    LETTER = "letter", _("Surat")
    FAX = "fax", _("Faksimile")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    WEB = "web", _("Formulir web")


# Channels on which the desk can write back through SPKT (the others are answered in person, by
# phone or by letter, and the officer records that acknowledgement).
REPLYABLE = frozenset(
    {
        Channel.SMS,
        Channel.EMAIL,
        Channel.WHATSAPP,
        Channel.TELEGRAM,
        Channel.FACEBOOK,
        Channel.INSTAGRAM,
        Channel.FAX,
    }
)


class Category(models.TextChoices):
    INFO = "informasi", _("Permintaan informasi")
    LOSS = "kehilangan", _("Kehilangan")
    REPORT = "laporan", _("Laporan/pengaduan tindak pidana")
    HELP = "bantuan", _("Permintaan bantuan lapangan")
    OTHER = "lainnya", _("Lainnya")


class Status(models.TextChoices):
    OPEN = "open", _("Baru")
    ANSWERED = "answered", _("Sudah ditanggapi")
    CLOSED = "closed", _("Selesai")


class Outcome(models.TextChoices):
    INFO = "info", _("Informasi diberikan")
    SKTLK = "sktlk", _("SKTLK")
    LP = "lp", _("Laporan Polisi")
    FIELD_HELP = "field_help", _("Bantuan lapangan")
    REFERRED = "referred", _("Dirujuk ke instansi lain")


class Contact(models.Model):
    """One contact from the public, with the timestamps its 5-minute standard needs."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    tracking_code = models.CharField(max_length=12, unique=True)
    sender_name = models.CharField(_("nama pengirim"), max_length=120, blank=True)
    # Phone number, email address or handle as given; sender_key is its normalised form, used to
    # find the earlier contacts of the same person (duplicates) and to thread replies.
    sender_address = models.CharField(_("alamat pengirim"), max_length=255, blank=True)
    sender_key = models.CharField(max_length=255, blank=True, db_index=True)
    subject = models.CharField(_("perihal"), max_length=255, blank=True)
    category = models.CharField(
        _("kategori"), max_length=12, choices=Category.choices, default=Category.OTHER
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    queue_ticket = models.CharField(_("nomor antrean"), max_length=10, blank=True)
    received_at = models.DateTimeField(_("diterima"))
    first_response_due_at = models.DateTimeField(_("batas tanggapan pertama"))
    first_response_at = models.DateTimeField(_("tanggapan pertama"), null=True, blank=True)
    first_response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    breached_at = models.DateTimeField(null=True, blank=True)
    escalated_kapolsek_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("hasil"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A walk-in's pre-registration, filled on the citizen's phone from the ticket's QR while
    # waiting: "Buat SKTLK/LP" on the contact opens the form with it (issue 12, item 2).
    preregistration = models.ForeignKey(
        "documents.PreRegistration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    possible_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="linked"
    )
    # The thread on the provider's side: WhatsApp wa_id, Telegram chat id, email Message-ID root.
    external_thread = models.CharField(max_length=255, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by a database trigger on every insert and update, whatever the write path (migration
    # intake 0003): the inbox's poll compares the unit's highest value, one index probe.
    inbox_version = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("kontak")
        verbose_name_plural = _("kontak")
        indexes = [
            # Serves the inbox and the clock sweep: a unit's open contacts by due time.
            models.Index(
                fields=["unit", "status", "first_response_due_at"],
                name="contact_unit_status_due_idx",
            ),
            # Serve the inbox: a unit's open contacts by due time, those waiting for a first
            # response and those being handled, each walked in order up to the page's limit.
            models.Index(
                fields=["unit", "first_response_due_at", "id"],
                name="contact_waiting_due_idx",
                condition=models.Q(status__in=["open", "answered"], first_response_at__isnull=True),
            ),
            models.Index(
                fields=["unit", "first_response_due_at", "id"],
                name="contact_handling_due_idx",
                condition=models.Q(
                    status__in=["open", "answered"], first_response_at__isnull=False
                ),
            ),
            # Serves the lobby's "waiting" count: a unit's walk-ins not yet called.
            models.Index(
                fields=["unit"],
                name="contact_ticket_waiting_idx",
                condition=models.Q(
                    channel="walkin", called_at__isnull=True, status__in=["open", "answered"]
                ),
            ),
            # Serves the queue display and "call next": a unit's walk-ins by call time.
            models.Index(
                fields=["unit", "called_at"],
                name="contact_unit_called_idx",
                condition=models.Q(channel="walkin"),
            ),
            # Serves the inbox's poll: the unit's highest inbox_version.
            models.Index(fields=["unit", "inbox_version"], name="contact_unit_version_idx"),
            # Serves the daily report and the Anev: a unit's contacts by arrival time.
            models.Index(fields=["unit", "received_at"], name="contact_unit_received_idx"),
            # Serves the sweep across units: unanswered contacts whose clock ran out.
            models.Index(
                fields=["first_response_due_at"],
                name="contact_unanswered_due_idx",
                condition=models.Q(first_response_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.tracking_code}"


class Direction(models.TextChoices):
    IN = "in", pgettext_lazy("arah pesan", "Masuk")
    OUT = "out", pgettext_lazy("arah pesan", "Keluar")


class Delivery(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    PENDING = "pending", _("Menunggu dikirim")
    SENT = "sent", _("Terkirim")
    DELIVERED = "delivered", _("Sampai")
    READ = "read", _("Dibaca")
    FAILED = "failed", _("Gagal")


class Message(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    body = models.TextField(_("isi"), blank=True)
    at = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Shown to the citizen on the tracking page (replies are; internal notes are not).
    public = models.BooleanField(default=True)
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.RECEIVED)
    warning = models.CharField(max_length=255, blank=True)
    # The sender changed or took back the message on the provider's side (spkt/intake/revisions.py):
    # ``body`` is the current text, the earlier ones are MessageRevision rows; a deleted message
    # keeps its content for the record and is only marked.
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Set by selectors.contact_thread (not a column): the outbox item or None.
    sent_by: OutboxItem | None

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.direction} {self.body[:40]}"


class MessageRevision(models.Model):
    """A text a message showed before the sender edited it: ``body`` was current from ``at`` until
    ``replaced_at``. Written once, never changed. ``external_id`` is the provider's id of the edit,
    so an edit delivered again is recorded once."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="revisions")
    body = models.TextField(_("isi sebelumnya"), blank=True)
    at = models.DateTimeField()
    replaced_at = models.DateTimeField()
    external_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "external_id"],
                name="message_revision_once",
                condition=~models.Q(external_id=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="intake/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.filename


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


class OutboxItem(models.Model):
    """A message the desk sent, written in the same transaction as the reply; delivered by the
    worker with retries until the provider confirms (nothing is lost when a worker dies)."""

    message = models.OneToOneField(Message, on_delete=models.PROTECT, related_name="outbox")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Serves the delivery sweep: items due for a (re)try.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_status_next_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"


class Notification(models.Model):
    """An alert for one user (Ka SPKT on duty, Kapolsek) about a contact whose clock ran out."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "contact", "kind"], name="notification_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class IncomingLetter(models.Model):
    """The register of incoming mail (agenda surat masuk)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    agenda_number = models.CharField(_("nomor agenda"), max_length=40)
    letter_number = models.CharField(_("nomor surat"), max_length=120, blank=True)
    letter_date = models.DateField(_("tanggal surat"), null=True, blank=True)
    sender = models.CharField(_("pengirim"), max_length=200)
    subject = models.CharField(_("perihal"), max_length=255)
    scan = models.FileField(_("pindaian"), upload_to="letters/%Y/%m/", blank=True)
    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="letter")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "agenda_number"], name="letter_unit_agenda_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.agenda_number


class DailyCounter(models.Model):
    """Walk-in queue tickets restart every day (A-01, A-02 …)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="daily_counter_uniq")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.last}"
