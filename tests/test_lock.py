"""The locked environment: requirements.lock is up to date, complete, hashed, and what is installed.

requirements.txt and requirements-test.txt (with pyproject.toml behind their ``-e .`` line) are the
human-edited source; ``make lock`` (tools/lock.py) makes requirements.lock from them with pip-tools and
records a digest of what it was made from. No test here needs a network.
"""

from __future__ import annotations

import re
import shutil
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from book_tools import ROOT  # also puts tools/ on sys.path
import lock

LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._\-]*)==(?P<version>[^\s;\\]+)\s*(?:;(?P<marker>[^\\]+))?")


def locked() -> dict[str, dict]:
    """{canonical name: {"version", "marker", "hashes"}} from requirements.lock."""
    pins: dict[str, dict] = {}
    current = None
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match["name"])
            pins[current] = {"version": match["version"], "marker": (match["marker"] or "").strip(), "hashes": []}
        elif current and line.strip().startswith("--hash=sha256:"):
            pins[current]["hashes"].append(line.strip().split(":", 1)[1].rstrip(" \\"))
        elif line and not line.startswith(" "):
            current = None
    return pins


def applies(marker: str) -> bool:
    from packaging.markers import Marker

    return not marker or Marker(marker).evaluate(default_environment())


def top_level_requirements() -> list[Requirement]:
    """What the requirement files ask for, the package's own dependencies (and used extras) included."""
    data = lock.lock_inputs(ROOT)
    reqs = []
    for lines in data["files"].values():
        for line in lines:
            if line.startswith("-"):
                continue  # -e ., -r, options
            reqs.append(Requirement(line))
    project = data.get("pyproject", {})
    for line in project.get("dependencies", []) + [d for deps in project.get("extras", {}).values() for d in deps]:
        reqs.append(Requirement(line))
    return reqs


def test_the_lock_is_not_stale():
    reason = lock.stale_reason(ROOT)
    assert reason is None, f"{reason}: run `make lock` (python3 tools/lock.py compile) and commit requirements.lock"


def _copy_inputs(dest: Path) -> Path:
    for name in (*lock.INPUTS, lock.PYPROJECT, LOCK.name):
        shutil.copy(ROOT / name, dest / name)
    return dest


def test_staleness_is_detected(tmp_path):
    """The control for the test above: the check sees changes that matter and only those."""
    root = _copy_inputs(tmp_path)
    # As `make lock` leaves it: the digest of these very files in the header.
    text = (root / LOCK.name).read_text(encoding="utf-8")
    fresh = re.sub(r"^# inputs-sha256: \S+$", f"# inputs-sha256: {lock.inputs_digest(root)}", text, flags=re.M)
    assert fresh != text or lock.stale_reason(root) is None
    (root / LOCK.name).write_text(fresh, encoding="utf-8")
    assert lock.stale_reason(root) is None
    requirements = root / "requirements.txt"
    original = requirements.read_text(encoding="utf-8")

    requirements.write_text(original + "\n# a comment only\n\n", encoding="utf-8")
    assert lock.stale_reason(root) is None, "a comment must not make the lock stale"

    requirements.write_text(original + "\nsix>=1.16\n", encoding="utf-8")
    assert "stale" in (lock.stale_reason(root) or "")

    requirements.write_text(original.replace("jupyter-book>=1.0.4,<2", "jupyter-book>=1.0.5,<2"), encoding="utf-8")
    if "jupyter-book>=1.0.4,<2" in original:
        assert "stale" in (lock.stale_reason(root) or "")
    requirements.write_text(original, encoding="utf-8")

    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('"numpy>=1.26,<3"', '"numpy>=2,<3"'), encoding="utf-8")
    assert "numpy>=1.26,<3" in text and "stale" in (lock.stale_reason(root) or "")
    pyproject.write_text(text + "\n[tool.example]\nsetting = 1\n", encoding="utf-8")
    assert lock.stale_reason(root) is None, "a section of pyproject.toml that pip does not read must not matter"

    (root / LOCK.name).write_text("numpy==2.0.0\n", encoding="utf-8")
    assert "no '# inputs-sha256:' line" in (lock.stale_reason(root) or "")


def test_every_requirement_is_pinned_in_the_lock_within_its_range():
    pins = locked()
    problems = []
    for req in top_level_requirements():
        if req.marker is not None and not req.marker.evaluate(default_environment()):
            continue
        pin = pins.get(canonicalize_name(req.name))
        if pin is None:
            problems.append(f"{req} is not in the lock")
        elif not req.specifier.contains(Version(pin["version"]), prereleases=True):
            problems.append(f"{req} but the lock pins {pin['version']}")
    assert not problems, "\n".join(problems)


def test_every_pin_is_exact_and_hashed():
    pins = locked()
    assert len(pins) > 50, f"only {len(pins)} pins read from {LOCK.name}"
    unhashed = [name for name, pin in pins.items() if not pin["hashes"]]
    assert not unhashed, f"pins without a sha256 hash: {unhashed}"
    bad = [(name, h) for name, pin in pins.items() for h in pin["hashes"] if not re.fullmatch(r"[0-9a-f]{64}", h)]
    assert not bad, bad
    text = LOCK.read_text(encoding="utf-8")
    assert not re.search(r"^-e ", text, re.M), "the editable package cannot be in a hashed lock (the Makefile installs it)"
    assert "file:///" not in text and "/opt/" not in text, "the lock must not name this machine's folders"


def test_the_environment_is_the_locked_one():
    """What runs the tests was installed from the lock (`make install` does it; CI runs `make test`)."""
    differ = []
    for name, pin in locked().items():
        if not applies(pin["marker"]):
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            differ.append(f"{name}: locked {pin['version']}, not installed")
            continue
        if Version(installed) != Version(pin["version"]):
            differ.append(f"{name}: locked {pin['version']}, installed {installed}")
    assert not differ, ("the environment differs from requirements.lock (run `make install`):\n  "
                        + "\n  ".join(differ))


def test_left_out_packages_are_not_in_the_lock():
    pins = locked()
    assert lock.LEFT_OUT and all(reason.strip() for reason in lock.LEFT_OUT.values())
    present = [name for name in lock.LEFT_OUT if canonicalize_name(name) in pins]
    assert not present, f"{present} are in LEFT_OUT but pinned in {LOCK.name}: run `make lock`"


def test_leaving_out_drops_what_only_the_left_out_packages_need():
    """The control for the test above: ``leave_out`` on a body made for the purpose."""
    left = next(iter(lock.LEFT_OUT))
    body = "\n".join([
        f"{left}==1.0 \\", "    --hash=sha256:" + "a" * 64, "    # via jsonschema",
        "only-theirs==2.0 \\", "    --hash=sha256:" + "b" * 64, f"    # via {left}",
        "theirs-twice-removed==3.0 \\", "    --hash=sha256:" + "c" * 64, "    # via only-theirs",
        "shared==4.0 \\", "    --hash=sha256:" + "d" * 64, "    # via", f"    #   {left}", "    #   numpy",
        "numpy==2.0 \\", "    --hash=sha256:" + "e" * 64, "    # via -r requirements.txt",
    ]) + "\n"
    kept = lock.leave_out(body)
    names = [line.split("==")[0] for line in kept.splitlines() if "==" in line]
    assert names == ["shared", "numpy"], kept
