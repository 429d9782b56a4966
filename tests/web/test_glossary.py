"""One term per concept in both languages: the glossary's coverage of the data contract,
the catalogue's Indonesian texts, and no untranslated coded value on an Indonesian page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from serving.web import MESSAGES
from serving.web._glossary import (
    FIELD_SECTIONS,
    catalogue_id,
    country_name,
    glossary,
    label,
    language_name,
)


def _enumerated_columns():
    from risk.contract import TABLES

    return [(t, c) for t, table in TABLES.items() for c in table.columns if c.allowed]


def test_every_enumerated_value_of_the_contract_has_both_languages():
    missing = []
    for table, column in _enumerated_columns():
        section = FIELD_SECTIONS.get(column.name)
        if section is None:
            missing.append(f"{table}.{column.name}: no glossary section")
            continue
        for value in column.allowed:
            entry = glossary()[section].get(str(value), {})
            if not (entry.get("en", "").strip() and entry.get("id", "").strip()):
                missing.append(f"{table}.{column.name}={value}")
    assert missing == []


def test_the_review_vocabularies_outside_the_contract_are_covered_too():
    from risk.contract import VIOLATION_TYPES
    from serving.services import age_band

    assert {v: label("violation_type", v, "id") for v in VIOLATION_TYPES} == {
        "overstay": "Tinggal melebihi izin",
        "document_fraud": "Pemalsuan dokumen",
        "misrepresentation": "Keterangan palsu",
    }
    import datetime as dt

    bands = {age_band(None, dt.datetime(2025, 1, 1))}
    bands |= {age_band(dt.date(2025 - a, 1, 1), dt.datetime(2025, 6, 1)) for a in range(0, 90)}
    assert all(b in glossary()["age_band"] for b in bands), bands


def test_every_catalogue_feature_and_group_has_indonesian_texts():
    from features import catalogue

    texts = catalogue_id()
    specs = catalogue().specs
    assert sorted(s.name for s in specs if s.name not in texts["feature"]) == []
    assert sorted({s.group for s in specs} - set(texts["group"])) == []
    for s in specs:
        entry = texts["feature"][s.name]
        assert entry["description"].strip() and entry["purpose"].strip(), s.name
        assert "{" not in entry["description"] + entry["purpose"], s.name


@pytest.mark.parametrize("term", sorted(glossary()["term"]))
def test_a_term_reads_the_same_in_every_message(term):
    en, id_ = glossary()["term"][term]["en"].casefold(), glossary()["term"][term]["id"]
    using = [k for k, m in MESSAGES.items() if en in m["en"].casefold()]
    assert [k for k in using if id_.casefold() not in MESSAGES[k]["id"].casefold()] == []


def test_countries_and_languages_are_named_by_cldr():
    assert (country_name("JPN", "en"), country_name("JPN", "id")) == ("Japan", "Jepang")
    assert (country_name("DEU", "id"), country_name("XXX", "id")) == ("Jerman", "XXX")
    assert (language_name("lo", "en"), language_name("ms", "id")) == ("Lao", "Melayu")


# -- no untranslated coded value on an Indonesian page ------------------------------------


class _Text(HTMLParser):
    """Visible text nodes, but not scripts, styles, <code> identifiers or what people typed
    (``class="free-text"``: a decision's reason is in whatever language its officer wrote)."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._open: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "input", "img", "meta", "link", "hr"):
            return
        skip = tag in ("script", "style", "code") or "free-text" in (dict(attrs).get("class") or "")
        self._open.append(skip)

    def handle_endtag(self, tag):
        if tag not in ("br", "input", "img", "meta", "link", "hr") and self._open:
            self._open.pop()

    @property
    def _skip(self) -> bool:
        return any(self._open)

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.nodes.append(data.strip())


def _english_only() -> set[str]:
    """Codes and English labels that an Indonesian page must not show."""
    indonesian = [m["id"] for m in MESSAGES.values()]
    indonesian += [e["id"] for values in glossary().values() for e in values.values()]
    id_words = {w.casefold() for text in indonesian for w in re.findall(r"[\w-]+", text)}
    id_text = " ".join(indonesian).casefold()
    out = set()
    for values in glossary().values():
        for code, entry in values.items():
            for word in (code, entry["en"]):
                # a code the Indonesian label keeps ("TD3 (buku paspor)", "Visa") is fine
                if word.casefold() in id_words or word.casefold() in id_text or len(word) < 3:
                    continue
                out.add(word)
    return out


def _untranslated(html: str, forbidden: set[str]) -> list[str]:
    parser = _Text()
    parser.feed(html)
    found = []
    for node in parser.nodes:
        for word in forbidden:
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", node, flags=re.IGNORECASE):
                found.append(f"{word!r} in {node[:80]!r}")
    return found


def test_no_indonesian_page_shows_an_untranslated_coded_value(
    indonesian_client, web_world, decided_case
):
    forbidden = _english_only()
    assert {"business_meeting", "Business meeting", "passport", "divorced"} <= forbidden
    officer, supervisor = indonesian_client("officer"), indonesian_client("supervisor")
    auditor = indonesian_client("auditor")
    pages = [(officer, "/queue"), (supervisor, "/supervisor"), (officer, "/complaints")]
    cases = [*web_world.case_ids[:6], *web_world.blind_case_ids, decided_case]
    pages += [(officer, f"/cases/{c}") for c in cases]
    pages += [(auditor, p) for p in ("/oversight", "/oversight/features", "/oversight/model")]
    pages += [(auditor, "/oversight/monitoring"), (auditor, "/transparency?lang=id")]
    pages += [
        (auditor, f"/oversight/fairness?attribute={a}")
        for a in ("nationality", "sex", "age_band", "marital_status")
    ]
    problems = {}
    for client, path in pages:
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        assert '<html lang="id">' in r.text, path
        found = _untranslated(r.text, forbidden)
        if found:
            problems[path] = found
    assert problems == {}
