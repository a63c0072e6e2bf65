"""Network: a VPC with public and private subnets across availability zones, or an existing one."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from constructs import Construct

from ._bindings import (
    CloudwatchLogGroup,
    DataAwsAvailabilityZones,
    DataAwsAvailabilityZonesFilter,
    DataAwsCallerIdentity,
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DefaultSecurityGroup,
    Eip,
    FlowLog,
    Fn,
    IamRole,
    IamRolePolicy,
    InternetGateway,
    NatGateway,
    Route,
    RouteTable,
    RouteTableAssociation,
    Subnet,
    Token,
    Vpc,
)
from ._iam import service_trust_policy
from ._validation import Problems, is_token

MIN_AZ_COUNT = 2
MAX_AZ_COUNT = 6
# The VPC is cut into 16 equal blocks: public subnets take blocks 0-5 and
# private subnets blocks 8-13, so adding an AZ never renumbers an existing subnet.
SUBNET_NEWBITS = 4
PRIVATE_BLOCK_OFFSET = 8
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,62}")
VPC_ID_PATTERN = re.compile(r"vpc-[0-9a-f]{8,17}")
SUBNET_ID_PATTERN = re.compile(r"subnet-[0-9a-f]{8,17}")
AZ_NAME_PATTERN = re.compile(r"[a-z]{2}(-[a-z]+)+-\d[a-z]")


class Network(Construct):
    """Where the load balancer and the tasks live.

    Either builds a VPC (the default) or wraps one that exists (``Network.from_existing``).
    Other constructs use only ``vpc_id``, ``public_subnet_ids`` and ``private_subnet_ids``.
    """

    vpc_id: str
    public_subnet_ids: list[str]
    private_subnet_ids: list[str]

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        cidr_block: str = "10.0.0.0/16",
        az_count: int = 2,
        availability_zones: Sequence[str] = (),
        single_nat_gateway: bool = False,
        flow_logs_enabled: bool = True,
        flow_logs_retention_days: int = 365,
        flow_logs_kms_key_arn: str | None = None,
        restrict_default_security_group: bool = True,
    ) -> None:
        """Build a VPC.

        :param name: prefix of every resource's Name tag.
        :param cidr_block: the VPC's IPv4 range, /16 to /24. Default ``10.0.0.0/16``.
        :param az_count: availability zones to spread subnets over, 2 to 6. Default 2.
        :param availability_zones: pin the zones by name (e.g. ``("us-east-1a", "us-east-1b")``);
            ``az_count`` is then their number. Default none: the region's first ``az_count``
            available zones of type availability-zone (no Local or Wavelength Zones).
        :param single_nat_gateway: one NAT gateway shared by all private subnets (cheaper,
            but an AZ outage cuts every task's egress). Default False: one NAT gateway per AZ.
        :param flow_logs_enabled: record the VPC's traffic (all, accepted and rejected) to a CloudWatch
            log group ``/vpc/<name>/flow-logs``. Default True.
        :param flow_logs_retention_days: a CloudWatch retention value. Default 365.
        :param flow_logs_kms_key_arn: encrypt the flow-log group with this KMS key. Default None.
        :param restrict_default_security_group: take every rule off the VPC's default security
            group, so nothing that falls back to it is reachable. Default True.
        """
        super().__init__(scope, id_)
        problems = Problems(f"Network {id_!r}")
        problems.check_pattern(
            "name", name, NAME_PATTERN, "must be 1-63 letters, digits or hyphens, starting with a letter or digit"
        )
        cidr_ok = problems.check_cidr("cidr_block", cidr_block, min_prefix=16, max_prefix=24)
        if cidr_ok and is_token(cidr_block):
            problems.add("cidr_block", cidr_block, "must be known at synth time, since subnets are carved from it")
        zones = list(availability_zones) if not isinstance(availability_zones, str) else None
        if zones is None:
            problems.add("availability_zones", availability_zones, "must be a list of zone names")
        elif zones:
            for zone in zones:
                problems.check_pattern(
                    "availability_zones", zone, AZ_NAME_PATTERN, "each must be a zone name like 'us-east-1a'"
                )
            if len(set(zones)) != len(zones):
                problems.add("availability_zones", zones, "must not repeat a zone")
            if not MIN_AZ_COUNT <= len(zones) <= MAX_AZ_COUNT:
                problems.add("availability_zones", zones, f"must name {MIN_AZ_COUNT} to {MAX_AZ_COUNT} zones")
            az_count = len(zones)
        problems.check_int_range("az_count", az_count, MIN_AZ_COUNT, MAX_AZ_COUNT)
        if not isinstance(single_nat_gateway, bool):
            problems.add("single_nat_gateway", single_nat_gateway, "must be True or False")
        problems.check_log_retention("flow_logs_retention_days", flow_logs_retention_days)
        if flow_logs_kms_key_arn is not None:
            problems.check_arn("flow_logs_kms_key_arn", flow_logs_kms_key_arn, service="kms")
        problems.raise_if_any()

        self._created = True
        self.name = name
        self.cidr_block = cidr_block
        self.az_count = az_count
        self.single_nat_gateway = single_nat_gateway

        blocks = list(ipaddress.IPv4Network(cidr_block).subnets(prefixlen_diff=SUBNET_NEWBITS))
        self.availability_zones: DataAwsAvailabilityZones | None = None
        if zones:
            zone_names: list[str] = zones
        else:
            self.availability_zones = DataAwsAvailabilityZones(
                self,
                "availability-zones",
                state="available",
                filter=[DataAwsAvailabilityZonesFilter(name="zone-type", values=["availability-zone"])],
            )
            zone_names = [Fn.element(self.availability_zones.names, index) for index in range(az_count)]

        self._vpc = Vpc(
            self,
            "vpc",
            cidr_block=cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": name},
        )
        self.vpc_id = self._vpc.id

        self._internet_gateway = InternetGateway(self, "internet-gateway", vpc_id=self._vpc.id, tags={"Name": name})
        self._public_route_table = RouteTable(
            self, "public-route-table", vpc_id=self._vpc.id, tags={"Name": f"{name}-public"}
        )
        Route(
            self,
            "public-default-route",
            route_table_id=self._public_route_table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=self._internet_gateway.id,
        )

        self._public_subnets: list[Subnet] = []
        self._private_subnets: list[Subnet] = []
        self._private_route_tables: list[RouteTable] = []
        self._nat_gateways: list[NatGateway] = []
        self._nat_eips: list[Eip] = []

        for index in range(az_count):
            zone = zone_names[index]
            public = Subnet(
                self,
                f"public-subnet-{index}",
                vpc_id=self._vpc.id,
                cidr_block=str(blocks[index]),
                availability_zone=zone,
                # The ALB and NAT gateways get their addresses explicitly; nothing
                # launched here should get a public IP by accident.
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-public-{index}", "Tier": "public"},
            )
            RouteTableAssociation(
                self,
                f"public-subnet-{index}-route-table",
                subnet_id=public.id,
                route_table_id=self._public_route_table.id,
            )
            self._public_subnets.append(public)

            if index == 0 or not single_nat_gateway:
                eip = Eip(
                    self,
                    f"nat-eip-{index}",
                    domain="vpc",
                    tags={"Name": f"{name}-nat-{index}"},
                    depends_on=[self._internet_gateway],
                )
                nat = NatGateway(
                    self,
                    f"nat-gateway-{index}",
                    allocation_id=eip.id,
                    subnet_id=public.id,
                    tags={"Name": f"{name}-{index}"},
                    depends_on=[self._internet_gateway],
                )
                self._nat_eips.append(eip)
                self._nat_gateways.append(nat)

            private = Subnet(
                self,
                f"private-subnet-{index}",
                vpc_id=self._vpc.id,
                cidr_block=str(blocks[PRIVATE_BLOCK_OFFSET + index]),
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-private-{index}", "Tier": "private"},
            )
            route_table = RouteTable(
                self, f"private-route-table-{index}", vpc_id=self._vpc.id, tags={"Name": f"{name}-private-{index}"}
            )
            Route(
                self,
                f"private-default-route-{index}",
                route_table_id=route_table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=self._nat_gateways[-1].id,
            )
            RouteTableAssociation(
                self, f"private-subnet-{index}-route-table", subnet_id=private.id, route_table_id=route_table.id
            )
            self._private_subnets.append(private)
            self._private_route_tables.append(route_table)

        self.public_subnet_ids = [subnet.id for subnet in self._public_subnets]
        self.private_subnet_ids = [subnet.id for subnet in self._private_subnets]

        self._default_security_group: DefaultSecurityGroup | None = None
        if restrict_default_security_group:
            # Managing it with no rule blocks removes AWS's default allow-all rules.
            self._default_security_group = DefaultSecurityGroup(
                self, "default-security-group", vpc_id=self._vpc.id, tags={"Name": f"{name}-default-unused"}
            )
        self._flow_log: FlowLog | None = None
        self._flow_log_group: CloudwatchLogGroup | None = None
        self._flow_log_role: IamRole | None = None
        if flow_logs_enabled:
            self._add_flow_logs(name, flow_logs_retention_days, flow_logs_kms_key_arn)

    def _add_flow_logs(self, name: str, retention_days: int, kms_key_arn: str | None) -> None:
        self._flow_log_group = CloudwatchLogGroup(
            self,
            "flow-log-group",
            name=f"/vpc/{name}/flow-logs",
            retention_in_days=retention_days,
            kms_key_id=kms_key_arn,
        )
        caller = DataAwsCallerIdentity(self, "caller-identity")
        trust = service_trust_policy(
            self, "flow-log-trust", service="vpc-flow-logs.amazonaws.com", account_id=caller.account_id
        )
        self._flow_log_role = IamRole(
            self,
            "flow-log-role",
            name_prefix=f"{name}-flow-logs-"[:38],
            description=f"VPC flow logs of {name} write to their log group",
            assume_role_policy=trust.json,
        )
        write = DataAwsIamPolicyDocument(
            self,
            "flow-log-policy-document",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="WriteFlowLogGroup",
                    actions=[
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogGroups",
                        "logs:DescribeLogStreams",
                    ],
                    resources=[self._flow_log_group.arn, f"{self._flow_log_group.arn}:*"],
                )
            ],
        )
        IamRolePolicy(self, "flow-log-policy", name="write-flow-logs", role=self._flow_log_role.id, policy=write.json)
        self._flow_log = FlowLog(
            self,
            "flow-log",
            vpc_id=self._vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self._flow_log_group.arn,
            iam_role_arn=self._flow_log_role.arn,
            max_aggregation_interval=60,
            tags={"Name": name},
        )

    @classmethod
    def from_existing(
        cls,
        scope: Construct,
        id_: str,
        *,
        vpc_id: str,
        public_subnet_ids: Sequence[str],
        private_subnet_ids: Sequence[str],
    ) -> Network:
        """Use a VPC that already exists. Nothing is created.

        :param vpc_id: the VPC's id (``vpc-…``).
        :param public_subnet_ids: at least two subnets in different AZs with a route to an
            internet gateway, for the load balancer.
        :param private_subnet_ids: at least two subnets with outbound internet access
            (NAT or VPC endpoints for ECR, S3 and CloudWatch Logs), for the tasks.
        """
        problems = Problems(f"Network {id_!r}")
        problems.check_pattern("vpc_id", vpc_id, VPC_ID_PATTERN, "must be a VPC id like 'vpc-0123456789abcdef0'")
        for setting, ids in (("public_subnet_ids", public_subnet_ids), ("private_subnet_ids", private_subnet_ids)):
            if isinstance(ids, str) or not isinstance(ids, Sequence):
                problems.add(setting, ids, "must be a list of subnet ids")
                continue
            if not Token.is_unresolved(list(ids)) and len(ids) < MIN_AZ_COUNT:
                problems.add(setting, list(ids), f"must name at least {MIN_AZ_COUNT} subnets (in different AZs)")
            for subnet_id in ids:
                problems.check_pattern(
                    setting, subnet_id, SUBNET_ID_PATTERN, "each must be a subnet id like 'subnet-0123456789abcdef0'"
                )
        problems.raise_if_any()

        network = cls.__new__(cls)
        Construct.__init__(network, scope, id_)
        network._created = False
        network.vpc_id = vpc_id
        network.public_subnet_ids = list(public_subnet_ids)
        network.private_subnet_ids = list(private_subnet_ids)
        return network

    def _built(self, attribute: str) -> object:
        if not self._created:
            raise AttributeError(
                f"Network {self.node.id!r} wraps an existing VPC; it did not create {attribute!r}. "
                "Use vpc_id, public_subnet_ids and private_subnet_ids."
            )
        return getattr(self, f"_{attribute}")

    @property
    def vpc(self) -> Vpc:
        return self._built("vpc")  # type: ignore[return-value]

    @property
    def internet_gateway(self) -> InternetGateway:
        return self._built("internet_gateway")  # type: ignore[return-value]

    @property
    def public_route_table(self) -> RouteTable:
        return self._built("public_route_table")  # type: ignore[return-value]

    @property
    def public_subnets(self) -> list[Subnet]:
        return self._built("public_subnets")  # type: ignore[return-value]

    @property
    def private_subnets(self) -> list[Subnet]:
        return self._built("private_subnets")  # type: ignore[return-value]

    @property
    def private_route_tables(self) -> list[RouteTable]:
        return self._built("private_route_tables")  # type: ignore[return-value]

    @property
    def nat_gateways(self) -> list[NatGateway]:
        return self._built("nat_gateways")  # type: ignore[return-value]

    @property
    def nat_eips(self) -> list[Eip]:
        return self._built("nat_eips")  # type: ignore[return-value]

    @property
    def default_security_group(self) -> DefaultSecurityGroup | None:
        return self._built("default_security_group")  # type: ignore[return-value]

    @property
    def flow_log(self) -> FlowLog | None:
        return self._built("flow_log")  # type: ignore[return-value]

    @property
    def flow_log_group(self) -> CloudwatchLogGroup | None:
        return self._built("flow_log_group")  # type: ignore[return-value]

    @property
    def flow_log_role(self) -> IamRole | None:
        return self._built("flow_log_role")  # type: ignore[return-value]
