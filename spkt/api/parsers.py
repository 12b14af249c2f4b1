"""The API's JSON parser: DRF's, reading through spkt.core.safejson."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from spkt.core import safejson

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import IO


class SafeJSONParser(JSONParser):
    """Refuses with 400 what would otherwise be a 500: nesting deeper than safejson.MAX_DEPTH
    (RecursionError), lone surrogates (no database stores them). DRF hands over
    ``request.body``, so a body over DATA_UPLOAD_MAX_MEMORY_SIZE is already a 413."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            return safejson.loads(stream.read())
        except safejson.JSONRefusedError as exc:
            raise ParseError(str(exc)) from None
