"""Keep the chapters' derivation admonitions identical to their SymPy source.

``python -m activations.derivations sync`` rewrites every derivation
admonition in ``chapters/`` from the catalogue; ``check`` reports any that
differ (a hand edit, a stale render) and any ``Derivation`` admonition that
has no catalogue entry at all, and exits non-zero, like ``ruff format --check``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .registry import get
from .render import render_admonition

__all__ = ["Block", "find_blocks", "sync_text", "sync_paths"]

_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{admonition\}\s+Derivation\b")
_NAME = re.compile(r"<!-- derivation: (?P<name>[\w.]+)")


@dataclass(frozen=True)
class Block:
    start: int  # line index of the opening fence
    stop: int  # line index of the closing fence
    fence: str
    name: str | None  # None: a derivation admonition with no catalogue entry


def find_blocks(lines: list[str]) -> list[Block]:
    blocks = []
    k = 0
    while k < len(lines):
        m = _OPEN.match(lines[k])
        if not m:
            k += 1
            continue
        fence = m.group("fence")
        stop = next((j for j in range(k + 1, len(lines)) if lines[j].rstrip() == fence), None)
        if stop is None:
            raise ValueError(f"line {k + 1}: derivation admonition is never closed")
        name = next((n.group("name") for line in lines[k:stop] if (n := _NAME.search(line))), None)
        blocks.append(Block(k, stop, fence, name))
        k = stop + 1
    return blocks


def sync_text(text: str) -> tuple[str, list[str]]:
    """Return ``(new_text, problems)``; problems are unchecked derivations."""
    lines = text.split("\n")
    problems = []
    out, last = [], 0
    for b in find_blocks(lines):
        out += lines[last:b.start]
        if b.name is None:
            problems.append(f"line {b.start + 1}: a Derivation admonition with no "
                            "`<!-- derivation: NAME -->` marker is not checked by SymPy")
            out += lines[b.start:b.stop + 1]
        else:
            out += render_admonition(get(b.name), b.fence).split("\n")
        last = b.stop + 1
    out += lines[last:]
    return "\n".join(out), problems


def sync_paths(paths, write: bool) -> tuple[list[Path], list[str]]:
    """Sync (``write=True``) or check every file; return changed files and problems."""
    changed, problems = [], []
    for path in paths:
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        new, file_problems = sync_text(text)
        problems += [f"{path}: {p}" for p in file_problems]
        if new != text:
            changed.append(path)
            if write:
                path.write_text(new, encoding="utf-8")
    return changed, problems
