"""Time the package against textbook NumPy, SciPy, PyTorch and JAX.

Run from the repository root::

    python -m benchmarks            # the full run (a few minutes on 2 cores)
    python -m benchmarks --quick    # 3 samples, large shape in float32 only: under a minute

Everything runs in one process.  For every operation, dtype and shape, each
implementation is called once to warm up, then the implementations are timed
*in turn* (A, B, C, A, B, C, ...), so that a slow spell of a shared machine
hits all of them alike.  PyTorch and JAX are optional: absent, their columns
are empty.  Each result is given as a median with its min-max, as a ratio to
PyTorch's median, and as a ratio to a *floor* measured here, in turn with the
implementations of the row: one read, one write and one ``exp`` per element
(``np.exp`` from the input into a preallocated output array, over the same
threads), or one read and one write (a copy) for ReLU.

Results go to ``benchmarks/results/latest.json`` and ``latest.md`` (git
ignores that folder); ``--reference`` also writes
``benchmarks/reference_results.json``, the table the book shows.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy
import scipy.special

import activations as A
from activations import fast_cpu
from activations.fast_cpu.blocks import flat_step
from activations.fast_cpu.threads import run as run_blocks

HERE = Path(__file__).resolve().parent
SMALL, LARGE = (64, 1000), (4096, 4096)
DTYPES = ("float32", "float64")
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)

# Which operations each target applies to (see the README).
SOFTMAX_OPS = ("softmax", "log_softmax", "logsumexp", "cross_entropy", "cross_entropy+grad")
ELEMENTWISE_OPS = ("sigmoid", "silu", "gelu_tanh", "relu", "softplus")


# ------------------------------------------------------------------ implementations


def textbook():
    """The formulas as a course writes them in NumPy: one temporary per step."""
    def softmax(x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def log_softmax(x):
        s = x - x.max(axis=-1, keepdims=True)
        return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))

    def logsumexp(x):
        m = x.max(axis=-1, keepdims=True)
        return (m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))[..., 0]

    def cross_entropy(x, t):
        return -log_softmax(x)[np.arange(len(t)), t].mean()

    def cross_entropy_grad(x, t):
        p = softmax(x)
        p[np.arange(len(t)), t] -= 1
        return p / len(t)

    def sigmoid(x):
        with np.errstate(over="ignore"):  # exp(-x) overflows for x < -88 (float32)
            return 1 / (1 + np.exp(-x))

    return {
        "softmax": softmax,
        "log_softmax": log_softmax,
        "logsumexp": logsumexp,
        "cross_entropy": cross_entropy,
        "cross_entropy+grad": lambda x, t: (cross_entropy(x, t), cross_entropy_grad(x, t)),
        "sigmoid": sigmoid,
        "silu": lambda x: x * sigmoid(x),
        "gelu_tanh": lambda x: 0.5 * x * (1 + np.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x**3))),
        "gelu": lambda x: 0.5 * x * (1 + scipy.special.erf(x / math.sqrt(2))),
        "relu": lambda x: np.maximum(x, 0),
        "softplus": lambda x: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))),
    }


def scipy_impl():
    sp = scipy.special
    return {
        "softmax": lambda x: sp.softmax(x, axis=-1),
        "log_softmax": lambda x: sp.log_softmax(x, axis=-1),
        "logsumexp": lambda x: sp.logsumexp(x, axis=-1),
        "sigmoid": sp.expit,
        "silu": lambda x: x * sp.expit(x),
        "gelu": lambda x: x * sp.ndtr(x),
    }


def package():
    return {
        "softmax": lambda x: A.softmax(x),
        "log_softmax": lambda x: A.log_softmax(x),
        "logsumexp": lambda x: A.logsumexp(x),
        "cross_entropy": lambda x, t: A.cross_entropy(x, t),
        "cross_entropy+grad": lambda x, t: A.cross_entropy_with_grad(x, t),
        "sigmoid": A.sigmoid,
        "silu": A.silu,
        "gelu_tanh": lambda x: A.gelu(x, approximate="tanh"),
        "gelu": A.gelu,
        "relu": A.relu,
        "softplus": A.softplus,
    }


def torch_impl(threads):
    try:
        import torch
    except ImportError:
        return None, None
    torch.set_num_threads(threads)
    F = torch.nn.functional

    def ce_grad(z, t):
        z = z.detach().requires_grad_()
        loss = F.cross_entropy(z, t)
        loss.backward()
        return loss, z.grad

    def wrap(f, grad=False):
        def g(*args):
            if grad:
                return f(*args)
            with torch.no_grad():
                return f(*args)
        return g

    impl = {
        "softmax": lambda x: torch.softmax(x, -1),
        "log_softmax": lambda x: torch.log_softmax(x, -1),
        "logsumexp": lambda x: torch.logsumexp(x, -1),
        "cross_entropy": lambda x, t: F.cross_entropy(x, t),
        "sigmoid": torch.sigmoid,
        "silu": F.silu,
        "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
        "gelu": F.gelu,
        "relu": torch.relu,
        "softplus": F.softplus,
    }
    impl = {k: wrap(v) for k, v in impl.items()}
    impl["cross_entropy+grad"] = wrap(ce_grad, grad=True)
    convert = (lambda a: torch.from_numpy(a)), torch.__version__
    return impl, convert


def jax_impl():
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None, None
    jax.config.update("jax_enable_x64", True)
    nn = jax.nn

    def ce(z, t):
        return -jnp.mean(jnp.take_along_axis(nn.log_softmax(z), t[:, None], axis=-1))

    ce_vg = jax.jit(jax.value_and_grad(ce))
    impl = {
        "softmax": jax.jit(lambda x: nn.softmax(x, axis=-1)),
        "log_softmax": jax.jit(lambda x: nn.log_softmax(x, axis=-1)),
        "logsumexp": jax.jit(lambda x: jax.scipy.special.logsumexp(x, axis=-1)),
        "cross_entropy": jax.jit(ce),
        "cross_entropy+grad": ce_vg,
        "sigmoid": jax.jit(nn.sigmoid),
        "silu": jax.jit(nn.silu),
        "gelu_tanh": jax.jit(lambda x: nn.gelu(x, approximate=True)),
        "gelu": jax.jit(lambda x: nn.gelu(x, approximate=False)),
        "relu": jax.jit(nn.relu),
        "softplus": jax.jit(nn.softplus),
    }

    def block(f):
        def g(*args):
            return jax.block_until_ready(f(*args))
        return g

    return {k: block(v) for k, v in impl.items()}, (jnp.asarray, jax.__version__)


# ------------------------------------------------------------------ timing


def _time_calls(f, args, number):
    t0 = time.perf_counter()
    for _ in range(number):
        f(*args)
    return (time.perf_counter() - t0) / number


def time_interleaved(calls, repeat, min_sample=2e-3, settle=0.01):
    """Time each ``name -> (f, args)`` ``repeat`` times, taking turns.

    A fast call is repeated within one sample until the sample lasts about
    ``min_sample`` seconds, so the clock's resolution does not matter.  Each
    turn starts after a pause of ``settle`` seconds: GNU OpenMP's worker
    threads (PyTorch's) keep spinning on a core for milliseconds after a
    call, and the next library's threads would find that core taken (measured:
    the package's exact GELU on 64 x 1000 float64, 2 threads, took 440-590 us
    right after PyTorch's calls and 305-337 us after a pause of 5 ms or more,
    as with no PyTorch call at all).
    """
    number = {}
    for name, (f, args) in calls.items():
        # warm-up: the first call may import a library or compile a kernel (the
        # package's loops: about a second), which must not set the calls per sample
        f(*args)
        t = _time_calls(f, args, 1)
        if t < 0.05:
            t = min(t, *(_time_calls(f, args, 1) for _ in range(3)))
        number[name] = max(1, min(1000, int(min_sample / max(t, 1e-9))))
    samples = {name: [] for name in calls}
    for _ in range(repeat):
        for name, (f, args) in calls.items():
            time.sleep(settle)
            if number[name] > 1:
                # one untimed call first: after another library's turn, the first
                # call can pay for waking up worker threads (PyTorch's OpenMP
                # threads take milliseconds when the other core is busy)
                f(*args)
            samples[name].append(_time_calls(f, args, number[name]))
    return {name: {"median_ms": 1e3 * statistics.median(s), "min_ms": 1e3 * min(s),
                   "max_ms": 1e3 * max(s), "samples": len(s), "calls_per_sample": number[name]}
            for name, s in samples.items()}


def floor_passes(shape, dtype):
    """The floor's two loops over an input of ``shape``: ``exp`` and copy, blocked and threaded.

    Both read the input once and write a preallocated output once, with the
    package's block size and threads; ``exp_pass`` takes one ``exp`` per element.
    """
    x = _inputs(shape, dtype, "elementwise")[0]
    out = np.empty_like(x)
    of = out.reshape(-1)
    xf = x.reshape(-1)
    step = flat_step(x)  # the elementwise loops' blocks
    nblocks = -(-x.size // step)

    def exp_pass():
        run_blocks(lambda i: np.exp(xf[i * step:(i + 1) * step], out=of[i * step:(i + 1) * step]),
                   nblocks, x.size)

    def copy_pass():
        run_blocks(lambda i: np.copyto(of[i * step:(i + 1) * step], xf[i * step:(i + 1) * step]),
                   nblocks, x.size)

    return x, exp_pass, copy_pass


def measure_floor(shape, dtype, repeat):
    """The floor's parts: the two passes, the copy's bandwidth, ``exp`` in cache on one thread."""
    x, exp_pass, copy_pass = floor_passes(shape, dtype)
    xf, of = x.reshape(-1), np.empty_like(x).reshape(-1)
    step = flat_step(x)

    def exp_in_cache():  # exp throughput alone: one block, in cache, one thread
        np.exp(xf[:step], out=of[:step])

    r = time_interleaved({"exp": (exp_pass, ()), "copy": (copy_pass, ()),
                          "exp_cache": (exp_in_cache, ())}, repeat)
    n = x.size
    return {
        "exp_ms": r["exp"]["median_ms"],
        "copy_ms": r["copy"]["median_ms"],
        "bandwidth_GBps": 2 * n * x.itemsize / (r["copy"]["median_ms"] * 1e-3) / 1e9,
        "exp_ns_per_element_one_thread": r["exp_cache"]["median_ms"] * 1e6 / min(step, n),
    }


def _inputs(shape, dtype, kind, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    if kind == "softmax":
        x *= 3  # logits of a moderately confident classifier
        t = rng.integers(0, shape[-1], shape[0])
        return x, t
    return (x,)


# ------------------------------------------------------------------ the run


def run(quick=False, threads=None, only=None, repeat=None):
    """Time every row; the package and PyTorch use ``threads`` threads (default: the package's)."""
    threads = threads or fast_cpu.current().threads
    with fast_cpu.configured(threads=threads):
        return _run(quick, threads, only, repeat)


def _run(quick, threads, only, repeat):
    load_before = _loadavg()
    repeat = repeat or (3 if quick else 9)
    impls = {"package": package(), "numpy": textbook(), "scipy": scipy_impl()}
    converters = {}
    versions = {"python": platform.python_version(), "numpy": np.__version__,
                "scipy": scipy.__version__, "activations": A.__version__}
    for name, (impl, conv) in {"torch": torch_impl(threads), "jax": jax_impl()}.items():
        if impl is not None:
            impls[name] = impl
            converters[name], versions[name] = conv
    ops = list(package())
    if only:
        ops = [op for op in ops if op in only]
    results, floors = [], {}
    for shape in (SMALL, LARGE):
        for dtype in DTYPES:
            if quick and shape == LARGE and dtype != "float32":
                continue  # --quick: the large shape in float32 only
            floors[f"{dtype} {shape[0]}x{shape[1]}"] = measure_floor(shape, dtype, repeat)
            _, exp_pass, copy_pass = floor_passes(shape, dtype)
            for op in ops:
                kind = "softmax" if op in SOFTMAX_OPS else "elementwise"
                args = _inputs(shape, dtype, kind)
                if not op.startswith("cross_entropy"):
                    args = args[:1]
                calls = {}
                for name, impl in impls.items():
                    if op not in impl:
                        continue
                    conv = converters.get(name, lambda a: a)
                    calls[name] = (impl[op], tuple(conv(a) for a in args))
                # the floor is timed in turn with the others, so that it sees the same load
                calls[" floor"] = (copy_pass if op == "relu" else exp_pass, ())
                r = time_interleaved(calls, repeat)
                row = {"op": op, "dtype": dtype, "shape": list(shape),
                       "floor_ms": r.pop(" floor")["median_ms"],
                       "floor_kind": "copy" if op == "relu" else "exp", "results": r}
                if op == "gelu":
                    row["max_rel_error"] = gelu_errors(args[0], impls, converters)
                results.append(row)
                print(_line(row), flush=True)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "threads": threads, "processor": _cpu_name(),
                    "platform": platform.platform(),
                    "load_average_before": load_before, "load_average_after": _loadavg()},
        "versions": versions, "quick": quick, "repeat": repeat,
        "floors": floors, "rows": results,
    }


def gelu_errors(x, impls, converters):
    """Largest relative error of exact GELU against float64 SciPy, over normal results."""
    x64 = x.astype(np.float64)
    ref = x64 * (0.5 * scipy.special.erfc(-x64 / math.sqrt(2)))
    ok = np.abs(ref) >= np.finfo(x.dtype).tiny
    errs = {}
    for name in ("package", "numpy", "torch"):
        if name in impls:
            y = impls[name]["gelu"](converters.get(name, lambda a: a)(x))
            y = np.asarray(y.numpy() if hasattr(y, "numpy") else y, np.float64)
            errs[name] = float(np.max(np.abs(y[ok] - ref[ok]) / np.abs(ref[ok])))
    return errs


def _loadavg():
    """1-minute load average (runnable processes), or None where unknown."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _line(row):
    r = row["results"]
    parts = [f"{row['op']:<20} {row['dtype']} {row['shape'][0]}x{row['shape'][1]}:"]
    parts += [f"{k} {v['median_ms']:.3g} ms" for k, v in r.items()]
    return "  ".join(parts)


# ------------------------------------------------------------------ targets and tables


def ratios(row):
    r = row["results"]
    pkg = r["package"]["median_ms"]
    out = {"floor": pkg / row["floor_ms"]}
    if "torch" in r:
        out["torch"] = pkg / r["torch"]["median_ms"]
    return out


def target(row):
    """``(text, met)`` for the issue's target on this row, or ``None``."""
    rt = ratios(row)
    large = tuple(row["shape"]) == LARGE
    if "torch" not in rt:
        return None
    if not large:
        return "≤ 2× torch", rt["torch"] <= 2.0
    if row["op"] in SOFTMAX_OPS:
        return "≤ 0.8× torch, ≤ 2× floor", rt["torch"] <= 0.8 and rt["floor"] <= 2.0
    if row["op"] in ELEMENTWISE_OPS:
        return "≤ 1× torch", rt["torch"] <= 1.0
    if row["op"] == "gelu" and row["dtype"] == "float32":
        err = row.get("max_rel_error", {}).get("package", math.inf)
        return "≤ 1.5× torch, error < 1e-6", rt["torch"] <= 1.5 and err < 1e-6
    return None


def markdown(report):
    impl_names = ["package", "numpy", "scipy", "torch", "jax"]
    present = [n for n in impl_names if any(n in row["results"] for row in report["rows"])]
    head = ["operation", "dtype", "shape", *[f"{n} ms" for n in present],
            "÷ torch", "÷ floor", "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in report["rows"]:
        cells = [row["op"], row["dtype"], "×".join(map(str, row["shape"]))]
        for n in present:
            v = row["results"].get(n)
            cells.append("" if v is None else
                         f"{_fmt(v['median_ms'])} ({_fmt(v['min_ms'])}–{_fmt(v['max_ms'])})")
        rt = ratios(row)
        cells.append(f"{rt['torch']:.2f}" if "torch" in rt else "")
        cells.append(f"{rt['floor']:.2f}")
        t = target(row)
        cells += ["", ""] if t is None else [t[0], "yes" if t[1] else "**no**"]
        lines.append("| " + " | ".join(cells) + " |")
    m = report["machine"]
    fl = report["floors"].get(f"float32 {LARGE[0]}x{LARGE[1]}")
    notes = [
        "",
        f"Measured {report['date']} on {m['processor']} ({m['cpus']} CPUs, {m['threads']} threads "
        f"for the package and PyTorch), {report['repeat']} interleaved samples per cell; "
        "median (min–max) in milliseconds.  "
        + (f"Load average (1 min) {m['load_average_before']} before and {m['load_average_after']} "
           f"after the run: above {m['cpus']} the machine was shared and every time is inflated.  "
           if m.get("load_average_before") is not None else "")
        + "Versions: "
        + ", ".join(f"{k} {v}" for k, v in report["versions"].items()) + ".",
    ]
    if fl:
        notes.append(
            f"Floor for float32 {LARGE[0]}×{LARGE[1]}: exp pass {_fmt(fl['exp_ms'])} ms, copy "
            f"{_fmt(fl['copy_ms'])} ms ({fl['bandwidth_GBps']:.1f} GB/s read + write), "
            f"exp {fl['exp_ns_per_element_one_thread']:.2f} ns per element on one thread in cache.")
    errs = [row for row in report["rows"] if "max_rel_error" in row and row["dtype"] == "float32"]
    for row in errs:
        e = ", ".join(f"{k} {v:.1e}" for k, v in row["max_rel_error"].items())
        notes.append(f"Exact GELU float32 {'×'.join(map(str, row['shape']))}, largest relative "
                     f"error against float64: {e}.")
    return "\n".join(lines + notes) + "\n"


def _fmt(ms):
    return f"{ms:.3g}" if ms < 100 else f"{ms:.0f}"


def update_readme(table):
    """Put ``table`` between the result markers of benchmarks/README.md."""
    readme = HERE / "README.md"
    text = readme.read_text()
    start, end = "<!-- results start -->\n", "<!-- results end -->\n"
    i, j = text.index(start) + len(start), text.index(end)
    readme.write_text(text[:i] + table + text[j:])


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="3 samples per cell, large shape in float32 only (under a minute)")
    p.add_argument("--repeat", type=int, help="samples per cell (default 9, or 3 with --quick)")
    p.add_argument("--threads", type=int, help="threads for the package and PyTorch")
    p.add_argument("--only", help="comma-separated operations, e.g. softmax,gelu")
    p.add_argument("--out", type=Path, default=HERE / "results")
    p.add_argument("--reference", action="store_true",
                   help="also write benchmarks/reference_results.json (the book's table)")
    a = p.parse_args(argv)
    report = run(quick=a.quick, threads=a.threads, repeat=a.repeat,
                 only=a.only.split(",") if a.only else None)
    a.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=1)
    (a.out / "latest.json").write_text(text)
    table = markdown(report)
    (a.out / "latest.md").write_text(table)
    if a.reference:
        (HERE / "reference_results.json").write_text(text)
        update_readme(table)
    print()
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
