"""What crosses the pipe between the grader and the learner process: plain data only.

A message is one frame: a 4-byte big-endian length, then a JSON header, a
newline, and the arrays it refers to in NumPy's ``.npy`` format.  Decoding
never unpickles (``allow_pickle=False``) and accepts only numeric and boolean
arrays, so whatever the learner process sends, the grader gets back data:
``None``, booleans, numbers, strings, lists, tuples, dicts with string keys,
NumPy arrays and NumPy scalars, or an :class:`Opaque` that names the type of
anything else.

This module is loaded by path in the learner process (see ``sandbox.py``), so
it imports nothing from the package.
"""

from __future__ import annotations

import io
import json
import math
import struct

import numpy as np
from numpy.lib import format as npy_format

#: Largest frame either side accepts; a larger one is refused, not read.
MAX_FRAME = 64 * 2**20
#: Deepest nesting of lists, tuples and dicts, and most items in all.
MAX_DEPTH = 20
MAX_ITEMS = 100_000
_NUMERIC = "biufc"


class WireError(Exception):
    """A frame that is too large, truncated or not of the agreed form."""


class Opaque:
    """Stands in the grader for an object the learner returned that is not data."""

    def __init__(self, type_name: str, text: str):
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _type_name(obj) -> str:
    t = type(obj)
    return f"{t.__module__}.{t.__qualname__}"


def _encode(obj, blobs: list, depth: int, count: list):
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > MAX_ITEMS:
        raise WireError("the value is nested too deeply or has too many items")
    t = type(obj)  # exact types only: a subclass could lie about its value
    if obj is None or t is bool or t is str:
        return obj
    if t is int:
        return obj if abs(obj) < 2**53 else {"t": "bigint", "v": str(obj)}
    if t is float:
        return {"t": "float", "v": obj.hex()} if not math.isfinite(obj) else obj
    if t in (list, tuple):
        return {"t": t.__name__, "v": [_encode(v, blobs, depth + 1, count) for v in obj]}
    if t is dict and all(type(k) is str for k in obj):
        return {"t": "dict", "v": [[k, _encode(v, blobs, depth + 1, count)] for k, v in obj.items()]}
    if t is np.ndarray and obj.dtype.kind in _NUMERIC and obj.dtype.fields is None:
        buf = io.BytesIO()
        npy_format.write_array(buf, np.asarray(obj, order="C"), allow_pickle=False)
        blobs.append(buf.getvalue())
        return {"t": "nd", "i": len(blobs) - 1}
    if isinstance(obj, np.generic) and t.__module__ == "numpy" and obj.dtype.kind in _NUMERIC:
        return {"t": "scalar", "v": _encode(np.asarray(obj), blobs, depth + 1, count)}
    try:
        text = repr(obj)
    except BaseException:  # noqa: BLE001 - an object whose repr fails is still described
        text = f"<{_type_name(obj)} object>"
    return {"t": "opaque", "type": _type_name(obj)[:200], "repr": text[:200]}


def encode(obj) -> bytes:
    """One frame holding ``obj`` (a dict header with data inside)."""
    blobs: list[bytes] = []
    header = json.dumps(_encode(obj, blobs, 0, [0]), allow_nan=False).encode()
    sizes = json.dumps([len(b) for b in blobs]).encode()
    body = b"".join([sizes, b"\n", header, b"\n", *blobs])
    if len(body) > MAX_FRAME:
        raise WireError(f"the value takes {len(body) / 2**20:.0f} MiB, more than the "
                        f"{MAX_FRAME // 2**20} MiB allowed")
    return struct.pack(">I", len(body)) + body


def _decode(node, blobs: list, depth: int):
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if not isinstance(node, dict):
        raise WireError("malformed value")
    t = node.get("t")
    if t == "float":
        return float.fromhex(node["v"])
    if t == "bigint":
        return int(node["v"])
    if t in ("list", "tuple"):
        items = [_decode(v, blobs, depth + 1) for v in node["v"]]
        return items if t == "list" else tuple(items)
    if t == "dict":
        return {str(k): _decode(v, blobs, depth + 1) for k, v in node["v"]}
    if t == "nd":
        arr = npy_format.read_array(io.BytesIO(blobs[int(node["i"])]), allow_pickle=False)
        if arr.dtype.kind not in _NUMERIC or arr.dtype.fields is not None:
            raise WireError("an array of a non-numeric dtype")
        return arr
    if t == "scalar":
        arr = _decode(node["v"], blobs, depth + 1)
        if not isinstance(arr, np.ndarray) or arr.ndim != 0:
            raise WireError("malformed scalar")
        return arr[()]
    if t == "opaque":
        return Opaque(str(node.get("type"))[:200], str(node.get("repr"))[:200])
    raise WireError(f"unknown kind of value {t!r}")


def decode(body: bytes):
    """The value of one frame's body (the bytes after the length)."""
    try:
        sizes_line, rest = body.split(b"\n", 1)
        sizes = json.loads(sizes_line)
        header_line, rest = rest.split(b"\n", 1)
        if not (isinstance(sizes, list) and all(type(s) is int and s >= 0 for s in sizes)
                and sum(sizes) == len(rest)):
            raise WireError("the array sizes do not add up")
        blobs, start = [], 0
        for s in sizes:
            blobs.append(rest[start:start + s])
            start += s
        return _decode(json.loads(header_line), blobs, 0)
    except WireError:
        raise
    except Exception as exc:  # noqa: BLE001 - any malformed frame is one error
        raise WireError(f"malformed message ({type(exc).__name__}: {exc})"[:300]) from None


def read_exact(recv, n: int) -> bytes:
    """``n`` bytes from ``recv(k)`` (a socket's recv), or :class:`EOFError`."""
    chunks, got = [], 0
    while got < n:
        chunk = recv(min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(recv) -> bytes:
    (n,) = struct.unpack(">I", read_exact(recv, 4))
    if n > MAX_FRAME:
        raise WireError(f"a message of {n / 2**20:.0f} MiB, more than the {MAX_FRAME // 2**20} "
                        "MiB allowed")
    return read_exact(recv, n)
