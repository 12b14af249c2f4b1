from django.contrib import admin

from spkt.core.admin import ReadOnlyAdmin
from spkt.documents.models import Citizen, Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["number", "doc_type", "unit", "issued_at", "subject_name"]
    list_filter = ["doc_type", "unit"]
    search_fields = ["number"]
    exclude = ["snapshot"]


@admin.register(Citizen)
class CitizenAdmin(ReadOnlyAdmin):
    list_display = ["name", "nik_masked", "unit"]
    exclude = ["nik_encrypted", "nik_hash"]
