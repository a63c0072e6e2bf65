"""The option machinery: types from annotations, rules, cross-field rules, TOML tables, documentation."""

from __future__ import annotations

import dataclasses
from typing import Any

from cdktf_fargate import (
    Container,
    HealthCheck,
    Routing,
    Scaling,
    Secret,
    SecretsManagerSecret,
    ServiceOptions,
    SsmParameter,
    TaskSize,
)
from cdktf_fargate.options import OptionType, Problems, check_options, describe_type, options_from_mapping

import pytest
from cdktf import TerraformVariable
from conftest import new_stack


def every_option_type() -> list[type]:
    """Every option type there is, the library's and the app's (the settings file's tables), found by
    subclassing: a new one is covered by the tests below without being listed."""
    import stacks.environments  # noqa: F401 (its option types join the subclasses)

    found: list[type] = []
    todo = list(OptionType.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.append(cls)
            todo += cls.__subclasses__()
    return sorted(found, key=lambda cls: cls.__name__)


OPTION_TYPES = every_option_type()
# Types whose defaults need the user's values: the settings their default is refused for, and nothing else.
NEEDS_INPUT = {
    "BootstrapConfig": ["environments", "github_repository", "state_bucket"],
    "CapacitySchedule": ["min_count", "schedule"],
    "Sidecar": ["image"],
    "Secret": ["arn"],
    "Subscription": ["topic"],
}


def problems_of(options: Any, path: str = "options") -> list[str]:
    problems = Problems("test")
    check_options(problems, path, options)
    try:
        problems.raise_if_any()
    except ValueError as error:
        return str(error).splitlines()[1:]
    return []


@pytest.mark.parametrize("option_type", OPTION_TYPES, ids=lambda cls: cls.__name__)
def test_every_default_passes_its_own_rules(option_type):
    refused = sorted(line.split("=")[0].removeprefix("  - options.") for line in problems_of(option_type()))
    assert refused == NEEDS_INPUT.get(option_type.__name__, [])


def test_every_option_type_is_found_the_librarys_and_the_apps():
    names = {cls.__name__ for cls in OPTION_TYPES}
    assert {"ServiceOptions", "JobOptions", "Secret", "Waf", "EnvironmentConfig", "BootstrapConfig", "AppService",
            "DeployOptions", "ImageBuild", "CostAssumptions"} <= names  # fmt: skip
    assert len(names) == len(OPTION_TYPES) >= 27


@pytest.mark.parametrize("option_type", OPTION_TYPES, ids=lambda cls: cls.__name__)
def test_every_field_is_frozen_keyword_only_and_documented(option_type):
    fields = dataclasses.fields(option_type)
    assert fields
    for field in fields:
        assert field.kw_only, field.name
        assert field.metadata["doc"], field.name
    with pytest.raises(dataclasses.FrozenInstanceError):
        option_type().__setattr__(fields[0].name, None)


def test_option_types_are_plain_values_that_compare_and_copy():
    assert ServiceOptions() == ServiceOptions()
    changed = dataclasses.replace(ServiceOptions(), health_check=HealthCheck(path="/ready"))
    assert changed.health_check.path == "/ready" and ServiceOptions().health_check.path == "/health"
    # A mutable default is never shared between instances.
    assert Container().environment is not Container().environment


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (TaskSize(cpu_units=300), "options.cpu_units=300 is invalid: must be 256 or 512 or 1024"),  # type: ignore[arg-type]
        (HealthCheck(interval_seconds=True), "options.interval_seconds=True is invalid: must be a whole number"),
        (Scaling(cpu_target_percent=1.5), "options.cpu_target_percent=1.5 is invalid: must be a whole number or None"),  # type: ignore[arg-type]
        (Routing(path_patterns=["/a", "/a"]), "options.path_patterns=['/a', '/a'] is invalid: must not repeat an item"),  # type: ignore[arg-type]
        (Container(environment={"A": None}), "options.environment.A=None is invalid: must be a string"),  # type: ignore[dict-item]
        (Container(secrets={"A": "arn"}), "options.secrets.A='arn' is invalid: must be a Secret (a table)"),  # type: ignore[dict-item]
        (ServiceOptions(task=None), "options.task=None is invalid: must be a TaskSize (a table)"),  # type: ignore[arg-type]
    ],
)
def test_fails_when_a_value_has_the_wrong_type_naming_the_dotted_path(options, expected):
    assert any(line.endswith(expected) or expected in line for line in problems_of(options)), problems_of(options)


def test_cross_field_rules_wait_for_the_right_types():
    # With a wrong type the comparison would raise a TypeError; only the type is reported.
    assert problems_of(HealthCheck(timeout_seconds="5")) == [  # type: ignore[arg-type]
        "  - options.timeout_seconds='5' is invalid: must be a whole number"
    ]


def test_a_rule_of_a_group_and_a_rule_across_groups_are_both_reported():
    found = problems_of(
        ServiceOptions(
            enable_execute_command=True,
            health_check=HealthCheck(timeout_seconds=30),
            task=TaskSize(memory_mib=300),
        )
    )
    assert any("options.health_check.timeout_seconds=30" in line for line in found)
    assert any("options.task.memory_mib=300 is invalid: must be a whole number from 512" in line for line in found)
    assert any("options.enable_execute_command=True" in line for line in found)


def test_terraform_references_are_not_checked():
    stack = new_stack()
    token_number = TerraformVariable(stack, "count", type="number").number_value
    token_string = TerraformVariable(stack, "arn", type="string").string_value
    assert problems_of(ServiceOptions(desired_count=token_number)) == []
    assert problems_of(Secret(kind="ssm-parameter", arn=token_string)) == []


def test_a_secret_must_match_its_declared_kind():
    assert problems_of(SsmParameter("arn:aws:ssm:us-east-1:123456789012:parameter/db")) == []
    (line,) = problems_of(Secret(kind="secrets-manager", arn="arn:aws:secretsmanager:us-east-1:1:bucket/db"))
    assert "must be a Secrets Manager secret ARN" in line


def test_a_secret_whose_kind_was_left_out_is_told_which_kind_its_arn_is():
    """`kind` defaults to Secrets Manager: a parameter's ARN without it is told to set the kind, not that the
    ARN is wrong."""
    (line,) = problems_of(Secret(arn="arn:aws:ssm:us-east-1:123456789012:parameter/db"))
    assert (
        "kind='secrets-manager' is invalid: the ARN 'arn:aws:ssm:us-east-1:123456789012:parameter/db' is of kind"
        in line
    )
    assert line.endswith("set kind = 'ssm-parameter'")


def test_each_kind_of_secret_is_a_type_that_every_secret_of_that_kind_belongs_to():
    parameter, secret = "arn:aws:ssm:us-east-1:123456789012:parameter/db", "arn:aws:secretsmanager:us-east-1:1:secret:x"
    made = SsmParameter(parameter)
    assert made == Secret(kind="ssm-parameter", arn=parameter)
    assert isinstance(made, SsmParameter) and isinstance(made, Secret)
    assert not isinstance(made, SecretsManagerSecret)
    assert isinstance(SecretsManagerSecret(secret), SecretsManagerSecret)
    # One read from a settings file too, where the kind is a key of its table.
    problems = Problems("test")
    loaded = options_from_mapping(Secret, {"kind": "ssm-parameter", "arn": parameter}, "", problems)
    assert isinstance(loaded, SsmParameter) and not isinstance(loaded, SecretsManagerSecret)
    assert not isinstance("arn:aws:ssm:us-east-1:123456789012:parameter/db", SsmParameter)


def test_a_toml_table_builds_nested_types_and_lists_become_tuples():
    problems = Problems("test")
    built = options_from_mapping(
        ServiceOptions,
        {
            "routing": {"path_patterns": ["/api/*"]},
            "container": {"secrets": {"DB": {"kind": "ssm-parameter", "arn": "x"}}},
        },
        "service",
        problems,
    )
    assert not problems.found
    assert built == ServiceOptions(
        routing=Routing(path_patterns=("/api/*",)),
        container=Container(secrets={"DB": Secret(kind="ssm-parameter", arn="x")}),
    )


def test_fails_when_a_toml_key_is_unknown_suggesting_the_closest():
    problems = Problems("test")
    options_from_mapping(ServiceOptions, {"desired_cuont": 2, "zzz": 1}, "service", problems)
    assert problems.count == 2
    with pytest.raises(ValueError) as error:
        problems.raise_if_any()
    text = str(error.value)
    assert (
        "service.desired_cuont=2 is invalid: is not a setting of ServiceOptions: did you mean 'desired_count'?" in text
    )
    assert "service.zzz=1 is invalid: is not a setting of ServiceOptions: allowed are desired_count," in text


@pytest.mark.parametrize(
    ("annotation_of", "described"),
    [
        ((TaskSize, "cpu_architecture"), "'X86_64' or 'ARM64'"),
        ((Routing, "path_patterns"), "a list of strings"),
        ((Container, "environment"), "a mapping of names to strings"),
        ((Scaling, "cpu_target_percent"), "a whole number or None"),
        ((ServiceOptions, "scaling"), "a Scaling (a table)"),
    ],
)
def test_types_are_described_as_a_reader_would_say_them(annotation_of, described):
    from cdktf_fargate.options._base import hints

    option_type, field = annotation_of
    assert describe_type(hints(option_type)[field]) == described
