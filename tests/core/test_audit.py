"""The audit trail knows no app: each app brings the sentences for its own action codes."""

import re
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings

from core.audit import audit_record, describe

APPS = ["core", "gardens", "members", "agreements", "projects", "network_portal"]


@pytest.mark.parametrize("app", APPS)
def test_each_app_speaks_only_for_its_own_codes(app):
    sentences = import_module(f"{app}.audit_sentences").SENTENCES
    assert sentences
    assert all(code.startswith(f"{app}.") for code in sentences), [c for c in sentences if not c.startswith(app)]


def test_every_action_code_written_in_the_code_has_a_sentence():
    codes = set()
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            codes |= set(re.findall(r'action="([a-z_]+\.[a-z_]+\.[a-z_]+)"', text))
            codes |= set(re.findall(r'AUDIT_ACTION = "([a-z_.]+)"', text))
    assert len(codes) > 30
    known = {}
    for app in APPS:
        known.update(import_module(f"{app}.audit_sentences").SENTENCES)
    assert codes - set(known) == set()


@pytest.mark.django_db
def test_describe_reads_the_apps_sentence_in_bokmal(garden_a, admin_a):
    entry = audit_record(action="gardens.invitation.created", target=garden_a, actor=admin_a, garden=garden_a)
    assert describe(entry) == "Anne Admin inviterte Alfa Næringshage"
    assert (entry.garden_id, entry.garden_label) == (garden_a.pk, "Alfa Næringshage")
