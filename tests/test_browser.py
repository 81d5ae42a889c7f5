"""Every page of the built book, opened in headless Chromium from a local web server (index.html, which
only redirects, is checked to land on the root page).

Per page: no raw TeX left in the text, MathJax started and reported no error, every image loaded,
every derivation dropdown opens on a click and shows typeset math, every link into the site points
at a file that exists, and the browser console stayed free of errors. A screenshot of each page (its
first 8000 px) goes to artifacts/screenshots/.

Accessibility, per page: every image has a non-empty alt text; the headings of the page go down one
level at a time (no h2 followed by an h4) and the page opens with its h1; axe-core (the npm package,
unpacked into _vendor/ and injected into the page, no network) finds no critical or serious violation
of WCAG 2 A/AA, checked with every dropdown open. Then, on the same page, in the theme's dark mode (the
reader's system switched to ``prefers-color-scheme: dark``, which the theme follows): the page is
dark, axe-core again finds no such violation, and every figure, wherever it is on the page, stays
readable: a screenshot of it shows its ink against a light backdrop (contrast ratio at least 3, WCAG's
minimum for graphics). Those screenshots go to artifacts/screenshots/dark/.

Chromium is Debian's package (``apt-get install chromium``; .ci/run installs it), driven through the
Chrome DevTools Protocol over a websocket (``websocket-client``); no test tool downloads a browser.
Without Chromium the tests skip, saying so. No network is needed: the site serves its own MathJax.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import time
import urllib.parse
from pathlib import Path

import pytest

from book_tools import ARTIFACTS, ROOT, ensure_axe, toc_docnames
from cdp import Chromium, find_chromium, serve

pytest_plugins = ["book_fixtures"]
pytestmark = pytest.mark.slow

SCREENSHOTS = ARTIFACTS / "screenshots"
# The pages Sphinx writes besides those of _toc.yml; index.html redirects to the root page.
EXTRA_PAGES = ["index", "genindex", "search"]
# sphinx-proof writes an index of the proofs, theorems, ... when a page has one ({prf:...} directives).
if any("{prf:" in (ROOT / f"{name}.md").read_text(encoding="utf-8")
       for name in toc_docnames() if (ROOT / f"{name}.md").is_file()):
    EXTRA_PAGES.append("prf-prf")
PAGES = toc_docnames() + EXTRA_PAGES
# Folders of the site that hold no pages of the book.
NOT_PAGES = {"_static", "_sources", "_images", "mathjax", "reports"}


@pytest.fixture(scope="module")
def site(built_html):
    """The built book on http://127.0.0.1:<free port>/, served from a thread."""
    with serve(built_html) as base:
        yield base, built_html


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
  const withoutAlt = images.filter(img => !(img.getAttribute("alt") || "").trim())
      .map(img => img.getAttribute("src"));
  const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const headings = [...article.querySelectorAll("h1, h2, h3, h4, h5, h6")]
      .filter(h => h.getClientRects().length || h.closest(".toggle-hidden, details"))
      .map(h => ({level: Number(h.tagName[1]), text: h.textContent.replace(/#$/, "").trim().slice(0, 60)}));
  const links = [...document.querySelectorAll("a[href], link[href]")].map(a => a.href)
      .concat([...document.querySelectorAll("script[src], img[src]")].map(e => e.src));
  return {
    mathOnPage, mathjax, brokenImages, rawTex, links, withoutAlt, headings,
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

# After the click: is the dropdown open, with typeset math inside that is visible?  Polls until it
# is (the toggle animates), for at most two seconds.
DERIVATION_STATE = r"""
(async () => {
  const d = [...document.querySelectorAll(".admonition.dropdown")]
      .filter(d => d.querySelector(".admonition-title").textContent.trim().startsWith("Derivation"))[%d];
  const state = () => {
    const math = [...d.querySelectorAll("mjx-container")];
    const visible = math.filter(m => { const r = m.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
    return {open: !d.classList.contains("toggle-hidden"), math: math.length, visibleMath: visible.length,
            errors: d.querySelectorAll("mjx-merror").length};
  };
  const t0 = Date.now();
  let s = state();
  while (!(s.open && s.visibleMath) && Date.now() - t0 < 2000) {
    await new Promise(r => setTimeout(r, 25));
    s = state();
  }
  return s;
})()
"""

# Two animation frames: the styles and layout of what a script just changed are applied.
NEXT_FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


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


# axe-core's rules for WCAG 2.0/2.1 levels A and AA (not its experimental ones); a critical or serious
# finding fails the page.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAIL = {"critical", "serious"}
AXE_RUN = r"""
(async () => {
  // axe-core's stable rules with these tags; its experimental rules are not part of the standard set.
  const rules = axe.getRules(%s).filter(r => !r.tags.includes("experimental")).map(r => r.ruleId);
  const result = await axe.run(document, {runOnly: {type: "rule", values: rules}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.length, targets: v.nodes.slice(0, 4).map(n => n.target.join(" "))}));
})()
""" % json.dumps(AXE_TAGS)


@pytest.fixture(scope="module")
def axe_source() -> str:
    return ensure_axe().read_text(encoding="utf-8")


def axe_violations(tab, axe_source: str) -> list[dict]:
    """Critical and serious WCAG 2 A/AA violations axe-core finds in the page as it is now."""
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.send("Runtime.evaluate", expression=axe_source, returnByValue=True)
    found = tab.evaluate(AXE_RUN, timeout=120)
    return [v for v in found if v["impact"] in AXE_FAIL]


def _format_axe(violations: list[dict]) -> str:
    return "; ".join(f"{v['impact']} {v['id']} ({v['help']}) x{v['nodes']}: {v['targets']}" for v in violations)


def heading_problems(headings: list[dict]) -> list[str]:
    """Headings that skip a level on the way down, or a page that does not open with an h1."""
    problems = []
    if headings and headings[0]["level"] != 1:
        problems.append(f"the first heading is h{headings[0]['level']} ({headings[0]['text']!r}), not h1")
    for before, after in zip(headings, headings[1:]):
        if after["level"] > before["level"] + 1:
            problems.append(f"h{before['level']} {before['text']!r} is followed by h{after['level']} {after['text']!r}")
    return problems


def _luminance(rgb):
    """WCAG relative luminance of sRGB values in [0, 1] (any array shape ending in 3)."""
    import numpy as np

    c = np.asarray(rgb, dtype=float)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def screenshot_pixels(png: bytes):
    """A PNG screenshot as an array of 8-bit sRGB values, rows by columns by 3."""
    import numpy as np
    from PIL import Image  # a dependency of Matplotlib

    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"))


def figure_screenshots(tab, boxes: list[dict]) -> list[tuple[dict, bytes]]:
    """``(box, PNG)`` for each figure box of ``boxes`` (CSS pixels at scale 1, in the page's
    coordinates), wherever it is on the page: scrolled into the window, then captured alone.  Only
    the whole pixels inside the box, so that no page colour around it is counted; boxes under 8
    pixels a side are left out."""
    shots = []
    for box in boxes:
        x0, y0 = math.ceil(box["x"]), math.ceil(box["y"])
        x1, y1 = math.floor(box["x"] + box["width"]), math.floor(box["y"] + box["height"])
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        tab.evaluate(f"window.scrollTo(0, {max(0, y0 - 100)}); " + NEXT_FRAMES)
        shot = tab.send("Page.captureScreenshot", format="png", optimizeForSpeed=True,
                        clip={"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0, "scale": 1})
        shots.append((box, base64.b64decode(shot["data"])))
    return shots


def figure_contrast(pixels) -> tuple[float, float]:
    """(contrast ratio of ink against backdrop, backdrop luminance) in the 8-bit pixels of a figure.

    The backdrop is the most common luminance (the figure's background as the reader sees it, page
    colour showing through any transparent pixels); the ink is the darkest or lightest 2 % of the
    pixels, whichever differs more from it: axes, labels and curves.
    """
    import numpy as np

    lum = _luminance(pixels / 255.0).ravel()
    counts, edges = np.histogram(lum, bins=50, range=(0.0, 1.0))
    backdrop = float(edges[np.argmax(counts)] + edges[1] / 2)
    dark, light = float(np.quantile(lum, 0.02)), float(np.quantile(lum, 0.98))
    ink = dark if abs(backdrop - dark) >= abs(light - backdrop) else light
    hi, lo = max(backdrop, ink), min(backdrop, ink)
    return (hi + 0.05) / (lo + 0.05), backdrop


# Where each figure of the page is (content images only: the theme has none of its own).
FIGURE_BOXES = r"""
(async () => {
  const images = [...document.querySelectorAll("article.bd-article img")];
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  return images.filter(img => img.naturalWidth > 0).map(img => {
    const r = img.getBoundingClientRect();
    return {src: img.getAttribute("src"), x: r.left + window.scrollX, y: r.top + window.scrollY,
            width: r.width, height: r.height};
  });
})()
"""


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


def test_index_redirects_to_the_root_page(site, browser):
    """index.html only sends the reader on to the root page, which the test below checks itself."""
    base, _ = site
    root = toc_docnames()[0]
    tab = browser.new_page()
    try:
        tab.send("Page.enable")
        tab.send("Page.navigate", url=f"{base}index.html")
        tab.wait_for("Page.loadEventFired")
        time.sleep(0.5)  # the redirect is a meta refresh: a second load follows
        tab.wait_for("Page.loadEventFired", timeout=30)
        landed = tab.evaluate("location.pathname")
    finally:
        tab.close()
    assert landed == f"/{root}.html", f"index.html led to {landed}, not to the root page {root}.html"


@pytest.mark.parametrize("page", [page for page in PAGES if page != "index"])
def test_page_in_browser(page, site, browser, axe_source):
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
        if info["withoutAlt"]:
            problems.append(f"images without alt text: {info['withoutAlt']}")
        problems += [f"headings: {p}" for p in heading_problems(info["headings"])]
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

        # axe-core with every dropdown open, so that what they hide is checked too.
        # Transitions off first: axe must not measure the contrast of text that is still fading in.
        # Then wait as a reader would: the theme gives a code block that has become scrollable a
        # keyboard stop (tabindex) 300 ms after the page's content changes (a debounced handler).
        tab.evaluate("(() => { const s = document.createElement('style');"
                     "s.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }';"
                     "document.head.appendChild(s);"
                     "document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));"
                     "document.querySelectorAll('details').forEach(d => { d.open = true; });"
                     "return new Promise(r => setTimeout(() => r(true), 500)); })()")
        violations = axe_violations(tab, axe_source)
        if violations:
            problems.append(f"axe-core (WCAG 2 A/AA): {_format_axe(violations)}")

        # Screenshot of the whole page (up to 8000 px), derivations opened: the window is made as
        # tall as the page, so the layout is the one a reader scrolls through.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = int(min(tab.evaluate("document.documentElement.scrollHeight"), 8000))
        tab.send("Emulation.setDeviceMetricsOverride", width=1280, height=height, deviceScaleFactor=1,
                 mobile=False)
        tab.evaluate("window.scrollTo(0, 0); " + NEXT_FRAMES)
        shot = tab.send("Page.captureScreenshot", format="png", optimizeForSpeed=True)
        (SCREENSHOTS / f"{page.replace('/', '__')}.png").write_bytes(base64.b64decode(shot["data"]))

        # Let late messages arrive, then read the console.
        tab.send("Runtime.evaluate", expression="1")
        errors = _console_errors(tab.events)
        if errors:
            problems.append(f"console errors: {errors}")

        # The same page, the reader's system switched to dark mode (the theme follows the change).
        problems += [f"dark mode: {p}" for p in dark_mode_problems(tab, page, axe_source)]
    finally:
        tab.close()
    assert not problems, f"{page}.html:\n  " + "\n  ".join(problems)


DARK_SCREENSHOTS = SCREENSHOTS / "dark"
MIN_FIGURE_CONTRAST = 3.0  # WCAG 2.1 SC 1.4.11, non-text contrast

# Waits (at most ten seconds) until the theme has switched the page to dark mode.
THEME_IS_DARK = r"""
(async () => {
  const t0 = Date.now();
  while (document.documentElement.dataset.theme !== "dark" && Date.now() - t0 < 10000)
    await new Promise(r => setTimeout(r, 25));
  await %s;
  return document.documentElement.dataset.theme || "";
})()
""" % NEXT_FRAMES


def dark_mode_problems(tab, page: str, axe_source: str) -> list[str]:
    """The reader's system asks for dark colours: the theme follows, the page stays accessible
    (axe-core, dropdowns still open) and every figure readable.  ``tab`` shows ``page`` with its
    transitions off."""
    problems = []
    tab.send("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "dark"}])
    theme = tab.evaluate(THEME_IS_DARK, timeout=30)
    background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
    rgb = [int(v) / 255 for v in re.findall(r"\d+", background)[:3]]
    if theme != "dark" or float(_luminance(rgb)) > 0.2:
        problems.append(f"the page did not switch to dark mode (data-theme={theme!r}, body {background})")
    violations = axe_violations(tab, axe_source)
    if violations:
        problems.append(f"axe-core (WCAG 2 A/AA): {_format_axe(violations)}")
    DARK_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = figure_screenshots(tab, tab.evaluate(FIGURE_BOXES, timeout=60))
    for number, (box, shot) in enumerate(shots, start=1):
        (DARK_SCREENSHOTS / f"{page.replace('/', '__')}__figure{number}.png").write_bytes(shot)
        contrast, backdrop = figure_contrast(screenshot_pixels(shot))
        if contrast < MIN_FIGURE_CONTRAST:
            problems.append(f"figure {box['src']} is hard to read: contrast {contrast:.2f} "
                            f"of its ink against its backdrop (luminance {backdrop:.2f})")
    return problems


def test_the_dark_mode_figure_check_can_fail(tmp_path, browser):
    """The control for the figure check above: a transparent figure with dark ink on a dark page fails
    it, the same figure on a white backdrop (as the theme gives figures) passes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2), dpi=100)
    ax.plot([0, 1, 2], [0, 1, 0], color="black")
    fig.savefig(tmp_path / "figure.png", transparent=True)
    plt.close(fig)
    for name, backdrop in (("dark", "#121212"), ("light", "#ffffff")):
        (tmp_path / f"{name}.html").write_text(
            f'<!doctype html><html lang="en"><body style="background:#121212;margin:0">'
            f'<img src="figure.png" alt="a tent function" style="background:{backdrop}"></body></html>',
            encoding="utf-8")
    contrasts = {}
    with serve(tmp_path) as base:
        tab = browser.new_page()
        try:
            tab.send("Page.enable")
            for name in ("dark", "light"):
                tab.send("Page.navigate", url=f"{base}{name}.html")
                tab.wait_for("Page.loadEventFired")
                boxes = tab.evaluate(FIGURE_BOXES.replace("article.bd-article img", "img"))
                [(_, shot)] = figure_screenshots(tab, boxes)
                contrasts[name] = figure_contrast(screenshot_pixels(shot))[0]
        finally:
            tab.close()
    assert contrasts["dark"] < MIN_FIGURE_CONTRAST <= contrasts["light"], contrasts
