"""Every page of the built book, opened in headless Chromium from a local web server.

Per page: no raw TeX left in the text, MathJax started and reported no error, every image loaded,
every derivation dropdown opens on a click and shows typeset math, every link into the site points
at a file that exists, and the browser console stayed free of errors. A screenshot of each page goes
to artifacts/screenshots/.

Chromium is Debian's package (``apt-get install chromium``; .ci/run installs it), driven through the
Chrome DevTools Protocol over a websocket (``websocket-client``); no test tool downloads a browser.
Without Chromium the tests skip, saying so. No network is needed: the site serves its own MathJax.
"""

from __future__ import annotations

import base64
import functools
import http.server
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from book_tools import ARTIFACTS, toc_docnames

pytest_plugins = ["book_fixtures"]
pytestmark = pytest.mark.slow

SCREENSHOTS = ARTIFACTS / "screenshots"
# The pages Sphinx writes besides those of _toc.yml; index.html redirects to the root page.
EXTRA_PAGES = ["index", "genindex", "search"]
PAGES = toc_docnames() + EXTRA_PAGES
# Folders of the site that hold no pages of the book.
NOT_PAGES = {"_static", "_sources", "_images", "mathjax", "reports"}


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
        # Chromium refuses websocket clients that send an Origin it does not allow.
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, timeout: float = 60, **params):
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
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
            msg = json.loads(self.ws.recv())
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
        self.profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
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
    def log_message(self, *args):  # the test reports what matters
        pass


@pytest.fixture(scope="module")
def site(built_html):
    """The built book on http://127.0.0.1:<free port>/, served from a thread."""
    handler = functools.partial(_QuietHandler, directory=str(built_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", built_html
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium: install Debian's package (apt-get install chromium) to run the browser test")
    chromium = Chromium(executable)
    yield chromium
    chromium.quit()


# --- what is checked on each page ---------------------------------------------------------

# Waits for MathJax when the page loads it; then gathers what the checks need.
INSPECT = r"""
(async () => {
  const withTimeout = (promise, ms, what) => Promise.race([promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error(what + " timed out")), ms))]);
  const mathOnPage = document.querySelectorAll(".math").length;
  const script = document.querySelector('script[src*="tex-chtml.js"]');
  let mathjax = "absent";
  if (script) {
    const t0 = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() - t0 < 30000)
      await new Promise(r => setTimeout(r, 50));
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) mathjax = "never started";
    else {
      try { await withTimeout(MathJax.startup.promise, 60000, "MathJax.startup.promise"); mathjax = "ready"; }
      catch (e) { mathjax = "failed: " + e; }
    }
  }
  // Images: make lazy ones load, then wait for every one to settle.
  const images = [...document.images];
  images.forEach(img => { img.loading = "eager"; });
  await withTimeout(Promise.all(images.map(img => img.decode().catch(() => null))), 30000, "images")
      .catch(() => null);
  const brokenImages = images.filter(img => !img.complete || img.naturalWidth === 0)
      .map(img => img.getAttribute("src"));
  // Text outside code, scripts and typeset math.
  const skip = "pre, code, script, style, textarea, mjx-container, .highlight, .output";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const rawTex = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement && node.parentElement.closest(skip)) continue;
    const text = node.textContent;
    for (const delim of ["$$", "\\[", "\\("]) {
      const at = text.indexOf(delim);
      if (at >= 0) rawTex.push(text.slice(Math.max(0, at - 40), at + 40));
    }
  }
  const links = [...document.querySelectorAll("a[href], link[href]")].map(a => a.href)
      .concat([...document.querySelectorAll("script[src], img[src]")].map(e => e.src));
  return {
    mathOnPage, mathjax, brokenImages, rawTex, links,
    typeset: document.querySelectorAll("mjx-container").length,
    mathErrors: [...document.querySelectorAll("mjx-merror")]
        .map(e => e.getAttribute("data-mjx-error") || e.textContent),
    derivations: [...document.querySelectorAll(".admonition.dropdown")]
        .filter(d => (d.querySelector(".admonition-title") || {textContent: ""}).textContent.trim()
                     .startsWith("Derivation")).length,
  };
})()
"""

# Scroll the i-th derivation dropdown's title into view; return its centre and whether it is open.
LOCATE_DERIVATION = r"""
(() => {
  const d = [...document.querySelectorAll(".admonition.dropdown")]
      .filter(d => d.querySelector(".admonition-title").textContent.trim().startsWith("Derivation"))[%d];
  const title = d.querySelector(".admonition-title");
  title.scrollIntoView({block: "center"});
  const r = title.getBoundingClientRect();
  return {x: r.left + Math.min(r.width / 2, 200), y: r.top + r.height / 2,
          title: title.textContent.trim(), open: !d.classList.contains("toggle-hidden")};
})()
"""

# After the click: is the dropdown open, with typeset math inside that is visible?
DERIVATION_STATE = r"""
(async () => {
  await new Promise(r => setTimeout(r, 400));  // the toggle animates
  const d = [...document.querySelectorAll(".admonition.dropdown")]
      .filter(d => d.querySelector(".admonition-title").textContent.trim().startsWith("Derivation"))[%d];
  const math = [...d.querySelectorAll("mjx-container")];
  const visible = math.filter(m => { const r = m.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  return {open: !d.classList.contains("toggle-hidden"), math: math.length, visibleMath: visible.length,
          errors: d.querySelectorAll("mjx-merror").length};
})()
"""


def _console_errors(events: list[dict]) -> list[str]:
    errors = []
    for msg in events:
        method, params = msg["method"], msg.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            errors.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            errors.append(f"{entry.get('text', '')} {entry.get('url', '')}".strip())
    return errors


def _missing_targets(links: list[str], base: str, html: Path) -> list[str]:
    """Links into the site whose file does not exist."""
    missing = set()
    for link in links:
        if not link.startswith(base):
            continue
        path = urllib.parse.unquote(urllib.parse.urlsplit(link).path)
        target = html / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            missing.add(link)
    return sorted(missing)


def test_every_built_page_is_checked(built_html):
    """PAGES (from _toc.yml) covers every page Sphinx wrote, so no page escapes the browser test."""
    built = {str(p.relative_to(built_html).with_suffix("")) for p in built_html.rglob("*.html")
             if not NOT_PAGES & set(p.relative_to(built_html).parts)}
    assert built == set(PAGES), f"pages not covered: {built - set(PAGES)}; not built: {set(PAGES) - built}"


def test_the_book_has_derivation_dropdowns(site):
    """The dropdown check below must not pass vacuously: the book has at least one derivation."""
    _, html = site
    dropdown = re.compile(r'<div class="[^"]*\bdropdown\b[^"]*">\s*<p class="admonition-title">Derivation')
    pages = [p for p in html.rglob("*.html") if dropdown.search(p.read_text(encoding="utf-8"))]
    assert pages, "no derivation dropdown anywhere in the book"


@pytest.mark.parametrize("page", PAGES)
def test_page_in_browser(page, site, browser):
    base, html = site
    tab = browser.new_page()
    problems = []
    try:
        tab.send("Page.enable")
        tab.send("Runtime.enable")
        tab.send("Log.enable")
        tab.send("Emulation.setDeviceMetricsOverride", width=1280, height=1000, deviceScaleFactor=1,
                 mobile=False)
        tab.send("Page.navigate", url=f"{base}{page}.html")
        tab.wait_for("Page.loadEventFired")
        if page == "index":  # a redirect to the root page: check where it lands
            time.sleep(0.5)
            tab.wait_for("Page.loadEventFired", timeout=30)
        info = tab.evaluate(INSPECT, timeout=120)

        if info["mathOnPage"]:
            if info["mathjax"] != "ready":
                problems.append(f"page has {info['mathOnPage']} formulas but MathJax is {info['mathjax']}")
            elif info["typeset"] < info["mathOnPage"]:
                problems.append(f"{info['mathOnPage']} formulas but only {info['typeset']} typeset")
        if info["mathErrors"]:
            problems.append(f"MathJax errors: {info['mathErrors']}")
        if info["rawTex"]:
            problems.append(f"raw TeX delimiters in the text: {info['rawTex']}")
        if info["brokenImages"]:
            problems.append(f"images that did not load: {info['brokenImages']}")
        missing = _missing_targets(info["links"], base, html)
        if missing:
            problems.append(f"links to files that do not exist: {missing}")

        for i in range(info["derivations"]):
            where = tab.evaluate(LOCATE_DERIVATION % i)
            if where["open"]:
                problems.append(f"derivation {where['title']!r} is open before any click")
            for kind in ("mousePressed", "mouseReleased"):
                tab.send("Input.dispatchMouseEvent", type=kind, x=where["x"], y=where["y"],
                         button="left", clickCount=1)
            state = tab.evaluate(DERIVATION_STATE % i)
            if not state["open"]:
                problems.append(f"derivation {where['title']!r} did not open on a click")
            elif not state["visibleMath"] or state["errors"]:
                problems.append(f"derivation {where['title']!r} opened without visible typeset math: {state}")

        # Screenshot of the whole page (up to 8000 px), derivations opened: the window is made as
        # tall as the page, so the layout is the one a reader scrolls through.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = int(min(tab.evaluate("document.documentElement.scrollHeight"), 8000))
        tab.send("Emulation.setDeviceMetricsOverride", width=1280, height=height, deviceScaleFactor=1,
                 mobile=False)
        tab.evaluate("window.scrollTo(0, 0); new Promise(r => setTimeout(r, 300))")
        shot = tab.send("Page.captureScreenshot", format="png")
        (SCREENSHOTS / f"{page.replace('/', '__')}.png").write_bytes(base64.b64decode(shot["data"]))

        # Let late messages arrive, then read the console.
        tab.send("Runtime.evaluate", expression="1")
        errors = _console_errors(tab.events)
        if errors:
            problems.append(f"console errors: {errors}")
    finally:
        tab.close()
    assert not problems, f"{page}.html:\n  " + "\n  ".join(problems)
