"""One fresh virtualenv with webapi_kit installed from the checkout, shared by the packaging tests.

Building it (Django and lxml from the index, pip's cache helps) is most of
these tests' time, so the session makes it once.
"""

from __future__ import annotations

import os
import subprocess
import venv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Virtualenv:
    root: Path
    bindir: Path
    #: The environment commands run with: this virtualenv's bin first on PATH,
    #: nothing of the test run's own Django settings or paths.
    env: Mapping[str, str]

    @property
    def python(self) -> Path:
        return self.bindir / "python"

    def run(self, *args: str | Path, cwd: Path | None = None) -> str:
        """Run a command in the virtualenv; its stdout, or fail the test with its output."""
        result = subprocess.run(
            [str(a) for a in args], cwd=cwd, env=dict(self.env), capture_output=True, text=True, timeout=540
        )
        assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
        return result.stdout


@pytest.fixture(scope="session")
def checkout_venv(tmp_path_factory: pytest.TempPathFactory) -> Virtualenv:
    """A new virtualenv after ``pip install <checkout>`` (not editable: the installed copy is used)."""
    root = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(root)
    bindir = root / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    virtualenv = Virtualenv(root, bindir, env)
    virtualenv.run(virtualenv.python, "-m", "pip", "install", "--quiet", REPO)
    return virtualenv
