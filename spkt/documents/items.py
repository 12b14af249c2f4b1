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

# The supporting papers the desk asks for each kind (DOMAIN.md §a: a kelurahan letter for KTP/KK,
# a bank letter for ATM cards, a BPN letter for land certificates; the rest is common practice).
SKTLK_PAPERS = {
    "KTP": _("Surat pengantar kelurahan atau fotokopi KK"),
    "KK": _("Surat pengantar kelurahan"),
    "SIM": _("Fotokopi KTP"),
    "STNK": _("Fotokopi BPKB atau KTP pemilik"),
    "BPKB": _("Fotokopi STNK dan KTP pemilik"),
    "PASPOR": _("Fotokopi KTP"),
    "IJAZAH": _("Surat keterangan dari sekolah/kampus"),
    "SERTIFIKAT": _("Surat keterangan dari BPN"),
    "ATM": _("Surat keterangan atau buku tabungan dari bank"),
    "BUKU_NIKAH": _("Fotokopi KTP suami dan istri"),
    "LAINNYA": _("Bukti kepemilikan"),
}
