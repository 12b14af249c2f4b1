"""The book is Indonesian: text SPKT writes into the Buku Mutasi, a document or the ledger is
composed in Indonesian whatever language the officer's screen uses.

``book_language()`` is the one way to compose such text (a context manager and a decorator): it
switches translation to Indonesian and marks the block, and ``require_book_language()`` at the
writing boundary (``mutasi_append``) refuses text composed outside it. So a new caller that forgot
fails in its very first test, in either UI language, instead of writing English into the book.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import translation

BOOK_LANGUAGE = "id"
_composing: ContextVar[bool] = ContextVar("spkt_book_language", default=False)


@contextmanager
def book_language() -> Iterator[None]:
    token = _composing.set(True)
    try:
        with translation.override(BOOK_LANGUAGE):
            yield
    finally:
        _composing.reset(token)


def require_book_language(where: str) -> None:
    """A programming error, not bad input: the caller composed book text in the UI language."""
    if not _composing.get() or translation.get_language() != BOOK_LANGUAGE:
        raise RuntimeError(
            f"{where}: compose the text inside spkt.core.booktext.book_language(), "
            "so the book is written in Indonesian whatever the UI language"
        )
