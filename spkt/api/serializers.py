from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from spkt.accounts import secondfactor
from spkt.core.dates import birth_date_valid, past_date_valid
from spkt.core.nik import nik_validate
from spkt.core.rest import DateTimeField, ModelSerializer
from spkt.documents.items import SKTLK_ITEM_LABELS
from spkt.documents.models import Document, Gender
from spkt.documents.selectors import document_status
from spkt.documents.services import CitizenData, LostItem
from spkt.dutylog.models import Mutasi
from spkt.intake.forms import MAX_REPLY
from spkt.intake.models import Attachment, Channel, Contact, Message, Outcome, Status
from spkt.org.models import Unit


class UnitSerializer(ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "code", "kind", "parent"]


class DocumentSerializer(ModelSerializer):
    status = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "unit",
            "doc_type",
            "number",
            "issued_at",
            "subject_name",
            "valid_until",
            "status",
            "verify_url",
        ]

    def get_status(self, doc: Document) -> str:
        return document_status(doc)

    def get_verify_url(self, doc: Document) -> str:
        return doc.snapshot.get("verify_url", "")


class DocumentPageSerializer(serializers.Serializer):
    """One page of the document list (LimitOffsetPagination)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DocumentSerializer(many=True)


class CitizenInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    nik = serializers.CharField(max_length=20)
    birth_place = serializers.CharField(max_length=60)
    birth_date = serializers.DateField(validators=[birth_date_valid])
    gender = serializers.ChoiceField(choices=Gender.choices)
    address = serializers.CharField(max_length=255)
    religion = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    occupation = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    phone = serializers.RegexField(
        r"^\+?[0-9 \-]{6,20}$", required=False, allow_blank=True, default=""
    )
    kelurahan = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate_nik(self, value: str) -> str:
        return nik_validate(value)


class ItemInSerializer(serializers.Serializer):
    # The officer confirms that the supporting papers for this item were checked.
    papers_checked = serializers.BooleanField(default=False)
    kind = serializers.ChoiceField(choices=list(SKTLK_ITEM_LABELS))
    details = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SktlkIssueSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField(max_length=64)
    citizen = CitizenInSerializer()
    items = ItemInSerializer(
        many=True,
        allow_empty=False,
        error_messages={"empty": _("Isi sedikitnya satu barang/surat yang hilang.")},
    )
    lost_on = serializers.DateField(validators=[past_date_valid])
    lost_place = serializers.CharField(max_length=200)
    chronology = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )

    def citizen_data(self) -> CitizenData:
        c = self.validated_data["citizen"]
        return CitizenData(
            name=c["name"],
            nik=c["nik"],
            birth_place=c["birth_place"],
            birth_date=c["birth_date"],
            gender=c["gender"],
            address=c["address"],
            religion=c["religion"],
            occupation=c["occupation"],
            phone=c["phone"],
            kelurahan_id=c["kelurahan"],
        )

    def lost_items(self) -> list[LostItem]:
        return [
            LostItem(kind=i["kind"], details=i["details"], papers_checked=i["papers_checked"])
            for i in self.validated_data["items"]
        ]


class MutasiSerializer(ModelSerializer):
    class Meta:
        model = Mutasi
        fields = ["id", "at", "category", "text", "red", "author", "corrects"]


class MutasiWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    category = serializers.CharField(max_length=30)
    at = DateTimeField(required=False, allow_null=True, default=None)
    red = serializers.BooleanField(required=False, allow_null=True, default=None)


class CorrectionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class DailyReportSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    day = serializers.DateField()
    start = DateTimeField()
    end = DateTimeField()
    counts = serializers.DictField(child=serializers.IntegerField())
    mutasi_total = serializers.IntegerField()
    documents = DocumentSerializer(many=True)


# --- Contacts (the desk's inbox) ----------------------------------------------------------------
class ContactSerializer(ModelSerializer):
    """A contact as the inbox lists it. The sender's name and address are shown as on the desk
    page: the officer answers on them."""

    replyable = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "unit",
            "channel",
            "tracking_code",
            "sender_name",
            "sender_address",
            "subject",
            "category",
            "status",
            "queue_ticket",
            "received_at",
            "first_response_due_at",
            "first_response_at",
            "first_response_by",
            "breached_at",
            "claimed_by",
            "claimed_at",
            "called_at",
            "closed_at",
            "outcome",
            "outcome_document",
            "possible_duplicate_of",
            "linked_to",
            "replyable",
        ]

    def get_replyable(self, contact: Contact) -> bool:
        # The same rule as the desk's composer (ADR 0044): a web-form contact with a number or
        # address is replyable when the unit has an account to answer it.
        from spkt.intake.routes import reply_route

        # A page of contacts reads each unit's accounts once, and only for a web or phone contact.
        accounts = cast(dict[str, Any], self.context).setdefault("_reply_accounts", {})
        return bool(reply_route(contact, accounts=accounts))


class ContactPageSerializer(serializers.Serializer):
    """One page of the contact list (LimitOffsetPagination)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ContactSerializer(many=True)


class AttachmentSerializer(ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size"]


class MessageSerializer(ModelSerializer):
    """One message of the thread; ``public`` false is an internal note the citizen never sees."""

    attachments = AttachmentSerializer(many=True, read_only=True)
    outbox_status = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "body",
            "at",
            "author",
            "public",
            "delivery",
            "outbox_status",
            "warning",
            "attachments",
        ]

    def get_outbox_status(self, message: Message) -> str | None:
        item = getattr(message, "outbox", None)
        return item.status if item is not None else None


class ContactDetailSerializer(ContactSerializer):
    messages = serializers.SerializerMethodField()

    class Meta(ContactSerializer.Meta):
        fields = [*ContactSerializer.Meta.fields, "messages"]

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, contact: Contact) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], MessageSerializer(self.context["thread"], many=True).data)


class ContactFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        error_messages={"invalid_choice": _("Status tidak dikenal.")},
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        error_messages={"invalid_choice": _("Saluran tidak dikenal.")},
    )


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=MAX_REPLY,
        error_messages={
            "required": _("Balasan tidak boleh kosong."),
            "blank": _("Balasan tidak boleh kosong."),
            "null": _("Balasan tidak boleh kosong."),
            "invalid": _("Balasan harus berupa teks."),
            "max_length": _("Balasan terlalu panjang (maksimal 4000 karakter)."),
        },
    )


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=MAX_REPLY,
        required=False,
        allow_blank=True,
        default="",
        error_messages={
            "null": _("Catatan harus berupa teks."),
            "invalid": _("Catatan harus berupa teks."),
            "max_length": _("Catatan terlalu panjang (maksimal 4000 karakter)."),
        },
    )


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Outcome.choices,
        error_messages={
            "required": _("Pilih hasil penanganan."),
            "null": _("Pilih hasil penanganan."),
            "invalid_choice": _("Hasil tidak dikenal."),
        },
    )
    document_number = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        error_messages={
            "null": _("Nomor dokumen harus berupa teks."),
            "invalid": _("Nomor dokumen harus berupa teks."),
            "max_length": _("Nomor dokumen terlalu panjang (maksimal 200 karakter)."),
        },
    )

    def validate_outcome(self, value: str) -> str:
        if value == Outcome.FIELD_HELP:
            # The desk turns this outcome into a field-help task that closes the contact; the
            # API does not close it silently.
            raise serializers.ValidationError(
                _(
                    "Hasil Bantuan lapangan tidak dapat dipilih di sini: gunakan tindakan "
                    "bantuan lapangan di meja SPKT, yang membuat tugas lapangan."
                )
            )
        return value


class TokenRequestSerializer(AuthTokenSerializer):
    """Username and password, plus the code of the second factor for users who must pass one
    (ADR 0037): a token must not be a way around it."""

    kode = serializers.CharField(
        required=False, allow_blank=True, max_length=16, help_text="Kode faktor kedua (TOTP)."
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        user = attrs["user"]
        if secondfactor.enforced() and secondfactor.required_for(user):
            if not attrs.get("kode"):
                raise serializers.ValidationError(
                    {"kode": [_("Kode faktor kedua wajib diisi untuk akun ini.")]}
                )
            if secondfactor.verify(user=user, token=attrs["kode"]) is None:
                raise serializers.ValidationError(
                    {"kode": [_("Kode faktor kedua salah atau sudah dipakai.")]}
                )
        return attrs
