"""Test support: build stacks under cdktf's Testing app and read the synthesized JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import dataclasses

import cdktf_fargate  # noqa: F401  (first: the fast provider import)
from cdktf_fargate import AlbOptions, Cluster, Network, PublicAlb

import pytest
from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.provider import AwsProvider

# Ordering, suite times, emulator logs on failure and leftover processes of a run (side by side or not);
# pytester runs small suites through that plugin in tests/test_side_by_side.py.
pytest_plugins = ["side_by_side", "pytester"]

ROOT = Path(__file__).resolve().parent.parent

CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


class Synthesized:
    """The synthesized JSON of one stack, with look-ups by resource type."""

    def __init__(self, stack: TerraformStack) -> None:
        self.json: dict[str, Any] = json.loads(Testing.synth(stack))

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return self.json.get("resource", {}).get(resource_type, {})

    def data(self, data_type: str) -> dict[str, dict[str, Any]]:
        return self.json.get("data", {}).get(data_type, {})

    def only(self, resource_type: str) -> dict[str, Any]:
        found = self.resources(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        logical_id, body = next(iter(found.items()))
        return {**body, "__logical_id__": logical_id}

    def only_data(self, data_type: str) -> dict[str, Any]:
        found = self.data(data_type)
        assert len(found) == 1, f"expected one data.{data_type}, found {sorted(found)}"
        logical_id, body = next(iter(found.items()))
        return {**body, "__logical_id__": logical_id}

    def by_path(self, resource_type: str, path_suffix: str) -> dict[str, Any]:
        """The one resource whose construct path ends with ``path_suffix`` (e.g. ``network/vpc``)."""
        wanted = path_suffix.replace("/", "_")
        matches = [
            (logical_id, body)
            for logical_id, body in self.resources(resource_type).items()
            if logical_id.rsplit("_", 1)[0].endswith(wanted)
        ]
        assert len(matches) == 1, f"expected one {resource_type} at …{path_suffix}, found {len(matches)}"
        logical_id, body = matches[0]
        return {**body, "__logical_id__": logical_id}

    def by_path_data(self, data_type: str, path_suffix: str) -> dict[str, Any]:
        wanted = path_suffix.replace("/", "_")
        matches = [(k, v) for k, v in self.data(data_type).items() if k.rsplit("_", 1)[0].endswith(wanted)]
        assert len(matches) == 1, f"expected one data.{data_type} at …{path_suffix}, found {len(matches)}"
        logical_id, body = matches[0]
        return {**body, "__logical_id__": logical_id}

    def count(self, resource_type: str) -> int:
        return len(self.resources(resource_type))


def ref(resource_type: str, body: dict[str, Any], attribute: str) -> str:
    """The Terraform expression that refers to ``body``'s ``attribute``."""
    return f"${{{resource_type}.{body['__logical_id__']}.{attribute}}}"


def new_stack() -> TerraformStack:
    """An empty stack with a provider, as an app would give the constructs."""
    test_stack = TerraformStack(Testing.app(), "test")
    AwsProvider(test_stack, "aws", region="us-east-1")
    return test_stack


@pytest.fixture
def stack() -> TerraformStack:
    return new_stack()


def make_network_and_alb(
    scope: TerraformStack, options: AlbOptions | None = None
) -> tuple[Network, PublicAlb, Cluster]:
    """The parts a service is wired to, as a stack would make them."""
    network = Network(scope, "network", name="test")
    alb = PublicAlb(scope, "alb", name="test", network=network, certificate_arn=CERTIFICATE_ARN, options=options)
    return network, alb, Cluster(scope, "cluster", name="test")


EXISTING_VPC = {
    "vpc_id": "vpc-0123456789abcdef0",
    "public_subnet_ids": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
    "private_subnet_ids": ["subnet-0cccccccccccccccc", "subnet-0dddddddddddddddd"],
}


def changed(options: Any, changes: dict[str, Any]) -> Any:
    """A copy of an option object with fields changed by dotted path: ``{"health_check.path": "/ready"}``."""
    direct: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for path, value in changes.items():
        head, _, rest = path.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            direct[head] = value
    for head, inner in nested.items():
        direct[head] = changed(getattr(options, head), inner)
    return dataclasses.replace(options, **direct)


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for running terraform: the local provider mirror when the registry is out of reach.

    The Makefile sets TF_CLI_CONFIG_FILE; when pytest runs on its own, the same config is written here.
    """
    from terraform_cli_config import write_config

    env = dict(os.environ, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
    configured = env.get("TF_CLI_CONFIG_FILE")
    if not configured or not Path(configured).is_file():
        mirror = Path(env.get("TF_PROVIDER_MIRROR", "/opt/tf-plugins"))
        written = write_config(mirror, tmp_path_factory.mktemp("terraform-cli") / "config.tfrc")
        if written is not None:
            env["TF_CLI_CONFIG_FILE"] = str(written)
    return env
