"""scripts/drift.py: which differences a refresh-only plan shows count as drift. The end-to-end test
(tests/test_end_to_end.py) runs it against a deployment changed through the AWS API."""

from __future__ import annotations

from drift import changed_attributes, unexpected_drift

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
