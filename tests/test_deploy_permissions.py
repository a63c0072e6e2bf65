"""The deploy, drift and boundary policies of stacks/deploy_permissions/, judged by the evaluator
(cdktf_fargate_emulator/iam_evidence): what they grant stays in the environment, by name or tag, and fits IAM's limits.
The end-to-end proof that a real deploy needs no more is tests/test_end_to_end_deploy_role.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from cdktf_fargate_emulator.iam_evidence.calls import Call
from cdktf_fargate_emulator.iam_evidence.model import authorize
from cdktf_fargate_emulator.iam_evidence.policy import Authorization, CannotEstablish, decide, statements
from cdktf_fargate_emulator.iam_evidence.reference import _actions
from iam_attempts import Resources, refused_and_allowed
from test_iam_evidence import ALL_LINKED, FakeState

from stacks.deploy_permissions import (
    ACTIONS_WITHOUT_RESOURCES,
    MANAGED_POLICY_CHARACTERS,
    READ_ACTIONS,
    UNRECORDED,
    boundary_statements,
    deploy_policies,
    deploy_policy,
    drift_policy,
    policy_characters,
)
from stacks.environments import load_bootstrap, load_environment

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = "shop-terraform-state"
SETTINGS = f"""
[bootstrap]
app_name = "shop"
github_repository = "acme/shop"
state_bucket = "{BUCKET}"
environments = ["svc", "edge"]

[svc]
app_name = "shop"
state_bucket = "{BUCKET}"
domain_name = "shop.example.com"
hosted_zone_id = "Z0123456789ABCDEFGHIJ"
services.web = {{ kind = "web", calls = ["api"] }}
services.api = {{ kind = "backend" }}
services.report = {{ kind = "job", job.schedule = "cron(0 3 * * ? *)" }}

[edge]
app_name = "shop"
state_bucket = "{BUCKET}"
certificate_domain = "edge.example.com"
network.allow_internet_egress = true
network.single_nat_gateway = true
alarm_email = "ops@example.com"
alb.mutual_tls = {{ mode = "verify", trust_store_bundle = "s3://acme-client-ca/clients.pem" }}
"""


@pytest.fixture(scope="module")
def environments(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    path = tmp_path_factory.mktemp("permissions") / "environments.toml"
    path.write_text(SETTINGS)
    bootstrap, configs = load_bootstrap(path)
    return bootstrap, {config.environment: config for config in configs}


def resources(config: Any, *, key: str, eip: str | None = None, namespace: str | None = None) -> Resources:
    prefix = config.resource_name
    web = f"{prefix}-web" if config.services else ""
    return Resources(
        prefix=prefix,
        region=REGION,
        account=ACCOUNT,
        key_id=key,
        target_group=f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{prefix[:6]}-1/{key}",
        security_group=f"sg-{key}",
        route_table=f"rtb-{key}",
        vpc=f"vpc-{key}",
        load_balancer=f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/{prefix}/{key}",
        web_acl=f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/{prefix}/{key}",
        web_acl_name=prefix,
        log_bucket=f"{prefix}-alb-logs-{key}",
        state_bucket=BUCKET,
        elastic_ip=eip,
        namespace=namespace,
        service=web,
    )


def state_of(targets: dict[str, Resources]) -> FakeState:
    """The tags each environment's resources carry, and what the model looks up besides."""
    tags: dict[str, dict[str, str]] = {}
    roles, scaling = {}, {}
    for environment, r in targets.items():
        own = {"Environment": environment}
        arns = [
            r.arn("kms", f"key/{r.key_id}"),
            r.target_group,
            r.load_balancer,
            r.web_acl,
            r.arn("ec2", f"security-group/{r.security_group}"),
            r.arn("ec2", f"route-table/{r.route_table}"),
            r.arn("ec2", f"vpc/{r.vpc}"),
            f"arn:aws:s3:::{r.log_bucket}",
            r.arn("logs", f"log-group:/ecs/{r.service_name}"),
            r.arn("ecs", f"service/{r.prefix}/{r.service_name}"),
            r.arn("ecr", f"repository/{r.service_name}"),
            r.arn("cloudwatch", f"alarm:{r.service_name}-cpu-high"),
            f"arn:aws:iam::{ACCOUNT}:role/{r.service_name}-task",
        ]
        if r.elastic_ip:
            arns.append(r.arn("ec2", f"elastic-ip/{r.elastic_ip}"))
        if r.namespace:
            arns.append(r.arn("servicediscovery", f"namespace/{r.namespace}"))
        target = r.arn("application-autoscaling", f"scalable-target/{r.key_id}")
        arns.append(target)
        scaling[f"service/{r.prefix}/{r.service_name}"] = target
        tags.update(dict.fromkeys(arns, own))
        boundary = f"arn:aws:iam::{ACCOUNT}:policy/deploy/{r.prefix}-boundary"
        roles[f"{r.service_name}-task"] = (f"arn:aws:iam::{ACCOUNT}:role/{r.service_name}-task", boundary)
    tags[f"arn:aws:s3:::{BUCKET}"] = {"Environment": "bootstrap"}
    return FakeState(tags, roles=roles, targets=scaling, service_linked_roles=ALL_LINKED)


def role_arn(config: Any) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/deploy/{config.deploy_role_name}"


def refusals(authorizations: list[Authorization], identity: list[dict[str, Any]]) -> list[str]:
    found = []
    for item in authorizations:
        try:
            decision = decide(item, identity)
        except CannotEstablish as error:
            found.append(str(error))
            continue
        if not decision:
            found.append(f"{item.action} on {item.resource}: {decision.because}")
    return found


def test_no_environments_role_may_change_another_environments_resources(environments):
    _, configs = environments
    targets = {
        "svc": resources(configs["svc"], key="0aa", namespace="ns-svc"),
        "edge": resources(configs["edge"], key="0bb", eip="eipalloc-0bb"),
    }
    state = state_of(targets)
    policies = {
        name: deploy_policies(config, state_bucket=BUCKET, partition="aws", account=ACCOUNT)
        for name, config in configs.items()
    }

    def judge(caller: str, service: str, operation: str, params: dict[str, Any]) -> list[str]:
        made = authorize(Call(service, operation, params, REGION, ACCOUNT, role_arn(configs[caller])), state)
        return refusals(made, policies[caller])

    crossing, own = refused_and_allowed(targets, judge)
    assert crossing == []
    assert own == []


def test_a_role_an_environment_makes_reaches_none_of_another_environments_data(environments):
    bootstrap, configs = environments
    svc = configs["svc"]
    boundary = {"Statement": boundary_statements(svc, bootstrap, partition="aws", account=ACCOUNT)}
    anything = [{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
    tags = {
        "arn:aws:s3:::shop-edge-data": {"Environment": "edge"},
        "arn:aws:s3:::shop-svc-data": {"Environment": "svc"},
    }
    state = FakeState(tags)
    task_role = f"arn:aws:iam::{ACCOUNT}:role/shop-svc-web-task"

    def judge(service: str, operation: str, **params: Any) -> bool:
        made = authorize(Call(service, operation, params, REGION, ACCOUNT, task_role), state)
        return all(decide(item, anything, boundary) for item in made)

    data = "arn:aws:dynamodb:us-east-1:123456789012:table"
    assert not judge("s3", "GetObject", Bucket="shop-edge-data", Key="orders.csv")
    assert not judge("s3", "PutBucketPolicy", Bucket="shop-svc-data", Policy="{}")
    assert judge("s3", "GetObject", Bucket="shop-svc-data", Key="orders.csv")
    assert judge("s3", "PutObject", Bucket="shop-svc-data", Key="orders.csv")
    for resource, allowed in ((f"{data}/shop-edge-orders", False), (f"{data}/shop-svc-orders", True)):
        item = Authorization("dynamodb:GetItem", resource, {}, ("aws:resourcetag/",))
        assert bool(decide(item, anything, boundary)) is allowed, resource
    for queue, allowed in (("shop-edge-jobs", False), ("shop-svc-jobs", True)):
        item = Authorization("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:{queue}", {}, ("aws:resourcetag/",))
        assert bool(decide(item, anything, boundary)) is allowed, queue
    secret = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod-db-AbCdEf"
    item = Authorization("secretsmanager:GetSecretValue", secret, {}, ("aws:resourcetag/",))
    assert not decide(item, anything, boundary)


def edge_boundary(tmp_path, more: str) -> dict:
    """The `edge` environment's permissions boundary with ``more`` settings lines in its table."""
    path = tmp_path / "environments.toml"
    path.write_text(SETTINGS.replace('alarm_email = "ops@example.com"', f'alarm_email = "ops@example.com"\n{more}'))
    bootstrap, configs = load_bootstrap(path)
    edge = next(config for config in configs if config.environment == "edge")
    return {"Statement": boundary_statements(edge, bootstrap, partition="aws", account=ACCOUNT)}


def test_the_boundary_admits_the_secrets_the_settings_name_as_iam_names_them(tmp_path):
    secret = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-AbCdEf"
    # Given without its random suffix, in another region.
    partial = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:api-key"
    boundary = edge_boundary(
        tmp_path,
        f'service.container.secrets.DB = {{ arn = "{secret}:password::" }}\n'
        f'service.container.secrets.API = {{ arn = "{partial}" }}',
    )
    anything = [{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
    read = Authorization("secretsmanager:GetSecretValue", secret, {}, ("aws:resourcetag/",))
    assert decide(read, anything, boundary)
    through = {"kms:viaservice": ("secretsmanager.us-east-1.amazonaws.com",)}
    decrypt = Authorization("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k", through, ("aws:resourcetag/",))
    assert decide(decrypt, anything, boundary)
    directly = Authorization("kms:Decrypt", decrypt.resource, {}, ("aws:resourcetag/", "kms:viaservice"))
    assert not decide(directly, anything, boundary)
    read_partial = Authorization("secretsmanager:GetSecretValue", f"{partial}-XyZ123", {}, ("aws:resourcetag/",))
    assert decide(read_partial, anything, boundary)
    other = Authorization("secretsmanager:GetSecretValue", f"{partial}-2-XyZ123", {}, ("aws:resourcetag/",))
    assert not decide(other, anything, boundary)
    there = {"kms:viaservice": ("secretsmanager.eu-west-1.amazonaws.com",)}
    assert decide(Authorization("kms:Decrypt", decrypt.resource, there, ("aws:resourcetag/",)), anything, boundary)


def test_every_grant_names_its_actions(environments):
    _, configs = environments
    for config in [*configs.values(), load_environment("prod"), load_environment("dev")]:
        document = deploy_policy(config, state_bucket=BUCKET, partition="aws", account=ACCOUNT)
        for statement in statements(document):
            if statement["Effect"] == "Deny":
                continue
            wildcards = [action for action in statement["Action"] if "*" in action]
            assert wildcards == [], (config.environment, statement["Sid"])


def test_the_reads_it_grants_everywhere_are_reads_by_aws_own_account(environments):
    levels = {
        action: _actions(action.split(":")[0])[action.split(":")[1].lower()]["accessLevel"] for action in READ_ACTIONS
    }
    assert {action: level for action, level in levels.items() if level not in ("Read", "List")} == {}
    assert all(_actions(action.split(":")[0]) for action in ACTIONS_WITHOUT_RESOURCES)
    for action in ACTIONS_WITHOUT_RESOURCES:
        types = _actions(action.split(":")[0])[action.split(":")[1].lower()]["resourceTypes"]
        assert not [entry["name"] for entry in types if entry["required"]], action


def test_the_drift_role_reads_the_state_and_nothing_else(environments):
    _, configs = environments
    document = drift_policy(configs["edge"], state_bucket=BUCKET, partition="aws", account=ACCOUNT)
    actions = {action for statement in statements(document) for action in statement["Action"]}
    assert actions == {*READ_ACTIONS, "s3:ListBucket", "s3:GetObject"}
    (state,) = [s for s in statements(document) if s["Sid"] == "StateRead"]
    assert state["Resource"] == f"arn:aws:s3:::{BUCKET}/shop-edge/terraform.tfstate"


def test_the_deploy_policy_fits_iams_limits_for_any_partition_and_account(environments):
    _, configs = environments
    for config in [*configs.values(), *(load_environment(name) for name in ("prod", "dev", "local"))]:
        documents = deploy_policies(config, state_bucket=BUCKET, partition="aws-us-gov", account=ACCOUNT)
        assert 1 <= len(documents) <= 10, config.environment
        for document in documents:
            assert policy_characters(document) <= MANAGED_POLICY_CHARACTERS, config.environment
        whole = deploy_policy(config, state_bucket=BUCKET, partition="aws", account=ACCOUNT)
        assert [
            s
            for d in deploy_policies(config, state_bucket=BUCKET, partition="aws", account=ACCOUNT)
            for s in d["Statement"]
        ] == whole["Statement"]


def test_names_are_matched_with_a_separator_so_dev_never_reaches_devtest(environments):
    _, configs = environments
    document = deploy_policy(configs["edge"], state_bucket=BUCKET, partition="aws", account=ACCOUNT)
    for statement in statements(document):
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in resources:
            assert not re.search(r"shop-edge\*", resource), (statement["Sid"], resource)
            assert "shop-edge" not in resource or re.search(r"shop-edge($|[-/:.])", resource), resource


def test_the_unrecorded_grants_are_all_still_granted(environments):
    _, configs = environments
    granted = set()
    for config in [*configs.values(), load_environment("prod")]:
        for statement in statements(deploy_policy(config, state_bucket=BUCKET, partition="aws", account=ACCOUNT)):
            if statement["Effect"] == "Allow":
                granted |= set(statement["Action"])
    assert sorted(set(UNRECORDED) - granted) == []


def test_fails_when_a_boundary_resource_is_not_an_arn(tmp_path):
    path = tmp_path / "environments.toml"
    path.write_text(
        SETTINGS.replace(
            'alarm_email = "ops@example.com"',
            'alarm_email = "ops@example.com"\ndeploy.boundary_resource_arns = ["my-bucket"]',
        )
    )
    with pytest.raises(
        ValueError, match=r"deploy.boundary_resource_arns='my-bucket' is invalid: must be a resource ARN"
    ):
        load_bootstrap(path)


def test_the_shipped_environments_pack_into_managed_policies():
    for name in ("prod", "dev", "local"):
        assert len(deploy_policies(load_environment(name), state_bucket=BUCKET, partition="aws", account=ACCOUNT)) >= 2


def test_the_boundary_admits_a_sidecars_secret_as_the_apps(tmp_path):
    """The task's roles read what every container of the task names: a sidecar's secret too."""
    secret = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:agent-key-AbCdEf"
    image = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/agent:1.0"
    boundary = edge_boundary(tmp_path, f'service.sidecars.agent = {{ image = "{image}", '
                             f'secrets = {{ KEY = {{ arn = "{secret}" }} }} }}')  # fmt: skip
    anything = [{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
    assert decide(Authorization("secretsmanager:GetSecretValue", secret, {}, ("aws:resourcetag/",)), anything, boundary)
    other = secret.replace("agent-key", "other-key")
    assert not decide(
        Authorization("secretsmanager:GetSecretValue", other, {}, ("aws:resourcetag/",)), anything, boundary
    )


def test_what_an_environment_adopts_is_reached_by_its_role_and_tasks_alone(tmp_path):
    """A repository and a log group taken over from elsewhere (`adopt_repository`, `logging.adopt_log_group`)
    are named outside `<app>-<env>-*`: their environment's deploy role and boundary name each exactly, and
    the other environment's reach neither."""
    path = tmp_path / "environments.toml"
    web = 'services.web = { kind = "web", calls = ["api"]'
    adopted = 'adopt_repository = "shop/web", service.logging.adopt_log_group = "/copilot/shop-svc-web"'
    path.write_text(SETTINGS.replace(f"{web} }}", f"{web}, {adopted} }}"))
    bootstrap, configs = load_bootstrap(path)
    by_name = {config.environment: config for config in configs}
    repository = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/shop/web"
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/copilot/shop-svc-web"
    deploys = [(action, repository) for action in ("ecr:PutImage", "ecr:PutImageTagMutability", "ecr:TagResource")]
    deploys += [(action, group) for action in ("logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:TagResource")]
    tasks = [("ecr:BatchGetImage", repository), ("logs:PutLogEvents", f"{group}:log-stream:web/app/1")]
    untagged = ("aws:resourcetag/",)
    anything = [{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
    for environment, reaches in (("svc", True), ("edge", False)):
        config = by_name[environment]
        role = [deploy_policy(config, state_bucket=BUCKET, partition="aws", account=ACCOUNT)]
        boundary = {"Statement": boundary_statements(config, bootstrap, partition="aws", account=ACCOUNT)}
        for action, resource in deploys:
            assert bool(decide(Authorization(action, resource, {}, untagged), role)) is reaches, (environment, action)
        for action, resource in tasks:
            allowed = decide(Authorization(action, resource, {}, untagged), anything, boundary)
            assert bool(allowed) is reaches, (environment, action)
    # Nothing else outside the environment's names: siblings of the adopted ones stay out of reach.
    role = [deploy_policy(by_name["svc"], state_bucket=BUCKET, partition="aws", account=ACCOUNT)]
    for action, sibling in (("ecr:PutImage", f"{repository}hooks"), ("logs:PutRetentionPolicy", f"{group}hooks")):
        assert not decide(Authorization(action, sibling, {}, untagged), role), sibling
