"""The synthetic world: contract, determinism, mechanisms, proxies and label bias."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from risk.contract import ALL_TABLES
from risk.errors import ConfigError, DataFileError
from risk.mrz import check_digit, parse_mrz
from risk.synth import FRAUD_KINDS, INTELLIGENCE_BIAS, STEPS, Manifest, generate_world, synthesize

START = dt.date(2023, 1, 1)


@pytest.fixture(scope="session")
def world():
    """One 20k-application world shared by the tests (base rates need this many)."""
    return generate_world(20_000, 11, start=START, years=3)


@pytest.fixture(scope="session")
def written(tmp_path_factory):
    """A small world written to disk twice with the same seed, once with another."""
    base = tmp_path_factory.mktemp("synth")
    steps: list[str] = []
    first = synthesize(3000, 5, base / "a", progress=steps.append)
    second = synthesize(3000, 5, base / "b")
    other = synthesize(3000, 6, base / "c")
    return base, first, second, other, steps


def test_same_seed_gives_same_bytes(written):
    base, first, second, other, _ = written
    for name in first.sha256:
        assert (base / "a" / name).read_bytes() == (base / "b" / name).read_bytes(), name
    assert first.sha256 == second.sha256
    assert other.sha256["applications.parquet"] != first.sha256["applications.parquet"]


def test_manifest_describes_the_files(written):
    base, first, _, _, steps = written
    on_disk = json.loads((base / "a" / "manifest.json").read_text())
    assert Manifest.read(base / "a") == first
    assert on_disk["seed"] == 5 and on_disk["applications"] == 3000
    for name, digest in first.sha256.items():
        assert hashlib.sha256((base / "a" / name).read_bytes()).hexdigest() == digest
        assert pl.read_parquet(base / "a" / name).height == first.rows[name.split(".")[0]]
    assert first.rows["applications"] == first.rows["outcomes"] == first.rows["truth"] == 3000
    assert steps == [*STEPS, "write"]


def test_written_tables_have_the_contract_schema(written):
    base = written[0]
    for name, table in ALL_TABLES.items():
        assert pl.read_parquet(base / "a" / f"{name}.parquet").schema == table.schema, name


def _breaches(df: pl.DataFrame, table) -> list[str]:
    problems = []
    for c in table.columns:
        s = df[c.name]
        present = s.drop_nulls()
        if not c.nullable and s.null_count():
            problems.append(f"{c.name}: {s.null_count()} nulls")
        if c.unique and s.n_unique() != len(s):
            problems.append(f"{c.name}: duplicates")
        if c.allowed and not present.is_in(list(c.allowed)).all():
            problems.append(f"{c.name}: value outside {c.allowed}")
        if c.pattern and not present.str.contains(c.pattern).all():
            problems.append(f"{c.name}: breaks {c.pattern}")
        for bound, bad in ((c.min, present.lt), (c.max, present.gt)):
            if bound is None:
                continue
            value = dt.date.fromisoformat(bound) if isinstance(bound, str) else bound
            if s.dtype == pl.Datetime("us"):
                value = dt.datetime.combine(value, dt.time())
            if bad(value).any():
                problems.append(f"{c.name}: outside {bound}")
    return problems


@pytest.mark.parametrize("name", list(ALL_TABLES))
def test_no_row_breaks_the_contract(world, name):
    assert world.tables[name].schema == ALL_TABLES[name].schema
    assert _breaches(world.tables[name], ALL_TABLES[name]) == []


def test_foreign_keys_resolve(world):
    t = world.tables
    apps = t["applications"]["application_id"]
    assert t["documents"]["application_id"].is_in(apps).all()
    assert t["outcomes"]["application_id"].sort().equals(apps.sort())
    sponsors = t["applications"]["sponsor_id"].drop_nulls()
    assert sponsors.is_in(t["sponsors"]["sponsor_id"]).all()
    people = t["applications"]["applicant_id"]
    assert t["travel_history"]["applicant_id"].is_in(people).all()
    assert t["prior_decisions"]["applicant_id"].is_in(people).all()


def test_violation_base_rate_in_range(world):
    truth = world.tables["truth"]
    assert 0.02 <= truth["any_violation"].mean() <= 0.04
    for column in ("overstay", "document_fraud", "misrepresentation"):
        assert truth[column].sum() > 50
    either = truth["overstay"] | truth["document_fraud"] | truth["misrepresentation"]
    assert truth["any_violation"].equals(either.alias("any_violation"))


def _primary(world) -> pl.DataFrame:
    docs = world.tables["documents"].filter(
        pl.col("document_type").is_in(["passport", "national_id"])
    )
    return docs.join(world.fraud_kinds, on="application_id")


def _parsed(df: pl.DataFrame) -> list:
    return [
        parse_mrz([a, b, c], today=dt.date(2030, 1, 1))
        for a, b, c in df.select("mrz_line1", "mrz_line2", "mrz_line3").iter_rows()
    ]


def test_genuine_documents_have_valid_mrz_matching_the_page(world):
    docs = world.tables["documents"].join(world.fraud_kinds, on="application_id")
    genuine = docs.filter(
        (pl.col("fraud_kind") == "genuine")
        | (pl.col("document_type").is_in(["visa", "residence_permit"]))
    )
    sample = genuine.sample(1500, seed=1)
    assert set(genuine["mrz_format"].unique()) == {"TD1", "TD2", "TD3", "MRVA", "MRVB"}
    for row, mrz in zip(sample.iter_rows(named=True), _parsed(sample), strict=True):
        assert mrz.format == row["mrz_format"] and mrz.format_ok, row
        assert mrz.checks_ok, row
        assert mrz.document_number == row["printed_document_number"]
        assert mrz.birth_date == row["printed_birth_date"]
        assert mrz.expiry_date == row["expiry_date"]
        assert mrz.nationality == row["printed_nationality"]
        assert mrz.surname == row["printed_surname"]


def test_check_digit_reference_agrees_with_icao_example():
    # ICAO 9303 part 3 example: document number L898902C3 has check digit 6.
    from risk.synth._mrz_bytes import check_digit as ours

    m = np.frombuffer(b"L898902C3", dtype=np.uint8)[None, :]
    assert check_digit("L898902C3") == 6
    assert ours(m)[0, 0] == ord("6")


def test_naive_edit_fails_a_check_digit_and_matches_the_page(world):
    edited = _primary(world).filter(pl.col("fraud_kind") == "naive_edit")
    assert edited.height > 10
    for row, mrz in zip(edited.iter_rows(named=True), _parsed(edited), strict=True):
        assert not (mrz.birth_ok and mrz.expiry_ok), row
        assert mrz.document_number == row["printed_document_number"]


def test_recomputed_forgery_passes_digits_but_mismatches_the_page(world):
    forged = _primary(world).filter(pl.col("fraud_kind") == "recomputed")
    assert forged.height > 10
    for row, mrz in zip(forged.iter_rows(named=True), _parsed(forged), strict=True):
        assert mrz.checks_ok, row
        assert mrz.document_number != row["printed_document_number"]
        assert mrz.birth_date != row["printed_birth_date"]


def test_other_forgery_kinds_show_their_signal(world):
    p = _primary(world).join(world.tables["applications"], on="application_id")
    by_kind = p.group_by("fraud_kind").agg(
        pl.col("tamper_score").median().alias("tamper"),
        pl.col("face_match_score").median().alias("face"),
        (pl.col("chip_auth_result") == "failed").mean().alias("chip_failed"),
        ((pl.col("submitted_at").dt.date() - pl.col("issue_date")).dt.total_days() < 30)
        .mean()
        .alias("recent"),
    )
    k = {r["fraud_kind"]: r for r in by_kind.iter_rows(named=True)}
    assert set(k) == set(FRAUD_KINDS)
    assert k["tampered"]["tamper"] > 0.5 > 0.15 > k["genuine"]["tamper"]
    assert k["impostor"]["face"] < 0.6 < 0.85 < k["genuine"]["face"]
    assert k["chip_clone"]["chip_failed"] == 1.0 and k["genuine"]["chip_failed"] < 0.02
    assert k["reissued"]["recent"] == 1.0 and k["genuine"]["recent"] < 0.05


def test_labels_are_biased_by_nationality_among_innocents(world):
    t = world.tables
    df = (
        t["applications"]
        .join(t["outcomes"], on="application_id")
        .join(t["truth"], on="application_id")
    )
    innocent = df.filter(~pl.col("any_violation"))
    favoured = [c for c, b in INTELLIGENCE_BIAS.items() if b >= 2]
    spared = [c for c, b in INTELLIGENCE_BIAS.items() if b <= 0.5]
    rate_favoured = innocent.filter(pl.col("nationality").is_in(favoured))["investigated"].mean()
    rate_spared = innocent.filter(pl.col("nationality").is_in(spared))["investigated"].mean()
    assert rate_favoured > 1.5 * rate_spared
    # Among innocents, the old checklist rules also raise investigation rates.
    by_trigger = innocent.filter(pl.col("investigated"))["investigation_trigger"].value_counts()
    assert set(by_trigger["investigation_trigger"]) == {
        "checklist",
        "intelligence",
        "random",
        "referral",
    }


def test_violations_confirmed_only_when_investigated_and_not_always(world):
    t = world.tables
    df = t["outcomes"].join(t["truth"], on="application_id")
    assert (
        df.filter(~pl.col("investigated"))["violation_confirmed"].null_count()
        == df.filter(~pl.col("investigated")).height
    )
    assert (
        df.filter(~pl.col("investigated"))["investigation_trigger"].null_count()
        == df.filter(~pl.col("investigated")).height
    )
    assert df.filter(pl.col("investigated"))["investigation_trigger"].null_count() == 0
    guilty = df.filter(
        pl.col("any_violation") & pl.col("investigated") & pl.col("known_at").is_not_null()
    )
    assert 0.4 < guilty["violation_confirmed"].mean() < 0.95
    confirmed = df.filter(pl.col("violation_confirmed").fill_null(False))
    assert confirmed["violation_types"].null_count() == 0
    pending = df.filter(pl.col("investigated") & pl.col("known_at").is_null())
    assert pending.height > 0 and pending["violation_confirmed"].null_count() == pending.height


def test_labels_arrive_after_submission_and_before_the_snapshot(world):
    t = world.tables
    df = t["outcomes"].join(t["applications"], on="application_id").drop_nulls("known_at")
    lag = (df["known_at"] - df["submitted_at"]).dt.total_days()
    assert lag.min() >= 7 and lag.median() > 20
    assert df["known_at"].max() < world.snapshot
    assert t["applications"]["submitted_at"].max() < world.snapshot


def test_in_window_decisions_come_after_submission(world):
    t = world.tables
    d = t["prior_decisions"]
    assert (d["decided_at"] >= d["applied_at"]).all()
    window = d.filter(pl.col("applied_at") >= START)
    assert window.height > 0.8 * t["applications"].height
    trips = t["travel_history"]
    assert (trips["authorised_until"] >= trips["entry_date"]).all()
    exits = trips.drop_nulls("exit_date")
    assert (exits["exit_date"] >= exits["entry_date"]).all()
    overstays = exits.filter(pl.col("exit_date") > pl.col("authorised_until"))
    assert overstays.filter(pl.col("entry_date") < START).height > 0


def test_repeat_applicants_exist(world):
    counts = world.tables["applications"]["applicant_id"].value_counts()["count"]
    assert 0.15 < (counts > 1).mean() < 0.5


def test_place_of_application_predicts_nationality(world):
    apps = world.tables["applications"]
    posts = apps.filter(~pl.col("place_of_application").str.starts_with("e-Visa"))
    posts = posts.filter(~pl.col("place_of_application").str.starts_with("Visa on Arrival"))
    top = posts.group_by("place_of_application", "nationality").len()
    best = top.group_by("place_of_application").agg(pl.col("len").max()).sum()["len"][0]
    accuracy = best / posts.height
    chance = apps["nationality"].value_counts()["count"].max() / apps.height
    assert accuracy > 0.8 > 3 * chance


def test_seasonality_and_weekdays(world):
    apps = world.tables["applications"]
    by_month = apps.group_by(pl.col("submitted_at").dt.month().alias("m")).len()
    m = dict(zip(by_month["m"], by_month["len"], strict=True))
    assert m[7] > 1.15 * m[5] and m[12] > 1.15 * m[11]
    weekday = apps["submitted_at"].dt.weekday()
    assert (weekday == 1).mean() > 1.4 * (weekday == 7).mean()


def test_overstay_driven_by_signals_not_nationality(world):
    t = world.tables
    df = t["applications"].join(t["truth"], on="application_id")
    thin = df["declared_funds_usd"] < 40 * df["intended_stay_days"]
    assert df.filter(thin)["overstay"].mean() > 2 * df.filter(~thin)["overstay"].mean()


def test_contact_details_shared_by_rings_across_nationalities(world):
    t = world.tables
    df = t["applications"].join(t["truth"], on="application_id").drop_nulls("phone_hash")
    shared = (
        df.group_by("phone_hash")
        .agg(
            pl.col("applicant_id").n_unique().alias("people"),
            pl.col("nationality").n_unique().alias("nats"),
            pl.col("misrepresentation").mean().alias("misrep"),
        )
        .filter(pl.col("people") >= 5)
    )
    assert shared.height > 0
    assert shared["nats"].max() >= 4 and shared["misrep"].mean() > 0.8


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 10}, "applications must be at least 100, got 10"),
        ({"years": 0}, "years must be between 1 and 10, got 0"),
        ({"start": "2023-13-01"}, "start date '2023-13-01' is not an ISO date"),
    ],
)
def test_bad_parameters_are_refused(tmp_path, kwargs, message):
    args = {"n": 200, "seed": 1, "out_dir": tmp_path, **kwargs}
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        synthesize(**args)


def test_cli_prints_the_summary(tmp_path):
    from risk.cli import app

    result = CliRunner().invoke(
        app, ["synth", "--applications", "500", "--seed", "2", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "base rate: any_violation" in result.output and "investigated share" in result.output
    assert Manifest.read(tmp_path).applications == 500


def test_written_world_passes_risk_validate(written):
    from risk.validation import validate_dir

    report = validate_dir(written[0] / "a")
    assert report.problems == [] and report.ok
    assert report.rows["applications"] == 3000 and "truth" in report.rows


def test_document_language_and_agents_are_proxies_for_nationality(world):
    t = world.tables
    docs = t["documents"].filter(pl.col("document_type") == "passport")
    lang = docs.group_by("document_language", "printed_nationality").len()
    best = lang.group_by("document_language").agg(pl.col("len").max())["len"].sum()
    assert best / docs.height > 0.35  # a language narrows nationality down a lot
    agents = t["applications"].drop_nulls("agent_id")
    per_agent = agents.group_by("agent_id", "nationality").len()
    top = per_agent.group_by("agent_id").agg(pl.col("len").max())["len"].sum()
    assert top / agents.height > 0.8


def test_voa_ineligible_nationalities_never_use_visa_on_arrival(world):
    apps = world.tables["applications"]
    voa = apps.filter(pl.col("place_of_application").str.starts_with("Visa on Arrival"))
    assert voa.height > 1000
    assert voa.filter(pl.col("nationality").is_in(["NGA", "PAK", "BGD", "IRN"])).height == 0


def test_eid_peak_for_muslim_majority_nationalities(world):
    apps = world.tables["applications"].filter(pl.col("nationality").is_in(["MYS", "BRN"]))
    day = apps["submitted_at"].dt.date()
    eid = dt.date(2024, 4, 10)
    ramadan = ((day >= eid - dt.timedelta(days=30)) & (day < eid - dt.timedelta(days=3))).sum()
    holiday = ((day >= eid - dt.timedelta(days=3)) & (day < eid + dt.timedelta(days=11))).sum()
    assert holiday / 14 > 2 * ramadan / 27


@settings(max_examples=50, deadline=None)
@given(n=st.integers(min_value=1, max_value=50_000), seed=st.integers(0, 2**32 - 1))
def test_applicant_counts_sum_to_the_requested_applications(n, seed):
    from risk.synth._people import applicant_counts

    counts = applicant_counts(np.random.default_rng(seed), n)
    assert counts.sum() == n and counts.min() >= 1


def test_a_persons_trips_never_overlap(world):
    trips = world.tables["travel_history"].sort("applicant_id", "entry_date")
    previous_exit = pl.col("exit_date").shift().over("applicant_id")
    previous_entry = pl.col("entry_date").shift().over("applicant_id")
    overlapping = trips.filter(
        (pl.col("entry_date") <= previous_exit)
        | (previous_entry.is_not_null() & previous_exit.is_null())
    )
    assert overlapping.height == 0
    # Earlier overstays are on record before the applicant's first application.
    first = (
        world.tables["applications"]
        .group_by("applicant_id")
        .agg(pl.col("submitted_at").min().dt.date().alias("first"))
    )
    early = trips.join(first, on="applicant_id").filter(pl.col("entry_date") < START)
    assert (early["exit_date"] < early["first"]).all()


def test_cli_refuses_a_tiny_world_with_one_clear_line(tmp_path):
    from risk.cli import app

    result = CliRunner().invoke(app, ["synth", "--applications", "10", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "synth: applications must be at least 100, got 10" in result.output


def test_same_bytes_in_another_process_with_another_hash_seed(written, tmp_path):
    base, first = written[0], written[1]
    script = (
        "import sys; from risk.synth import synthesize;"
        " m = synthesize(3000, 5, sys.argv[1]); print(m.sha256['documents.parquet'])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert Manifest.read(tmp_path).sha256 == first.sha256
    assert (tmp_path / "truth.parquet").read_bytes() == (base / "a" / "truth.parquet").read_bytes()


def test_visa_on_arrival_travellers_enter_at_that_port(world):
    t = world.tables
    voa = t["applications"].filter(
        pl.col("place_of_application").str.starts_with("Visa on Arrival")
    )
    trips = voa.join(t["travel_history"], on="applicant_id").filter(
        pl.col("entry_date") == pl.col("submitted_at").dt.date()
    )
    assert trips.height > 500
    city = pl.col("place_of_application").str.split(" ").list.get(3)
    # (a trip of another application may start the same day, rarely)
    assert trips.select(pl.col("port_of_entry").str.contains(city).mean()).item() > 0.99


@pytest.mark.parametrize(
    ("n", "start", "years"),
    [(100, dt.date(2024, 2, 29), 1), (150, dt.date(2020, 6, 15), 10), (400, START, 3)],
)
def test_edge_worlds_keep_the_contract(n, start, years):
    world = generate_world(n, 4, start=start, years=years)
    assert world.tables["applications"].height == n
    for name, table in ALL_TABLES.items():
        assert _breaches(world.tables[name], table) == [], name
    submitted = world.tables["applications"]["submitted_at"]
    assert (
        submitted.min() >= dt.datetime.combine(start, dt.time())
        and submitted.max() < world.snapshot
    )


def test_unreadable_manifest_is_a_data_file_error(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(DataFileError, match=r"manifest.json: not a readable world manifest"):
        Manifest.read(tmp_path)


def test_public_api_is_exported():
    import risk.synth as synth

    assert sorted(synth.__all__) == sorted(
        [
            "DETECTION",
            "DRIFT_SCENARIOS",
            "DriftScenario",
            "NEW_POST",
            "FRAUD_KINDS",
            "GENERATOR_VERSION",
            "INTELLIGENCE_BIAS",
            "STEPS",
            "Manifest",
            "World",
            "generate_world",
            "synthesize",
        ]
    )
    for name in synth.__all__:
        assert getattr(synth, name) is not None


def test_history_starts_after_the_sixteenth_birthday(world):
    # Records before a person's first application: their own travel, from age 16.
    t = world.tables
    people = (
        t["applications"]
        .group_by("applicant_id")
        .agg(pl.col("birth_date").first(), pl.col("submitted_at").min().dt.date().alias("first"))
    )
    for name, column in (("travel_history", "entry_date"), ("prior_decisions", "applied_at")):
        df = t[name].join(people, on="applicant_id").filter(pl.col(column) < pl.col("first"))
        age = (df[column] - df["birth_date"]).dt.total_days() / 365.25
        assert df.height > 1000 and age.min() >= 15.9, name
    registered = t["sponsors"]["registered_at"]
    assert registered.min() >= START - dt.timedelta(days=41 * 365)


# --- the drift scenario ----------------------------------------------------------------


@pytest.fixture(scope="session")
def drift_pair():
    """The same small world with and without the new post from 2023-10-01."""
    from risk.synth import DriftScenario

    scenario = DriftScenario("new-post", dt.date(2023, 10, 1), share=0.5)
    plain = generate_world(3000, 5, start=START, years=1)
    drifted = generate_world(3000, 5, start=START, years=1, drift=scenario)
    return plain, drifted


def test_drift_changes_only_applications_and_documents_from_its_day(drift_pair):
    from risk.synth import NEW_POST

    plain, drifted = drift_pair
    for name in ("travel_history", "prior_decisions", "sponsors", "outcomes", "truth"):
        assert drifted.tables[name].equals(plain.tables[name]), name
    cut = dt.datetime(2023, 10, 1)
    a0, a1 = plain.tables["applications"], drifted.tables["applications"]
    assert a1.filter(pl.col("submitted_at") < cut).equals(a0.filter(pl.col("submitted_at") < cut))
    early = a0.filter(pl.col("submitted_at") < cut)["application_id"].implode()
    d0, d1 = plain.tables["documents"], drifted.tables["documents"]
    keep = pl.col("application_id").is_in(early)
    assert d1.filter(keep).equals(d0.filter(keep))
    moved = a1.filter(pl.col("place_of_application") == NEW_POST)
    assert set(moved["visa_type"]) == {"work"} and set(moved["purpose"]) == {"employment"}
    assert moved["intended_stay_days"].is_between(180, 720).all()
    before = a0.join(moved.select("application_id"), on="application_id")
    assert (moved["declared_funds_usd"] == (before["declared_funds_usd"] / 3).round(0)).all()
    late = a1.filter(pl.col("submitted_at") >= cut).height
    assert moved.height / late == pytest.approx(0.5, abs=0.06)


def test_drifted_forgeries_look_genuine_to_the_tamper_scanner(world):
    from risk.synth import DriftScenario

    # the shared world again, every application of its last year through the new post
    scenario = DriftScenario("new-post", dt.date(2025, 1, 1), share=1.0)
    drifted = generate_world(20_000, 11, start=START, years=3, drift=scenario)
    late = world.tables["applications"].filter(pl.col("submitted_at") >= dt.datetime(2025, 1, 1))
    forged = world.fraud_kinds.filter(pl.col("fraud_kind") == "tampered")["application_id"]
    ids = late["application_id"].filter(late["application_id"].is_in(forged.implode())).implode()
    docs = pl.col("application_id").is_in(ids)
    before = world.tables["documents"].filter(docs)["tamper_score"]
    after = drifted.tables["documents"].filter(docs)["tamper_score"]
    # tampered documents score beta(7, 2.5) (mean 0.74); genuine ones beta(1.5, 30) (0.05)
    assert after.len() == before.len() == 9  # tampered documents in that year, this seed
    assert before.mean() > 0.5
    assert after.mean() < 0.1
    assert after.null_count() == before.null_count()  # unscanned stays unscanned


def test_the_manifest_records_a_drift_and_only_then(tmp_path):
    from risk.synth import DriftScenario

    scenario = DriftScenario("new-post", dt.date(2023, 10, 1))
    synthesize(300, 5, tmp_path / "d", years=1, drift=scenario)
    synthesize(300, 5, tmp_path / "p", years=1)
    assert json.loads((tmp_path / "d" / "manifest.json").read_text())["drift"] == {
        "name": "new-post",
        "start": "2023-10-01",
        "share": 0.35,
    }
    assert "drift" not in json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert Manifest.read(tmp_path / "d").drift == scenario.to_dict()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--drift", "volcano"], "drift scenario 'volcano' is unknown; use one of new-post"),
        (["--drift", "new-post", "--drift-share", "0"], "drift share must be above 0"),
        (["--drift-from", "2023-10-01"], "--drift-from needs --drift SCENARIO"),
        (["--drift", "new-post", "--drift-from", "10/01/2023"], "is not an ISO date"),
    ],
)
def test_synth_refuses_a_bad_drift(tmp_path, args, message):
    from risk.cli import app

    result = CliRunner().invoke(app, ["synth", "-n", "300", "--out", str(tmp_path), *args])
    assert result.exit_code == 1
    assert message in result.output


def test_synth_cli_writes_a_drifted_world(tmp_path):
    from risk.cli import app

    args = ["synth", "-n", "300", "--years", "1", "--out", str(tmp_path), "--drift", "new-post"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    # default start: 90 days before the one-year window from 2023-01-01 ends
    assert json.loads((tmp_path / "manifest.json").read_text())["drift"]["start"] == "2023-10-03"


def test_simulate_takes_the_same_drift_scenarios(tmp_path):
    from risk.cli import app

    args = ["simulate", "--out", str(tmp_path / "o"), "--drift", "volcano"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "drift scenario 'volcano' is unknown; use one of new-post" in result.output
