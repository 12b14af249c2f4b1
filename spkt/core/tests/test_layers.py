"""The app layers (ADR 0047): every import between apps points down the order in pyproject.toml
([tool.importlinter]), checked by import-linter like `make lint` does."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_import_between_apps_points_down_the_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_against_the_order_breaks_the_contract(tmp_path):
    # A copy of the project where the bottom layer imports one above it: the check must refuse it
    # (the ignore rules for tests and migrations must not hide an app's own modules).
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "spkt", tmp_path / "spkt", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    models = tmp_path / "spkt" / "org" / "models.py"
    models.write_text(models.read_text() + "\nfrom spkt.documents import models as _documents\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "spkt.org is not allowed to import spkt.documents" in result.stdout
    assert "spkt.org.models -> spkt.documents.models" in result.stdout
