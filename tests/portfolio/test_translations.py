"""The Simplified Chinese admin is complete: every project string, model, field and choice is translated."""

import gettext
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
# Names that read the same in both languages.
SAME_IN_BOTH = {"KPI", "KPIs", "URL", "ID", "IPO"}


def po_entries() -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry of the .po file; plural forms give their first msgstr."""
    text = (CATALOG / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n")[1:]:
        if block.startswith("#~"):
            continue
        fuzzy = bool(re.search(r"^#,.*\bfuzzy\b", block, re.MULTILINE))
        parts = dict(re.findall(r'^(msgid|msgstr(?:\[0\])?) ((?:".*"\n?)+)', block, re.MULTILINE))
        value = {key: "".join(re.findall(r'"(.*)"', raw)) for key, raw in parts.items()}
        if "msgid" in value:
            entries.append((value["msgid"], value.get("msgstr", value.get("msgstr[0]", "")), fuzzy))
    return entries


def test_every_message_of_the_catalog_is_translated_and_none_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 250
    assert [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy] == []


def test_the_compiled_catalog_holds_every_message_of_the_source_catalog():
    with (CATALOG / "django.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    compiled_ids = {key[0] if isinstance(key, tuple) else key for key in compiled._catalog}
    source_ids = {
        msgid.encode().decode("unicode_escape").encode("latin-1").decode() for msgid, _, _ in po_entries()
    }
    assert source_ids - compiled_ids == set(), "run `make messages` to compile the catalog"


def project_names():
    """Every model name, field name and choice label of the project, as lazy strings."""
    for model in apps.get_models():
        if model._meta.app_label not in {"companies", "rounds", "portfolio"}:
            continue
        if model.__name__.startswith("Historical"):
            continue
        yield model.__name__, model._meta.verbose_name
        yield model.__name__, model._meta.verbose_name_plural
        for field in model._meta.get_fields():
            if not hasattr(field, "verbose_name") or field.auto_created:
                continue
            yield f"{model.__name__}.{field.name}", field.verbose_name
            for _, label in field.flatchoices if field.choices and len(field.flatchoices) < 50 else ():
                yield f"{model.__name__}.{field.name} choice", label


@pytest.mark.parametrize(("where", "name"), list(project_names()), ids=lambda value: str(value))
def test_models_fields_and_choices_speak_chinese(where, name):
    with translation.override("en"):
        english = str(name)
    with translation.override("zh-hans"):
        chinese = str(name)
    assert chinese != english or english in SAME_IN_BOTH, f"{where}: “{english}” has no Chinese translation"
