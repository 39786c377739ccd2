"""The English catalogue is complete: a new Vietnamese string without its English fails here.

After adding strings: manage.py makemessages -l en --ignore=.venv --ignore=.local --ignore=tests, then
translate the new entries in locale/en/LC_MESSAGES/django.po (docs/adr/0004).
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))


@pytest.mark.skipif(not shutil.which("msgattrib"), reason="gettext is installed by scripts/bootstrap.sh")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_catalogue_has_no_untranslated_or_fuzzy_entries(po):
    for flag in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run(["msgattrib", flag, "--no-wrap", str(po)], capture_output=True, text=True).stdout
        entries = [line for line in out.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
        assert not entries, f"{po}: {flag} entries: {entries[:10]}"


def test_catalogue_compiles():
    for po in CATALOGUES:
        subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(po)], check=True)
