"""Network: a VPC over several AZs, or an existing one."""

from __future__ import annotations

from cdktf_fargate import Network

import pytest
from cdktf import TerraformVariable
from conftest import Synthesized, new_stack, ref


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


def test_each_private_subnet_routes_through_its_own_nat_gateway(default_network):
    _, synth = default_network
    assert synth.count("aws_nat_gateway") == 2
    assert synth.count("aws_eip") == 2
    for index in range(2):
        nat = synth.by_path("aws_nat_gateway", f"nat-gateway-{index}")
        public_subnet = synth.by_path("aws_subnet", f"public-subnet-{index}")
        assert nat["subnet_id"] == ref("aws_subnet", public_subnet, "id")
        route = synth.by_path("aws_route", f"private-default-route-{index}")
        assert route["nat_gateway_id"] == ref("aws_nat_gateway", nat, "id")
        assert route["destination_cidr_block"] == "0.0.0.0/0"


def test_exposes_what_it_built(default_network):
    network, _ = default_network
    assert len(network.public_subnets) == len(network.private_subnets) == 2
    assert len(network.nat_gateways) == 2
    assert network.vpc.cidr_block_input == "10.0.0.0/16"
    assert len(network.private_subnet_ids) == len(network.public_subnet_ids) == 2
    assert network.internet_gateway is not None and len(network.private_route_tables) == 2


def test_one_shared_nat_gateway_serves_every_private_subnet():
    stack = new_stack()
    Network(stack, "network", name="shop", az_count=3, single_nat_gateway=True)
    synth = Synthesized(stack)
    nat = synth.only("aws_nat_gateway")
    assert synth.count("aws_eip") == 1
    assert synth.count("aws_subnet") == 6
    for index in range(3):
        route = synth.by_path("aws_route", f"private-default-route-{index}")
        assert route["nat_gateway_id"] == ref("aws_nat_gateway", nat, "id")


def test_custom_cidr_is_carved_into_subnets():
    stack = new_stack()
    Network(stack, "network", name="shop", cidr_block="172.20.0.0/20", az_count=3)
    synth = Synthesized(stack)
    assert synth.by_path("aws_subnet", "public-subnet-2")["cidr_block"] == "172.20.2.0/24"
    assert synth.by_path("aws_subnet", "private-subnet-2")["cidr_block"] == "172.20.10.0/24"
    assert synth.count("aws_nat_gateway") == 3


def test_existing_vpc_creates_nothing_and_passes_ids_through():
    stack = new_stack()
    network = Network.from_existing(
        stack,
        "network",
        vpc_id="vpc-0123456789abcdef0",
        public_subnet_ids=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
        private_subnet_ids=["subnet-0cccccccccccccccc", "subnet-0dddddddddddddddd"],
    )
    assert network.vpc_id == "vpc-0123456789abcdef0"
    assert network.private_subnet_ids == ["subnet-0cccccccccccccccc", "subnet-0dddddddddddddddd"]
    assert "resource" not in Synthesized(stack).json
    with pytest.raises(AttributeError, match="wraps an existing VPC"):
        network.vpc  # noqa: B018


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
    ("settings", "message"),
    [
        ({"cidr_block": "10.0.0.0/33"}, r"cidr_block='10.0.0.0/33' is invalid: must be an IPv4 CIDR"),
        ({"cidr_block": "10.0.0.1/16"}, r"cidr_block='10.0.0.1/16' is invalid: must be an IPv4 CIDR"),
        ({"cidr_block": "10.0.0.0/8"}, r"cidr_block='10.0.0.0/8' is invalid: prefix length must be from /16 to /24"),
        ({"cidr_block": "10.0.0.0/26"}, r"prefix length must be from /16 to /24"),
        ({"cidr_block": "not-a-cidr"}, r"cidr_block='not-a-cidr' is invalid"),
        ({"az_count": 1}, r"az_count=1 is invalid: must be a whole number from 2 to 6"),
        ({"az_count": 7}, r"az_count=7 is invalid: must be a whole number from 2 to 6"),
        ({"az_count": "2"}, r"az_count='2' is invalid"),
        ({"name": "bad name!"}, r"name='bad name!' is invalid"),
        ({"single_nat_gateway": "yes"}, r"single_nat_gateway='yes' is invalid: must be True or False"),
    ],
)
def test_fails_when_a_setting_is_out_of_range(settings, message):
    with pytest.raises(ValueError, match=message):
        Network(new_stack(), "network", **{"name": "shop", **settings})


def test_fails_when_several_settings_are_wrong_and_reports_them_all():
    with pytest.raises(ValueError) as error:
        Network(new_stack(), "network", name="shop", cidr_block="10.0.0.0/8", az_count=9)
    assert "cidr_block='10.0.0.0/8'" in str(error.value)
    assert "az_count=9" in str(error.value)


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
    existing = {
        "vpc_id": "vpc-0123456789abcdef0",
        "public_subnet_ids": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
        "private_subnet_ids": ["subnet-0cccccccccccccccc", "subnet-0dddddddddddddddd"],
    }
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
    assert statement["condition"][0]["variable"] == "aws:SourceAccount"
    write = synth.by_path_data("aws_iam_policy_document", "network/flow-log-policy-document")
    assert write["statement"][0]["resources"] == [
        ref("aws_cloudwatch_log_group", group, "arn"),
        ref("aws_cloudwatch_log_group", group, "arn") + ":*",
    ]


def test_default_security_group_is_emptied_and_zones_are_real_azs_only(default_network):
    _, synth = default_network
    default_group = synth.only("aws_default_security_group")
    assert default_group["vpc_id"] == ref("aws_vpc", synth.only("aws_vpc"), "id")
    assert "ingress" not in default_group and "egress" not in default_group
    zones = synth.only_data("aws_availability_zones")
    assert zones["filter"] == [{"name": "zone-type", "values": ["availability-zone"]}]


def test_pinned_zones_replace_the_zone_lookup():
    stack = new_stack()
    Network(stack, "network", name="shop", availability_zones=["eu-west-1b", "eu-west-1c", "eu-west-1a"])
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
    Network(stack, "network", name="shop", flow_logs_kms_key_arn=key, flow_logs_retention_days=731)
    group = Synthesized(stack).only("aws_cloudwatch_log_group")
    assert (group["kms_key_id"], group["retention_in_days"]) == (key, 731)

    stack = new_stack()
    network = Network(stack, "network", name="shop", flow_logs_enabled=False, restrict_default_security_group=False)
    synth = Synthesized(stack)
    for resource_type in ("aws_flow_log", "aws_cloudwatch_log_group", "aws_iam_role", "aws_default_security_group"):
        assert synth.count(resource_type) == 0
    assert network.flow_log is None and network.default_security_group is None


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"availability_zones": ["us-east-1a"]},
            r"availability_zones=\['us-east-1a'\] is invalid: must name 2 to 6 zones",
        ),
        ({"availability_zones": ["us-east-1a", "us-east-1a"]}, r"must not repeat a zone"),
        (
            {"availability_zones": ["use1-az1", "us-east-1b"]},
            r"availability_zones='use1-az1' is invalid: each must be a zone name",
        ),
        ({"availability_zones": "us-east-1a"}, r"availability_zones='us-east-1a' is invalid: must be a list"),
        ({"flow_logs_retention_days": 45}, r"flow_logs_retention_days=45 is invalid: must be one of"),
        (
            {"flow_logs_kms_key_arn": "arn:aws:s3:::bucket"},
            r"flow_logs_kms_key_arn='arn:aws:s3:::bucket' is invalid: must be an ARN of the kms service",
        ),
    ],
)
def test_fails_when_zones_or_flow_logs_are_misconfigured(settings, message):
    with pytest.raises(ValueError, match=message):
        Network(new_stack(), "network", **{"name": "shop", **settings})
