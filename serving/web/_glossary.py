"""Labels for coded values: the contract's enumerations, countries and languages.

The enumerations' labels live in ``glossary.toml`` (one term per concept, English and
Bahasa Indonesia side by side); country and language names come from CLDR through
Babel, so "JPN" reads "Japan" / "Jepang" and "lo" reads "Lao" / "Laos".
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "FIELD_SECTIONS",
    "catalogue_id",
    "country_name",
    "feature_texts",
    "glossary",
    "label",
    "language_name",
    "shown_field",
]

GLOSSARY_FILE = Path(__file__).with_name("glossary.toml")
#: The feature catalogue's texts in Bahasa Indonesia (the English lives in the declarations).
CATALOGUE_ID_FILE = Path(__file__).with_name("catalogue_id.toml")

#: Which glossary section labels each coded contract column (columns of every table).
FIELD_SECTIONS = {
    "visa_type": "visa_type",
    "purpose": "purpose",
    "sex": "sex",
    "printed_sex": "sex",
    "marital_status": "marital_status",
    "document_type": "document_type",
    "mrz_format": "mrz_format",
    "chip_auth_result": "chip_result",
    "outcome": "decision_outcome",
    "sponsor_type": "sponsor_type",
    "compliance_record": "compliance_record",
    "sponsor_compliance": "compliance_record",
    "investigation_trigger": "investigation_trigger",
    "violation_types": "violation_type",
    "age_band": "age_band",
    "occupation": "occupation",
    "reason": "refusal_reason",
}


@cache
def glossary() -> dict[str, dict[str, dict[str, str]]]:
    """The glossary: section -> value -> {"en": ..., "id": ...}."""
    with GLOSSARY_FILE.open("rb") as fh:
        return tomllib.load(fh)


@cache
def catalogue_id() -> dict[str, Any]:
    """The catalogue's Indonesian texts: ``{"group": {...}, "feature": {name: {...}}}``."""
    with CATALOGUE_ID_FILE.open("rb") as fh:
        return tomllib.load(fh)


def feature_texts(spec: Any, lang: str) -> dict[str, str]:
    """A feature's group, description and purpose in ``lang`` (English from its declaration)."""
    if lang != "id":
        return {"group": spec.group, "description": spec.description, "purpose": spec.purpose}
    texts = catalogue_id()
    own = texts["feature"].get(spec.name, {})
    return {
        "group": texts["group"].get(spec.group, spec.group),
        "description": own.get("description", spec.description),
        "purpose": own.get("purpose", spec.purpose),
    }


def label(section: str, value: Any, lang: str) -> str:
    """The label of ``value`` in glossary ``section`` (the value itself if it has none)."""
    if isinstance(value, bool):
        section, value = "boolean", str(value).lower()
    entry = glossary().get(section, {}).get(str(value))
    if entry is None:
        return str(value)
    return entry.get(lang) or entry["en"]


@cache
def _alpha2(alpha3: str) -> str | None:
    import pycountry

    country = pycountry.countries.get(alpha_3=alpha3.upper())
    return None if country is None else country.alpha_2


def country_name(code: str | None, lang: str) -> str:
    """The CLDR name of an ISO 3166 alpha-3 (or alpha-2) country code in ``lang``."""
    from babel import Locale

    if not code:
        return ""
    alpha2 = code.upper() if len(code) == 2 else _alpha2(code)
    return Locale.parse(lang).territories.get(alpha2 or "", code)


def language_name(code: str | None, lang: str) -> str:
    """The CLDR name of an ISO 639 language code in ``lang``, capitalised as a label."""
    from babel import Locale

    if not code:
        return ""
    name = Locale.parse(lang).languages.get(code.lower(), code)
    return name[:1].upper() + name[1:]


def shown_field(field: str, value: Any, lang: str) -> Any:
    """A record's coded field as people read it; other values are returned unchanged."""
    if value is None:
        return None
    if field in FIELD_SECTIONS:
        return label(FIELD_SECTIONS[field], value, lang)
    if field in ("residence_country", "issuing_state", "printed_nationality", "nationality"):
        return country_name(value, lang)
    if field == "document_language":
        return language_name(value, lang)
    return value
