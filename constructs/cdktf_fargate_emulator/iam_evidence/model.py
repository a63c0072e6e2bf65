"""What AWS authorizes for an API call: the IAM actions, the resources as ARNs, and the request context
(the tags in the request, the tags each resource holds at that moment, the service's own keys), with
the authorizations a service makes for the caller without a separate call.

Sources, checked for every operation this model knows (tests/test_iam_evidence.py holds each result
against the Service Authorization Reference's actions, resource types and condition keys):
- the Service Authorization Reference ("SAR"): actions, resource types with their ARN formats, keys;
- tags on create: EC2 (`ec2:CreateTags`, `ec2:CreateAction`), ELB (`elasticloadbalancing:AddTags`,
  `elasticloadbalancing:CreateAction`), ECS (`ecs:TagResource`, `ecs:CreateAction`), KMS (`kms:TagResource`
  on all keys of the account and region), ECR and Cloud Map document that a create with tags also
  authorizes the tagging action. The other services are held to the same rule (their tagging action),
  so the model may ask for more than AWS, never less;
- `iam:PassRole` for every role a call hands to a service, with `iam:PassedToService` (an ECS service's
  infrastructure role for its tasks' EBS volumes among them);
- Application Auto Scaling: registering an ECS service needs `ecs:DescribeServices`/`UpdateService` on it;
  a scaling policy needs `cloudwatch:DescribeAlarms`/`PutMetricAlarm`/`DeleteAlarms` on the alarms it
  makes (`TargetTracking-<resource id>-…`); removing one, `DescribeAlarms`/`DeleteAlarms`;
- WAF: associating a web ACL needs `elasticloadbalancing:SetWebAcl`; logging to CloudWatch Logs needs
  `logs:CreateLogDelivery`, `DescribeResourcePolicies`, `DescribeLogGroups`, and `PutResourcePolicy` when no
  log resource policy already lets the delivery service write to the group; stopping it `DeleteLogDelivery`;
- ECR with a KMS key: `kms:DescribeKey` and `kms:CreateGrant` on the key through ECR (`kms:ViaService`);
- S3's CreateBucket with an ACL also needs `s3:PutBucketAcl`;
- ELB reads a trust store's CA bundle and revocation lists from S3 as the caller: `s3:GetObject` on each;
- a service-linked role the account lacks is created on first use with the caller's
  `iam:CreateServiceLinkedRole` (ECS, ELB, Application Auto Scaling for ECS).

Not modelled (the evaluation says so, docs/bootstrap.md lists it): key policies and other resource
policies, SCPs, the checks a service makes with its own or a passed role (ELB writing access logs,
Step Functions delivering logs, ECS pulling images).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from .calls import Call
from .policy import Authorization, glob_match

# botocore's service name -> IAM's service prefix, where they differ.
IAM_PREFIX = {
    "elbv2": "elasticloadbalancing",
    "stepfunctions": "states",
    "applicationautoscaling": "application-autoscaling",
}
# Keys a service sets on some of its authorizations: where not set, they are known to be absent.
SERVICE_KEYS = {
    "ec2": ("ec2:createaction",),
    "elasticloadbalancing": ("elasticloadbalancing:createaction",),
    "ecs": ("ecs:createaction",),
    "iam": ("iam:passedtoservice", "iam:permissionsboundary", "iam:awsservicename", "iam:policyarn"),
    "kms": ("kms:viaservice",),
}
# Services whose own `<service>:ResourceTag/…` mirrors `aws:ResourceTag/…` (SAR); Route 53 has neither.
SERVICE_RESOURCE_TAGS = {"ec2", "elasticloadbalancing", "ecs", "ecr", "iam"}
NO_RESOURCE_TAGS = {"route53"}
# The role actions IAM sets `iam:PermissionsBoundary` for (SAR); on the others it is absent.
BOUNDARY_KEY_ACTIONS = {
    "AttachRolePolicy",
    "CreateRole",
    "DeleteRole",
    "DeleteRolePermissionsBoundary",
    "DeleteRolePolicy",
    "DetachRolePolicy",
    "GetRole",
    "PutRolePermissionsBoundary",
    "PutRolePolicy",
    "UpdateAssumeRolePolicy",
    "UpdateRole",
    "UpdateRoleDescription",
}
GLOBAL_ABSENT = ("aws:calledvia", "aws:calledviafirst", "aws:calledvialast", "aws:sourcearn", "aws:sourceaccount")
SERVICE_LINKED_ROLE_NAMES = {
    "ecs.amazonaws.com": "AWSServiceRoleForECS",
    "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
    "ecs.application-autoscaling.amazonaws.com": "AWSServiceRoleForApplicationAutoScaling_ECSService",
}
LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com"


class UnknownCall(Exception):
    pass


class State(Protocol):
    def tags(self, arn: str) -> Mapping[str, str] | None: ...
    def role(self, account: str, name: str) -> tuple[str, str | None] | None: ...
    def service_linked_role_exists(self, account: str, service_name: str) -> bool: ...
    def key_arn(self, account: str, region: str, key_id: str) -> str | None: ...
    def alias_target(self, account: str, region: str, alias_name: str) -> str | None: ...
    def route_table_association(self, account: str, region: str, association_id: str) -> tuple[str, str | None]: ...
    def address_of_association(self, account: str, region: str, association_id: str) -> str | None: ...
    def scalable_target_arn(
        self, account: str, region: str, namespace: str, resource_id: str, dimension: str
    ) -> str: ...
    def namespace_of_operation(self, account: str, region: str, operation_id: str) -> str | None: ...
    def web_acl_of(self, account: str, region: str, resource_arn: str) -> str | None: ...
    def repository_key(self, account: str, region: str, name: str) -> str | None: ...
    def log_resource_policies(self, account: str, region: str) -> list[dict[str, Any]]: ...


def request_tags(params: Mapping[str, Any]) -> dict[str, str]:
    """The tags a request carries, in whichever of the services' shapes (all types of an EC2 request)."""
    found: dict[str, str] = {}
    for specification in params.get("TagSpecifications") or []:
        found.update(_tag_pairs(specification.get("Tags")))
    for name in ("Tags", "tags"):
        if name in params:
            found.update(_tag_pairs(params[name]))
    if "Tagging" in params:
        found.update(_tag_pairs((params["Tagging"] or {}).get("TagSet")))
    return found


def _tag_pairs(tags: Any) -> dict[str, str]:
    if isinstance(tags, Mapping):
        return {str(key): str(value) for key, value in tags.items()}
    pairs = {}
    for tag in tags or []:
        key = tag.get("Key", tag.get("key", tag.get("TagKey")))
        pairs[str(key)] = str(tag.get("Value", tag.get("value", tag.get("TagValue", ""))))
    return pairs


class Request:
    """Builds the authorizations of one call."""

    def __init__(self, call: Call, state: State) -> None:
        self.call = call
        self.state = state
        self.params = call.params
        self.region = call.region
        self.account = call.account
        self.partition = "aws-cn" if call.region.startswith("cn-") else "aws"
        self.prefix = IAM_PREFIX.get(call.service, call.service)
        self.tags = request_tags(call.params)

    def arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        region = self.region if regional else ""
        owner = self.account if account else ""
        return f"arn:{self.partition}:{service}:{region}:{owner}:{resource}"

    def authorize(
        self,
        action: str,
        resource: str = "*",
        *,
        new: bool = False,
        reason: str = "the call",
        keys: Mapping[str, str | Sequence[str] | None] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Authorization:
        service = action.split(":", 1)[0]
        request = self.tags if tags is None else dict(tags)
        context: dict[str, tuple[str, ...]] = {
            "aws:requestedregion": (self.region,),
            "aws:principalarn": (self.call.principal,),
            "aws:principalaccount": (self.account,),
            "aws:principaltype": ("AssumedRole",),
            "aws:securetransport": ("true",),
            "aws:viaawsservice": ("false",),
        }
        established = [*GLOBAL_ABSENT, "aws:requesttag/", "aws:tagkeys", *SERVICE_KEYS.get(service, ())]
        for key, value in request.items():
            context[f"aws:requesttag/{key.lower()}"] = (value,)
        if request:
            context["aws:tagkeys"] = tuple(request)
        # A resource's tags are in the context of its own service's actions only (a WAF action on a load
        # balancer, or a role passed, carries none of the other service's tags).
        own = resource.startswith(f"arn:{self.partition}:{service}:") and service not in NO_RESOURCE_TAGS
        resource_tags = self._resource_tags(resource, new) if own else {}
        if resource_tags is not None:
            aliases = ["aws:resourcetag/"] + ([f"{service}:resourcetag/"] if service in SERVICE_RESOURCE_TAGS else [])
            established += aliases
            for key, value in resource_tags.items():
                for alias in aliases:
                    context[f"{alias}{key.lower()}"] = (value,)
        for key, value in (keys or {}).items():
            if value is None:
                established.append(key.lower())
            else:
                context[key.lower()] = (value,) if isinstance(value, str) else tuple(value)
        return Authorization(action, resource, context, tuple(established), reason)

    def _resource_tags(self, resource: str, new: bool) -> Mapping[str, str] | None:
        """The resource's tags now; {} for one being created or none at all; None where unknown."""
        from .moto_state import Unknown

        if new or resource == "*" or "*" in resource:
            return {}
        try:
            return self.state.tags(resource) or {}
        except Unknown:
            return None

    def tag_on_create(self, action: str, resource: str, create_key: str | None = None) -> list[Authorization]:
        """The tagging authorization a create with tags makes (ELB, EC2 and ECS name the creating action)."""
        if not self.tags:
            return []
        keys = {create_key: self.call.operation} if create_key else None
        return [self.authorize(action, resource, new=True, reason="tags on create", keys=keys)]

    def pass_role(self, role_arn: str | None, service: str) -> list[Authorization]:
        if not role_arn:
            return []
        return [
            self.authorize(
                "iam:PassRole",
                role_arn,
                reason=f"passes the role to {service}",
                keys={"iam:PassedToService": service, "iam:PermissionsBoundary": None, "iam:AWSServiceName": None},
                tags={},
            )
        ]

    def service_linked_role(self, service_name: str) -> list[Authorization]:
        if self.state.service_linked_role_exists(self.account, service_name):
            return []
        name = SERVICE_LINKED_ROLE_NAMES[service_name]
        return [
            self.authorize(
                "iam:CreateServiceLinkedRole",
                self.arn("iam", f"role/aws-service-role/{service_name}/{name}", regional=False),
                new=True,
                reason=f"the account has no service-linked role for {service_name} yet",
                keys={"iam:AWSServiceName": service_name},
            )
        ]


def authorize(call: Call, state: State) -> list[Authorization]:
    """Every authorization AWS makes for ``call``; raises UnknownCall for a call the model does not know."""
    if call.service == "sts" and call.operation == "GetCallerIdentity":
        return []  # AWS authorizes no one for it: anyone may ask who they are
    handler = HANDLERS.get(call.service)
    if handler is None:
        raise UnknownCall(f"{call.service} calls are not modelled ({call.operation})")
    return handler(Request(call, state), call.operation)


# --- EC2 ---------------------------------------------------------------------------------------
EC2_ID_TYPES = {
    "vpc-": "vpc",
    "subnet-": "subnet",
    "sg-": "security-group",
    "sgr-": "security-group-rule",
    "rtb-": "route-table",
    "igw-": "internet-gateway",
    "nat-": "natgateway",
    "eipalloc-": "elastic-ip",
    "vpce-": "vpc-endpoint",
    "fl-": "vpc-flow-log",
    "acl-": "network-acl",
    "eni-": "network-interface",
    "pl-": "prefix-list",
}
EC2_CREATES = {
    "CreateVpc": ("vpc", ["VpcId?"]),
    "CreateSubnet": ("subnet", ["VpcId"]),
    "CreateSecurityGroup": ("security-group", ["VpcId"]),
    "CreateRouteTable": ("route-table", ["VpcId"]),
    "CreateInternetGateway": ("internet-gateway", []),
    "AllocateAddress": ("elastic-ip", []),
    "CreateNatGateway": ("natgateway", ["SubnetId", "AllocationId"]),
    "CreateVpcEndpoint": ("vpc-endpoint", ["VpcId", "SubnetIds", "SecurityGroupIds", "RouteTableIds"]),
    "CreateFlowLogs": ("vpc-flow-log", ["ResourceIds"]),
}
EC2_ON_ONE = {
    # operation -> the parameters naming the existing resources it acts on
    "AttachInternetGateway": ["InternetGatewayId", "VpcId"],
    "DetachInternetGateway": ["InternetGatewayId", "VpcId"],
    "DeleteInternetGateway": ["InternetGatewayId"],
    "CreateRoute": ["RouteTableId"],
    "ReplaceRoute": ["RouteTableId"],
    "DeleteRoute": ["RouteTableId"],
    "AssociateRouteTable": ["RouteTableId", "SubnetId", "GatewayId"],
    "DeleteRouteTable": ["RouteTableId"],
    "RevokeSecurityGroupIngress": ["GroupId"],
    "RevokeSecurityGroupEgress": ["GroupId"],
    "UpdateSecurityGroupRuleDescriptionsIngress": ["GroupId"],
    "UpdateSecurityGroupRuleDescriptionsEgress": ["GroupId"],
    "ModifySecurityGroupRules": ["GroupId"],
    "DeleteSecurityGroup": ["GroupId"],
    "DeleteSubnet": ["SubnetId"],
    "ModifySubnetAttribute": ["SubnetId"],
    "DeleteVpc": ["VpcId"],
    "ModifyVpcAttribute": ["VpcId"],
    "DescribeVpcAttribute": ["VpcId"],
    "DeleteVpcEndpoints": ["VpcEndpointIds"],
    "ModifyVpcEndpoint": [
        "VpcEndpointId",
        "AddSubnetIds",
        "RemoveSubnetIds",
        "AddSecurityGroupIds",
        "RemoveSecurityGroupIds",
        "AddRouteTableIds",
        "RemoveRouteTableIds",
    ],
    "DeleteNatGateway": ["NatGatewayId"],
    "ReleaseAddress": ["AllocationId"],
    "DeleteFlowLogs": ["FlowLogIds"],
}
EC2_RULE_CREATES = {"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress"}


def _ec2_arn(request: Request, resource_id: str) -> str:
    for prefix, kind in EC2_ID_TYPES.items():
        if resource_id.startswith(prefix):
            return request.arn("ec2", f"{kind}/{resource_id}")
    raise UnknownCall(f"EC2 resource id {resource_id!r} of no known type")


def _ids(params: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    found: list[str] = []
    for name in names:
        value = params.get(name.rstrip("?"))
        found += [value] if isinstance(value, str) else list(value or [])
    return found


def _ec2(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    keys = {"ec2:CreateAction": None}
    if operation.startswith("Describe") and operation not in EC2_ON_ONE:
        return [request.authorize(f"ec2:{operation}", keys=keys)]
    if operation in EC2_CREATES:
        kind, existing = EC2_CREATES[operation]
        new = request.arn("ec2", f"{kind}/*")
        found = [request.authorize(f"ec2:{operation}", new, new=True, keys=keys)]
        found += [
            request.authorize(f"ec2:{operation}", _ec2_arn(request, i), keys=keys) for i in _ids(params, existing)
        ]
        found += request.tag_on_create("ec2:CreateTags", new, "ec2:CreateAction")
        if operation == "CreateFlowLogs":
            found += request.pass_role(params.get("DeliverLogsPermissionArn"), "vpc-flow-logs.amazonaws.com")
        return found
    if operation in EC2_RULE_CREATES:
        group = _ec2_arn(request, params["GroupId"])
        rules = request.arn("ec2", "security-group-rule/*")
        return [
            request.authorize(f"ec2:{operation}", group, keys=keys),
            request.authorize(f"ec2:{operation}", rules, new=True, keys=keys),
            *request.tag_on_create("ec2:CreateTags", rules, "ec2:CreateAction"),
        ]
    if operation in EC2_ON_ONE:
        ids = _ids(params, EC2_ON_ONE[operation])
        return [request.authorize(f"ec2:{operation}", _ec2_arn(request, i), keys=keys) for i in ids]
    if operation == "DisassociateRouteTable":
        table, target = request.state.route_table_association(request.account, request.region, params["AssociationId"])
        ids = [table] + ([target] if target else [])
        return [request.authorize(f"ec2:{operation}", _ec2_arn(request, i), keys=keys) for i in ids]
    if operation == "DisassociateAddress":
        allocation = request.state.address_of_association(request.account, request.region, params["AssociationId"])
        resource = _ec2_arn(request, allocation) if allocation else "*"
        return [request.authorize(f"ec2:{operation}", resource, keys=keys)]
    if operation in ("CreateTags", "DeleteTags"):
        tags = _tag_pairs(params.get("Tags"))
        if operation == "DeleteTags":
            tags = dict.fromkeys(tags, "")
        return [
            request.authorize(f"ec2:{operation}", _ec2_arn(request, i), keys=keys, tags=tags)
            for i in params.get("Resources") or []
        ]
    raise UnknownCall(f"ec2:{operation}")


# --- Elastic Load Balancing ----------------------------------------------------------------------
def _elb(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    keys = {"elasticloadbalancing:CreateAction": None}

    def on(resource: str, new: bool = False) -> Authorization:
        return request.authorize(f"elasticloadbalancing:{operation}", resource, new=new, keys=keys)

    if operation.startswith("Describe"):
        return [on("*")]
    prefix = f"arn:{request.partition}:elasticloadbalancing:{request.region}:{request.account}"
    # A create: the resource it makes (tagged on create), and the one it is authorized on.
    creates = {
        "CreateLoadBalancer": lambda: (f"{prefix}:loadbalancer/app/{params['Name']}/*", None),
        "CreateTargetGroup": lambda: (f"{prefix}:targetgroup/{params['Name']}/*", None),
        "CreateListener": lambda: (
            params["LoadBalancerArn"].replace(":loadbalancer/", ":listener/") + "/*",
            params["LoadBalancerArn"],
        ),
        "CreateRule": lambda: (
            params["ListenerArn"].replace(":listener/", ":listener-rule/") + "/*",
            params["ListenerArn"],
        ),
        "CreateTrustStore": lambda: (f"{prefix}:truststore/{params['Name']}/*", None),
    }
    if operation in creates:
        new, parent = creates[operation]()
        found = [on(parent) if parent else on(new, new=True)]
        found += request.tag_on_create("elasticloadbalancing:AddTags", new, "elasticloadbalancing:CreateAction")
        if operation == "CreateLoadBalancer":
            found += request.service_linked_role("elasticloadbalancing.amazonaws.com")
        return found + _s3_objects_read(request, operation)
    for name in ("LoadBalancerArn", "TargetGroupArn", "ListenerArn", "RuleArn", "TrustStoreArn"):
        if name in params:
            return [on(params[name]), *_s3_objects_read(request, operation)]
    if operation in ("AddTags", "RemoveTags"):
        tags = _tag_pairs(params.get("Tags")) if operation == "AddTags" else dict.fromkeys(params["TagKeys"], "")
        return [
            request.authorize(f"elasticloadbalancing:{operation}", arn, keys=keys, tags=tags)
            for arn in params["ResourceArns"]
        ]
    if operation == "SetWebAcl":
        return [on("*")]
    raise UnknownCall(f"elasticloadbalancing:{operation}")


def _s3_objects_read(request: Request, operation: str) -> list[Authorization]:
    """ELB reads a trust store's CA bundle and revocation lists from S3 with the caller's permissions."""
    params = request.params
    objects = []
    if operation in ("CreateTrustStore", "ModifyTrustStore"):
        objects.append((params["CaCertificatesBundleS3Bucket"], params["CaCertificatesBundleS3Key"],
                        params.get("CaCertificatesBundleS3ObjectVersion")))  # fmt: skip
    if operation == "AddTrustStoreRevocations":
        objects += [(c["S3Bucket"], c["S3Key"], c.get("S3ObjectVersion")) for c in params["RevocationContents"]]
    return [
        request.authorize(
            "s3:GetObjectVersion" if version else "s3:GetObject",
            f"arn:{request.partition}:s3:::{bucket}/{key}",
            reason="the load balancer reads it as the caller",
            tags={},
        )
        for bucket, key, version in objects
    ]


# --- ECS -------------------------------------------------------------------------------------------
def _ecs(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    keys = {"ecs:CreateAction": None}

    def on(resource: str, new: bool = False) -> Authorization:
        return request.authorize(f"ecs:{operation}", resource, new=new, keys=keys)

    def cluster_arn(value: str | None) -> str:
        value = value or "default"
        return value if value.startswith("arn:") else request.arn("ecs", f"cluster/{value}")

    def service_arn(cluster: str | None, service: str) -> str:
        if service.startswith("arn:"):
            return service
        return request.arn("ecs", f"service/{cluster_arn(cluster).rsplit('/', 1)[-1]}/{service}")

    if operation.startswith("List") and operation != "ListTagsForResource":
        return [on("*")]
    if operation in ("DescribeTaskDefinition", "DeregisterTaskDefinition", "DeleteTaskDefinitions"):
        return [on("*")]
    if operation == "CreateCluster":
        new = cluster_arn(params.get("clusterName"))
        return [
            on(new, new=True),
            *request.tag_on_create("ecs:TagResource", new, "ecs:CreateAction"),
            *request.service_linked_role("ecs.amazonaws.com"),
        ]
    # A task's EBS volume is made by ECS with the infrastructure role the service passes it.
    volume_roles = [
        authorization
        for volume in params.get("volumeConfigurations") or []
        for authorization in request.pass_role(
            (volume.get("managedEBSVolume") or {}).get("roleArn"), "ecs.amazonaws.com"
        )
    ]
    if operation == "CreateService":
        new = service_arn(params.get("cluster"), params["serviceName"])
        return [
            on(new, new=True),
            *request.tag_on_create("ecs:TagResource", new, "ecs:CreateAction"),
            *request.pass_role(params.get("role"), "ecs.amazonaws.com"),
            *volume_roles,
            *request.service_linked_role("ecs.amazonaws.com"),
        ]
    if operation == "RegisterTaskDefinition":
        new = request.arn("ecs", f"task-definition/{params['family']}:*")
        return [
            on(new, new=True),
            *request.tag_on_create("ecs:TagResource", new, "ecs:CreateAction"),
            *request.pass_role(params.get("taskRoleArn"), "ecs-tasks.amazonaws.com"),
            *request.pass_role(params.get("executionRoleArn"), "ecs-tasks.amazonaws.com"),
        ]
    if operation == "DescribeClusters":
        return [on(cluster_arn(cluster)) for cluster in params.get("clusters") or ["default"]]
    if operation in ("DeleteCluster", "PutClusterCapacityProviders", "UpdateCluster", "UpdateClusterSettings"):
        return [on(cluster_arn(params.get("cluster")))]
    if operation == "DescribeServices":
        return [on(service_arn(params.get("cluster"), service)) for service in params["services"]]
    if operation in ("UpdateService", "DeleteService"):
        return [on(service_arn(params.get("cluster"), params["service"])), *volume_roles]
    if operation in ("TagResource", "UntagResource", "ListTagsForResource"):
        tags = None if operation != "UntagResource" else dict.fromkeys(params["tagKeys"], "")
        return [request.authorize(f"ecs:{operation}", params["resourceArn"], keys=keys, tags=tags)]
    raise UnknownCall(f"ecs:{operation}")


# --- ECR -------------------------------------------------------------------------------------------
def _ecr(request: Request, operation: str) -> list[Authorization]:
    params = request.params

    def repository(name: str) -> str:
        account = params.get("registryId") or request.account
        return f"arn:{request.partition}:ecr:{request.region}:{account}:repository/{name}"

    if operation in ("GetAuthorizationToken",):
        return [request.authorize(f"ecr:{operation}")]
    if operation == "CreateRepository":
        new = repository(params["repositoryName"])
        found = [request.authorize("ecr:CreateRepository", new, new=True)]
        found += request.tag_on_create("ecr:TagResource", new)
        key = (params.get("encryptionConfiguration") or {}).get("kmsKey")
        if key:
            found += _kms_through(
                request, key, ["kms:DescribeKey", "kms:CreateGrant"], "ecr", "encrypts the repository"
            )
        return found
    if operation == "DescribeRepositories":
        names = params.get("repositoryNames") or []
        return [request.authorize(f"ecr:{operation}", repository(name)) for name in names] or [
            request.authorize(f"ecr:{operation}", repository("*"))
        ]
    if operation in ("ListTagsForResource", "TagResource", "UntagResource"):
        return [request.authorize(f"ecr:{operation}", params["resourceArn"])]
    if "repositoryName" in params:
        found = [request.authorize(f"ecr:{operation}", repository(params["repositoryName"]))]
        if operation == "DeleteRepository":
            key = request.state.repository_key(request.account, request.region, params["repositoryName"])
            if key:
                found += _kms_through(request, key, ["kms:RetireGrant"], "ecr", "retires the repository's grant")
        return found
    raise UnknownCall(f"ecr:{operation}")


def _kms_through(request: Request, key: str, actions: list[str], service: str, why: str) -> list[Authorization]:
    arn = key if key.startswith("arn:") else request.state.key_arn(request.account, request.region, key) or key
    via = f"{service}.{request.region}.amazonaws.com"
    return [
        request.authorize(
            action,
            arn,
            reason=f"{service} {why} with the caller's credentials",
            keys={"kms:ViaService": via, "kms:CallerAccount": request.account},
            tags={},
        )
        for action in actions
    ]


# --- IAM -------------------------------------------------------------------------------------------
def _iam(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    base = {"iam:PassedToService": None, "iam:AWSServiceName": None, "iam:PolicyARN": None}

    def role_action(name: str, *, new_path: str | None = None, boundary: str | None = None) -> Authorization:
        existing = request.state.role(request.account, name)
        if new_path is not None:
            arn = request.arn("iam", f"role{new_path}{name}", regional=False)
        else:
            arn = existing[0] if existing else request.arn("iam", f"role/{name}", regional=False)
        current = boundary if boundary is not None else (existing[1] if existing else None)
        keys = {**base, "iam:PermissionsBoundary": current if operation in BOUNDARY_KEY_ACTIONS else None}
        if "PolicyArn" in params:
            keys["iam:PolicyARN"] = params["PolicyArn"]
        tags = None
        if operation == "UntagRole":
            tags = dict.fromkeys(params["TagKeys"], "")
        return request.authorize(f"iam:{operation}", arn, new=new_path is not None, keys=keys, tags=tags)

    if operation == "CreateRole":
        path = params.get("Path") or "/"
        created = role_action(params["RoleName"], new_path=path, boundary=params.get("PermissionsBoundary"))
        tagging = []
        if request.tags:
            tagging = [
                request.authorize(
                    "iam:TagRole",
                    created.resource,
                    new=True,
                    reason="tags on create",
                    keys={**base, "iam:PermissionsBoundary": None},
                )
            ]
        return [created, *tagging]
    if operation == "PutRolePermissionsBoundary":
        return [role_action(params["RoleName"], boundary=params["PermissionsBoundary"])]
    if "RoleName" in params:
        return [role_action(params["RoleName"])]
    if operation in ("GetPolicy", "GetPolicyVersion", "ListPolicyVersions"):
        return [
            request.authorize(f"iam:{operation}", params["PolicyArn"], keys={**base, "iam:PermissionsBoundary": None})
        ]
    if operation == "CreateServiceLinkedRole":
        service = params["AWSServiceName"]
        name = SERVICE_LINKED_ROLE_NAMES.get(service, "*")
        resource = request.arn("iam", f"role/aws-service-role/{service}/{name}", regional=False)
        return [
            request.authorize(
                "iam:CreateServiceLinkedRole",
                resource,
                new=True,
                keys={**base, "iam:AWSServiceName": service, "iam:PermissionsBoundary": None},
            )
        ]
    raise UnknownCall(f"iam:{operation}")


# --- KMS -------------------------------------------------------------------------------------------
def _kms(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    keys = {"kms:ViaService": None, "kms:CallerAccount": request.account}

    def key(key_id: str) -> str:
        return request.state.key_arn(request.account, request.region, key_id) or request.arn("kms", f"key/{key_id}")

    def on(resource: str, **extra: Any) -> Authorization:
        return request.authorize(f"kms:{operation}", resource, keys=keys, **extra)

    if operation in ("ListAliases", "ListKeys"):
        return [on("*")]
    if operation == "CreateKey":
        every_key = request.arn("kms", "key/*")
        tagging = []
        if request.tags:
            tagging = [request.authorize("kms:TagResource", every_key, new=True, reason="tags on create", keys=keys)]
        return [on("*", new=True), *tagging]
    if operation in ("CreateAlias", "DeleteAlias", "UpdateAlias"):
        alias = request.arn("kms", params["AliasName"])
        targets = []
        if operation in ("DeleteAlias", "UpdateAlias"):
            targets.append(request.state.alias_target(request.account, request.region, params["AliasName"]))
        if "TargetKeyId" in params:
            targets.append(key(params["TargetKeyId"]))
        return [on(alias, new=operation == "CreateAlias"), *(on(target) for target in targets if target)]
    if operation in ("TagResource", "UntagResource"):
        tags = _tag_pairs(params.get("Tags")) if operation == "TagResource" else dict.fromkeys(params["TagKeys"], "")
        return [on(key(params["KeyId"]), tags=tags)]
    if "KeyId" in params:
        return [on(key(params["KeyId"]))]
    raise UnknownCall(f"kms:{operation}")


# --- CloudWatch Logs ---------------------------------------------------------------------------------
def _logs(request: Request, operation: str) -> list[Authorization]:
    params = request.params

    def group(name: str) -> str:
        return request.arn("logs", f"log-group:{name}")

    if operation in ("DescribeLogGroups", "DescribeResourcePolicies", "PutResourcePolicy", "DeleteResourcePolicy"):
        return [request.authorize(f"logs:{operation}")]
    if operation == "CreateLogGroup":
        new = group(params["logGroupName"])
        return [
            request.authorize("logs:CreateLogGroup", new, new=True),
            *request.tag_on_create("logs:TagResource", new),
        ]
    if operation in ("ListTagsForResource", "TagResource", "UntagResource"):
        tags = dict.fromkeys(params["tagKeys"], "") if operation == "UntagResource" else None
        return [request.authorize(f"logs:{operation}", params["resourceArn"], tags=tags)]
    if "logGroupName" in params:
        return [request.authorize(f"logs:{operation}", group(params["logGroupName"]))]
    raise UnknownCall(f"logs:{operation}")


# --- CloudWatch ------------------------------------------------------------------------------------
def _cloudwatch(request: Request, operation: str) -> list[Authorization]:
    params = request.params

    def alarm(name: str) -> str:
        return request.arn("cloudwatch", f"alarm:{name}")

    if operation == "PutMetricAlarm":
        new = alarm(params["AlarmName"])
        return [
            request.authorize("cloudwatch:PutMetricAlarm", new),
            *request.tag_on_create("cloudwatch:TagResource", new),
        ]
    if operation in ("DescribeAlarms", "DeleteAlarms"):
        names = params.get("AlarmNames") or []
        return [request.authorize(f"cloudwatch:{operation}", alarm(name)) for name in names] or [
            request.authorize(f"cloudwatch:{operation}", alarm("*"))
        ]
    if operation in ("ListTagsForResource", "TagResource", "UntagResource"):
        tags = dict.fromkeys(params["TagKeys"], "") if operation == "UntagResource" else None
        return [request.authorize(f"cloudwatch:{operation}", params["ResourceARN"], tags=tags)]
    raise UnknownCall(f"cloudwatch:{operation}")


# --- SNS -------------------------------------------------------------------------------------------
def _sns(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    if operation == "CreateTopic":
        new = request.arn("sns", params["Name"])
        return [request.authorize("sns:CreateTopic", new), *request.tag_on_create("sns:TagResource", new)]
    if operation == "Subscribe":
        keys = {"sns:Endpoint": params.get("Endpoint"), "sns:Protocol": params["Protocol"]}
        return [request.authorize("sns:Subscribe", params["TopicArn"], keys=keys)]
    for name in ("TopicArn", "ResourceArn"):
        if name in params:
            return [request.authorize(f"sns:{operation}", params[name])]
    if "SubscriptionArn" in params:
        # A subscription is authorized on its topic (its ARN is the topic's and an id).
        topic = params["SubscriptionArn"].rsplit(":", 1)[0]
        return [request.authorize(f"sns:{operation}", topic)]
    raise UnknownCall(f"sns:{operation}")


# --- SQS -------------------------------------------------------------------------------------------
def _sqs(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    if operation == "CreateQueue":
        new = request.arn("sqs", params["QueueName"])
        tags = dict(params.get("tags") or {})
        created = [request.authorize("sqs:CreateQueue", new, new=True, tags=tags)]
        # SQS documents that a queue created with tags needs `sqs:TagQueue` too.
        return created + ([request.authorize("sqs:TagQueue", new, new=True, reason="tags on create", tags=tags)]
                          if tags else [])  # fmt: skip
    if operation == "GetQueueUrl":
        return [request.authorize("sqs:GetQueueUrl", request.arn("sqs", params["QueueName"]))]
    if "QueueUrl" in params:
        # A queue URL is https://sqs.<region>.amazonaws.com/<account>/<name> (or the emulator's host).
        account, name = str(params["QueueUrl"]).rstrip("/").split("/")[-2:]
        queue = f"arn:{request.partition}:sqs:{request.region}:{account}:{name}"
        tags = dict.fromkeys(params["TagKeys"], "") if operation == "UntagQueue" else None
        if operation == "TagQueue":
            tags = dict(params.get("Tags") or {})
        return [request.authorize(f"sqs:{operation}", queue, tags=tags)]
    raise UnknownCall(f"sqs:{operation}")


# --- Step Functions --------------------------------------------------------------------------------
def _states(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    if operation == "ValidateStateMachineDefinition":
        return [request.authorize("states:ValidateStateMachineDefinition")]
    if operation == "CreateStateMachine":
        new = request.arn("states", f"stateMachine:{params['name']}")
        return [
            request.authorize("states:CreateStateMachine", new, new=True),
            *request.tag_on_create("states:TagResource", new),
            *request.pass_role(params.get("roleArn"), "states.amazonaws.com"),
        ]
    for name in ("stateMachineArn", "resourceArn"):
        if name in params:
            found = [request.authorize(f"states:{operation}", params[name])]
            if operation == "UpdateStateMachine":
                found += request.pass_role(params.get("roleArn"), "states.amazonaws.com")
            return found
    raise UnknownCall(f"states:{operation}")


# --- EventBridge Scheduler -------------------------------------------------------------------------
def _scheduler(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    if "Name" not in params:
        raise UnknownCall(f"scheduler:{operation}")
    schedule = request.arn("scheduler", f"schedule/{params.get('GroupName') or 'default'}/{params['Name']}")
    found = [request.authorize(f"scheduler:{operation}", schedule, new=operation == "CreateSchedule")]
    if operation in ("CreateSchedule", "UpdateSchedule"):
        found += request.pass_role((params.get("Target") or {}).get("RoleArn"), "scheduler.amazonaws.com")
    return found


# --- Cloud Map -------------------------------------------------------------------------------------
def _servicediscovery(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    if operation == "CreateHttpNamespace":
        # The SAR gives neither action a resource type: both are authorized on "*".
        return [
            request.authorize("servicediscovery:CreateHttpNamespace"),
            *request.tag_on_create("servicediscovery:TagResource", "*"),
        ]
    if operation in ("ListTagsForResource", "TagResource", "UntagResource", "ListNamespaces", "ListServices"):
        tags = dict.fromkeys(params["TagKeys"], "") if operation == "UntagResource" else None
        return [request.authorize(f"servicediscovery:{operation}", tags=tags)]
    if operation == "GetOperation":
        namespace = request.state.namespace_of_operation(request.account, request.region, params["OperationId"])
        resource = request.arn("servicediscovery", f"namespace/{namespace}") if namespace else "*"
        return [request.authorize("servicediscovery:GetOperation", resource)]
    if "Id" in params and operation.endswith("Namespace"):
        return [
            request.authorize(
                f"servicediscovery:{operation}", request.arn("servicediscovery", f"namespace/{params['Id']}")
            )
        ]
    raise UnknownCall(f"servicediscovery:{operation}")


# --- ACM -------------------------------------------------------------------------------------------
def _acm(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    if operation == "ListCertificates":
        return [request.authorize("acm:ListCertificates")]
    if operation == "RequestCertificate":
        new = request.arn("acm", "certificate/*")
        return [request.authorize("acm:RequestCertificate"), *request.tag_on_create("acm:AddTagsToCertificate", new)]
    if "CertificateArn" in params:
        tags = None
        if operation == "RemoveTagsFromCertificate":
            tags = {tag["Key"]: tag.get("Value", "") for tag in params["Tags"]}
        return [request.authorize(f"acm:{operation}", params["CertificateArn"], tags=tags)]
    raise UnknownCall(f"acm:{operation}")


# --- Application Auto Scaling ----------------------------------------------------------------------
def _autoscaling(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    keys = {
        "application-autoscaling:service-namespace": params.get("ServiceNamespace"),
        "application-autoscaling:scalable-dimension": params.get("ScalableDimension"),
    }
    action = f"application-autoscaling:{operation}"
    if operation.startswith("Describe"):
        return [request.authorize(action)]
    if operation in ("ListTagsForResource", "TagResource", "UntagResource"):
        tags = dict.fromkeys(params["TagKeys"], "") if operation == "UntagResource" else None
        return [request.authorize(action, params["ResourceARN"], tags=tags)]
    namespace, resource_id, dimension = params["ServiceNamespace"], params["ResourceId"], params["ScalableDimension"]
    try:
        target = request.state.scalable_target_arn(request.account, request.region, namespace, resource_id, dimension)
        new = False
    except LookupError:
        target, new = request.arn("application-autoscaling", "scalable-target/*"), True
    found = [request.authorize(action, target, new=new, keys=keys)]
    alarms = request.arn("cloudwatch", f"alarm:TargetTracking-{resource_id}-*")
    if operation == "RegisterScalableTarget":
        found += request.tag_on_create("application-autoscaling:TagResource", target)
        if namespace == "ecs":
            service = request.arn("ecs", resource_id)
            why = "Application Auto Scaling checks the caller may read and scale the service"
            found += [
                request.authorize(name, service, reason=why, keys={"ecs:CreateAction": None}, tags={})
                for name in ("ecs:DescribeServices", "ecs:UpdateService")
            ]
            found += request.service_linked_role("ecs.application-autoscaling.amazonaws.com")
    elif operation == "PutScalingPolicy" and params.get("PolicyType") == "TargetTrackingScaling":
        why = "Application Auto Scaling makes the policy's alarms with the caller's permissions"
        found += [
            request.authorize(f"cloudwatch:{name}", alarms, reason=why, tags={})
            for name in ("DescribeAlarms", "PutMetricAlarm", "DeleteAlarms")
        ]
    elif operation in ("DeleteScalingPolicy", "DeregisterScalableTarget"):
        why = "Application Auto Scaling removes the policy's alarms with the caller's permissions"
        found += [
            request.authorize(f"cloudwatch:{name}", alarms, reason=why, tags={})
            for name in ("DescribeAlarms", "DeleteAlarms")
        ]
    return found


# --- WAF -------------------------------------------------------------------------------------------
def _wafv2(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    action = f"wafv2:{operation}"
    scope = "regional" if params.get("Scope", "REGIONAL") == "REGIONAL" else "global"
    if operation == "CreateWebACL":
        new = request.arn("wafv2", f"{scope}/webacl/{params['Name']}/*")
        found = [request.authorize(action, new, new=True), *request.tag_on_create("wafv2:TagResource", new)]
        for group in _managed_rule_groups(params.get("Rules") or []):
            found.append(request.authorize(action, request.arn("wafv2", f"{scope}/managedruleset/{group}/*"), new=True))
        return found
    if operation in ("GetWebACL", "DeleteWebACL", "UpdateWebACL"):
        return [request.authorize(action, request.arn("wafv2", f"{scope}/webacl/{params['Name']}/{params['Id']}"))]
    if operation == "AssociateWebACL":
        return [
            request.authorize(action, params["WebACLArn"]),
            request.authorize(action, params["ResourceArn"]),
            request.authorize(
                "elasticloadbalancing:SetWebAcl",
                reason="WAF sets the web ACL on the load balancer",
                keys={"elasticloadbalancing:CreateAction": None},
                tags={},
            ),
        ]
    if operation in ("DisassociateWebACL", "GetWebACLForResource"):
        found = [request.authorize(action, params["ResourceArn"])]
        associated = request.state.web_acl_of(request.account, request.region, params["ResourceArn"])
        if operation == "GetWebACLForResource" and associated:
            found.append(request.authorize(action, associated))
        if operation == "DisassociateWebACL":
            found.append(
                request.authorize(
                    "elasticloadbalancing:SetWebAcl",
                    reason="WAF removes the web ACL",
                    keys={"elasticloadbalancing:CreateAction": None},
                    tags={},
                )
            )
        return found
    if operation == "PutLoggingConfiguration":
        configuration = params["LoggingConfiguration"]
        found = [request.authorize(action, configuration["ResourceArn"])]
        why = "WAF sets up the log delivery with the caller's permissions"
        found += [
            request.authorize(f"logs:{name}", reason=why, tags={})
            for name in ("CreateLogDelivery", "DescribeResourcePolicies", "DescribeLogGroups")
        ]
        for destination in configuration.get("LogDestinationConfigs") or []:
            if destination.startswith(f"arn:{request.partition}:logs:") and not _delivery_allowed(request, destination):
                found.append(
                    request.authorize(
                        "logs:PutResourcePolicy",
                        tags={},
                        reason=why + f": no log resource policy lets {LOG_DELIVERY_SERVICE} write to {destination}",
                    )
                )
        return found
    if operation == "DeleteLoggingConfiguration":
        return [
            request.authorize(action, params["ResourceArn"]),
            request.authorize("logs:DeleteLogDelivery", reason="WAF removes the log delivery", tags={}),
        ]
    if operation in ("GetLoggingConfiguration",):
        return [request.authorize(action, params["ResourceArn"])]
    if operation in ("ListTagsForResource", "TagResource", "UntagResource"):
        return [request.authorize(action, params["ResourceARN"])]
    raise UnknownCall(action)


def _managed_rule_groups(rules: list[Mapping[str, Any]]) -> list[str]:
    return [
        rule["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for rule in rules
        if "ManagedRuleGroupStatement" in (rule.get("Statement") or {})
    ]


def _delivery_allowed(request: Request, log_group_arn: str) -> bool:
    """Whether a log resource policy already lets the log delivery service write to the group."""
    streams = log_group_arn.removesuffix(":*") + ":log-stream:x"
    for document in request.state.log_resource_policies(request.account, request.region):
        statements = document.get("Statement", [])
        for statement in [statements] if isinstance(statements, Mapping) else statements:
            principal = (statement.get("Principal") or {}).get("Service")
            services = [principal] if isinstance(principal, str) else principal or []
            actions = statement.get("Action", [])
            resources = statement.get("Resource", [])
            if (
                statement.get("Effect") == "Allow"
                and LOG_DELIVERY_SERVICE in services
                and any(glob_match(a, "logs:PutLogEvents", ignore_case=True) for a in _as_list(actions))
                and any(glob_match(r, streams) for r in _as_list(resources))
            ):
                return True
    return False


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


# --- S3 --------------------------------------------------------------------------------------------
S3_BUCKET_ACTIONS = {
    "HeadBucket": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "GetBucketAccelerateConfiguration": "GetAccelerateConfiguration",
    "GetBucketCors": "GetBucketCORS",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "PutBucketEncryption": "PutEncryptionConfiguration",
    "DeleteBucketEncryption": "PutEncryptionConfiguration",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "DeleteBucketLifecycle": "PutLifecycleConfiguration",
    "GetBucketReplication": "GetReplicationConfiguration",
    "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
    "DeleteBucketOwnershipControls": "PutBucketOwnershipControls",
    "DeleteBucketTagging": "PutBucketTagging",
}
S3_BUCKET_SAME = {
    "CreateBucket",
    "DeleteBucket",
    "GetBucketAcl",
    "GetBucketLogging",
    "GetBucketOwnershipControls",
    "PutBucketOwnershipControls",
    "GetBucketPolicy",
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "GetBucketRequestPayment",
    "GetBucketTagging",
    "PutBucketTagging",
    "GetBucketVersioning",
    "PutBucketVersioning",
    "GetBucketWebsite",
    "GetBucketLocation",
    "PutBucketAcl",
}
S3_OBJECT_ACTIONS = {
    "GetObject": "GetObject",
    "HeadObject": "GetObject",
    "PutObject": "PutObject",
    "DeleteObject": "DeleteObject",
}


def _s3(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    bucket = f"arn:{request.partition}:s3:::{params.get('Bucket')}"
    keys = {"s3:prefix": params.get("Prefix")} if "Prefix" in params else None
    if operation in S3_BUCKET_ACTIONS:
        return [request.authorize(f"s3:{S3_BUCKET_ACTIONS[operation]}", bucket, keys=keys)]
    if operation in S3_BUCKET_SAME:
        # S3 puts no request tags in the context (the SAR names no aws:RequestTag for its actions).
        found = [request.authorize(f"s3:{operation}", bucket, new=operation == "CreateBucket", tags={})]
        if operation == "CreateBucket" and params.get("ACL"):
            found.append(
                request.authorize("s3:PutBucketAcl", bucket, new=True, reason="CreateBucket with an ACL", tags={})
            )
        return found
    if operation in S3_OBJECT_ACTIONS:
        action = S3_OBJECT_ACTIONS[operation]
        if operation == "DeleteObject" and params.get("VersionId"):
            action = "DeleteObjectVersion"
        return [request.authorize(f"s3:{action}", f"{bucket}/{params['Key']}")]
    if operation == "DeleteObjects":
        found = []
        for item in (params.get("Delete") or {}).get("Objects") or []:
            action = "s3:DeleteObjectVersion" if item.get("VersionId") else "s3:DeleteObject"
            found.append(request.authorize(action, f"{bucket}/{item['Key']}"))
        return found
    raise UnknownCall(f"s3:{operation}")


# --- Route 53 --------------------------------------------------------------------------------------
def _route53(request: Request, operation: str) -> list[Authorization]:
    params = request.params
    global_arn = f"arn:{request.partition}:route53:::"
    if "HostedZoneId" in params:
        zone = params["HostedZoneId"].rsplit("/", 1)[-1]
        return [request.authorize(f"route53:{operation}", f"{global_arn}hostedzone/{zone}")]
    if operation == "GetHostedZone":
        return [request.authorize(f"route53:{operation}", f"{global_arn}hostedzone/{params['Id'].rsplit('/', 1)[-1]}")]
    if operation == "GetChange":
        return [request.authorize("route53:GetChange", f"{global_arn}change/{params['Id'].rsplit('/', 1)[-1]}")]
    if operation == "ListTagsForResource":
        return [
            request.authorize(f"route53:{operation}", f"{global_arn}{params['ResourceType']}/{params['ResourceId']}")
        ]
    raise UnknownCall(f"route53:{operation}")


HANDLERS = {
    "ec2": _ec2,
    "elbv2": _elb,
    "ecs": _ecs,
    "ecr": _ecr,
    "iam": _iam,
    "kms": _kms,
    "logs": _logs,
    "cloudwatch": _cloudwatch,
    "sns": _sns,
    "sqs": _sqs,
    "stepfunctions": _states,
    "scheduler": _scheduler,
    "servicediscovery": _servicediscovery,
    "acm": _acm,
    "application-autoscaling": _autoscaling,
    "wafv2": _wafv2,
    "s3": _s3,
    "route53": _route53,
}


def authorizations_of(records: Iterable[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], list[Authorization]]]:
    """Recorded calls with their authorizations (iam_evidence.recorder's lines)."""
    return [
        (record, [Authorization.from_json(item) for item in record.get("authorizations", [])]) for record in records
    ]


def describe(record: Mapping[str, Any]) -> str:
    call = record.get("call") or {}
    return f"{call.get('service')}:{call.get('operation')} {json.dumps(call.get('params', {}), default=str)[:200]}"
