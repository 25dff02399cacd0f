"""The ``code-block`` directives of a reStructuredText page, in order, and the commands in console blocks."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Block", "Command", "code_blocks", "commands"]

_DIRECTIVE = re.compile(r"^(\s*)\.\. code-block::\s*(\S+)\s*$")
_OPTION = re.compile(r"^\s+:(\w+):\s*(.*)$")


@dataclass(frozen=True)
class Block:
    language: str
    caption: str
    text: str
    #: 1-based line of the directive, for messages.
    line: int


@dataclass(frozen=True)
class Command:
    """A ``$ ...`` line (with its ``\\`` continuations) and the output shown under it."""

    command: str
    output: str


def code_blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index])
        index += 1
        if not match:
            continue
        start, indent = index, len(match.group(1))
        options: dict[str, str] = {}
        while index < len(lines) and (option := _OPTION.match(lines[index])):
            options[option.group(1)] = option.group(2)
            index += 1
        body: list[str] = []
        while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) > indent):
            body.append(lines[index])
            index += 1
        text = textwrap.dedent("\n".join(body)).strip("\n") + "\n"
        blocks.append(Block(match.group(2), options.get("caption", ""), text, start))
    return blocks


def commands(block: Block) -> list[Command]:
    """The commands of a ``console`` block; output lines are those up to the next ``$``."""
    found: list[Command] = []
    command: list[str] = []
    output: list[str] = []
    lines = block.text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.startswith("$ "):
            output.append(line)
            continue
        if command:
            found.append(Command("\n".join(command), "\n".join(output).strip("\n")))
        command, output = [line[2:]], []
        while command[-1].endswith("\\") and index < len(lines):
            command.append(lines[index])
            index += 1
    if command:
        found.append(Command("\n".join(command), "\n".join(output).strip("\n")))
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
