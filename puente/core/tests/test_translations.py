"""Every interface string is translated into Spanish and Portuguese, and compiled."""

import gettext
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[2]
# The project catalogue, and the apps that keep their own (puente/<app>/locale).
CATALOGS = sorted(PACKAGE.glob("**/locale/*/LC_MESSAGES/django.po"))


def test_every_catalog_is_found():
    languages = {(p.parents[2].parent.name, p.parents[1].name) for p in CATALOGS}
    assert ("puente", "es") in languages
    assert ("puente", "pt") in languages


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_catalog_is_complete_and_compiled(po_path):
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    assert len(messages) > (100 if po_path.parents[3] == PACKAGE else 10)
    untranslated = [
        m.id for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    # the compiled catalog says what the .po says (make messages was run after editing)
    with po_path.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        m.id
        for m in messages
        if not isinstance(m.id, tuple) and not m.context and compiled.gettext(m.id) != m.string
    ]
    assert stale == []
