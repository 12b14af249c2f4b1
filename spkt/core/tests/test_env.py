import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import ImproperEnvError, env_bool, env_choice, env_int, env_list

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return monkeypatch


def test_typed_helpers_parse_good_values(environ: pytest.MonkeyPatch) -> None:
    environ.setenv("X_BOOL", "yes")
    environ.setenv("X_INT", "42")
    environ.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL") is True
    assert env_int("X_INT", minimum=1) == 42
    assert env_list("X_LIST") == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("name", "value", "call"),
    [
        ("X_BOOL", "maybe", lambda: env_bool("X_BOOL")),
        ("X_INT", "4x", lambda: env_int("X_INT")),
        ("X_INT", "0", lambda: env_int("X_INT", minimum=1)),
        ("X_CHOICE", "staging", lambda: env_choice("X_CHOICE", ("dev", "prod"))),
    ],
)
def test_bad_values_fail_loudly_naming_the_variable(environ, name, value, call) -> None:
    environ.setenv(name, value)
    with pytest.raises(ImproperEnvError, match=name):
        call()


def test_missing_required_value_fails(environ: pytest.MonkeyPatch) -> None:
    environ.delenv("X_MISSING", raising=False)
    with pytest.raises(ImproperEnvError, match="X_MISSING"):
        env_int("X_MISSING")


def test_production_refuses_to_start_without_its_secrets() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SPKT_"))}
    env.update({"SPKT_ENV": "prod", "DJANGO_SETTINGS_MODULE": "config.settings"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
