"""The Chinese catalogue is complete: no fuzzy (guessed) entry, no untranslated one, and the
compiled catalogue the server reads is the one built from it."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from afterservice_site.errors import DEFAULT_MESSAGES

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries() -> list[tuple[list[str], str, str]]:
    """(comment lines, msgid, msgstr) of every live entry of the .po file (obsolete `#~` skipped)."""
    entries = []
    for block in (LOCALE / "django.po").read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith("#~")]
        comments = [line for line in lines if line.startswith("#")]
        body = [line for line in lines if not line.startswith("#")]
        if not body:
            continue
        current, parts = None, {"msgid": [], "msgstr": []}
        for line in body:
            keyword, _, rest = line.partition(" ")
            if keyword in parts:
                current, line = keyword, rest
            if current and line.startswith('"'):
                parts[current].append(line[1:-1])
        entries.append((comments, "".join(parts["msgid"]), "".join(parts["msgstr"])))
    return entries


def test_catalogue_has_no_fuzzy_entry():
    fuzzy = [msgid for comments, msgid, _ in _entries() if msgid and any("fuzzy" in c for c in comments)]
    assert fuzzy == []


def test_catalogue_has_no_untranslated_entry():
    untranslated = [msgid for _, msgid, msgstr in _entries() if msgid and not msgstr]
    assert untranslated == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs msgfmt (gettext) to compile the catalogue")
def test_compiled_catalogue_is_built_from_the_po_file(tmp_path):
    built = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(built), str(LOCALE / "django.po")], check=True)  # noqa: S603, S607
    assert built.read_bytes() == (LOCALE / "django.mo").read_bytes()


def test_error_messages_read_in_chinese_by_default_and_english_on_request():
    with translation.override("zh-hans"):
        assert str(DEFAULT_MESSAGES["conflict"]) == "订单已被他人修改，请刷新后重试。"
    with translation.override("en"):
        assert str(DEFAULT_MESSAGES["conflict"]) == "The order was changed by someone else; reload it and try again."
