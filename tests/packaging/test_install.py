"""``pip install .`` into a fresh virtualenv gives a working API in an existing project.

Slow (a virtualenv, Django and lxml from the index): run with
``pytest tests/packaging``. Everything lives in temporary directories.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from .conftest import Virtualenv

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

MODELS = '''
from django.db import models


class Note(models.Model):
    text = models.CharField(max_length=100)
    done = models.BooleanField(default=False)
    due = models.DateField(null=True, blank=True)

    def __str__(self):
        return self.text
'''

API = '''
from webapi_kit import API, WebAPIResource
from webapi_kit.fields import Bool, Int, String

from notes.models import Note


class NoteResource(WebAPIResource):
    name = "note"
    model = Note
    fields = {"id": Int("ID."), "text": String("Text."), "done": Bool("Done?"), "due": String("Due date.")}


api = API([NoteResource()], mimetype_vendor="example.com")
'''

CHECK = '''
import json, os, sys
import django

os.environ["DJANGO_SETTINGS_MODULE"] = "site_project.settings"
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
call_command("migrate", verbosity=0)
from notes.models import Note

Note.objects.create(text="buy milk", done=True)
Note.objects.create(text="", done=False)
client = Client()
answers = {}
for name, path, accept in [
    ("root", "/api/", "application/json"),
    ("list", "/api/notes/", "application/json"),
    ("item_xml", "/api/notes/1/", "application/xml"),
    ("missing", "/api/notes/9/", "application/json"),
    ("unknown", "/api/nothing/", "application/json"),
    ("page", "/api/notes/", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
]:
    r = client.get(path, HTTP_ACCEPT=accept)
    answers[name] = {"status": r.status_code, "type": r.headers.get("Content-Type"), "body": r.content.decode()}
# webapi_kit.testing needs no httpx (not installed here); the client says how to get it.
from webapi_kit.testing import APIClient
note = APIClient(format="xml").api_get("/api/notes/1/", expected_mimetype="application/vnd.example.com.note+xml")
answers["testing_item"] = note.item
import webapi_kit.client
try:
    webapi_kit.client.Client
except ImportError as exc:
    answers["client_without_httpx"] = str(exc)
import importlib.metadata as md
answers["requires"] = md.requires("webapi_kit")
answers["webapi_kit_file"] = __import__("webapi_kit").__file__
print(json.dumps(answers))
'''


def test_pip_install_into_an_existing_project(tmp_path: Path, checkout_venv: Virtualenv) -> None:
    env_dir, bindir, python, run = checkout_venv.root, checkout_venv.bindir, checkout_venv.python, checkout_venv.run

    # An existing Django project, then the app and one URL include added to it.
    project = tmp_path / "project"
    project.mkdir()
    run(bindir / "django-admin", "startproject", "site_project", project)
    run(python, "manage.py", "startapp", "notes", cwd=project)
    (project / "notes" / "models.py").write_text(MODELS)
    (project / "notes" / "api.py").write_text(API)
    settings = project / "site_project" / "settings.py"
    text = settings.read_text()
    text = text.replace("INSTALLED_APPS = [", 'INSTALLED_APPS = [\n    "webapi_kit",\n    "notes",', 1)
    settings.write_text(text + '\nALLOWED_HOSTS = ["testserver"]\n')
    urls = project / "site_project" / "urls.py"
    text = urls.read_text().replace("from django.urls import path", "from django.urls import include, path")
    text = text.replace("from django.contrib import admin", "from django.contrib import admin\nfrom notes.api import api")
    text = text.replace("urlpatterns = [", 'urlpatterns = [\n    path("api/", include(api.urls)),', 1)
    assert 'path("api/", include(api.urls))' in text and "import include, path" in text
    urls.write_text(text)
    run(python, "manage.py", "makemigrations", "notes", cwd=project)

    answers = json.loads(run(python, "-c", textwrap.dedent(CHECK), cwd=project))

    # The installed copy is used, not the checkout.
    assert str(env_dir) in answers["webapi_kit_file"]
    # Defect 9: two dependencies, Django 4.2 and 5.2 both allowed.
    requires = sorted(r.split(";")[0].replace(" ", "") for r in answers["requires"] if "extra" not in r)
    assert [r.split(">")[0].split("<")[0].split("=")[0].lower() for r in requires] == ["django", "lxml"]

    root = answers["root"]
    assert (root["status"], root["type"]) == (200, "application/vnd.example.com.root+json")
    assert json.loads(root["body"]) == {
        "stat": "ok",
        "links": {
            "self": {"method": "GET", "href": "http://testserver/api/"},
            "notes": {"method": "GET", "href": "http://testserver/api/notes/"},
        },
        "uri_templates": {
            "root": "http://testserver/api/",
            "notes": "http://testserver/api/notes/",
            "note": "http://testserver/api/notes/{note_id}/",
        },
    }
    listed = answers["list"]
    assert listed["type"] == "application/vnd.example.com.notes+json"
    data = json.loads(listed["body"])
    assert data["total_results"] == 2 and data["stat"] == "ok"
    assert data["notes"][0] == {
        "id": 1, "text": "buy milk", "done": True, "due": None,
        "links": {"self": {"method": "GET", "href": "http://testserver/api/notes/1/"}},
    }
    assert data["notes"][1]["text"] == "" and data["notes"][1]["done"] is False
    item = answers["item_xml"]
    assert (item["status"], item["type"]) == (200, "application/vnd.example.com.note+xml")
    assert item["body"].startswith('<?xml version="1.0" encoding="utf-8"?>\n<rsp>\n <stat>ok</stat>\n <note>\n  <id>1</id>')
    assert "<done>true</done>" in item["body"] and '<due null="true"/>' in item["body"]
    assert answers["testing_item"] == {
        "id": 1, "text": "buy milk", "done": True, "due": None,
        "links": {"self": {"method": "GET", "href": "http://testserver/api/notes/1/"}},
    }
    assert answers["client_without_httpx"] == "webapi_kit.client needs httpx: pip install 'webapi_kit[client]'"
    for name in ("missing", "unknown"):
        assert answers[name]["status"] == 404
        assert answers[name]["type"] == "application/vnd.example.com.error+json"
        assert json.loads(answers[name]["body"])["err"]["type"] == "resource-does-not-exist"
    # The browsable API's templates ship in the package.
    page = answers["page"]
    assert (page["status"], page["type"]) == (200, "text/html; charset=utf-8")
    assert "<h1>notes</h1>" in page["body"] and "&quot;buy milk&quot;" in page["body"]
    assert 'href="http://testserver/api/_login/?next=/api/notes/"' in page["body"]
