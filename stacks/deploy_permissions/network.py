"""The deploy role's EC2 statements: new resources tagged with the environment, existing ones only when
they carry its tag."""

from __future__ import annotations

from ..environments import EnvironmentConfig
from ._vocabulary import ENVIRONMENT_TAG, Arns, Statement, allow, created_by, tagged, tagging


def network_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    """EC2: new resources tagged with the environment, existing ones only when they carry its tag."""
    environment = config.environment

    def ec2(kind: str) -> str:
        return arns.regional("ec2", f"{kind}/*")

    uses_nat = not config.vpc_id and config.network.allow_internet_egress
    uses_endpoints = not config.vpc_id and not config.network.allow_internet_egress
    flow_logs = not config.vpc_id and config.network.flow_logs.enabled
    rules = ["ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"]
    # Each statement names only resource types that its actions create, never one they act on.
    in_vpc = ["ec2:CreateSecurityGroup"]
    in_vpc_types = ["security-group"]
    attached: list[str] = rules[:]
    attached_types = ["security-group-rule"]
    existing = [
        *rules,
        "ec2:CreateSecurityGroup",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
        "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
        "ec2:DeleteSecurityGroup",
        "ec2:CreateTags",
        "ec2:DeleteTags",
    ]
    created: list[str] = []
    statements: list[Statement] = []
    if not config.vpc_id:
        statements.append(allow("NetworkCreateVpc", ["ec2:CreateVpc"], ec2("vpc"), tagging(environment)))
        in_vpc += ["ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateInternetGateway"]
        in_vpc_types += ["subnet", "route-table", "internet-gateway"]
        existing += [
            "ec2:CreateSubnet",
            "ec2:CreateRouteTable",
            "ec2:ModifyVpcAttribute",
            "ec2:ModifySubnetAttribute",
            "ec2:AttachInternetGateway",
            "ec2:DetachInternetGateway",
            "ec2:CreateRoute",
            "ec2:ReplaceRoute",
            "ec2:DeleteRoute",
            "ec2:AssociateRouteTable",
            "ec2:DisassociateRouteTable",
            "ec2:DeleteRouteTable",
            "ec2:DeleteInternetGateway",
            "ec2:DeleteSubnet",
            "ec2:DeleteVpc",
        ]
        created += ["CreateVpc", "CreateSubnet", "CreateRouteTable", "CreateInternetGateway"]
    if uses_nat:
        in_vpc += ["ec2:AllocateAddress"]
        in_vpc_types += ["elastic-ip"]
        attached += ["ec2:CreateNatGateway"]
        attached_types += ["natgateway"]
        existing += ["ec2:CreateNatGateway", "ec2:DeleteNatGateway", "ec2:DisassociateAddress", "ec2:ReleaseAddress"]
        created += ["AllocateAddress", "CreateNatGateway"]
    if uses_endpoints:
        attached += ["ec2:CreateVpcEndpoint"]
        attached_types += ["vpc-endpoint"]
        existing += ["ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints"]
        created += ["CreateVpcEndpoint"]
    if flow_logs:
        in_vpc += ["ec2:CreateFlowLogs"]
        in_vpc_types += ["vpc-flow-log"]
        existing += ["ec2:CreateFlowLogs", "ec2:DeleteFlowLogs"]
        created += ["CreateFlowLogs"]
    created += ["CreateSecurityGroup", *(rule.split(":")[1] for rule in rules)]
    statements += [
        allow("NetworkCreate", in_vpc, [ec2(kind) for kind in in_vpc_types], tagging(environment)),
        allow("NetworkCreateAttached", attached, [ec2(kind) for kind in attached_types], tagging(environment)),
        allow("NetworkOwn", sorted(set(existing)), "*", tagged(environment)),
        allow(
            "NetworkTagOnCreate",
            ["ec2:CreateTags"],
            "*",
            created_by("ec2:CreateAction", sorted(created), environment),
        ),
    ]
    if config.vpc_id:
        # A VPC brought in is not the environment's: its groups go there, by its exact ARN.
        vpc = arns.regional("ec2", f"vpc/{config.vpc_id}")
        statements.append(allow("NetworkInTheGivenVpc", ["ec2:CreateSecurityGroup"], vpc))
    elif config.network.restrict_default_security_group:
        # AWS makes a VPC's default group untagged, and IAM has no key that tells it from another untagged
        # group: any group without an Environment tag may be tagged with this one (docs/bootstrap.md).
        statements.append(
            allow(
                "NetworkClaimDefaultGroup",
                ["ec2:CreateTags"],
                ec2("security-group"),
                {"Null": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": "true"}, **tagging(environment)},
            )
        )
    return statements
