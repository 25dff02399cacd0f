"""Finding the pages' templates: the site's first, then the package's.

Templates are looked up by name (``webapi_kit/browsable/page.html``...)
through the site's template engines, so a site overrides one the Django way,
with a file of that name earlier in its loaders (``DIRS``, or an app listed
before ``webapi_kit``). A site with ``webapi_kit`` in ``INSTALLED_APPS`` and
app directories on finds the package's own copies; a site without either
still gets them, from a template engine of the package's own.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.http import HttpRequest
from django.template import Context, Engine, TemplateDoesNotExist, loader

__all__ = ["render_template"]

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@functools.lru_cache(maxsize=1)
def _own_engine() -> Engine:
    return Engine(dirs=[str(_TEMPLATES)], app_dirs=False, autoescape=True)


def render_template(name: str, context: dict[str, Any], request: HttpRequest) -> str:
    """Render template ``name``, the site's copy if it has one."""
    try:
        template = loader.get_template(name)
    except TemplateDoesNotExist:
        return _own_engine().get_template(name).render(Context(context, autoescape=True))
    return template.render(context, request)
