"""The Spanish catalog is complete and its committed .mo matches the .po (no msgfmt needed to check)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import tandem.careplans

LC = Path(tandem.careplans.__file__).parent / "locale" / "es" / "LC_MESSAGES"


def _po_entries(text: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    key: str | None = None
    current: list[str] = []
    msgid = ""

    def flush() -> None:
        nonlocal msgid
        if key == "msgid":
            msgid = "".join(current)
        elif key == "msgstr" and msgid:
            entries[msgid] = "".join(current)

    for line in text.splitlines():
        if line.startswith(("msgid ", "msgstr ")):
            flush()
            key, _, rest = line.partition(" ")
            current = [ast.literal_eval(rest)]
        elif line.startswith('"'):
            current.append(ast.literal_eval(line))
    flush()
    return entries


def test_every_message_is_translated_and_compiled() -> None:
    po = _po_entries((LC / "django.po").read_text(encoding="utf-8"))
    assert "#, fuzzy" not in (LC / "django.po").read_text(encoding="utf-8")
    assert len(po) > 60
    assert not [k for k, v in po.items() if not v], "untranslated messages"
    with (LC / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [k for k, v in po.items() if compiled.gettext(k) != v]
    assert not stale, (
        f"django.mo is out of date; run `tandem compilemessages` in src/tandem/careplans: {stale}"
    )
    assert po["My care plan"] == "Mi plan de cuidados"
