"""The browsable API: every resource as an HTML page, for people in browsers.

On by default: the ``RENDERER_CLASSES`` setting ends with
:class:`HTMLRenderer`. A browser's ``Accept`` (which ranks ``text/html``
first) gets a page; ``?api_format=html`` asks for one; every other client
gets JSON or XML exactly as before. See ``docs/guide/browsable.rst``.

The core never imports this package: it reaches the renderer through the
setting, and talks to it only through
:class:`~webapi_kit.renderers.PageRenderer`.
"""

from webapi_kit.browsable.forms import form_fields
from webapi_kit.browsable.renderer import HTMLRenderer

__all__ = ["HTMLRenderer", "form_fields"]
