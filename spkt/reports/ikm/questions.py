"""The nine elements (unsur) of PermenPANRB 14/2017 in the regulation's order, each with its usual
SKM question and four answers from 1 (worst) to 4 (best)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ELEMENT_NAMES = (
    _("Persyaratan"),
    _("Sistem, Mekanisme, dan Prosedur"),
    _("Waktu Penyelesaian"),
    _("Biaya/Tarif"),
    _("Produk Spesifikasi Jenis Pelayanan"),
    _("Kompetensi Pelaksana"),
    _("Perilaku Pelaksana"),
    _("Penanganan Pengaduan, Saran dan Masukan"),
    _("Sarana dan Prasarana"),
)

QUESTIONS = (
    (
        _("Bagaimana kesesuaian persyaratan pelayanan dengan jenis pelayanannya?"),
        (_("Tidak sesuai"), _("Kurang sesuai"), _("Sesuai"), _("Sangat sesuai")),
    ),
    (
        _("Bagaimana kemudahan prosedur pelayanan di unit ini?"),
        (_("Tidak mudah"), _("Kurang mudah"), _("Mudah"), _("Sangat mudah")),
    ),
    (
        _("Bagaimana kecepatan waktu dalam memberikan pelayanan?"),
        (_("Tidak cepat"), _("Kurang cepat"), _("Cepat"), _("Sangat cepat")),
    ),
    (
        _("Bagaimana kewajaran biaya/tarif dalam pelayanan?"),
        (_("Sangat mahal"), _("Cukup mahal"), _("Murah"), _("Gratis")),
    ),
    (
        _("Bagaimana kesesuaian hasil pelayanan dengan yang dijanjikan dalam standar pelayanan?"),
        (_("Tidak sesuai"), _("Kurang sesuai"), _("Sesuai"), _("Sangat sesuai")),
    ),
    (
        _("Bagaimana kemampuan (kompetensi) petugas dalam memberikan pelayanan?"),
        (_("Tidak kompeten"), _("Kurang kompeten"), _("Kompeten"), _("Sangat kompeten")),
    ),
    (
        _("Bagaimana kesopanan dan keramahan petugas dalam memberikan pelayanan?"),
        (
            _("Tidak sopan dan ramah"),
            _("Kurang sopan dan ramah"),
            _("Sopan dan ramah"),
            _("Sangat sopan dan ramah"),
        ),
    ),
    (
        _("Bagaimana penanganan pengaduan, saran dan masukan di unit ini?"),
        (
            _("Tidak ada"),
            _("Ada tetapi tidak berfungsi"),
            _("Berfungsi kurang maksimal"),
            _("Dikelola dengan baik"),
        ),
    ),
    (
        _("Bagaimana kualitas sarana dan prasarana pelayanan?"),
        (_("Buruk"), _("Cukup"), _("Baik"), _("Sangat baik")),
    ),
)
