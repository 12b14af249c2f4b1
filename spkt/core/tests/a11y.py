"""axe-core (npm, pinned in package.json; ADR 0049) run inside a Playwright page.

The script is injected from ``node_modules`` rather than served, so the pages under test stay as
they are; the page's context must bypass the CSP (``bypass_csp=True``) since the script arrives
inline. Only serious and critical findings fail a test: those are the ones that stop a keyboard or
screen-reader user (no label, no name, too little contrast)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_violations(page, *, impacts: tuple[str, ...] = BLOCKING) -> list[dict]:
    """axe's violations of the page as it is now, kept to the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'best-practice']}})"
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    """One line per violation and up to three of its elements, for an assertion message."""
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        lines.append(f"{v['impact']} {v['id']} ({len(v['nodes'])}): {v['help']} — {targets}")
    return "\n".join(lines)
