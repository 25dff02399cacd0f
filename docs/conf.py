"""Sphinx configuration for the webapi_kit documentation.

Build with warnings as errors, as CI does::

    sphinx-build -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import builtins
import glob
import os
import sys

import django
from django.conf import settings
from docutils import nodes
from sphinx import addnodes

# The repository root, so that ``import webapi_kit`` finds the source tree.
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)

# autodoc imports the modules, and they import Django models and settings:
# a minimal configuration is enough (no database is ever touched).
if not settings.configured:
    settings.configure(
        SECRET_KEY="webapi-kit-docs-only",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "webapi_kit",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        USE_TZ=True,
    )
    django.setup()

import webapi_kit  # noqa: E402  (after django.setup())

# -- Project -----------------------------------------------------------------

project = "webapi_kit"
author = "The webapi_kit developers"
copyright = "the webapi_kit developers"  # noqa: A001 - Sphinx's name
version = ".".join(webapi_kit.__version__.split(".")[:2])
release = webapi_kit.__version__

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

# No network at build time: no intersphinx, and unresolved references to
# Django or the standard library are not warnings.
nitpicky = False

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
language = "en"
pygments_style = "sphinx"

# -- autodoc -----------------------------------------------------------------

autodoc_default_options = {
    "members": True,
    "undoc-members": True,
    "show-inheritance": True,
    "member-order": "bysource",
}
# Types in the signatures, as written in the code (short names).
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_class_signature = "mixed"
autodoc_preserve_defaults = True

# -- HTML --------------------------------------------------------------------

html_theme = "alabaster"
html_title = f"webapi_kit {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "Hypermedia REST APIs for Django, in the Review Board dialect.",
    "fixed_sidebar": True,
}


# -- Docstring touch-ups -----------------------------------------------------

_BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_"))


def _unlink_builtins(app, doctree):
    """Leave builtin names in signatures (``type[Model]``) unlinked.

    Without intersphinx they have no target, and the Python domain's fuzzy
    search would otherwise link ``type`` to some class's ``type`` attribute
    (``WebAPIError.type``) -- or warn that it found several.
    """
    for node in list(doctree.findall(addnodes.pending_xref)):
        if node.get("refdomain") == "py" and node.get("reftarget") in _BUILTIN_NAMES:
            node.replace_self(node.children or [nodes.Text(node["reftarget"])])


def _check_settings_documented(app, docname, source):
    """Warn (an error under ``-W``) when a ``WEBAPI_KIT`` key is not documented.

    The settings page is written by hand; this keeps it from falling behind
    ``webapi_kit.conf.DEFAULTS``.
    """
    if docname != "guide/settings":
        return
    from sphinx.util import logging

    from webapi_kit.conf import DEFAULTS

    for key in DEFAULTS:
        if f"``{key}``" not in source[0]:
            logging.getLogger(__name__).warning(
                "setting %s (webapi_kit.conf.DEFAULTS) is not documented", key, location=docname
            )


def _services_when_present(app, docname, source):
    """Drop the ``services/*`` toctree entry while no service chapter exists.

    The chapters in ``docs/services/`` are written separately; an empty glob
    would be a warning, and the build must pass with or without them.
    """
    if docname == "index" and not glob.glob(os.path.join(app.srcdir, "services", "*.rst")):
        source[0] = source[0].replace("\n   services/*\n", "\n")


def _reread_index(app, env, added, changed, removed):
    # Whether the services entry is kept depends on other files: re-read the
    # index on every build so that an incremental build notices new chapters.
    return ["index"]


def setup(app):
    app.connect("doctree-read", _unlink_builtins)
    app.connect("source-read", _check_settings_documented)
    app.connect("source-read", _services_when_present)
    app.connect("env-get-outdated", _reread_index)
