"""``manage.py queuey_app``: create applications and manage their keys.

``create <name>`` and ``rotate-key <name>`` print the new key as the last
line of their output. It is shown only then: the database keeps its hash.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from queuey import services
from queuey.errors import QueueyError
from queuey.models import Application


class Command(BaseCommand):
    help = "Manage queuey applications: create, list, rotate-key, delete."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an application; prints its key last.")
        create.add_argument("name")
        create.add_argument("--user", metavar="USERNAME", help="The site user who owns it (acts as it in /api/).")
        sub.add_parser("list", help="List applications and their queue counts.")
        rotate = sub.add_parser("rotate-key", help="Replace an application's key; prints the new key last.")
        rotate.add_argument("name")
        delete = sub.add_parser("delete", help="Delete an application with its queues and messages.")
        delete.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "create":
                app, key = services.create_application(options["name"], self._user(options["user"]))
                self.stderr.write(f"Created application {app.name}. Its key (shown only now):")
                self.stdout.write(key)
            elif action == "rotate-key":
                app = self._find(options["name"])
                key = services.rotate_key(app)
                self.stderr.write(f"New key of {app.name} (the old one no longer works):")
                self.stdout.write(key)
            elif action == "delete":
                self._find(options["name"]).delete()
                self.stdout.write(f"Deleted application {options['name']}")
            else:
                for app in Application.objects.select_related("owner").order_by("name"):
                    owner = f"\towner {app.owner.get_username()}" if app.owner else ""
                    self.stdout.write(
                        f"{app.name}\t{app.queues.count()} queues\tcreated {app.created:%Y-%m-%d %H:%M:%S}{owner}"
                    )
        except QueueyError as error:
            raise CommandError(str(error)) from None

    @staticmethod
    def _user(username: str | None) -> Any:
        if username is None:
            return None
        user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No user named {username!r}")
        return user

    @staticmethod
    def _find(name: str) -> Application:
        app = Application.objects.filter(name=name).first()
        if app is None:
            raise CommandError(f"No application named {name!r}")
        return app
