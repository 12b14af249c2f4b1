"""Kinds of lost items an SKTLK records (DOMAIN.md §a)."""

from django.utils.translation import gettext_lazy as _

SKTLK_ITEM_LABELS = {
    "KTP": _("KTP"),
    "KK": _("Kartu Keluarga"),
    "SIM": _("SIM"),
    "STNK": _("STNK"),
    "BPKB": _("BPKB"),
    "PASPOR": _("Paspor"),
    "IJAZAH": _("Ijazah"),
    "SERTIFIKAT": _("Sertifikat"),
    "ATM": _("Kartu ATM/kredit"),
    "BUKU_NIKAH": _("Buku nikah"),
    "LAINNYA": _("Lainnya"),
}
