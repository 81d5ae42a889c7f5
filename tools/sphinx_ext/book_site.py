"""A small Sphinx extension for this book's site (loaded from _config.yml, sphinx.local_extensions).

Jupyter Book 1.x adds some inline configuration scripts twice to every page (sphinx-thebe's
``const THEBE_JS_URL = ...`` among them), and the second ``const`` declaration is a JavaScript
SyntaxError in the reader's console (tests/test_browser.py catches it). This extension drops the
duplicates from each page's scripts.

It also makes a click anywhere on a dropdown's title open it. sphinx-togglebutton handles a click
only when it lands on the title element itself or its button: a click on a formula in the title
(an ``mjx-container``) or on emphasised text raises "button is not defined" and nothing opens. The
script below hands such clicks to the title.
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


def setup(app):
    app.add_js_file(None, body=_TITLE_CLICK_JS.strip())
    # Late (high priority number), after the extensions that add scripts to the page context.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
