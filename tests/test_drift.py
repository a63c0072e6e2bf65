"""`cdktf-fargate drift` (cdktf_fargate_cli/drift.py): which differences a refresh-only plan shows count as
drift. The end-to-end test (tests/test_end_to_end.py) runs it against a deployment changed through the AWS
API."""

from __future__ import annotations

import json
import subprocess

import pytest
from cdktf_fargate_cli.drift import ATTEMPTS, PLACEHOLDER_TAG, changed_attributes, check, unexpected_drift

SERVICE = "aws_ecs_service.service_service_A"
GROUP_ID = "sg-0aaaaaaaaaaaaaaaa"
ALB_GROUP_ID = "sg-0bbbbbbbbbbbbbbbb"
CONFIG = {
    "provider": {"aws": [{"default_tags": [{"tags": {"Environment": "prod", "ManagedBy": "cdktf"}}]}]},
    "resource": {
        "aws_ecs_service": {"service_service_A": {"lifecycle": {"ignore_changes": ["desired_count"]}}},
        "aws_security_group": {"service_security-group_B": {}},
    },
}
STATE = {
    "resources": [
        {
            "type": "aws_vpc_security_group_ingress_rule",
            "instances": [
                {
                    "attributes": {
                        "security_group_id": GROUP_ID,
                        "ip_protocol": "tcp",
                        "from_port": 8080,
                        "to_port": 8080,
                        "referenced_security_group_id": ALB_GROUP_ID,
                    }
                }
            ],
        }
    ]
}


def drift(address: str, before: dict, after: dict | None) -> dict:
    kind, name = address.split(".")
    return {"address": address, "type": kind, "name": name, "change": {"before": before, "after": after}}


def ingress(*entries: tuple[int, list[str], list[str]]) -> list[dict]:
    return [
        {"protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": cidrs, "security_groups": groups,
         "prefix_list_ids": [], "self": False}
        for port, cidrs, groups in entries
    ]  # fmt: skip


def group(rules: list[dict]) -> dict:
    return {"id": GROUP_ID, "ingress": rules, "egress": [], "name": "tasks"}


def test_a_changed_desired_count_is_expected_but_another_service_attribute_is_not():
    autoscaled = drift(SERVICE, {"desired_count": 3, "name": "shop"}, {"desired_count": 7, "name": "shop"})
    assert unexpected_drift({"resource_drift": [autoscaled]}, CONFIG, STATE) == []
    changed = drift(
        SERVICE, {"desired_count": 3, "platform_version": "LATEST"}, {"desired_count": 3, "platform_version": "1.4.0"}
    )
    assert unexpected_drift({"resource_drift": [changed]}, CONFIG, STATE) == [
        f'{SERVICE}: platform_version (platform_version "LATEST" -> "1.4.0")'
    ]


def test_a_group_listing_the_rules_the_stack_manages_is_expected():
    seen = drift("aws_security_group.service_security-group_B", group([]), group(ingress((8080, [], [ALB_GROUP_ID]))))
    assert unexpected_drift({"resource_drift": [seen]}, CONFIG, STATE) == []


def test_a_rule_added_by_hand_is_drift():
    added = drift(
        "aws_security_group.service_security-group_B",
        group(ingress((8080, [], [ALB_GROUP_ID]))),
        group(ingress((8080, [], [ALB_GROUP_ID]), (22, ["0.0.0.0/0"], []))),
    )
    assert unexpected_drift({"resource_drift": [added]}, CONFIG, STATE) == [
        "aws_security_group.service_security-group_B: ingress "
        "(ingress rules the stack does not manage: tcp 22-22 0.0.0.0/0)"
    ]


def test_a_resource_deleted_outside_terraform_is_drift():
    gone = drift("aws_security_group.service_security-group_B", group([]), None)
    assert unexpected_drift({"resource_drift": [gone]}, CONFIG, STATE) == [
        "aws_security_group.service_security-group_B: deleted outside Terraform"
    ]


def test_changed_attributes_compares_values_and_takes_unset_and_empty_as_one():
    assert changed_attributes({"a": 1, "b": [1, 2], "t": None}, {"b": [1, 2], "a": 2, "c": None, "t": {}}) == ["a"]
    assert changed_attributes({"t": {}}, {"t": {"Team": "web"}}) == ["t"]


def test_default_tags_showing_up_in_a_resources_own_tags_are_expected_but_another_tag_is_not():
    task = "aws_ecs_task_definition.service_task-definition_C"
    defaults = drift(task, {"tags": None}, {"tags": {"Environment": "prod", "ManagedBy": "cdktf"}})
    assert unexpected_drift({"resource_drift": [defaults]}, CONFIG, STATE) == []
    added = drift(task, {"tags": None}, {"tags": {"Environment": "prod", "Owner": "someone"}})
    assert unexpected_drift({"resource_drift": [added]}, CONFIG, STATE) == [
        f'{task}: tags (tags null -> {{"Environment": "prod", "Owner": "someone"}})'
    ]


class FakeTerraform:
    """`terraform` as the check calls it: `state pull` answers the next state, `plan` the given code."""

    def __init__(self, states: list[dict], plan_code: int = 0, shown: dict | None = None) -> None:
        self.states = list(states)
        self.plan_code = plan_code
        self.shown = shown or {}
        self.plans: list[list[str]] = []

    def __call__(self, stack_dir, *args: str) -> subprocess.CompletedProcess[str]:
        if args[:2] == ("state", "pull"):
            return subprocess.CompletedProcess(args, 0, json.dumps(self.states.pop(0)), "")
        if args[0] == "plan":
            self.plans.append([arg.removeprefix("-var=") for arg in args if arg.startswith("-var=")])
            return subprocess.CompletedProcess(args, self.plan_code, "", "")
        assert args[:2] == ("show", "-json"), args
        return subprocess.CompletedProcess(args, 0, json.dumps(self.shown), "")


def stack_dir(tmp_path, variables: tuple[str, ...] = ("image_tag",)):
    (tmp_path / ".terraform").mkdir(parents=True)
    (tmp_path / "cdk.tf.json").write_text(json.dumps({"variable": {name: {} for name in variables}}))
    return tmp_path


def task_definition_state(serial: int, image: str) -> dict:
    definition = {"type": "aws_ecs_task_definition", "mode": "managed", "name": "task-definition"}
    containers = json.dumps([{"name": "app", "image": image}])
    return {
        "serial": serial,
        "resources": [{**definition, "instances": [{"attributes": {"container_definitions": containers}}]}],
    }


def test_the_check_plans_with_the_image_tags_the_deployed_tasks_run(tmp_path):
    # One service: the tag in its task definition (a registry with a port, too).
    state = task_definition_state(4, "localhost:5000/webapp-prod:3f2a9c1")
    fake = FakeTerraform([state, state])
    assert check(stack_dir(tmp_path), [], run=fake) == (0, [])
    assert fake.plans == [["image_tag=3f2a9c1"]]
    # Services: each one's tag, as the stack's output keeps them.
    state = {"serial": 9, "outputs": {"deployed_image_tags": {"value": {"web": "b2", "api": "a1"}}}, "resources": []}
    fake = FakeTerraform([state, state])
    check(stack_dir(tmp_path / "services", ("image_tag", "image_tags")), ["alarm=x"], run=fake)
    assert fake.plans == [["image_tag=a1", 'image_tags={"api": "a1", "web": "b2"}', "alarm=x"]]
    # An image pinned by digest names no tag.
    state = task_definition_state(4, "r/webapp-prod@sha256:0a1b")
    fake = FakeTerraform([state, state])
    check(stack_dir(tmp_path / "digest"), [], run=fake)
    assert fake.plans == [[f"image_tag={PLACEHOLDER_TAG}"]]
    # Before any deploy, and when IMAGE_TAG says which.
    fake = FakeTerraform([{"serial": 1}, {"serial": 1}, {"serial": 1}, {"serial": 1}])
    check(stack_dir(tmp_path / "new"), [], run=fake)
    check(tmp_path / "new", [], image_tag="v7", run=fake)
    assert fake.plans == [[f"image_tag={PLACEHOLDER_TAG}"], ["image_tag=v7"]]


def test_a_deploy_writing_the_state_during_the_check_makes_it_check_again(tmp_path):
    before, during = task_definition_state(4, "r/webapp-prod:v1"), task_definition_state(5, "r/webapp-prod:v2")
    changed = {"resource_drift": [drift("aws_ecs_service.service", {"cpu": "256"}, {"cpu": "512"})]}
    fake = FakeTerraform([before, during, during, during], plan_code=2, shown=changed)
    code, found = check(stack_dir(tmp_path), [], run=fake)
    assert (code, len(found)) == (2, 1)
    assert found[0].startswith("aws_ecs_service.service: cpu"), found
    # The second look plans with what the deploy left: the new tag.
    assert fake.plans == [["image_tag=v1"], ["image_tag=v2"]]


def test_fails_when_the_state_moves_during_every_check(tmp_path):
    states = [task_definition_state(serial, "r/webapp-prod:v1") for serial in range(2 * ATTEMPTS)]
    with pytest.raises(RuntimeError, match=f"the state changed during each of {ATTEMPTS} checks"):
        check(stack_dir(tmp_path), [], run=FakeTerraform(states))


LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/1"
SPLIT_STATE = {
    "resources": [
        {"type": kind, "instances": [{"attributes": attributes}]}
        for kind, attributes in (
            ("aws_iam_role_policy", {"role": "shop-web-execution", "name": "pull-shop-web"}),
            ("aws_route", {"route_table_id": "rtb-1", "destination_cidr_block": "0.0.0.0/0"}),
            ("aws_lb", {"arn": LB_ARN}),
            ("aws_s3_bucket_policy", {"bucket": "shop-logs"}),
            ("aws_s3_bucket_versioning", {"bucket": "shop-logs"}),
        )
    ]
}


def test_what_a_first_deploys_state_misses_of_the_stacks_own_split_resources_is_expected_and_nothing_more():
    """Right after a first deploy, a refresh shows on a role, a route table, a target group and a bucket what
    the stack manages as resources of their own: expected. What it does not manage is drift."""
    role = {"name": "shop-web-execution", "id": "shop-web-execution", "inline_policy": []}
    table = {"id": "rtb-1", "route": []}
    bucket = {"bucket": "shop-logs", "id": "shop-logs", "policy": "", "versioning": [{"enabled": False}]}
    group = {"arn": "tg", "load_balancer_arns": []}
    # A nested flag unset in the state and read back as false is the same setting.
    encryption = {
        "rule": [{"bucket_key_enabled": None, "apply_server_side_encryption_by_default": [{"sse": "AES256"}]}]
    }
    expected = [
        drift("aws_iam_role.web", role, {**role, "inline_policy": [{"name": "pull-shop-web", "policy": "{}"}]}),
        drift("aws_route_table.public", table, {**table, "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": "igw"}]}),
        drift("aws_lb_target_group.web", group, {**group, "load_balancer_arns": [LB_ARN]}),
        drift("aws_s3_bucket.logs", bucket, {**bucket, "policy": "{}", "versioning": [{"enabled": True}]}),
        drift("aws_s3_bucket_server_side_encryption_configuration.logs", encryption,
              {"rule": [{**encryption["rule"][0], "bucket_key_enabled": False}]}),
    ]  # fmt: skip
    assert unexpected_drift({"resource_drift": expected}, {}, SPLIT_STATE) == []
    unmanaged = [
        drift("aws_iam_role.web", role, {**role, "inline_policy": [{"name": "added-by-hand", "policy": "{}"}]}),
        drift("aws_route_table.public", table, {**table, "route": [{"cidr_block": "10.9.0.0/16", "gateway_id": "x"}]}),
        drift("aws_lb_target_group.web", group, {**group, "load_balancer_arns": [LB_ARN + "-other"]}),
        drift("aws_s3_bucket.logs", bucket, {**bucket, "cors_rule": [{"allowed_origins": ["*"]}]}),
        drift("aws_s3_bucket_server_side_encryption_configuration.logs", encryption,
              {"rule": [{**encryption["rule"][0], "bucket_key_enabled": True}]}),
    ]  # fmt: skip
    found = unexpected_drift({"resource_drift": unmanaged}, {}, SPLIT_STATE)
    assert [line.split(":")[0] for line in found] == [change["address"] for change in unmanaged]
    assert "added-by-hand" in found[0] and "10.9.0.0/16" in found[1] and "cors_rule" in found[3]


def test_unset_and_empty_are_one_value_at_any_depth_but_true_is_not_false():
    assert changed_attributes({"a": [{"b": None, "c": ""}]}, {"a": [{"b": False, "c": None}]}) == []
    assert changed_attributes({"a": [{"b": False}]}, {"a": [{"b": True}]}) == ["a"]
