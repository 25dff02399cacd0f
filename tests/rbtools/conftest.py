"""RBTools in a virtualenv of its own, made once and kept (``.venv-rbtools``, or ``$RBTOOLS_VENV``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements" / "rbtools.txt"


@pytest.fixture(scope="session")
def rbtools_python() -> Path:
    """The Python of a virtualenv with RBTools (requirements/rbtools.txt), installed on first use."""
    venv = Path(os.environ.get("RBTOOLS_VENV") or ROOT / ".venv-rbtools")
    python = venv / "bin" / "python"
    stamp = venv / "requirements.txt"
    wanted = REQUIREMENTS.read_text()
    if not (python.exists() and stamp.exists() and stamp.read_text() == wanted):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=120)
        # Bounded: a hung index fails the test instead of the CI run.
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--timeout", "30", "-r", str(REQUIREMENTS)],
            check=True, timeout=600,
        )
        stamp.write_text(wanted)
    return python
