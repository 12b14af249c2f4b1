"""A Playwright page that counts what the officer does: fields typed and clicks.

JOURNEYS.md sets budgets ("SKTLK from a pre-registration in at most 3 typed fields"); a scene
test walks through ``Walk`` so the budget is asserted, not guessed. Only the scene's own steps go
through the walk; signing in is not counted (``walk.page`` is the bare page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page


@dataclass
class Walk:
    page: Page
    typed: list[str] = field(default_factory=list)
    clicks: list[str] = field(default_factory=list)

    def fill(self, selector: str, value: str) -> None:
        self.page.fill(selector, value)
        self.typed.append(selector)

    def click(self, selector: str, **kwargs) -> None:
        self.page.click(selector, **kwargs)
        self.clicks.append(selector)

    def check(self, selector: str) -> None:
        self.page.check(selector)
        self.clicks.append(selector)

    def select(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)
        self.clicks.append(selector)

    def press(self, selector: str, key: str) -> None:
        """A key on a focused control (Enter on a button counts as its click)."""
        self.page.press(selector, key)
        self.clicks.append(f"{selector}:{key}")
