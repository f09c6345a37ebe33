"""The English catalogue holds every text of the code and the templates, translated."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "app/translations/en/LC_MESSAGES/messages.po"


def extracted(tmp_path) -> dict:
    """The texts as `make messages` extracts them (the same options)."""
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            *(sys.executable, "-m", "babel.messages.frontend", "extract"),
            "--ignore-dirs=.*",  # Babel skips folders named _… (templates/_macros) otherwise
            *("-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(template)),
            *("--no-location", "--sort-output", "."),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as source:
        return {message.id: message for message in read_po(source) if message.id}


def test_every_text_is_in_the_english_catalogue_and_translated(tmp_path):
    with CATALOGUE.open("rb") as source:
        catalogue = {message.id: message for message in read_po(source) if message.id}
    texts = extracted(tmp_path)
    assert len(texts) > 1000
    missing = sorted(str(text) for text in texts if text not in catalogue)
    assert missing == [], "run `make messages`, then translate"
    untranslated = sorted(
        str(text)
        for text in texts
        if "fuzzy" in catalogue[text].flags  # left out of the compiled catalogue
        or not all(catalogue[text].string if isinstance(text, tuple) else [catalogue[text].string])
    )
    assert untranslated == []
    # The form macros' texts, which Babel left out before `--ignore-dirs`.
    assert "Corrigez les champs ci-dessous puis envoyez à nouveau." in texts
