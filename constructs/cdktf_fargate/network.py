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
    DataAwsPartition,
    DataAwsRegion,
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
    SecurityGroup,
    Subnet,
    Token,
    Vpc,
    VpcEndpoint,
    VpcSecurityGroupIngressRule,
)
from ._iam import service_trust_policy
from ._validation import Problems
from .options import NetworkOptions, check_options
from .options.infrastructure import MIN_AZ_COUNT

# The VPC is cut into 16 equal blocks: public subnets take blocks 0-5 and
# private subnets blocks 8-13, so adding an AZ never renumbers an existing subnet.
SUBNET_NEWBITS = 4
PRIVATE_BLOCK_OFFSET = 8
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,62}")
VPC_ID_PATTERN = re.compile(r"vpc-[0-9a-f]{8,17}")
SUBNET_ID_PATTERN = re.compile(r"subnet-[0-9a-f]{8,17}")


class Network(Construct):
    """Where the load balancer and the tasks live: a VPC with public and private subnets, NAT
    gateways and flow logs. ``Network.from_existing`` brings a VPC made elsewhere instead.
    Other constructs use only ``vpc_id``, ``public_subnet_ids`` and ``private_subnet_ids``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        options: NetworkOptions | None = None,
        flow_logs_kms_key_arn: str | None = None,
        permissions_boundary_arn: str | None = None,
    ) -> None:
        """Build a VPC.

        :param name: prefix of every resource's Name tag.
        :param options: ``NetworkOptions``; default: 10.0.0.0/16 over 2 zones, no internet egress (VPC
            endpoints for ECR, S3 and CloudWatch Logs instead of NAT gateways), flow logs.
        :param flow_logs_kms_key_arn: encrypt the flow-log group with this KMS key. Default None.
        :param permissions_boundary_arn: the IAM policy that caps the flow-log role. Default None.
        """
        super().__init__(scope, id_)
        options = NetworkOptions() if options is None else options
        problems = Problems.of(self)
        problems.check_pattern(
            "name", name, NAME_PATTERN, "must be 1-63 letters, digits or hyphens, starting with a letter or digit"
        )
        if not isinstance(options, NetworkOptions):
            problems.add("options", options, "must be a NetworkOptions")
        else:
            check_options(problems, "options", options)
        if flow_logs_kms_key_arn is not None:
            problems.check_arn("flow_logs_kms_key_arn", flow_logs_kms_key_arn, service="kms")
        if permissions_boundary_arn is not None:
            problems.check_arn("permissions_boundary_arn", permissions_boundary_arn, service="iam")
        problems.raise_if_any()
        self._permissions_boundary_arn = permissions_boundary_arn

        self.options = options
        self.name = name
        cidr_block = options.cidr_block
        az_count = options.zone_count
        zones = list(options.availability_zones)
        single_nat_gateway = options.single_nat_gateway

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

        self.vpc = Vpc(
            self,
            "vpc",
            cidr_block=cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": name},
        )

        self.internet_gateway = InternetGateway(self, "internet-gateway", vpc_id=self.vpc.id, tags={"Name": name})
        self.public_route_table = RouteTable(
            self, "public-route-table", vpc_id=self.vpc.id, tags={"Name": f"{name}-public"}
        )
        Route(
            self,
            "public-default-route",
            route_table_id=self.public_route_table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=self.internet_gateway.id,
        )

        self.public_subnets: list[Subnet] = []
        self.private_subnets: list[Subnet] = []
        self.private_route_tables: list[RouteTable] = []
        self.nat_gateways: list[NatGateway] = []
        self.nat_eips: list[Eip] = []

        for index in range(az_count):
            zone = zone_names[index]
            public = Subnet(
                self,
                f"public-subnet-{index}",
                vpc_id=self.vpc.id,
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
                route_table_id=self.public_route_table.id,
            )
            self.public_subnets.append(public)

            if options.allow_internet_egress and (index == 0 or not single_nat_gateway):
                eip = Eip(
                    self,
                    f"nat-eip-{index}",
                    domain="vpc",
                    tags={"Name": f"{name}-nat-{index}"},
                    depends_on=[self.internet_gateway],
                )
                nat = NatGateway(
                    self,
                    f"nat-gateway-{index}",
                    allocation_id=eip.id,
                    subnet_id=public.id,
                    tags={"Name": f"{name}-{index}"},
                    depends_on=[self.internet_gateway],
                )
                self.nat_eips.append(eip)
                self.nat_gateways.append(nat)

            private = Subnet(
                self,
                f"private-subnet-{index}",
                vpc_id=self.vpc.id,
                cidr_block=str(blocks[PRIVATE_BLOCK_OFFSET + index]),
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-private-{index}", "Tier": "private"},
            )
            route_table = RouteTable(
                self, f"private-route-table-{index}", vpc_id=self.vpc.id, tags={"Name": f"{name}-private-{index}"}
            )
            if options.allow_internet_egress:
                Route(
                    self,
                    f"private-default-route-{index}",
                    route_table_id=route_table.id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=self.nat_gateways[-1].id,
                )
            RouteTableAssociation(
                self, f"private-subnet-{index}-route-table", subnet_id=private.id, route_table_id=route_table.id
            )
            self.private_subnets.append(private)
            self.private_route_tables.append(route_table)

        self.allows_internet_egress = options.allow_internet_egress
        self.endpoints_security_group: SecurityGroup | None = None
        self.interface_endpoints: dict[str, VpcEndpoint] = {}
        self.s3_endpoint: VpcEndpoint | None = None
        if not options.allow_internet_egress:
            self._add_endpoints(name, cidr_block, options.interface_endpoints)

        self.default_security_group: DefaultSecurityGroup | None = None
        if options.restrict_default_security_group:
            # Managing it with no rule blocks removes AWS's default allow-all rules.
            self.default_security_group = DefaultSecurityGroup(
                self, "default-security-group", vpc_id=self.vpc.id, tags={"Name": f"{name}-default-unused"}
            )
        self.flow_log: FlowLog | None = None
        self.flow_log_group: CloudwatchLogGroup | None = None
        self.flow_log_role: IamRole | None = None
        if options.flow_logs.enabled:
            self._add_flow_logs(name, options.flow_logs.retention_days, flow_logs_kms_key_arn)

    def _add_endpoints(self, name: str, cidr_block: str, services: Sequence[str]) -> None:
        """What tasks without a route to the internet reach AWS through: S3's gateway endpoint (image
        layers) on the private route tables, and interface endpoints with private DNS, so the usual
        service host names resolve to addresses in the private subnets."""
        region = DataAwsRegion(self, "endpoints-region")
        self.endpoints_security_group = SecurityGroup(
            self,
            "endpoints-security-group",
            name_prefix=f"{name}-endpoints-",
            description=f"VPC endpoints of {name}: HTTPS from inside the VPC",
            vpc_id=self.vpc.id,
            tags={"Name": f"{name}-endpoints"},
            lifecycle={"create_before_destroy": True},
        )
        VpcSecurityGroupIngressRule(
            self,
            "endpoints-ingress-https",
            security_group_id=self.endpoints_security_group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=cidr_block,
            description="HTTPS from the VPC",
        )
        self.s3_endpoint = VpcEndpoint(
            self,
            "endpoint-s3",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{region.name}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in self.private_route_tables],
            tags={"Name": f"{name}-s3"},
        )
        for service in services:
            self.interface_endpoints[service] = VpcEndpoint(
                self,
                f"endpoint-{service.replace('.', '-')}",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{region.name}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[subnet.id for subnet in self.private_subnets],
                security_group_ids=[self.endpoints_security_group.id],
                tags={"Name": f"{name}-{service}"},
            )

    @property
    def endpoints_security_group_id(self) -> str | None:
        return self.endpoints_security_group.id if self.endpoints_security_group else None

    @property
    def s3_prefix_list_id(self) -> str | None:
        """The S3 gateway endpoint's prefix list: where tasks without internet egress fetch image layers."""
        return self.s3_endpoint.prefix_list_id if self.s3_endpoint else None

    def _add_flow_logs(self, name: str, retention_days: int, kms_key_arn: str | None) -> None:
        self.flow_log_group = CloudwatchLogGroup(
            self,
            "flow-log-group",
            name=f"/vpc/{name}/flow-logs",
            retention_in_days=retention_days,
            kms_key_id=kms_key_arn,
        )
        caller = DataAwsCallerIdentity(self, "caller-identity")
        partition = DataAwsPartition(self, "partition")
        region = DataAwsRegion(self, "region")
        # The flow-log service may assume the role only for this account's flow logs in this region.
        trust = service_trust_policy(
            self,
            "flow-log-trust",
            service="vpc-flow-logs.amazonaws.com",
            account_id=caller.account_id,
            source_arn_pattern=f"arn:{partition.partition}:ec2:{region.name}:{caller.account_id}:vpc-flow-log/*",
        )
        self.flow_log_role = IamRole(
            self,
            "flow-log-role",
            name_prefix=flow_log_role_name_prefix(name),
            description=f"VPC flow logs of {name} write to their log group",
            assume_role_policy=trust.json,
            permissions_boundary=self._permissions_boundary_arn,
        )
        write = DataAwsIamPolicyDocument(
            self,
            "flow-log-policy-document",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="WriteFlowLogGroup",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    resources=[self.flow_log_group.arn, f"{self.flow_log_group.arn}:*"],
                ),
                # AWS names no resource for it: on a log group's ARN the grant would never apply.
                DataAwsIamPolicyDocumentStatement(
                    sid="FindFlowLogGroup", actions=["logs:DescribeLogGroups"], resources=["*"]
                ),
            ],
        )
        IamRolePolicy(self, "flow-log-policy", name="write-flow-logs", role=self.flow_log_role.id, policy=write.json)
        self.flow_log = FlowLog(
            self,
            "flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=self.flow_log_role.arn,
            max_aggregation_interval=60,
            tags={"Name": name},
        )

    @property
    def vpc_id(self) -> str:
        return self.vpc.id

    @property
    def public_subnet_ids(self) -> list[str]:
        return [subnet.id for subnet in self.public_subnets]

    @property
    def private_subnet_ids(self) -> list[str]:
        return [subnet.id for subnet in self.private_subnets]

    @staticmethod
    def from_existing(
        scope: Construct,
        id_: str,
        *,
        vpc_id: str,
        public_subnet_ids: Sequence[str],
        private_subnet_ids: Sequence[str],
    ) -> ExistingNetwork:
        """Use a VPC that already exists. Nothing is created.

        :param vpc_id: the VPC's id (``vpc-…``).
        :param public_subnet_ids: at least two subnets in different AZs with a route to an
            internet gateway, for the load balancer.
        :param private_subnet_ids: at least two subnets with outbound internet access
            (NAT or VPC endpoints for ECR, S3 and CloudWatch Logs), for the tasks.
        """
        return ExistingNetwork(
            scope, id_, vpc_id=vpc_id, public_subnet_ids=public_subnet_ids, private_subnet_ids=private_subnet_ids
        )


class ExistingNetwork(Construct):
    """A reference to a VPC made elsewhere (``Network.from_existing``): its id and subnets."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        vpc_id: str,
        public_subnet_ids: Sequence[str],
        private_subnet_ids: Sequence[str],
    ) -> None:
        super().__init__(scope, id_)
        problems = Problems.of(self)
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
        self.vpc_id = vpc_id
        self.public_subnet_ids = list(public_subnet_ids)
        self.private_subnet_ids = list(private_subnet_ids)
        # What a brought VPC routes is not known here: tasks keep HTTPS egress to anywhere.
        self.allows_internet_egress = True
        self.endpoints_security_group_id: str | None = None
        self.s3_prefix_list_id: str | None = None


def check_network(problems: Problems, setting: str, network: object) -> bool:
    """A wiring argument must be a network (built or brought), not None or a string."""
    return problems.check_members(
        setting,
        network,
        ("vpc_id", "public_subnet_ids", "private_subnet_ids"),
        "a Network (Network(...) or Network.from_existing(...))",
    )


def flow_log_role_name_prefix(name: str) -> str:
    """The flow-log role's `name_prefix` (IAM allows 38 characters before Terraform's suffix)."""
    return f"{name}-flow-logs-"[:38]
