"""The OpenAPI schema documents the error answers too, so a client (and the Schemathesis run in
spkt/api/tests) knows every status it can get and the JSON it carries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest
    from drf_spectacular.generators import SchemaGenerator

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "Pesan kesalahan.",
}
# Field name -> messages (nested for nested objects), or "detail" for a body that cannot be read.
INVALID = {
    "type": "object",
    "additionalProperties": {},
    "description": "Pesan kesalahan per isian, atau `detail` bila data tidak dapat dibaca.",
}
WHY = {
    "400": ("Invalid", "Data tidak sah."),
    "401": ("Error", "Tanpa token atau token salah (header WWW-Authenticate)."),
    "403": ("Error", "Peran pengguna tidak mengizinkan tindakan ini."),
    "404": ("Error", "Tidak ditemukan, atau milik satuan lain."),
    "405": ("Error", "Metode tidak diizinkan."),
    "413": ("Error", "Ukuran data terlalu besar."),
    "415": ("Error", "Jenis isi tidak didukung."),
}


def _codes(operation: dict[str, Any]) -> list[str]:
    places = {p.get("in") for p in operation.get("parameters", [])}
    names = {p.get("name") for p in operation.get("parameters", [])}
    body = "requestBody" in operation
    codes = ["401", "403"]
    if body or "query" in places:
        codes.append("400")
    if "path" in places or "unit" in names:
        codes.append("404")
    if body:
        codes += ["413", "415"]
    return codes


def error_responses(
    result: dict[str, Any], generator: SchemaGenerator, request: HttpRequest | None, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the 4xx answers each operation can give, with
    their JSON, where the view did not describe them."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("Invalid", INVALID)
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in sorted(set(_codes(operation)) | {c for c in responses if c in WHY}):
                name, description = WHY[code]
                answer = responses.setdefault(code, {"description": description})
                answer.setdefault("description", description)
                answer.setdefault(
                    "content",
                    {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                )
    return result
