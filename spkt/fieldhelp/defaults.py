"""The shipped field-help types: global rows a unit may replace by adding its own with the same
code. Loaded by migration 0002 and again whenever the global rows are missing (a fresh test
database after a flush), so the desk never meets an empty list."""

from __future__ import annotations

from django.db import models

TPTKP_STEPS = [
    "Mendatangi TKP dan melapor melalui radio ke Polsek/Polres",
    "Memeriksa korban; memberi pertolongan pertama; evakuasi",
    "Menutup dan menjaga TKP dengan garis polisi; menandai posisi korban; membuat sketsa",
    "Menangkap dan menggeledah pelaku yang masih ada; mencegah main hakim sendiri",
    "Mengamankan dan mencatat barang bukti",
    "Mencatat saksi dan memisahkan mereka",
    "Menyerahkan kepada penyidik dengan laporan tertulis",
]
DEFAULTS = [
    ("tptkp", "TPTKP", "tptkp", True, TPTKP_STEPS),
    ("pengaturan", "Turjawali: pengaturan", "turjawali", False, []),
    ("penjagaan", "Turjawali: penjagaan", "turjawali", False, []),
    ("pengawalan", "Turjawali: pengawalan", "turjawali", False, []),
    ("patroli", "Turjawali: patroli", "turjawali", False, []),
    (
        "pengamanan",
        "Pengamanan kegiatan",
        "pengamanan",
        False,
        [
            "Memeriksa izin kegiatan dan penyelenggara",
            "Menempatkan personel pada pos pengamanan",
            "Melaporkan perkiraan jumlah massa",
        ],
    ),
    (
        "ranmor",
        "Ranmor (kendaraan bermotor)",
        "ranmor",
        False,
        [
            "Tindakan pertama di lokasi",
            "Memeriksa kendaraan dan surat-suratnya",
            "Menyerahkan kepada Satlantas atau pemilik",
        ],
    ),
]


def task_types_ensure(model: type[models.Model] | None = None) -> int:  # or its historical model
    """Create the missing global default types (idempotent); returns how many were created."""
    if model is None:
        from spkt.fieldhelp.models import TaskType

        model = TaskType
    created = 0
    for order, (code, label, family, red, steps) in enumerate(DEFAULTS, start=1):
        _row, made = model._default_manager.get_or_create(
            unit=None,
            code=code,
            defaults={
                "label": label,
                "family": family,
                "red": red,
                "steps": steps,
                "order": order * 10,
            },
        )
        created += made
    return created
