"""Token detection: Terraform references are recognised in every form, plain values without the jsii kernel."""

from __future__ import annotations

from cdktf_fargate import _validation
from cdktf_fargate._validation import is_token

import pytest
from cdktf import Fn, TerraformVariable
from conftest import new_stack


def test_every_kind_of_token_is_recognised():
    stack = new_stack()
    text = TerraformVariable(stack, "text", type="string").string_value
    number = TerraformVariable(stack, "number", type="number").number_value
    (listed,) = TerraformVariable(stack, "listed", type="list(string)").list_value
    assert [is_token(value) for value in (text, number, listed, Fn.element(["a"], 0))] == [True] * 4


def test_plain_values_are_decided_without_asking_the_kernel(monkeypatch):
    def refuse(*_: object) -> bool:
        raise AssertionError("the jsii kernel was asked about a plain value")

    monkeypatch.setattr(_validation.Token, "is_unresolved", refuse)
    for value in ("plain", "${var.x}", 3, True, None, ["a"], {"a": "b"}):
        assert is_token(value) is False


@pytest.mark.parametrize("value", [2.5, -1.5e289])
def test_a_float_is_asked_about(value):
    # Number tokens are floats, so a float is the one plain value the kernel decides.
    assert is_token(value) is False
