"""The evidence the emulator cannot give (cdktf_fargate_emulator/iam_evidence): the policy evaluator's IAM
semantics, the authorization model's answers for the calls a deploy makes, and both held to AWS's published
reference."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cdktf_fargate_emulator.iam_evidence.calls import Call
from cdktf_fargate_emulator.iam_evidence.model import UnknownCall, authorize, request_tags
from cdktf_fargate_emulator.iam_evidence.policy import Authorization, CannotEstablish, decide, glob_match, parse
from cdktf_fargate_emulator.iam_evidence.reference import problems

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deploy/shop-dev-deploy"


def authorization(action: str = "s3:GetObject", resource: str = "arn:aws:s3:::b/k", **context: Any) -> Authorization:
    return Authorization(
        action,
        resource,
        {key.lower(): tuple(value) if isinstance(value, list) else (value,) for key, value in context.items()},
        established=("aws:requesttag/", "aws:tagkeys", "aws:resourcetag/"),
    )


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


# --- the evaluator ---------------------------------------------------------------------------------
def test_an_explicit_deny_wins_over_any_allow():
    document = policy(allow(), {"Sid": "No", "Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    decision = decide(authorization(), [document])
    assert not decision and decision.because == "explicitly denied by identity statement No"


def test_nothing_is_allowed_without_an_allowing_statement():
    assert not decide(authorization(), [policy(allow("s3:PutObject"))])
    assert decide(authorization(), [policy(allow("s3:PutObject")), policy(allow("s3:GetObject"))])


def test_a_boundary_must_allow_too_and_its_deny_wins():
    identity = [policy(allow())]
    assert decide(authorization(), identity, policy(allow("s3:Get*")))
    assert (
        decide(authorization(), identity, policy(allow("sqs:*"))).because == "not allowed by the permissions boundary"
    )
    denied = decide(authorization(), identity, policy(allow(), {"Effect": "Deny", "Action": "*", "Resource": "*"}))
    assert denied.because == "explicitly denied by boundary statement <no Sid>"


def test_actions_match_without_case_and_resources_with_it():
    assert glob_match("S3:get*", "s3:GetObject", ignore_case=True)
    assert not glob_match("arn:aws:s3:::B/*", "arn:aws:s3:::b/k")
    assert glob_match("arn:aws:s3:::b/?", "arn:aws:s3:::b/k") and not glob_match(
        "arn:aws:s3:::b/?", "arn:aws:s3:::b/kk"
    )
    assert not decide(authorization(), [policy(allow("s3:GetObject", "arn:aws:s3:::B/k"))])


def test_not_action_and_not_resource_match_everything_else():
    assert decide(authorization(), [policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})])
    assert not decide(authorization(), [policy({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"})])
    assert not decide(authorization(), [policy({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::b/*"})])


def test_values_of_a_key_are_ored_keys_and_operators_anded():
    ask = authorization(**{"aws:RequestTag/Environment": "dev", "aws:RequestedRegion": "us-east-1"})
    either = {"StringEquals": {"aws:RequestTag/Environment": ["prod", "dev"]}}
    assert decide(ask, [policy(allow(Condition=either))])
    both = {"StringEquals": {"aws:RequestTag/Environment": "dev", "aws:RequestedRegion": "eu-west-1"}}
    assert not decide(ask, [policy(allow(Condition=both))])
    two_operators = {**either, "StringLike": {"aws:RequestedRegion": "eu-*"}}
    assert not decide(ask, [policy(allow(Condition=two_operators))])


def test_an_absent_key_fails_positive_operators_and_passes_negated_ones():
    ask = authorization()
    assert not decide(ask, [policy(allow(Condition={"StringEquals": {"aws:ResourceTag/Environment": "dev"}}))])
    assert decide(ask, [policy(allow(Condition={"StringNotEquals": {"aws:ResourceTag/Environment": "dev"}}))])
    assert decide(ask, [policy(allow(Condition={"StringEqualsIfExists": {"aws:ResourceTag/Environment": "dev"}}))])
    assert decide(ask, [policy(allow(Condition={"Null": {"aws:ResourceTag/Environment": "true"}}))])
    present = authorization(**{"aws:ResourceTag/Environment": "prod"})
    assert not decide(
        present, [policy(allow(Condition={"StringEqualsIfExists": {"aws:ResourceTag/Environment": "dev"}}))]
    )
    assert not decide(present, [policy(allow(Condition={"Null": {"aws:ResourceTag/Environment": "true"}}))])


def test_set_operators_over_a_multivalued_key():
    keys = authorization(**{"aws:TagKeys": ["Environment", "Team"]})
    only_known = {"ForAllValues:StringEquals": {"aws:TagKeys": ["Environment", "Team", "Name"]}}
    assert decide(keys, [policy(allow(Condition=only_known))])
    assert not decide(keys, [policy(allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["Team"]}}))])
    assert decide(keys, [policy(allow(Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["Team"]}}))])
    none = authorization()
    assert decide(none, [policy(allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["Team"]}}))])
    assert not decide(none, [policy(allow(Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["Team"]}}))])


def test_arn_wildcards_stay_within_one_part_of_the_arn():
    ask = authorization(**{"aws:PrincipalArn": ROLE})
    assert decide(ask, [policy(allow(Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deploy/*"}}))])
    spanning = {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*"}}
    assert not decide(ask, [policy(allow(Condition=spanning))])
    assert decide(ask, [policy(allow(Condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}}))])


def test_fails_when_a_condition_needs_a_key_the_request_does_not_establish():
    ask = authorization()
    with pytest.raises(CannotEstablish, match="cannot establish 'ec2:CreateAction' for s3:GetObject"):
        decide(ask, [policy(allow(Condition={"StringEquals": {"ec2:CreateAction": "CreateVpc"}}))])
    # A statement that does not apply to the action never asks for its keys.
    unrelated = allow("ec2:CreateTags", Condition={"StringEquals": {"ec2:CreateAction": "CreateVpc"}})
    assert not decide(ask, [policy(unrelated)])


def test_fails_when_a_policy_uses_a_variable_or_an_unknown_operator():
    with pytest.raises(ValueError, match="policy variables"):
        decide(authorization(), [policy(allow(resource="arn:aws:s3:::${aws:username}/*"))])
    with pytest.raises(ValueError, match="'DateLessThan' is not evaluated"):
        decide(authorization(), [policy(allow(Condition={"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}))])


def test_documents_come_from_iams_url_encoded_answers_too():
    document = policy(allow("s3:GetObject"))
    assert parse(json.dumps(document)) == document
    assert parse("%7B%22Statement%22%3A%5B%5D%7D") == {"Statement": []}


# --- the model -------------------------------------------------------------------------------------
class FakeState:
    """The emulator's state as the model reads it, from a mapping of ARNs to tags."""

    def __init__(self, tags: dict[str, dict[str, str]] | None = None, **extra: Any) -> None:
        self._tags = tags or {}
        self.extra = extra

    def tags(self, arn: str) -> dict[str, str] | None:
        return self._tags.get(arn)

    def role(self, account: str, name: str) -> tuple[str, str | None] | None:
        return self.extra.get("roles", {}).get(name)

    def service_linked_role_exists(self, account: str, service_name: str) -> bool:
        return service_name in self.extra.get("service_linked_roles", ())

    def key_arn(self, account: str, region: str, key_id: str) -> str | None:
        return key_id if key_id.startswith("arn:") else f"arn:aws:kms:{region}:{account}:key/{key_id}"

    def alias_target(self, account: str, region: str, alias_name: str) -> str | None:
        return self.extra.get("aliases", {}).get(alias_name)

    def route_table_association(self, account: str, region: str, association_id: str) -> tuple[str, str | None]:
        return self.extra["associations"][association_id]

    def address_of_association(self, account: str, region: str, association_id: str) -> str | None:
        return None

    def scalable_target_arn(self, account: str, region: str, namespace: str, resource_id: str, dimension: str) -> str:
        if resource_id not in self.extra.get("targets", {}):
            raise LookupError(resource_id)
        return self.extra["targets"][resource_id]

    def namespace_of_operation(self, account: str, region: str, operation_id: str) -> str | None:
        return None

    def web_acl_of(self, account: str, region: str, resource_arn: str) -> str | None:
        return None

    def repository_key(self, account: str, region: str, name: str) -> str | None:
        return None

    def log_resource_policies(self, account: str, region: str) -> list[dict[str, Any]]:
        return self.extra.get("log_policies", [])


ALL_LINKED = ("ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "ecs.application-autoscaling.amazonaws.com")
TAGS = [{"Key": "Environment", "Value": "dev"}, {"Key": "Team", "Value": "web"}]


def call(service: str, operation: str, **params: Any) -> Call:
    return Call(service, operation, params, "us-east-1", ACCOUNT, ROLE)


def found(authorizations: list[Authorization]) -> list[tuple[str, str, str]]:
    return [
        (a.action, a.resource.replace("arn:aws:", "").replace(f"us-east-1:{ACCOUNT}:", ""), a.reason)
        for a in authorizations
    ]


def test_a_create_in_a_vpc_is_authorized_on_the_new_resource_the_vpc_and_the_tags_it_carries():
    vpc = f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/vpc-1"
    state = FakeState({vpc: {"Environment": "dev"}})
    spec = [{"ResourceType": "subnet", "Tags": TAGS}]
    made = authorize(call("ec2", "CreateSubnet", VpcId="vpc-1", TagSpecifications=spec), state)
    assert found(made) == [
        ("ec2:CreateSubnet", "ec2:subnet/*", "the call"),
        ("ec2:CreateSubnet", "ec2:vpc/vpc-1", "the call"),
        ("ec2:CreateTags", "ec2:subnet/*", "tags on create"),
    ]
    new, existing, tagging = made
    assert new.values("aws:RequestTag/Environment") == ("dev",) and new.values("aws:ResourceTag/Environment") is None
    assert existing.values("aws:ResourceTag/Environment") == ("dev",) and existing.values("ec2:CreateAction") is None
    assert tagging.values("ec2:CreateAction") == ("CreateSubnet",)
    assert tagging.values("aws:TagKeys") == ("Environment", "Team")


def test_tags_on_create_are_authorized_with_the_creating_call_where_aws_says_which():
    made = authorize(call("elbv2", "CreateTargetGroup", Name="shopd-1", Tags=TAGS), FakeState())
    assert found(made)[1] == (
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:targetgroup/shopd-1/*",
        "tags on create",
    )
    assert made[1].values("elasticloadbalancing:CreateAction") == ("CreateTargetGroup",)
    # KMS authorizes them on all of the account's keys, with no key saying which call.
    key = authorize(call("kms", "CreateKey", Tags=[{"TagKey": "Environment", "TagValue": "dev"}]), FakeState())
    assert found(key) == [("kms:CreateKey", "*", "the call"), ("kms:TagResource", "kms:key/*", "tags on create")]
    assert authorize(call("kms", "CreateKey"), FakeState())[0].action == "kms:CreateKey"
    assert len(authorize(call("kms", "CreateKey"), FakeState())) == 1


def test_roles_handed_to_a_service_are_passed_with_the_service_named():
    made = authorize(
        call(
            "ecs",
            "RegisterTaskDefinition",
            family="shop-dev-web",
            taskRoleArn="arn:aws:iam::1:role/t",
            executionRoleArn="arn:aws:iam::1:role/e",
            tags=[{"key": "Environment", "value": "dev"}],
        ),
        FakeState(),
    )
    passes = [a for a in made if a.action == "iam:PassRole"]
    assert [a.resource for a in passes] == ["arn:aws:iam::1:role/t", "arn:aws:iam::1:role/e"]
    assert all(a.values("iam:PassedToService") == ("ecs-tasks.amazonaws.com",) for a in passes)
    # The tags of the call are not in the context of the role it passes.
    assert all(a.values("aws:RequestTag/Environment") is None for a in passes)


def test_a_target_tracking_policy_is_authorized_on_the_alarms_it_makes_as_the_caller():
    target = f"arn:aws:application-autoscaling:us-east-1:{ACCOUNT}:scalable-target/abc"
    state = FakeState({target: {"Environment": "dev"}}, targets={"service/shop-dev/shop-dev-web": target})
    made = authorize(
        call(
            "application-autoscaling",
            "PutScalingPolicy",
            PolicyName="cpu",
            ServiceNamespace="ecs",
            ResourceId="service/shop-dev/shop-dev-web",
            ScalableDimension="ecs:service:DesiredCount",
            PolicyType="TargetTrackingScaling",
        ),
        state,
    )
    assert found(made)[0] == (
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:scalable-target/abc",
        "the call",
    )
    alarms = "cloudwatch:alarm:TargetTracking-service/shop-dev/shop-dev-web-*"
    assert [(action, resource) for action, resource, _ in found(made)[1:]] == [
        ("cloudwatch:DescribeAlarms", alarms),
        ("cloudwatch:PutMetricAlarm", alarms),
        ("cloudwatch:DeleteAlarms", alarms),
    ]


def test_registering_an_ecs_service_checks_the_caller_may_scale_it_and_makes_the_linked_role_once():
    params = {
        "ServiceNamespace": "ecs",
        "ResourceId": "service/shop-dev/web",
        "ScalableDimension": "ecs:service:DesiredCount",
        "Tags": {"Environment": "dev"},
    }
    made = authorize(call("application-autoscaling", "RegisterScalableTarget", **params), FakeState())
    assert [action for action, _, _ in found(made)] == [
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:TagResource",
        "ecs:DescribeServices",
        "ecs:UpdateService",
        "iam:CreateServiceLinkedRole",
    ]
    linked = made[-1]
    assert linked.values("iam:AWSServiceName") == ("ecs.application-autoscaling.amazonaws.com",)
    existing = FakeState(service_linked_roles=ALL_LINKED)
    assert "iam:CreateServiceLinkedRole" not in [
        a.action for a in authorize(call("application-autoscaling", "RegisterScalableTarget", **params), existing)
    ]


def test_waf_logging_writes_a_log_resource_policy_only_where_none_admits_the_delivery():
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-shop-dev"
    params = {
        "LoggingConfiguration": {
            "ResourceArn": f"arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/shop-dev/1",
            "LogDestinationConfigs": [group],
        }
    }
    bare = [a.action for a in authorize(call("wafv2", "PutLoggingConfiguration", **params), FakeState())]
    assert bare == [
        "wafv2:PutLoggingConfiguration",
        "logs:CreateLogDelivery",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
        "logs:PutResourcePolicy",
    ]
    admitted = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-shop-*:log-stream:*",
            }
        ]
    }
    covered = authorize(call("wafv2", "PutLoggingConfiguration", **params), FakeState(log_policies=[admitted]))
    assert "logs:PutResourcePolicy" not in [a.action for a in covered]


def test_a_resources_tags_are_in_the_context_of_its_own_services_actions_only():
    balancer = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/shop-dev/1"
    state = FakeState({balancer: {"Environment": "dev"}})
    on_balancer = authorize(call("elbv2", "DeleteLoadBalancer", LoadBalancerArn=balancer), state)[0]
    assert on_balancer.values("elasticloadbalancing:ResourceTag/Environment") == ("dev",)
    waf = authorize(call("wafv2", "DisassociateWebACL", ResourceArn=balancer), state)[0]
    assert waf.values("aws:ResourceTag/Environment") is None


def test_a_resource_whose_tags_cannot_be_read_leaves_them_unestablished():
    from cdktf_fargate_emulator.iam_evidence.moto_state import Unknown

    class Unreadable(FakeState):
        def tags(self, arn: str) -> dict[str, str] | None:
            raise Unknown(arn)

    (made,) = authorize(call("sns", "DeleteTopic", TopicArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:t"), Unreadable())
    with pytest.raises(KeyError):
        made.values("aws:ResourceTag/Environment")


def test_a_queue_is_named_by_its_url_and_created_with_its_tags_tagging_too():
    url = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/shop-dev-fulfil"
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:shop-dev-fulfil"
    created = authorize(
        call("sqs", "CreateQueue", QueueName="shop-dev-fulfil", tags={"Environment": "dev"}), FakeState()
    )
    assert [(a.action, a.resource) for a in created] == [("sqs:CreateQueue", queue), ("sqs:TagQueue", queue)]
    assert created[0].values("aws:RequestTag/Environment") == ("dev",)
    untagged = authorize(call("sqs", "CreateQueue", QueueName="shop-dev-fulfil"), FakeState())
    assert [a.action for a in untagged] == ["sqs:CreateQueue"]
    state = FakeState({queue: {"Environment": "prod"}})
    (changed,) = authorize(call("sqs", "SetQueueAttributes", QueueUrl=url, Attributes={}), state)
    assert (changed.action, changed.resource) == ("sqs:SetQueueAttributes", queue)
    assert changed.values("aws:ResourceTag/Environment") == ("prod",)
    (removed,) = authorize(call("sqs", "UntagQueue", QueueUrl=url, TagKeys=["Team"]), state)
    assert removed.values("aws:TagKeys") == ("Team",)


def test_a_subscription_is_authorized_on_its_topic_with_its_endpoint_and_protocol():
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:shop-dev-orders"
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:shop-dev-fulfil"
    (made,) = authorize(call("sns", "Subscribe", TopicArn=topic, Protocol="sqs", Endpoint=queue), FakeState())
    assert (made.action, made.resource) == ("sns:Subscribe", topic)
    assert (made.values("sns:Endpoint"), made.values("sns:Protocol")) == ((queue,), ("sqs",))


def test_a_service_with_an_ebs_volume_passes_its_infrastructure_role_to_ecs_on_create_and_update():
    role = f"arn:aws:iam::{ACCOUNT}:role/shop-dev-api-volumes"
    volumes = [{"name": "ebs", "managedEBSVolume": {"roleArn": role, "sizeInGiB": 20}}]
    created = authorize(
        call("ecs", "CreateService", cluster="shop-dev", serviceName="shop-dev-api", volumeConfigurations=volumes),
        FakeState(),
    )
    passed = [a for a in created if a.action == "iam:PassRole"]
    assert [(a.resource, a.values("iam:PassedToService")) for a in passed] == [(role, ("ecs.amazonaws.com",))]
    update = {"cluster": "shop-dev", "service": "shop-dev-api", "volumeConfigurations": volumes}
    updated = authorize(Call("ecs", "UpdateService", update, "us-east-1", ACCOUNT, ROLE), FakeState())
    assert [a.action for a in updated] == ["ecs:UpdateService", "iam:PassRole"]


def test_fails_when_the_model_does_not_know_a_call():
    with pytest.raises(UnknownCall, match="ec2:RunInstances"):
        authorize(call("ec2", "RunInstances"), FakeState())
    with pytest.raises(UnknownCall, match="lambda calls are not modelled"):
        authorize(call("lambda", "CreateFunction"), FakeState())
    assert authorize(call("sts", "GetCallerIdentity"), FakeState()) == []


def test_request_tags_are_read_from_every_shape_the_services_use():
    assert request_tags({"tags": {"a": "1"}}) == {"a": "1"}
    assert request_tags({"Tags": [{"TagKey": "a", "TagValue": "1"}]}) == {"a": "1"}
    assert request_tags({"tags": [{"key": "a", "value": "1"}]}) == {"a": "1"}
    assert request_tags({"TagSpecifications": [{"Tags": [{"Key": "a", "Value": "1"}]}]}) == {"a": "1"}
    assert request_tags({"Tagging": {"TagSet": [{"Key": "a", "Value": "1"}]}}) == {"a": "1"}


# --- the reference ---------------------------------------------------------------------------------
def test_the_reference_bears_out_what_the_model_says_of_these_calls():
    vpc = f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/vpc-1"
    state = FakeState({vpc: {"Environment": "dev"}})
    calls = [
        call("ec2", "CreateSubnet", VpcId="vpc-1", TagSpecifications=[{"ResourceType": "subnet", "Tags": TAGS}]),
        call("elbv2", "CreateTargetGroup", Name="shopd-1", Tags=TAGS),
        call("kms", "CreateKey", Tags=[{"TagKey": "Environment", "TagValue": "dev"}]),
        call("ecs", "RegisterTaskDefinition", family="f", taskRoleArn=f"arn:aws:iam::{ACCOUNT}:role/t", tags=[]),
        call(
            "iam",
            "CreateRole",
            RoleName="shop-dev-web-task",
            Path="/",
            Tags=TAGS,
            PermissionsBoundary=f"arn:aws:iam::{ACCOUNT}:policy/deploy/shop-dev-boundary",
        ),
        call("s3", "CreateBucket", Bucket="shop-dev-alb-logs-1", ACL="private"),
    ]
    for made in calls:
        for item in authorize(made, state):
            assert problems(item) == [], (made.operation, item.action, item.resource)


def test_fails_when_an_authorization_is_not_as_aws_publishes_it():
    assert problems(authorization("s3:GetObjekt")) == ["s3:GetObjekt: no such action in the reference"]
    (wrong,) = problems(authorization("ec2:CreateSubnet", f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-1"))
    assert "matches none of" in wrong and "subnet/${SubnetId}" in wrong
    unknown_key = authorization("ecs:DeregisterTaskDefinition", "*", **{"ecs:cluster": "x"})
    assert problems(unknown_key) == [
        "ecs:DeregisterTaskDefinition: the reference documents no key 'ecs:cluster' for it"
    ]


# --- the emulator's side: its state as the model reads it, and the recorder -----------------------
@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    from cdktf_fargate_emulator import LocalAws

    calls = tmp_path_factory.mktemp("recorded") / "calls.jsonl"
    with LocalAws(port=0, record=calls) as running:
        yield running, calls


def client(emulator: Any, service: str, **credentials: str) -> Any:
    import boto3

    running, _ = emulator
    keys = credentials or {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    return boto3.client(service, endpoint_url=running.endpoint, region_name="us-east-1", **keys)


def test_the_state_holds_each_resources_tags_as_the_emulator_keeps_them(emulator):
    from cdktf_fargate_emulator.iam_evidence.moto_state import MotoState

    pairs = [{"Key": "Environment", "Value": "dev"}]
    expected = {"Environment": "dev"}
    ec2 = client(emulator, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": pairs}])["Vpc"]
    group = ec2.create_security_group(
        GroupName="g",
        Description="g",
        VpcId=vpc["VpcId"],
        TagSpecifications=[{"ResourceType": "security-group", "Tags": pairs}],
    )
    target_group = client(emulator, "elbv2").create_target_group(
        Name="tg", Protocol="HTTP", Port=80, VpcId=vpc["VpcId"], Tags=pairs
    )["TargetGroups"][0]
    key = client(emulator, "kms").create_key(Tags=[{"TagKey": "Environment", "TagValue": "dev"}])["KeyMetadata"]
    client(emulator, "logs").create_log_group(logGroupName="/ecs/shop-dev", tags=expected)
    role = client(emulator, "iam").create_role(RoleName="shop-dev-task", AssumeRolePolicyDocument="{}", Tags=pairs)
    topic = client(emulator, "sns").create_topic(Name="shop-dev-alarms", Tags=pairs)["TopicArn"]
    client(emulator, "sqs").create_queue(QueueName="shop-dev-fulfil", tags=expected)
    client(emulator, "cloudwatch").put_metric_alarm(
        AlarmName="shop-dev-cpu",
        MetricName="CPU",
        Namespace="AWS/ECS",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
        Tags=pairs,
    )
    cluster = client(emulator, "ecs").create_cluster(
        clusterName="shop-dev", tags=[{"key": "Environment", "value": "dev"}]
    )["cluster"]
    repository = client(emulator, "ecr").create_repository(repositoryName="shop-dev", tags=pairs)["repository"]
    certificate = client(emulator, "acm").request_certificate(DomainName="dev.example.com", Tags=pairs)
    bucket = client(emulator, "s3")
    bucket.create_bucket(Bucket="shop-dev-data")
    bucket.put_bucket_tagging(Bucket="shop-dev-data", Tagging={"TagSet": pairs})
    ecs = client(emulator, "ecs")
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "app", "image": "x", "memory": 128}])
    ecs.create_service(cluster="shop-dev", serviceName="web", taskDefinition="web", desiredCount=1)
    target = client(emulator, "application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/shop-dev/web",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1,
        MaxCapacity=2,
        Tags=expected,
    )["ScalableTargetARN"]
    acl = client(emulator, "wafv2").create_web_acl(
        Name="shop-dev",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        Tags=pairs,
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"},
    )["Summary"]["ARN"]
    machine = client(emulator, "stepfunctions").create_state_machine(
        name="shop-dev-report",
        definition="{}",
        roleArn=role["Role"]["Arn"],
        tags=[{"key": "Environment", "value": "dev"}],
    )["stateMachineArn"]
    operation = client(emulator, "servicediscovery").create_http_namespace(Name="shop-dev", Tags=pairs)["OperationId"]
    namespace = client(emulator, "servicediscovery").get_operation(OperationId=operation)["Operation"]["Targets"]
    arn = "arn:aws:{}:us-east-1:123456789012:{}".format
    state = MotoState()
    tagged = {
        arn("ec2", f"vpc/{vpc['VpcId']}"): expected,
        arn("ec2", f"security-group/{group['GroupId']}"): expected,
        target_group["TargetGroupArn"]: expected,
        key["Arn"]: expected,
        arn("logs", "log-group:/ecs/shop-dev"): expected,
        role["Role"]["Arn"]: expected,
        topic: expected,
        arn("sqs", "shop-dev-fulfil"): expected,
        arn("cloudwatch", "alarm:shop-dev-cpu"): expected,
        cluster["clusterArn"]: expected,
        repository["repositoryArn"]: expected,
        certificate["CertificateArn"]: expected,
        "arn:aws:s3:::shop-dev-data": expected,
        "arn:aws:s3:::shop-dev-data/an/object": expected,
        target: expected,
        acl: expected,
        machine: expected,
        arn("servicediscovery", f"namespace/{namespace['NAMESPACE']}"): expected,
    }
    assert {resource: state.tags(resource) for resource in tagged} == tagged
    for missing in (
        arn("ec2", "vpc/vpc-0000"),
        arn("logs", "log-group:/ecs/none"),
        arn("sns", "none"),
        arn("sqs", "none"),
    ):
        assert state.tags(missing) is None, missing


def test_the_recorder_keeps_a_role_sessions_calls_read_and_authorized_and_nobody_elses(emulator):
    from cdktf_fargate_emulator.iam_evidence.recorder import read_records

    _, calls = emulator
    iam = client(emulator, "iam")
    role = iam.create_role(RoleName="recorded", Path="/deploy/", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    session = client(emulator, "sts").assume_role(RoleArn=role, RoleSessionName="recorded")["Credentials"]
    signed = {
        "aws_access_key_id": session["AccessKeyId"],
        "aws_secret_access_key": session["SecretAccessKey"],
        "aws_session_token": session["SessionToken"],
    }
    before = len(read_records(calls))
    client(emulator, "ec2").describe_vpcs()
    client(emulator, "ec2", **signed).create_vpc(
        CidrBlock="10.2.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": TAGS}]
    )
    client(emulator, "s3", **signed).list_buckets()
    made, unknown = read_records(calls)[before:]
    assert made["call"]["operation"] == "CreateVpc" and made["call"]["principal"] == role
    assert made["call"]["params"]["TagSpecifications"][0]["Tags"] == TAGS
    assert [item["action"] for item in made["authorizations"]] == ["ec2:CreateVpc", "ec2:CreateTags"]
    assert made["status"] == 200
    assert unknown["call"]["operation"] == "ListBuckets" and "UnknownCall: s3:ListBuckets" in unknown["error"]


def test_a_trust_store_is_authorized_on_its_name_and_its_bundle_is_read_as_the_caller():
    bundle = {"CaCertificatesBundleS3Bucket": "shop-ca", "CaCertificatesBundleS3Key": "clients.pem"}
    made = authorize(call("elbv2", "CreateTrustStore", Name="shop-dev", Tags=[{"Key": "Environment", "Value": "dev"}],
                          **bundle), FakeState())  # fmt: skip
    assert [(a.action, a.resource.split(":", 5)[-1]) for a in made] == [
        ("elasticloadbalancing:CreateTrustStore", "truststore/shop-dev/*"),
        ("elasticloadbalancing:AddTags", "truststore/shop-dev/*"),
        ("s3:GetObject", "shop-ca/clients.pem"),
    ]
    store = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:truststore/shop-dev/0123"
    revoked = authorize(
        call("elbv2", "AddTrustStoreRevocations", TrustStoreArn=store,
             RevocationContents=[{"S3Bucket": "shop-ca", "S3Key": "crl.pem"}]),
        FakeState(),
    )  # fmt: skip
    assert [(a.action, a.resource) for a in revoked] == [
        ("elasticloadbalancing:AddTrustStoreRevocations", store),
        ("s3:GetObject", "arn:aws:s3:::shop-ca/crl.pem"),
    ]
