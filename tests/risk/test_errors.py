from __future__ import annotations

import inspect

import pytest

import risk.errors as errors
from risk.errors import AmanahError, DataContractError, NotFoundError, PromotionRefusedError


def _error_classes() -> list[type[AmanahError]]:
    return [
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, AmanahError)
    ]


def test_every_error_is_exported_and_knows_its_status() -> None:
    classes = _error_classes()
    assert {c.__name__ for c in classes} == set(errors.__all__)
    for cls in classes:
        assert 400 <= cls.status_code <= 599, cls
        assert cls.code and cls.code.islower(), cls


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (errors.RequestValidationError, 422),
        (errors.NotFoundError, 404),
        (errors.AuthenticationError, 401),
        (errors.PermissionDeniedError, 403),
        (errors.ModelUnavailableError, 503),
        (errors.ConflictError, 409),
    ],
)
def test_http_statuses(cls: type[AmanahError], status: int) -> None:
    assert cls.status_code == status


def test_body_uses_message_when_no_detail() -> None:
    exc = NotFoundError("case 'C-1' does not exist")
    assert exc.to_body() == {"error": "not_found", "detail": "case 'C-1' does not exist"}


def test_contract_error_carries_every_problem() -> None:
    problems = [
        {"table": "applications", "row": 3, "column": "sex", "value": "Q", "rule": "allowed"}
    ]
    exc = DataContractError("1 problem", problems=problems)
    assert exc.problems == problems
    assert exc.to_body() == {"error": "data_contract_error", "detail": problems}


def test_promotion_refusal_lists_checks() -> None:
    checks = [{"check": "fairness", "passed": False}]
    exc = PromotionRefusedError("fairness failed", checks=checks)
    assert exc.to_body()["detail"] == {"message": "fairness failed", "checks": checks}
    assert exc.status_code == 409
