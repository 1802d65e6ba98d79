"""`make run` is one of the README's two commands: its failures show our one line, not make's too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.run import NO_TOKEN_MESSAGE

REPO = Path(__file__).resolve().parents[2]


def test_make_run_without_a_token_prints_only_our_hint(tmp_path: Path) -> None:
    make = shutil.which("make")
    venv = Path(sys.prefix)
    if make is None:
        pytest.skip("make is not installed")
    if not (venv / "bin" / "spacebrief").exists():
        pytest.skip(f"spacebrief is not installed in {venv} (run the tests through `make test`)")
    env = {
        key: value for key, value in os.environ.items() if key not in ("DISCORD_TOKEN", "SPACEBRIEF_CONFIG")
    }
    # VENV: the environment running these tests; -o: never reinstall it; CONFIG=: ignore a local config.toml.
    result = subprocess.run(
        [make, "--no-print-directory", "-C", str(REPO), "run", f"VENV={venv}", "CONFIG=",
         "-o", str(venv / ".installed-stamp")],
        capture_output=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.stderr.decode() == NO_TOKEN_MESSAGE + "\n"
    assert result.stdout.decode() == ""
    assert result.returncode == 0  # the hint said it all; `spacebrief run` itself exits 2
