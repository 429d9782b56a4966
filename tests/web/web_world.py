"""A small synthetic world, a small model trained on its catalogue features, and a store
seeded through the serving services (imported by name; tests are not a package)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from risk.clock import WallClock
from risk.settings import ModelSettings, Settings

#: Applications in the world; the latest ``SCORED`` are scored through the service.
WORLD_SIZE = 3000
SCORED = 45


@dataclass
class WebWorld:
    """What the web tests share: settings, the store, the model and the seeded ids."""

    settings: Settings
    store: Any
    holder: Any
    #: flagged (non-blind) cases, one per test that changes a case
    case_ids: list[int] = field(default_factory=list)
    blind_case_ids: list[int] = field(default_factory=list)
    personal: set[str] = field(default_factory=set)


def train_bundle(world_dir: Path, settings: Settings) -> Any:
    """Train a small model on the world's contract tables (the production training path)."""
    from models import train_world

    return train_world(world_dir, settings=settings).bundle


def fast_settings(data_dir: Path) -> Settings:
    """Settings for a quick model and a store under ``data_dir``."""
    model = ModelSettings(
        num_threads=1,
        max_rounds=60,
        learning_rate=0.1,
        early_stopping_rounds=15,
        # 40, not 20: every feature reaches the learner (no pre-filter), and with leaves of
        # 20 rows this small world's validation loss is best after one tree, which cannot rank
        min_data_in_leaf=40,
        num_leaves=15,
    )
    s = Settings(data_dir=data_dir, model=model)
    s.serving.model_source = "none"
    s.review.blind_sample_rate = 0.0
    s.review.capacity = 0.4
    s.model.calibration = "platt"
    s.fairness.min_group_size = 5
    return s


USERS = {
    "officer": ("officer", "teal-harbour-41"),
    "officer2": ("officer", "amber-orchid-52"),
    "supervisor": ("supervisor", "slate-meadow-63"),
    "auditor": ("auditor", "coral-summit-74"),
    "analyst": ("analyst", "ivory-canyon-85"),
    "admin": ("admin", "jade-lantern-96"),
}


#: Users who read the pages in Bahasa Indonesia (their stored language), one per role.
INDONESIAN_USERS = {
    "petugas-id": ("officer", "jade-lagoon-17"),
    "penyelia-id": ("supervisor", "pearl-ridge-28"),
    "pemeriksa-id": ("auditor", "onyx-valley-39"),
}


def sign_in(client, username: str, password: str | None = None, **form: str):
    """Sign in through the form as a browser does: fetch it (CSRF token), then post it."""
    import re

    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    password = USERS[username][1] if password is None else password
    data = {"username": username, "password": password, "csrf": csrf, **form}
    return client.post("/login", data=data)


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dicts()


def _personal_values(apps: pl.DataFrame, docs: pl.DataFrame) -> set[str]:
    """Strings that identify a person or carry protected attributes, for leak tests."""
    values: set[str] = set()
    for col in (
        "application_id",
        "applicant_id",
        "phone_hash",
        "email_hash",
        "address_hash",
        "bank_account_hash",
    ):
        values |= {v for v in apps[col].drop_nulls().to_list() if len(str(v)) >= 6}
    for col in ("printed_surname", "printed_document_number", "mrz_line1", "mrz_line2"):
        values |= {v for v in docs[col].drop_nulls().to_list() if len(str(v)) >= 6}
    values |= {str(d) for d in apps["birth_date"].to_list()}
    return values


def seed_store(store: Any, world_dir: Path, bundle: Any, settings: Settings) -> WebWorld:
    """Load the world's history into the store and score its latest applications.

    The last ``SCORED`` applications go through :func:`serving.services.score_application`
    (so they open cases as in production); the last three of them are scored with a
    threshold above every score and the blind-sample rate near one, so they become
    blind-sample cases.
    """
    from risk.io import load_tables
    from serving.services import (
        Principal,
        create_user,
        save_raw_rows,
        score_application,
        set_runtime,
    )

    tables = load_tables(world_dir)
    apps = tables.applications.collect().sort("submitted_at")
    docs = tables.documents.collect()
    scored = apps.tail(SCORED)
    scored_ids = set(scored["application_id"].to_list())
    with store.transaction() as session:
        for name, (role, password) in USERS.items():
            create_user(session, name, role, password=password, clock=WallClock())
        save_raw_rows(session, "sponsors", _rows(tables.sponsors.collect()))
        save_raw_rows(
            session, "applications", _rows(apps.filter(~pl.col("application_id").is_in(scored_ids)))
        )
        save_raw_rows(
            session, "documents", _rows(docs.filter(~pl.col("application_id").is_in(scored_ids)))
        )
        save_raw_rows(session, "travel_history", _rows(tables.travel_history.collect()))
        save_raw_rows(session, "prior_decisions", _rows(tables.prior_decisions.collect()))
        outcomes = tables.outcomes.collect().filter(~pl.col("application_id").is_in(scored_ids))
        save_raw_rows(session, "outcomes", _rows(outcomes))
    system = Principal(0, "system", "admin")
    world = WebWorld(settings=settings, store=store, holder=None)
    rng = __import__("random").Random(3)
    with store.transaction() as session:
        admin = create_user(session, "seed-admin", "admin", clock=WallClock())
        system = Principal(admin.user_id, "seed-admin", "admin")
        for i, app in enumerate(_rows(scored)):
            if i == SCORED - 3:
                set_runtime(session, system, "threshold", 0.999999, clock=WallClock())
                set_runtime(session, system, "blind_sample_rate", 0.999, clock=WallClock())
            app_docs = _rows(docs.filter(pl.col("application_id") == app["application_id"]))
            out = score_application(
                session, bundle, settings, system, app, app_docs, rng=rng, clock=WallClock()
            )
            if out.case_id is not None:
                if out.score.route == "blind_sample":
                    world.blind_case_ids.append(out.case_id)
                else:
                    world.case_ids.append(out.case_id)
        set_runtime(session, system, "threshold", None, clock=WallClock())
        set_runtime(session, system, "blind_sample_rate", 0.0, clock=WallClock())
    if len(world.case_ids) < 10 or len(world.blind_case_ids) != 3:
        raise AssertionError(
            f"the web world needs 10 flagged and 3 blind cases, got {len(world.case_ids)}"
            f" and {len(world.blind_case_ids)}: raise SCORED or the review capacity"
        )
    world.personal = _personal_values(
        scored, docs.filter(pl.col("application_id").is_in(scored_ids))
    )
    return world


def sign_in_page(page, url: str, username: str, password: str, lang: str = "en") -> None:
    """Sign in through the form (labels in ``lang``) and wait for the start page."""
    labels = {
        "en": ("Username", "Password", "Sign in"),
        "id": ("Nama pengguna", "Kata sandi", "Masuk"),
    }
    user_label, password_label, button = labels[lang]
    page.goto(f"{url}/login?lang={lang}")
    page.get_by_label(user_label).fill(username)
    page.get_by_label(password_label).fill(password)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state("domcontentloaded")
