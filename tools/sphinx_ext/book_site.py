"""A small Sphinx extension for this book's site (loaded from _config.yml, sphinx.local_extensions).

Jupyter Book 1.x adds some inline configuration scripts twice to every page (sphinx-thebe's
``const THEBE_JS_URL = ...`` among them), and the second ``const`` declaration is a JavaScript
SyntaxError in the reader's console (tests/test_browser.py catches it). This extension drops the
duplicates from each page's scripts.

It also makes a click anywhere on a dropdown's title open it. sphinx-togglebutton handles a click
only when it lands on the title element itself or its button: a click on a formula in the title
(an ``mjx-container``) or on emphasised text raises "button is not defined" and nothing opens. The
script below hands such clicks to the title.

Editions (``book_edition``, set by ``tools/build_book.py --edition``; see the README): the default
``full`` edition is the book as written. The ``student`` edition keeps every exercise and leaves out
every solution: the nodes of ``{solution}`` and of gated ``{solution-start}``/``{solution-end}``
blocks (with the code cells and outputs inside them) are removed from each page's doctree when it is
written, links to a solution become plain text, and the page sources (``_sources/``, with the
solutions in them) are neither copied nor offered for download. The removal runs at write time
(``doctree-resolved``), so the value is an ``html`` rebuild setting: a student build can reuse the
doctrees, and so the executed notebooks, of a full build.

sphinx-exercise's own ``hide_solutions`` is not used: it drops the directive of a gated solution
but leaves the code cells between ``solution-start`` and ``solution-end`` on the page.
"""

from __future__ import annotations


def _key(script) -> tuple:
    """Same file, or same inline body, with the same attributes; the priority does not matter.

    An inline script's filename is ``None`` when added once and ``""`` when added again (from the
    registry), which is why Sphinx's own check lets the second copy through.
    """
    attributes = tuple(sorted((str(k), str(v)) for k, v in getattr(script, "attributes", {}).items()))
    return (getattr(script, "filename", str(script)) or "", attributes)


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


# Runs in the capture phase, before sphinx-togglebutton's handler on the title sees the click.
_TITLE_CLICK_JS = """
document.addEventListener("click", (event) => {
  const title = event.target.closest && event.target.closest(".toggle > .admonition-title");
  if (!title || event.target === title || event.target.closest(".toggle-button, a")) return;
  event.stopPropagation();
  event.preventDefault();
  title.click();
}, true);
"""


EDITIONS = ("full", "student")


def _check_edition(app, config):
    if config.book_edition not in EDITIONS:
        raise ValueError(f"book_edition must be one of {EDITIONS}, not {config.book_edition!r}")
    if config.book_edition == "student":
        # The sources hold the solutions: neither copy them nor offer them for download.
        config.html_copy_source = False
        config.html_show_sourcelink = False
        config.html_theme_options = {**(config.html_theme_options or {}), "use_download_button": False}


def _solution_labels(env) -> set[str]:
    registry = getattr(env, "sphinx_exercise_registry", {}) or {}
    return {label for label, entry in registry.items() if str(entry.get("type", "")).startswith("solution")}


def _remove_solutions(app, doctree, docname):
    """Student edition: drop every solution (and what a gated one encloses) from the page."""
    if app.config.book_edition != "student":
        return
    from docutils import nodes
    from sphinx_exercise.nodes import solution_end_node, solution_node, solution_start_node

    kinds = (solution_node, solution_start_node, solution_end_node)
    removed_ids = set(_solution_labels(app.env))
    for node in list(doctree.findall(lambda n: isinstance(n, kinds))):
        removed_ids.update(node.get("ids", []))
        for inner in node.findall(nodes.Element):
            removed_ids.update(inner.get("ids", []))
        node.parent.remove(node)
    # A link to a solution (on this page or another) would point at nothing: keep its text only.
    for ref in list(doctree.findall(nodes.reference)):
        target = ref.get("refid") or (ref.get("refuri", "").rpartition("#")[2] if "#" in ref.get("refuri", "") else "")
        if target and target in removed_ids:
            ref.replace_self(nodes.inline("", "", *ref.children))


def _html_handlers_for_singlehtml(app):
    """Give the single-page builder (the PDF's) every HTML visitor that extensions registered.

    Sphinx looks a node's visitor up by builder name and falls back to the format (``html``) only
    when no extension registered any visitor for that name; some do for ``singlehtml``, and then
    myst-nb's ``HideCodeCellNode`` (a cell tagged ``hide-input``) has none there and the build stops.
    """
    handlers = app.registry.translation_handlers
    if app.builder.name != "html" and app.builder.format == "html" and app.builder.name in handlers:
        for node, visitors in handlers.get("html", {}).items():
            handlers[app.builder.name].setdefault(node, visitors)


# Accessibility fixes of what the theme and the extensions write (found by axe-core in
# tests/test_browser.py):
# - An accessible name must contain the label a reader sees (WCAG 2.5.3, Label in Name), or a voice
#   command that says the visible words finds nothing. myst-nb's "Show code cell source" summaries are
#   named "Toggle hidden content", and the theme's search field "Search" while it shows "Search Ctrl+K":
#   name them by what they show. The colour-mode button's icons carry titles ("Light", "Dark") that
#   are not in its name "Color mode": the icons are decoration, the button's name says what it does.
# - A code block that scrolls sideways is a tab stop also after a dropdown around it opens.
# - The bibliography's list (role="list") holds entries with role "doc-biblioentry", which ARIA 1.3
#   deprecates and which a list may not hold: they are list items.
_A11Y_JS = """
const bookA11y = () => {
  document.querySelectorAll("details > summary[aria-label], .search-button-field[aria-label]").forEach((el) => {
    const shown = el.innerText.replace(/\\s+/g, " ").trim();
    if (shown && !el.getAttribute("aria-label").toLowerCase().includes(shown.toLowerCase())) el.removeAttribute("aria-label");
  });
  // Font Awesome may already have turned the <i title> icons into <svg> with a <title> inside.
  document.querySelectorAll(".theme-switch-button i, .theme-switch-button svg").forEach((icon) => {
    icon.removeAttribute("title");
    icon.removeAttribute("aria-labelledby");
    icon.querySelectorAll("title").forEach((t) => t.remove());
    icon.setAttribute("aria-hidden", "true");
  });
  document.querySelectorAll('[role="list"] > [role="doc-biblioentry"]').forEach((entry) => {
    entry.setAttribute("role", "listitem");
  });
};
document.addEventListener("DOMContentLoaded", bookA11y);
window.addEventListener("load", bookA11y);
// A code block wider than the column scrolls; a keyboard reader must be able to reach it to scroll it
// (WCAG 2.1.1). The theme gives such blocks a tab stop when the page loads or resizes, but not when a
// dropdown opens (a block in a closed dropdown has no size): do it again whenever one opens or closes.
const bookTabStops = () => {
  document.querySelectorAll("pre, .cell_output > .output").forEach((block) => {
    block.tabIndex = (block.scrollWidth > block.clientWidth || block.scrollHeight > block.clientHeight) ? 0 : -1;
  });
};
let bookTabStopsPending = null;
const bookTabStopsLater = () => {
  clearTimeout(bookTabStopsPending);
  bookTabStopsPending = setTimeout(bookTabStops, 350);  // after the theme's own pass (300 ms)
};
document.addEventListener("DOMContentLoaded", () => {
  const main = document.getElementById("main-content");
  if (main) new MutationObserver(bookTabStopsLater).observe(main, {subtree: true, attributes: true, attributeFilter: ["class", "open"]});
});
document.addEventListener("toggle", bookTabStopsLater, true);
"""


def _add_static_path(app):
    from pathlib import Path

    static = str(Path(__file__).resolve().parent / "static")
    if static not in app.config.html_static_path:
        app.config.html_static_path.append(static)


def setup(app):
    app.connect("builder-inited", _add_static_path)
    app.add_css_file("book_site.css")
    app.add_js_file(None, body=_A11Y_JS.strip())
    app.connect("builder-inited", _html_handlers_for_singlehtml)
    app.add_config_value("book_edition", "full", "html", types=[str])
    app.connect("config-inited", _check_edition)
    app.connect("doctree-resolved", _remove_solutions)
    app.add_js_file(None, body=_TITLE_CLICK_JS.strip())
    # Late (high priority number), after the extensions that add scripts to the page context.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
