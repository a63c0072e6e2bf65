"""Test support: what one environment's deploy role might try on another environment's resources.

Each attempt is an API call built from the target's resources and the tag value the caller would put
on them. AWS refuses a call when it refuses any of its authorizations: every attempt must be refused to
another environment's role, and (so the table can fail) allowed to the target's own role.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass(frozen=True)
class Resources:
    """One environment's resources, as its stack names them (ids where AWS makes them)."""

    prefix: str
    region: str
    account: str
    key_id: str
    target_group: str
    security_group: str
    route_table: str
    vpc: str
    load_balancer: str
    web_acl: str
    web_acl_name: str
    log_bucket: str
    state_bucket: str
    elastic_ip: str | None = None
    namespace: str | None = None
    service: str = ""

    @property
    def service_name(self) -> str:
        return self.service or self.prefix

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


Attempt = tuple[str, str, str, dict[str, Any]]  # (what, service, operation, params)


def tag(environment: str, shape: str = "Key") -> list[dict[str, str]]:
    if shape == "TagKey":
        return [{"TagKey": "Environment", "TagValue": environment}]
    if shape == "key":
        return [{"key": "Environment", "value": environment}]
    return [{"Key": "Environment", "Value": environment}]


def attempts(target: Resources, environment: str) -> list[Attempt]:
    """Calls on ``target``'s resources by a role whose environment is ``environment``."""
    r = target
    scaling = {
        "ServiceNamespace": "ecs",
        "ResourceId": f"service/{r.prefix}/{r.service_name}",
        "ScalableDimension": "ecs:service:DesiredCount",
    }
    found: list[Attempt] = [
        ("take the key by tagging it", "kms", "TagResource", {"KeyId": r.key_id, "Tags": tag(environment, "TagKey")}),
        ("delete the key", "kms", "ScheduleKeyDeletion", {"KeyId": r.key_id, "PendingWindowInDays": 7}),
        (
            "take the target group by tagging it",
            "elbv2",
            "AddTags",
            {"ResourceArns": [r.target_group], "Tags": tag(environment)},
        ),
        ("delete the target group", "elbv2", "DeleteTargetGroup", {"TargetGroupArn": r.target_group}),
        ("delete the load balancer", "elbv2", "DeleteLoadBalancer", {"LoadBalancerArn": r.load_balancer}),
        (
            "open the security group",
            "ec2",
            "AuthorizeSecurityGroupIngress",
            {
                "GroupId": r.security_group,
                "IpPermissions": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                "TagSpecifications": [{"ResourceType": "security-group-rule", "Tags": tag(environment)}],
            },
        ),
        (
            "take the security group by tagging it",
            "ec2",
            "CreateTags",
            {"Resources": [r.security_group], "Tags": tag(environment)},
        ),
        (
            "reroute the route table",
            "ec2",
            "CreateRoute",
            {"RouteTableId": r.route_table, "DestinationCidrBlock": "203.0.113.0/24", "GatewayId": "igw-0"},
        ),
        ("delete a route", "ec2", "DeleteRoute", {"RouteTableId": r.route_table, "DestinationCidrBlock": "0.0.0.0/0"}),
        (
            "add a subnet to the VPC",
            "ec2",
            "CreateSubnet",
            {
                "VpcId": r.vpc,
                "CidrBlock": "10.0.200.0/24",
                "TagSpecifications": [{"ResourceType": "subnet", "Tags": tag(environment)}],
            },
        ),
        (
            "scale the service to nothing",
            "application-autoscaling",
            "RegisterScalableTarget",
            {**scaling, "MinCapacity": 0, "MaxCapacity": 0},
        ),
        (
            "replace the scaling policy",
            "application-autoscaling",
            "PutScalingPolicy",
            {**scaling, "PolicyName": "x", "PolicyType": "TargetTrackingScaling"},
        ),
        ("delete the service's log group", "logs", "DeleteLogGroup", {"logGroupName": f"/ecs/{r.service_name}"}),
        (
            "shorten the log retention",
            "logs",
            "PutRetentionPolicy",
            {"logGroupName": f"/ecs/{r.service_name}", "retentionInDays": 1},
        ),
        (
            "stop the service",
            "ecs",
            "UpdateService",
            {"cluster": r.prefix, "service": r.service_name, "desiredCount": 0},
        ),
        (
            "push an image",
            "ecr",
            "PutImage",
            {"repositoryName": r.service_name, "imageManifest": "{}", "imageTag": "x"},
        ),
        (
            "rewrite the task role's policy",
            "iam",
            "PutRolePolicy",
            {"RoleName": f"{r.service_name}-task", "PolicyName": "x", "PolicyDocument": "{}"},
        ),
        (
            "run as the task role",
            "ecs",
            "RegisterTaskDefinition",
            {
                "family": f"{r.prefix}-x",
                "taskRoleArn": f"arn:aws:iam::{r.account}:role/{r.service_name}-task",
                "containerDefinitions": [],
                "tags": tag(environment, "key"),
            },
        ),
        ("silence an alarm", "cloudwatch", "DeleteAlarms", {"AlarmNames": [f"{r.service_name}-cpu-high"]}),
        (
            "delete the web ACL",
            "wafv2",
            "DeleteWebACL",
            {"Name": r.web_acl_name, "Scope": "REGIONAL", "Id": r.web_acl.rsplit("/", 1)[1], "LockToken": "x"},
        ),
        ("delete the access-log bucket", "s3", "DeleteBucket", {"Bucket": r.log_bucket}),
        ("overwrite the state", "s3", "PutObject", {"Bucket": r.state_bucket, "Key": f"{r.prefix}/terraform.tfstate"}),
    ]
    if r.elastic_ip:
        found.append(("release the NAT address", "ec2", "ReleaseAddress", {"AllocationId": r.elastic_ip}))
    if r.namespace:
        found.append(
            ("delete the Service Connect namespace", "servicediscovery", "DeleteNamespace", {"Id": r.namespace})
        )
    return found


def refused_and_allowed(
    targets: dict[str, Resources],
    judge: Callable[[str, str, str, dict[str, Any]], list[str]],
) -> tuple[list[str], list[str]]:
    """Every attempt by each environment on each other one, and by the owner on its own.

    ``judge(caller environment, service, operation, params)`` answers what AWS would refuse of the call
    (empty: allowed). Returns the attempts on others that were allowed, and those on its own refused.
    """
    crossing, own = [], []
    for owner, resources in targets.items():
        for caller in targets:
            for what, service, operation, params in attempts(resources, caller):
                refusals = judge(caller, service, operation, params)
                if caller != owner and not refusals:
                    crossing.append(f"{caller} may {what} of {owner}: {service}:{operation}")
                if caller == owner and refusals:
                    own.append(f"{owner} may not {what}: {refusals}")
    return crossing, own
