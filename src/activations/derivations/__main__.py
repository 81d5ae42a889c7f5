"""``python -m activations.derivations {check,sync,list,show,verify}``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .registry import claim_names, get, get_claim, names
from .render import render_admonition
from .sync import sync_paths
from .core import verify


def _chapters(root: Path) -> list[Path]:
    return sorted((root / "chapters").glob("*.md"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m activations.derivations",
                                     description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for cmd, text in [("sync", "rewrite the chapters' derivation admonitions from the catalogue"),
                      ("check", "fail if any chapter's derivation text differs from the catalogue")]:
        p = sub.add_parser(cmd, help=text)
        p.add_argument("--root", type=Path, default=Path("."), help="the book's root folder")
        p.add_argument("paths", nargs="*", type=Path, help="chapter files (default: all of chapters/)")
    sub.add_parser("list", help="list derivations and claims")
    p = sub.add_parser("show", help="print one derivation's admonition")
    p.add_argument("name")
    p = sub.add_parser("verify", help="prove derivations and claims (all, or those named)")
    p.add_argument("names", nargs="*")
    args = parser.parse_args(argv)

    if args.command in ("sync", "check"):
        paths = args.paths or _chapters(args.root)
        changed, problems = sync_paths(paths, write=args.command == "sync")
        for p in problems:
            print(p, file=sys.stderr)
        verb = "rewrote" if args.command == "sync" else "out of sync"
        for path in changed:
            print(f"{verb}: {path}")
        if args.command == "check" and changed:
            print("run `python -m activations.derivations sync` to regenerate them", file=sys.stderr)
            return 1
        return 1 if problems else 0
    if args.command == "list":
        print("\n".join(names() + [f"claim: {c}" for c in claim_names()]))
        return 0
    if args.command == "show":
        print(render_admonition(get(args.name)))
        return 0
    failed = 0
    for name in args.names or names():
        result = verify(get(name))
        failed += not result.ok
        print(result)
    for name in ([] if args.names else claim_names()):
        c = get_claim(name)
        failed += not c.holds
        print(f"claim {name}: {'holds' if c.holds else 'FAILS'}: {c.statement}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
