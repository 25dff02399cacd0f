"""docs/tutorial.rst stays true: its code is complete, and following it gives the answers it shows.

``test_the_tutorial_start_to_finish`` does what a reader does, in a fresh
virtualenv with webapi_kit installed from the checkout: it runs every
console command of the page in order (``cd`` included), writes every file the
page shows, starts ``runserver`` where the page does (on a free port, not
8000), and compares each command's output with the output printed under it.
Only what cannot be the same on another run is normalised: the port,
timestamps, and ETags (the first time the page shows an ETag it stands for
the real one, which later commands then send). A ``curl -i`` answer must
have the status line, every header the page shows (the page leaves some
out) and the body exactly.

Python blocks with a caption are written to that file; the blocks without
one are the steps of ``library/resources.py``, which is written from the
steps so far until the page shows the whole file.
"""

from __future__ import annotations

import io
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyflakes.api import check
from pyflakes.reporter import Reporter

from .conftest import REPO, Virtualenv
from .rst import Block, Command, code_blocks, commands

TUTORIAL = REPO / "docs" / "tutorial.rst"
#: Where the page's install command points; the test installs this checkout.
CHECKOUT_PLACEHOLDER = "/path/to/webapi_kit"
#: The file the untitled Python steps build up.
RESOURCES = "library/resources.py"
DOC_HOST = "localhost:8000"

_ISO_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
_HTTP_DATE = re.compile(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT")
_ETAG = re.compile(r'"[0-9a-f]{32}"')


def _undefined_names(source: str, name: str) -> str:
    """pyflakes' complaints about undefined names in ``source`` (other complaints are not ours)."""
    out, err = io.StringIO(), io.StringIO()
    check(source, name, Reporter(out, err))
    return "\n".join(line for line in (out.getvalue() + err.getvalue()).splitlines() if "undefined name" in line)


def test_every_step_imports_what_it_uses() -> None:
    """Pasting the steps in order into ``library/resources.py`` never leaves a name undefined."""
    steps = [block for block in code_blocks(TUTORIAL) if block.language == "python" and not block.caption]
    assert len(steps) >= 4
    source = ""
    for block in steps:
        source += block.text + "\n\n"
        assert _undefined_names(source, f"steps up to tutorial.rst line {block.line}") == "", block.text


def test_the_readme_example_imports_what_it_uses() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [example] = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert _undefined_names(example, "README.md") == ""


class Reader:
    """Follows the page: runs its commands, writes its files, keeps its server running."""

    def __init__(self, venv: Virtualenv, home: Path) -> None:
        self.venv = venv
        self.cwd = home
        self.home = home
        self.steps: list[str] = []
        self.server: subprocess.Popen[bytes] | None = None
        self.port = 0
        #: The page's ETags and the real ones they stand for.
        self.etags: dict[str, str] = {}

    # Files ------------------------------------------------------------

    def write(self, block: Block) -> None:
        if not block.caption:
            self.steps.append(block.text)
            (self.cwd / RESOURCES).write_text("\n\n".join(self.steps))
        elif block.caption.endswith("settings.py"):
            # A fragment: the entries it adds to the project's INSTALLED_APPS.
            added = [line.strip() for line in block.text.splitlines() if line.strip().startswith('"')]
            assert added, block.text
            path = self.cwd / block.caption
            text = path.read_text()
            assert "INSTALLED_APPS = [\n" in text
            path.write_text(text.replace("INSTALLED_APPS = [\n", "INSTALLED_APPS = [\n    " + "\n    ".join(added) + "\n", 1))
        else:
            (self.cwd / block.caption).write_text(block.text)

    # Commands ---------------------------------------------------------

    def do(self, step: Command) -> None:
        command = step.command
        if command.startswith("cd "):
            self.cwd = self.cwd / command[3:].strip()
            assert self.cwd.is_dir(), command
            return
        if command == "python manage.py runserver":
            self.start_server()
            return
        if command.startswith("pip install "):
            assert CHECKOUT_PLACEHOLDER in command, command
            command = command.replace(CHECKOUT_PLACEHOLDER, str(REPO))
        command = command.replace(DOC_HOST, self.host)
        for shown, real in self.etags.items():
            command = command.replace(shown, real)
        result = subprocess.run(
            ["bash", "-c", command], cwd=self.cwd, env=dict(self.venv.env), capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"$ {command}\n{result.stdout}\n{result.stderr}"
        if step.output:
            self.compare(step, result.stdout)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start_server(self) -> None:
        self.stop_server()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        log = (self.home / f"runserver-{self.port}.log").open("wb")
        self.server = subprocess.Popen(
            [str(self.venv.python), "manage.py", "runserver", self.host, "--noreload"],
            cwd=self.cwd, env=dict(self.venv.env), stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            assert self.server.poll() is None, (self.home / f"runserver-{self.port}.log").read_text()
            try:
                httpx.get(f"http://{self.host}/", timeout=1)
                return
            except httpx.TransportError:
                assert time.monotonic() < deadline, "runserver did not answer within 60 s"
                time.sleep(0.2)

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=10)
            self.server = None

    # Comparing --------------------------------------------------------

    def normalised(self, text: str) -> str:
        text = text.replace("\r\n", "\n").replace(self.host, DOC_HOST)
        return _HTTP_DATE.sub("<date>", _ISO_DATETIME.sub("<datetime>", text)).rstrip("\n")

    def compare(self, step: Command, actual: str) -> None:
        shown, got = _HTTP_DATE.sub("<date>", _ISO_DATETIME.sub("<datetime>", step.output)), self.normalised(actual)
        where = f"$ {step.command}\n--- the page shows:\n{step.output}\n--- the command printed:\n{actual}"
        if shown.startswith("HTTP/"):
            shown_head, _, shown_body = shown.partition("\n\n")
            got_head, _, got_body = got.partition("\n\n")
            shown_lines, got_lines = shown_head.splitlines(), got_head.splitlines()
            assert got_lines[0] == shown_lines[0], where
            headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in got_lines[1:])}
            for line in shown_lines[1:]:
                name, _, value = line.partition(": ")
                assert name.lower() in headers, f"no {name} header\n{where}"
                self.compare_header(name, value, headers[name.lower()], got_body, where)
            assert got_body == shown_body, where
            return
        shown_lines, got_lines = shown.splitlines(), got.splitlines()
        assert len(got_lines) == len(shown_lines), where
        for shown_line, got_line in zip(shown_lines, got_lines, strict=True):
            if shown_line.startswith("ETag: ") and got_line.startswith("ETag: "):
                self.compare_header("ETag", shown_line[6:], got_line[6:], "", where)
            else:
                assert got_line == shown_line, where

    def compare_header(self, name: str, shown: str, got: str, body: str, where: str) -> None:
        if name.lower() == "etag":
            assert _ETAG.fullmatch(shown) and _ETAG.fullmatch(got), where
            # The same ETag shown twice must be the same real one.
            assert self.etags.setdefault(shown, got) == got, f"ETag {shown} stood for {self.etags[shown]}\n{where}"
        elif name.lower() == "content-length":
            # The page's length is for localhost:8000; the real host is longer by the port's digits.
            longer = (len(self.host) - len(DOC_HOST)) * body.count(DOC_HOST)
            assert int(got) == int(shown) + longer, where
        else:
            assert got == shown, f"{name}\n{where}"


@pytest.fixture
def reader(checkout_venv: Virtualenv, tmp_path: Path) -> Iterator[Reader]:
    reader = Reader(checkout_venv, tmp_path)
    yield reader
    reader.stop_server()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_tutorial_start_to_finish(reader: Reader) -> None:
    ran = 0
    for block in code_blocks(TUTORIAL):
        if block.language == "python":
            reader.write(block)
        elif block.language == "console":
            if "portrait.jpg" in block.text:
                (reader.cwd / "portrait.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
            for step in commands(block):
                reader.do(step)
                ran += 1
    # Every console command of the page, the curl sessions included, ran.
    assert ran >= 30
    assert reader.server is not None
