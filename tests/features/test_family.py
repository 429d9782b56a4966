"""Families and facts: one list of families, no import cycles, each fact's two forms agree."""

from __future__ import annotations

import ast
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from export_guard import exported
from feature_world import random_world

import features
from features import FACTS, FAMILIES, GROUPS, Request, catalogue, lookups_from_tables
from features._pipeline import _sources
from risk.contract import TABLES
from risk.io import RawTables
from risk.settings import get_settings

_FEATURES = Path(features.__file__).parent


def test_public_api_is_all_and_documented():
    module = exported("features")
    assert module.__all__[:7] == [
        "COUNTED_ON", "FACTS", "FAMILIES", "GROUPS", "ID_COLUMNS", "KINDS", "WINDOW_COUNTS"
    ]  # fmt: skip


def test_one_list_of_families_orders_everything():
    assert GROUPS == (
        "applicant", "travel_history", "documents", "sponsor", "financial", "network"
    )  # fmt: skip
    assert tuple(catalogue().groups) == GROUPS
    for name, family in FAMILIES.items():
        module = getattr(features, name)
        assert module.FAMILY is family and family.name == name
        assert [s.name for s in family.specs] == catalogue().groups[name]
    assert [f.name for f in FACTS] == [
        "application", "trip_record", "decision_record", "document", "sponsor_row",
        "network_window", "sponsor_window",
    ]  # fmt: skip


def _imports(path: Path) -> set[str]:
    """Modules of ``features`` that ``path`` imports, anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module)
            else:
                found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("features."):
            found.add(node.module.split(".")[1])
    return found


def test_the_import_graph_of_features_has_no_cycle():
    graph = {p.stem: _imports(p) for p in _FEATURES.glob("*.py") if p.stem != "__init__"}
    assert graph["_families"] >= set(GROUPS)  # the one place that lists the families
    for module in GROUPS:
        assert not graph[module] & {"_families", "_catalogue", "_pipeline", "_row"}, module
    state: dict[str, str] = {}

    def visit(node: str, path: tuple[str, ...]) -> None:
        if state.get(node) == "done":
            return
        assert state.get(node) != "open", f"import cycle: {' -> '.join((*path, node))}"
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, (*path, node))
        state[node] = "done"

    for node in sorted(graph):
        visit(node, ())


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return math.isnan(b) if math.isnan(a) else a.hex() == b.hex()
    return a == b


@pytest.mark.parametrize("seed", [3])
def test_each_fact_request_form_equals_its_batch_form(seed):
    world = random_world(200, seed=seed)
    settings = get_settings()
    src = _sources(world)
    docs: dict[str, list[dict[str, Any]]] = {}
    for row in world.documents.collect().iter_rows(named=True):
        docs.setdefault(row["application_id"], []).append(row)
    batch = {f.name: f.batch(src, settings).collect() for f in FACTS}
    for fact in FACTS:
        assert batch[fact.name].columns == list(fact.columns), fact.name
    for i, application in enumerate(world.applications.collect().iter_rows(named=True)):
        lookups = lookups_from_tables(application, world, settings=settings)
        request = Request(application, docs.get(application["application_id"], []), lookups,
                          settings)  # fmt: skip
        for fact in FACTS:
            got, expected = fact.request(request), batch[fact.name].row(i, named=True)
            assert list(got) == list(expected), fact.name
            for column, value in expected.items():
                assert _same(got[column], value), (fact.name, column, got[column], value)


def _empty_tables_with(keep: frozenset[str]) -> RawTables:
    names = ("applications", "documents", "travel_history", "prior_decisions", "sponsors",
             "outcomes")  # fmt: skip
    frames = {
        name: pl.LazyFrame(schema={c.name: c.dtype for c in TABLES[name].columns if c.name in keep})
        for name in names
    }
    return RawTables(**frames)


def _plan(fact: Any, columns: frozenset[str]) -> list[str]:
    tables = _empty_tables_with(columns)
    src = _sources(tables)
    if "submitted_at" not in columns:  # then no submission day either (it is derived)
        src = replace(src, targets=tables.applications)
    return fact.batch(src, get_settings()).collect_schema().names()


@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f.name)
def test_a_fact_reads_only_the_contract_columns_it_declares_joins_included(fact):
    # The batch plan over tables holding nothing but the declared columns resolves...
    assert _plan(fact, fact.inputs()) == list(fact.columns)
    # ...and fails without any one of them: the declaration is complete and exact.
    for column in sorted(fact.inputs()):
        with pytest.raises(pl.exceptions.ColumnNotFoundError):
            _plan(fact, fact.inputs() - {column})


def test_a_name_declared_by_two_families_is_refused():
    from features import Family, col
    from features._families import _check_unique
    from risk.errors import FeatureRegistryError

    texts = dict(kind="numeric", description="d", purpose="p", reason_en="{value}",
                 reason_id="{value}", inputs=("intended_stay_days",))  # fmt: skip
    first, second = (Family(n, owner="o", protected=frozenset()) for n in ("one", "two"))
    for family in (first, second):

        def stay():
            return col("intended_stay_days")

        family.feature(**texts)(stay)
    with pytest.raises(FeatureRegistryError) as err:
        _check_unique({"one": first, "two": second})
    assert str(err.value) == "feature 'stay' is declared twice (families 'one' and 'two')"
