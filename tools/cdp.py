"""Headless Chromium driven through the Chrome DevTools Protocol (CDP), with no test tool's browser.

Debian's ``chromium`` package (``apt-get install chromium``) and ``websocket-client`` (in
requirements.txt) are all it needs: no browser download. Used by tools/build_pdf.py (printing the
single-page book to PDF) and tests/test_browser.py (every page of the site).
"""

from __future__ import annotations

import http.server
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from functools import partial
from pathlib import Path


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


# --- a minimal Chrome DevTools Protocol client ----------------------------------------------

class DevTools:
    """One websocket to one page target: send commands, collect events."""

    def __init__(self, ws_url: str, close_url: str | None = None):
        import websocket  # websocket-client

        self.close_url = close_url
        # Chromium refuses websocket clients that send an Origin it does not allow.  Without the
        # optional C helper (wsaccel), websocket-client checks a text frame's UTF-8 one byte at a time
        # in Python: 0.2 s per MB, for screenshots and PDFs of several MB.  Decoding the frame to str
        # (what json.loads below does) checks the same thing at C speed.
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True,
                                              skip_utf8_validation=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def _recv(self, deadline: float) -> dict:
        """The next message, waiting at most until ``deadline`` (a long command answers late)."""
        self.ws.settimeout(max(deadline - time.monotonic(), 0.1))
        return json.loads(self.ws.recv())

    def send(self, method: str, timeout: float = 60, **params):
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self._recv(deadline)
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(f"no answer to {method} within {timeout} s")

    def wait_for(self, event: str, timeout: float = 60) -> dict:
        for i, msg in enumerate(self.events):
            if msg["method"] == event:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self._recv(deadline)
            if msg.get("method") == event:
                return msg
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(f"no {event} within {timeout} s")

    def evaluate(self, expression: str, timeout: float = 60):
        """Evaluate JavaScript (awaiting a promise) and return its JSON value."""
        result = self.send("Runtime.evaluate", timeout=timeout, expression=expression,
                           awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise RuntimeError(f"JavaScript raised: {text}")
        return result["result"].get("value")

    def close(self):
        self.ws.close()
        if self.close_url:  # close the tab too, not only our connection to it
            with urllib.request.urlopen(self.close_url, timeout=30):
                pass


class Chromium:
    """Headless Chromium with remote debugging on a free port, in a throw-away profile."""

    def __init__(self, executable: str):
        self.profile = tempfile.TemporaryDirectory(prefix="chromium-profile-", ignore_cleanup_errors=True)
        self.proc = subprocess.Popen(
            [executable, "--headless", "--remote-debugging-port=0", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
             "--window-size=1280,1000", f"--user-data-dir={self.profile.name}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().count("\n") >= 1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.quit()
                raise RuntimeError(f"Chromium did not start (exit {self.proc.returncode})")
            time.sleep(0.1)
        self.port = int(port_file.read_text().splitlines()[0])

    def new_page(self) -> DevTools:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(req, timeout=30) as resp:
            target = json.load(resp)
        return DevTools(target["webSocketDebuggerUrl"],
                        close_url=f"http://127.0.0.1:{self.port}/json/close/{target['id']}")

    def quit(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.profile.cleanup()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # callers report what matters
        pass

    def end_headers(self):
        # The folder does not change while it is served: the browser may keep what it fetched (the
        # theme's scripts and styles, MathJax and its fonts) for the next page without asking again.
        self.send_header("Cache-Control", "max-age=3600")
        super().end_headers()


@contextmanager
def serve(folder: Path):
    """``folder`` on http://127.0.0.1:<free port>/ from a thread; yields the base URL."""
    handler = partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
