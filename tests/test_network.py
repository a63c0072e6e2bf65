"""Network: a VPC over several AZs, or an existing one."""

from __future__ import annotations

from typing import Any

from cdktf_fargate import Network, NetworkOptions

import pytest
from cdktf import TerraformVariable
from conftest import EXISTING_VPC, Synthesized, changed, new_stack, ref


def build(stack, changes: dict[str, Any] | None = None, **wiring: Any) -> Network:
    """A network named shop; ``changes`` set option fields by dotted path."""
    return Network(stack, "network", **{"name": "shop", "options": changed(NetworkOptions(), changes or {}), **wiring})


@pytest.fixture(scope="module")
def default_network() -> tuple[Network, Synthesized]:
    stack = new_stack()
    network = Network(stack, "network", name="shop")
    return network, Synthesized(stack)


def test_builds_a_vpc_with_dns_over_two_azs(default_network):
    _, synth = default_network
    vpc = synth.only("aws_vpc")
    assert vpc["cidr_block"] == "10.0.0.0/16"
    assert vpc["enable_dns_hostnames"] is True and vpc["enable_dns_support"] is True
    zones = synth.data("aws_availability_zones")
    assert [body["state"] for body in zones.values()] == ["available"]

    public = [synth.by_path("aws_subnet", f"public-subnet-{i}") for i in range(2)]
    private = [synth.by_path("aws_subnet", f"private-subnet-{i}") for i in range(2)]
    assert [s["cidr_block"] for s in public] == ["10.0.0.0/20", "10.0.16.0/20"]
    assert [s["cidr_block"] for s in private] == ["10.0.128.0/20", "10.0.144.0/20"]
    assert synth.count("aws_subnet") == 4
    for index, subnet in enumerate(public):
        assert subnet["availability_zone"] == private[index]["availability_zone"]
        assert f", {index})" in subnet["availability_zone"]
    assert all(s["map_public_ip_on_launch"] is False for s in public + private)


def test_public_subnets_route_to_the_internet_gateway(default_network):
    _, synth = default_network
    gateway = synth.only("aws_internet_gateway")
    route = synth.by_path("aws_route", "public-default-route")
    assert route["destination_cidr_block"] == "0.0.0.0/0"
    assert route["gateway_id"] == ref("aws_internet_gateway", gateway, "id")
    public_table = synth.by_path("aws_route_table", "public-route-table")
    for index in range(2):
        association = synth.by_path("aws_route_table_association", f"public-subnet-{index}-route-table")
        assert association["route_table_id"] == ref("aws_route_table", public_table, "id")


def test_by_default_tasks_have_no_route_to_the_internet_and_reach_aws_through_endpoints(default_network):
    network, synth = default_network
    assert synth.count("aws_nat_gateway") == synth.count("aws_eip") == 0
    # The only default route is the public subnets' route to the internet gateway.
    (route,) = synth.resources("aws_route").values()
    assert route["gateway_id"] == ref("aws_internet_gateway", synth.only("aws_internet_gateway"), "id")
    endpoints = {body["service_name"].split("}.", 1)[1]: body for body in synth.resources("aws_vpc_endpoint").values()}
    assert set(endpoints) == {"s3", "ecr.api", "ecr.dkr", "logs"}
    s3 = endpoints.pop("s3")
    assert s3["vpc_endpoint_type"] == "Gateway"
    assert s3["route_table_ids"] == [
        ref("aws_route_table", synth.by_path("aws_route_table", f"private-route-table-{index}"), "id")
        for index in range(2)
    ]
    group = synth.by_path("aws_security_group", "endpoints-security-group")
    for endpoint in endpoints.values():
        assert endpoint["vpc_endpoint_type"] == "Interface" and endpoint["private_dns_enabled"] is True
        assert endpoint["subnet_ids"] == [
            ref("aws_subnet", synth.by_path("aws_subnet", f"private-subnet-{index}"), "id") for index in range(2)
        ]
        assert endpoint["security_group_ids"] == [ref("aws_security_group", group, "id")]
    (ingress,) = synth.resources("aws_vpc_security_group_ingress_rule").values()
    assert (ingress["from_port"], ingress["to_port"], ingress["cidr_ipv4"]) == (443, 443, "10.0.0.0/16")
    assert network.allows_internet_egress is False
    assert network.s3_prefix_list_id is not None and network.endpoints_security_group_id is not None


def test_interface_endpoints_are_the_ones_named():
    stack = new_stack()
    build(stack, {"interface_endpoints": ("ecr.api", "ecr.dkr", "logs", "secretsmanager")})
    names = sorted(body["service_name"] for body in Synthesized(stack).resources("aws_vpc_endpoint").values())
    assert [name.split("}.", 1)[1] for name in names] == ["ecr.api", "ecr.dkr", "logs", "s3", "secretsmanager"]


def test_with_internet_egress_each_private_subnet_routes_through_its_own_nat_gateway():
    stack = new_stack()
    network = build(stack, {"allow_internet_egress": True})
    synth = Synthesized(stack)
    assert synth.count("aws_nat_gateway") == 2
    assert synth.count("aws_eip") == 2
    assert synth.count("aws_vpc_endpoint") == 0
    for index in range(2):
        nat = synth.by_path("aws_nat_gateway", f"nat-gateway-{index}")
        public_subnet = synth.by_path("aws_subnet", f"public-subnet-{index}")
        assert nat["subnet_id"] == ref("aws_subnet", public_subnet, "id")
        route = synth.by_path("aws_route", f"private-default-route-{index}")
        assert route["nat_gateway_id"] == ref("aws_nat_gateway", nat, "id")
        assert route["destination_cidr_block"] == "0.0.0.0/0"
    assert network.allows_internet_egress is True and network.s3_prefix_list_id is None
    assert len(network.nat_gateways) == 2


def test_exposes_what_it_built(default_network):
    network, _ = default_network
    assert len(network.public_subnets) == len(network.private_subnets) == 2
    assert network.nat_gateways == []
    assert set(network.interface_endpoints) == {"ecr.api", "ecr.dkr", "logs"}
    assert network.vpc.cidr_block_input == "10.0.0.0/16"
    assert len(network.private_subnet_ids) == len(network.public_subnet_ids) == 2
    assert network.internet_gateway is not None and len(network.private_route_tables) == 2


def test_one_shared_nat_gateway_serves_every_private_subnet():
    stack = new_stack()
    build(stack, {"az_count": 3, "allow_internet_egress": True, "single_nat_gateway": True})
    synth = Synthesized(stack)
    nat = synth.only("aws_nat_gateway")
    assert synth.count("aws_eip") == 1
    assert synth.count("aws_subnet") == 6
    for index in range(3):
        route = synth.by_path("aws_route", f"private-default-route-{index}")
        assert route["nat_gateway_id"] == ref("aws_nat_gateway", nat, "id")


def test_custom_cidr_is_carved_into_subnets():
    stack = new_stack()
    build(stack, {"cidr_block": "172.20.0.0/20", "az_count": 3, "allow_internet_egress": True})
    synth = Synthesized(stack)
    assert synth.by_path("aws_subnet", "public-subnet-2")["cidr_block"] == "172.20.2.0/24"
    assert synth.by_path("aws_subnet", "private-subnet-2")["cidr_block"] == "172.20.10.0/24"
    assert synth.count("aws_nat_gateway") == 3


def test_fails_when_a_single_nat_gateway_is_asked_for_without_internet_egress():
    with pytest.raises(ValueError, match=r"options.single_nat_gateway=True is invalid: needs allow_internet_egress"):
        build(new_stack(), {"single_nat_gateway": True})


def test_fails_when_s3_is_named_as_an_interface_endpoint():
    with pytest.raises(ValueError, match=r"options.interface_endpoints='s3' is invalid: must be a service like"):
        build(new_stack(), {"interface_endpoints": ("ecr.api", "s3")})


def test_existing_vpc_creates_nothing_and_passes_ids_through():
    stack = new_stack()
    network = Network.from_existing(
        stack,
        "network",
        **EXISTING_VPC,
    )
    assert network.vpc_id == "vpc-0123456789abcdef0"
    assert network.private_subnet_ids == ["subnet-0cccccccccccccccc", "subnet-0dddddddddddddddd"]
    assert "resource" not in Synthesized(stack).json
    assert not hasattr(network, "vpc")


def test_existing_vpc_takes_its_ids_from_terraform_variables():
    stack = new_stack()
    ids = {
        name: TerraformVariable(stack, name, type="list(string)").list_value
        for name in ("public_subnet_ids", "private_subnet_ids")
    }
    vpc_id = TerraformVariable(stack, "vpc_id", type="string").string_value
    network = Network.from_existing(stack, "network", vpc_id=vpc_id, **ids)
    assert network.private_subnet_ids == ids["private_subnet_ids"]
    assert network.vpc_id == vpc_id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cidr_block": "10.0.0.0/33"}, r"options.cidr_block='10.0.0.0/33' is invalid: must be an IPv4 CIDR"),
        ({"cidr_block": "10.0.0.1/16"}, r"options.cidr_block='10.0.0.1/16' is invalid: must be an IPv4 CIDR"),
        (
            {"cidr_block": "10.0.0.0/8"},
            r"cidr_block='10.0.0.0/8' is invalid: must be an IPv4 CIDR block \(/16 to /24\)",
        ),
        ({"cidr_block": "10.0.0.0/26"}, r"\(/16 to /24\)"),
        ({"cidr_block": "not-a-cidr"}, r"options.cidr_block='not-a-cidr' is invalid"),
        ({"az_count": 1}, r"options.az_count=1 is invalid: must be a whole number from 2 to 6"),
        ({"az_count": 7}, r"options.az_count=7 is invalid: must be a whole number from 2 to 6"),
        ({"az_count": "2"}, r"options.az_count='2' is invalid: must be a whole number"),
        ({"single_nat_gateway": "yes"}, r"options.single_nat_gateway='yes' is invalid: must be true or false"),
    ],
)
def test_fails_when_a_setting_is_out_of_range(changes, message):
    with pytest.raises(ValueError, match=message):
        build(new_stack(), changes)


@pytest.mark.parametrize(
    ("wiring", "message"),
    [
        ({"name": "bad name!"}, r"name='bad name!' is invalid"),
        ({"options": {"cidr_block": "10.1.0.0/16"}}, r"options=.* is invalid: must be a NetworkOptions"),
        ({"flow_logs_kms_key_arn": "alias/logs"}, r"flow_logs_kms_key_arn='alias/logs' is invalid: must be an ARN"),
    ],
)
def test_fails_when_a_wiring_argument_is_wrong(wiring, message):
    with pytest.raises(ValueError, match=message):
        build(new_stack(), **wiring)


def test_fails_when_several_settings_are_wrong_and_reports_them_all():
    with pytest.raises(ValueError) as error:
        build(new_stack(), {"cidr_block": "10.0.0.0/8", "az_count": 9})
    assert str(error.value).startswith("Network 'test/network': invalid settings:")
    assert "options.cidr_block='10.0.0.0/8'" in str(error.value)
    assert "options.az_count=9" in str(error.value)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"vpc_id": "vpc-xyz"}, r"vpc_id='vpc-xyz' is invalid: must be a VPC id"),
        (
            {"public_subnet_ids": ["subnet-0aaaaaaaaaaaaaaaa"]},
            r"public_subnet_ids=\[.*\] is invalid: must name at least 2",
        ),
        ({"private_subnet_ids": ["subnet-0cccccccccccccccc", "sg-123"]}, r"private_subnet_ids='sg-123' is invalid"),
        (
            {"private_subnet_ids": "subnet-0cccccccccccccccc"},
            r"private_subnet_ids='subnet-0cccccccccccccccc' is invalid: must be a list",
        ),
    ],
)
def test_fails_when_an_existing_vpc_is_described_wrongly(settings, message):
    existing = EXISTING_VPC
    with pytest.raises(ValueError, match=message):
        Network.from_existing(new_stack(), "network", **{**existing, **settings})


def test_flow_logs_record_all_traffic_to_their_own_log_group(default_network):
    _, synth = default_network
    flow_log = synth.only("aws_flow_log")
    group = synth.by_path("aws_cloudwatch_log_group", "network/flow-log-group")
    assert group["name"] == "/vpc/shop/flow-logs" and group["retention_in_days"] == 365
    assert flow_log["traffic_type"] == "ALL"
    assert flow_log["log_destination_type"] == "cloud-watch-logs"
    assert flow_log["log_destination"] == ref("aws_cloudwatch_log_group", group, "arn")
    assert flow_log["iam_role_arn"] == ref("aws_iam_role", synth.only("aws_iam_role"), "arn")
    trust = synth.by_path_data("aws_iam_policy_document", "network/flow-log-trust")
    (statement,) = trust["statement"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["vpc-flow-logs.amazonaws.com"]}]
    conditions = {condition["variable"]: condition for condition in statement["condition"]}
    assert conditions["aws:SourceAccount"]["test"] == "StringEquals"
    # Only this account's flow logs in this region (confused deputy).
    assert conditions["aws:SourceArn"]["test"] == "ArnLike"
    assert conditions["aws:SourceArn"]["values"][0].endswith(":vpc-flow-log/*")
    assert ":ec2:${data.aws_region." in conditions["aws:SourceArn"]["values"][0]
    write = synth.by_path_data("aws_iam_policy_document", "network/flow-log-policy-document")
    writes, finds = write["statement"]
    assert writes["resources"] == [
        ref("aws_cloudwatch_log_group", group, "arn"),
        ref("aws_cloudwatch_log_group", group, "arn") + ":*",
    ]
    assert "logs:DescribeLogGroups" not in writes["actions"]
    # AWS authorizes finding a group on "*" only: on the group's ARN the grant would never apply.
    assert (finds["actions"], finds["resources"]) == (["logs:DescribeLogGroups"], ["*"])


def test_default_security_group_is_emptied_and_zones_are_real_azs_only(default_network):
    _, synth = default_network
    default_group = synth.only("aws_default_security_group")
    assert default_group["vpc_id"] == ref("aws_vpc", synth.only("aws_vpc"), "id")
    assert "ingress" not in default_group and "egress" not in default_group
    zones = synth.only_data("aws_availability_zones")
    assert zones["filter"] == [{"name": "zone-type", "values": ["availability-zone"]}]


def test_pinned_zones_replace_the_zone_lookup():
    stack = new_stack()
    build(stack, {"availability_zones": ("eu-west-1b", "eu-west-1c", "eu-west-1a")})
    synth = Synthesized(stack)
    assert synth.data("aws_availability_zones") == {}
    assert [synth.by_path("aws_subnet", f"private-subnet-{i}")["availability_zone"] for i in range(3)] == [
        "eu-west-1b",
        "eu-west-1c",
        "eu-west-1a",
    ]


def test_flow_logs_and_default_group_can_be_switched_off_and_flow_logs_encrypted():
    stack = new_stack()
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    build(stack, {"flow_logs.retention_days": 731}, flow_logs_kms_key_arn=key)
    group = Synthesized(stack).only("aws_cloudwatch_log_group")
    assert (group["kms_key_id"], group["retention_in_days"]) == (key, 731)

    stack = new_stack()
    network = build(stack, {"flow_logs.enabled": False, "restrict_default_security_group": False})
    synth = Synthesized(stack)
    for resource_type in ("aws_flow_log", "aws_cloudwatch_log_group", "aws_iam_role", "aws_default_security_group"):
        assert synth.count(resource_type) == 0
    assert network.flow_log is None and network.default_security_group is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"availability_zones": ("us-east-1a",)},
            r"options.availability_zones=\['us-east-1a'\] is invalid: must name 2 to 6 zones",
        ),
        ({"availability_zones": ("us-east-1a", "us-east-1a")}, r"must not repeat an item"),
        (
            {"availability_zones": ("use1-az1", "us-east-1b")},
            r"options.availability_zones='use1-az1' is invalid: must be a zone name",
        ),
        ({"availability_zones": "us-east-1a"}, r"availability_zones='us-east-1a' is invalid: must be a list"),
        ({"flow_logs.retention_days": 45}, r"options.flow_logs.retention_days=45 is invalid: must be one of"),
    ],
)
def test_fails_when_zones_or_flow_logs_are_misconfigured(changes, message):
    with pytest.raises(ValueError, match=message):
        build(new_stack(), changes)


def test_fails_when_the_flow_log_key_is_not_a_kms_key():
    with pytest.raises(
        ValueError, match=r"flow_logs_kms_key_arn='arn:aws:s3:::bucket' is invalid: must be an ARN of the kms"
    ):
        build(new_stack(), flow_logs_kms_key_arn="arn:aws:s3:::bucket")
