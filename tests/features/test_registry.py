"""The family's declaration rules, the catalogue's listings and the reason sentences."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import polars as pl
import pytest

from features import Catalogue, Derivation, Family, FeatureSpec, catalogue, col, days_between
from features._facts import fact_of
from features._registry import canonical_hash
from risk.contract import protected_columns
from risk.errors import FeatureRegistryError

_BASE = dict(
    kind="numeric", unit="days", owner="document-analytics",
    description="Days between passport issue and application",
    purpose="A passport issued just before applying can hide an earlier travel record",
    reason_en="Passport issued {value:.0f} days before the application",
    reason_id="Paspor diterbitkan {value:.0f} hari sebelum permohonan",
    inputs=("submitted_at", "issue_date"),
)  # fmt: skip


def _declare(family: Family, derivation: Derivation | None = None, name: str = "age", **over):
    def fn() -> Derivation:
        if derivation is not None:
            return derivation
        return days_between(col("submitted_day"), col("issue_date"))

    fn.__name__ = name
    return family.feature(**{**_BASE, **over})(fn)


def _family(protected: frozenset[str] | None = frozenset()) -> Family:
    return Family("documents", owner="document-analytics", protected=protected)


def test_alias_is_the_function_name_and_both_forms_apply_the_dtype():
    family = _family()
    _declare(family, name="passport_age_days", dtype=pl.Int32)
    (spec,) = family.specs
    assert (spec.name, spec.group) == ("passport_age_days", "documents")
    assert spec.expr.meta.output_name() == "passport_age_days"
    facts = {"submitted_day": [date(2020, 1, 10)], "issue_date": [date(2020, 1, 5)]}
    out = pl.DataFrame(facts).select(spec.expr)
    assert out.schema == pl.Schema({"passport_age_days": pl.Int32})
    assert out.item() == 5
    assert spec.compute({"submitted_day": date(2020, 1, 10), "issue_date": date(2020, 1, 5)}) == 5
    assert [f.name for f in family.facts] == ["document", "application"]


def test_duplicate_is_refused():
    family = _family()
    _declare(family)
    with pytest.raises(FeatureRegistryError, match="feature 'age' is declared twice"):
        _declare(family)


@pytest.mark.parametrize("field", ["description", "purpose", "owner", "reason_en", "reason_id"])
def test_empty_texts_are_refused(field):
    with pytest.raises(FeatureRegistryError, match=f"feature 'age': empty {field}"):
        _declare(_family(), **{field: "   "})


def test_empty_inputs_are_refused():
    with pytest.raises(FeatureRegistryError, match="feature 'age': no inputs declared"):
        _declare(_family(), inputs=())


def test_unknown_kind_is_refused():
    with pytest.raises(FeatureRegistryError, match="unknown kind 'text'"):
        _declare(_family(), kind="text")


def test_a_column_no_fact_provides_is_refused():
    with pytest.raises(
        FeatureRegistryError, match="feature 'age' reads column 'issue_day', which no fact provides"
    ):
        _declare(_family(), days_between(col("submitted_day"), col("issue_day")))


def test_non_derivation_is_refused():
    family = _family()

    def broken():
        return pl.col("issue_date")

    with pytest.raises(FeatureRegistryError, match=r"must return a derivation .* got Expr"):
        family.feature(**_BASE)(broken)


@pytest.mark.parametrize("column", sorted(protected_columns()))
def test_declared_protected_input_is_refused(column):
    with pytest.raises(
        FeatureRegistryError, match=f"feature 'age' declares protected attribute '{column}'"
    ):
        _declare(_family(None), inputs=("submitted_at", column))


@pytest.mark.parametrize("column", sorted(protected_columns()))
def test_derivation_reading_protected_column_is_refused(column):
    sneaky = days_between(col("submitted_day"), col(column))
    message = f"feature 'age' reads protected attribute '{column}'"
    with pytest.raises(FeatureRegistryError, match=message):
        _declare(_family(None), sneaky)


def test_configured_protected_column_is_refused(monkeypatch):
    monkeypatch.setenv("RISK_PROTECTED__COLUMNS", '["occupation"]')
    with pytest.raises(FeatureRegistryError, match="reads protected attribute 'occupation'"):
        _declare(_family(None), col("occupation").is_null(), kind="boolean",
                 reason_en_false="no", reason_id_false="tidak")  # fmt: skip


def test_protected_column_read_through_a_fact_join_is_refused(monkeypatch):
    # The agent's issuing states come from a join with the documents: a fact reads
    # issuing_state for the derivation, which names only the count.
    monkeypatch.setenv("RISK_PROTECTED__COLUMNS", '["issuing_state"]')
    message = (
        "feature 'age' reads protected attribute 'issuing_state' through fact 'network_window'"
        " \\('agent_issuing_states'\\)"
    )
    with pytest.raises(FeatureRegistryError, match=message):
        _declare(_family(None), col("agent_issuing_states"), inputs=("agent_id",))


def test_boolean_needs_both_sentences():
    family = _family()
    with pytest.raises(FeatureRegistryError, match="a boolean needs a sentence for false"):
        _declare(family, kind="boolean", unit="")
    _declare(family, kind="boolean", reason_en_false="Not issued recently",
             reason_id_false="Tidak baru diterbitkan", reason_en="Issued recently",
             reason_id="Baru diterbitkan")  # fmt: skip
    (spec,) = family.specs
    assert spec.reason(True) == "Issued recently"
    assert spec.reason(False) == "Not issued recently"
    assert spec.reason(False, "id") == "Tidak baru diterbitkan"


def test_boolean_mapping_needs_true_and_false():
    with pytest.raises(FeatureRegistryError, match="needs exactly the keys True and False"):
        _declare(_family(), kind="boolean", reason_en={True: "yes"})


def test_project_catalogue_reads_no_protected_column_directly_or_through_facts():
    forbidden = protected_columns()
    for spec in catalogue().specs:
        assert not set(spec.inputs) & forbidden, spec.name
        assert not set(spec.expr.meta.root_names()) & forbidden, spec.name
        for column in spec.derivation.columns():
            assert not set(fact_of(column).reads[column]) & forbidden, (spec.name, column)


def test_every_feature_has_a_batch_and_a_request_form_of_one_derivation():
    for spec in catalogue().specs:
        assert set(spec.expr.meta.root_names()) == spec.derivation.columns(), spec.name
        assert callable(spec.compute), spec.name
    funds_per_day = catalogue().get("funds_per_day_usd").compute
    assert funds_per_day({"declared_funds_usd": 900, "intended_stay_days": 30}) == 30.0


def test_project_catalogue_shape():
    cat = catalogue()
    assert len(cat.names) == len(set(cat.names)) == len(cat) == 47
    assert list(cat.groups) == [
        "applicant", "travel_history", "documents", "sponsor", "financial", "network"
    ]  # fmt: skip
    assert cat.names == [n for names in cat.groups.values() for n in names]
    assert set(cat.categorical_names) == {
        "visa_type", "purpose", "document_type", "mrz_format", "chip_auth_result",
        "sponsor_type", "sponsor_compliance",
    }  # fmt: skip
    assert cat.get("mrz_format").dtype == pl.Enum(["TD1", "TD2", "TD3", "MRVA", "MRVB"])
    assert cat.get("mrz_format").categories == ("TD1", "TD2", "TD3", "MRVA", "MRVB")
    assert "agent_issuing_states" in cat and "nationality" not in cat
    with pytest.raises(FeatureRegistryError, match="no feature named 'nationality'"):
        cat.get("nationality")


def test_agent_issuing_states_explains_why_not_nationality():
    spec = catalogue().get("agent_issuing_states")
    assert "issuing state" in spec.description and "protected" in spec.description
    assert "issuing_state" in spec.inputs and "nationality" not in spec.inputs


def test_reason_rendering_en_and_id():
    cat = catalogue()
    age = cat.get("passport_age_days")
    assert age.reason(12.4) == "Passport issued 12 days before the application"
    assert age.reason(12.4, "id") == "Paspor diterbitkan 12 hari sebelum permohonan"
    stay = cat.get("intended_stay_days")
    assert stay.reason(90) == "Intended stay of 90 days"
    agent = cat.get("has_agent")
    assert agent.reason(True) == "Lodged through an agent"
    assert agent.reason(False, "id") == "Diajukan tanpa agen"
    assert cat.get("chip_auth_result").reason("failed") == "Chip authentication: failed"
    assert cat.get("on_time_exit_share").reason(0.75) == "75% of past trips exited on time"
    assert cat.get("declared_funds_usd").reason(12500.0) == "Declared funds of 12,500 USD"


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_missing_value_renders_a_sentence(missing):
    tenure = catalogue().get("employment_tenure_months")
    assert tenure.reason(missing) == "No employment tenure declared"
    assert tenure.reason(missing, "id") == "Masa kerja tidak dinyatakan"


def test_every_feature_renders_every_case_in_both_languages():
    samples = {"numeric": 3.0, "boolean": True, "categorical": "x"}
    for spec in catalogue().specs:
        for lang in ("en", "id"):
            values = [samples[spec.kind], None] + ([False] if spec.kind == "boolean" else [])
            for value in values:
                text = spec.reason(value, lang)
                assert text.strip() and "{" not in text and text != spec.name, (spec.name, lang)


def test_unknown_language_is_refused():
    with pytest.raises(FeatureRegistryError, match="unknown language 'fr'"):
        catalogue().get("has_agent").reason(True, "fr")  # type: ignore[arg-type]


def test_hash_is_stable_across_processes_and_tracks_changes():
    cat = catalogue()
    code = "import features; print(features.catalogue().hash())"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()  # fmt: skip
    assert other == cat.hash()
    assert len(cat.hash()) == 64
    changed = list(cat.specs)
    spec = changed[0]
    changed[0] = FeatureSpec(**{**spec.__dict__, "inputs": (*spec.inputs, "occupation")})
    assert Catalogue(tuple(changed)).hash() != cat.hash()
    assert Catalogue(tuple(reversed(cat.specs))).hash() != cat.hash()
    assert canonical_hash(cat.specs) == cat.hash()


def test_listings():
    cat = catalogue()
    records = cat.to_records()
    assert [r["name"] for r in records] == cat.names
    first = records[0]
    assert first["dtype"] == str(cat.specs[0].dtype)
    parsed = json.loads(cat.to_json())
    assert parsed["hash"] == cat.hash() and parsed["features"] == records
    assert cat.get("has_agent").as_record()["reason_en"] == {
        "true": "Lodged through an agent", "false": "Lodged without an agent"
    }  # fmt: skip
    md = cat.to_markdown()
    assert md.startswith("# Feature catalogue")
    assert f"`{cat.hash()}`" in md
    assert "## network" in md
    assert md.count("\n| `") == len(cat)
