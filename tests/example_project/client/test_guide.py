"""The examples of docs/guide/client.rst and docs/guide/testing.rst run, as written."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from webapi_kit.testing import APIClient

from .conftest import APIServer

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "guide"
_BLOCK = re.compile(r"^\.\. code-block:: python\n\n((?:(?:   .*)?\n)+)", re.MULTILINE)


def examples(page: str) -> list[str]:
    text = (GUIDE / page).read_text(encoding="utf-8")
    return [textwrap.dedent(block) for block in _BLOCK.findall(text)]


@pytest.mark.slow
def test_client_guide(api_server: APIServer) -> None:
    blocks = examples("client.rst")
    assert len(blocks) == 6
    namespace: dict[str, Any] = {"API_URL": api_server.api}
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"docs/guide/client.rst example {number}", "exec")
        exec(code, namespace)  # noqa: S102 - the guide's own examples


@pytest.mark.django_db
def test_testing_guide() -> None:
    blocks = examples("testing.rst")
    assert len(blocks) == 2
    namespace: dict[str, Any] = {}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"docs/guide/testing.rst example {number}", "exec"), namespace)  # noqa: S102
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert len(tests) == 2
    for test in tests:
        test(APIClient())


def test_the_error_tree_on_the_page_is_the_modules() -> None:
    import webapi_kit.client.errors as errors

    assert errors.__doc__ is not None
    tree = errors.__doc__[errors.__doc__.index("::"):errors.__doc__.index("A status not")].rstrip()
    assert (GUIDE / "client-errors.inc").read_text(encoding="utf-8").startswith(tree + "\n\n")
