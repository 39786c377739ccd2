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


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext is installed by scripts/bootstrap.sh")
def test_every_string_of_the_code_is_in_the_english_catalogue(tmp_path, settings, monkeypatch):
    """makemessages over the code adds nothing untranslated to a copy of the catalogue.

    It runs in a scratch folder that links to the source folders, so the real catalogue is never touched
    (makemessages writes to the locale folder that sits beside the files it reads).
    """
    from django.core.management import call_command

    base = Path(settings.BASE_DIR)
    for entry in base.iterdir():
        if entry.is_dir() and entry.name not in SKIP_DIRS and not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    target = tmp_path / "locale" / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(base / "locale/en/LC_MESSAGES/django.po", target / "django.po")
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["en"], symlinks=True, no_obsolete=True, verbosity=0)
    out = subprocess.run(
        ["msgattrib", "--untranslated", "--no-wrap", str(target / "django.po")], capture_output=True, text=True
    ).stdout
    missing = [line for line in out.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
    assert not missing, f"run makemessages -l en and translate: {missing[:10]}"


SKIP_DIRS = {"locale", "tests", "staticfiles", "test-artifacts", "benchmarks", "node_modules", "media", "docs"}
