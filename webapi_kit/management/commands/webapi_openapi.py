"""``manage.py webapi_openapi --api dotted.path.api > openapi.json``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from webapi_kit.api import API


class Command(BaseCommand):
    help = "Write the OpenAPI 3.1 document of an API (a webapi_kit API object) to standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--api", required=True, help="Dotted path of the API object, e.g. config.api.api")
        parser.add_argument("--prefix", default="/", help="Where the API is mounted, e.g. /api/ (default: /)")
        parser.add_argument("--title", default="Web API")
        parser.add_argument("--api-version", dest="api_version", default="1.0")
        parser.add_argument("--indent", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here: a site without the openapi subpackage's needs still runs other commands.
        from webapi_kit.openapi import openapi

        try:
            api = import_string(options["api"])
        except ImportError as exc:
            raise CommandError(f"Cannot import {options['api']!r}: {exc}") from None
        if not isinstance(api, API):
            raise CommandError(f"{options['api']!r} is a {type(api).__name__}, not a webapi_kit API")
        prefix = "/" + options["prefix"].strip("/") + "/" if options["prefix"].strip("/") else "/"
        document = openapi(api, prefix=prefix, title=options["title"], version=options["api_version"])
        self.stdout.write(json.dumps(document, indent=options["indent"] or None, ensure_ascii=False))
