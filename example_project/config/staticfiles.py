"""WhiteNoise for the example project, with its index of static files built once per process.

WhiteNoise serves the admin's CSS and scripts whatever ``DEBUG`` is, under
runserver and gunicorn alike. It indexes what Django's finders find when the
middleware is built, some 50 ms of walking folders and ``stat`` calls, and
Django builds the middleware chain once per handler: the test client builds
one per client, so every test paid it. The files do not change while the
process runs (``WHITENOISE_AUTOREFRESH`` stays off, as it must outside
development), so the index is made once and shared.
"""

from __future__ import annotations

from typing import Any, ClassVar

from whitenoise.middleware import WhiteNoiseMiddleware

__all__ = ["StaticFilesMiddleware"]


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    #: ``static_prefix`` -> WhiteNoise's ``files`` dictionary as the finders filled it.
    _indexes: ClassVar[dict[str, dict[str, Any]]] = {}

    def add_files_from_finders(self) -> None:
        index = self._indexes.get(self.static_prefix)
        if index is None:
            super().add_files_from_finders()
            index = self._indexes[self.static_prefix] = dict(self.files)
        else:
            self.files.update(index)
