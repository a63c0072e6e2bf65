"""The bootstrap stack: state bucket, GitHub OIDC trust, per-environment deploy roles and boundaries,
and the environments that use them."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cdktf import Testing as CdktfTesting
from conftest import ROOT, Synthesized

from stacks import BootstrapStack, WebServiceStack, load_bootstrap, load_environment
from stacks.deploy_permissions import (
    MANAGED_POLICY_CHARACTERS,
    POLICY_ENVELOPE,
    boundary_statements,
    policy_characters,
)
from stacks.environments import config_from_mapping

ACCOUNT_ARN = (
    "arn:${data.aws_partition.partition.partition}:iam::${data.aws_caller_identity.caller-identity.account_id}"
)
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
BUCKET = "shop-terraform-state-123456789012"
SETTINGS = f"""
[bootstrap]
app_name = "shop"
github_repository = "acme/shop"
state_bucket = "{BUCKET}"
environments = ["prod", "dev"]

[prod]
app_name = "shop"
certificate_arn = "{CERTIFICATE}"
state_bucket = "{BUCKET}"

[dev]
app_name = "shop"
certificate_arn = "{CERTIFICATE}"
state_bucket = "{BUCKET}"
deploy.github_environment = "development"
"""
# Terraform resource types -> the IAM service that manages them (every type the environment stack creates).
SERVICE_OF_RESOURCE = {
    "aws_appautoscaling": "application-autoscaling",
    "aws_cloudwatch_log_group": "logs",
    "aws_cloudwatch_metric_alarm": "cloudwatch",
    "aws_default_security_group": "ec2",
    "aws_ecr": "ecr",
    "aws_ecs": "ecs",
    "aws_eip": "ec2",
    "aws_flow_log": "ec2",
    "aws_iam_role": "iam",
    "aws_internet_gateway": "ec2",
    "aws_kms": "kms",
    "aws_lb": "elasticloadbalancing",
    "aws_nat_gateway": "ec2",
    "aws_route": "ec2",
    "aws_s3_bucket": "s3",
    "aws_security_group": "ec2",
    "aws_sns_topic": "sns",
    "aws_sqs_queue": "sqs",
    "aws_subnet": "ec2",
    "aws_vpc": "ec2",
    "aws_wafv2": "wafv2",
    "aws_acm": "acm",
    "aws_route53": "route53",
    "aws_scheduler": "scheduler",
    "aws_service_discovery": "servicediscovery",
    "aws_sfn": "states",
}


def bootstrap_synth(tmp_path: Path, settings: str = SETTINGS) -> tuple[Synthesized, Any, list[Any]]:
    path = tmp_path / "environments.toml"
    path.write_text(settings)
    config, environments = load_bootstrap(path)
    stack = BootstrapStack(CdktfTesting.app(), config.stack_name, config=config, environments=environments)
    return Synthesized(stack), config, environments


def policies(synth: Synthesized, resource_type: str, attribute: str) -> dict[str, dict[str, Any]]:
    """Each resource's policy document by the path of its construct (``prod-deploy-role``)."""
    return {
        logical_id.rsplit("_", 2)[0]: json.loads(body[attribute])
        for logical_id, body in synth.resources(resource_type).items()
    }


def statements(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


def role_statements(synth: Synthesized, role: str) -> dict[str, dict[str, Any]]:
    """Every statement of the managed policies attached to the role of that construct (``prod-deploy-role``)."""
    documents = [
        json.loads(body["policy"])
        for logical_id, body in sorted(synth.resources("aws_iam_policy").items())
        if logical_id.startswith(f"{role}_policy-")
    ]
    assert documents, role
    return {statement["Sid"]: statement for document in documents for statement in document["Statement"]}


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


@pytest.fixture
def bootstrap(tmp_path):
    return bootstrap_synth(tmp_path)


def test_the_state_bucket_is_versioned_encrypted_private_and_tls_only(bootstrap):
    synth, _, _ = bootstrap
    assert synth.only("aws_s3_bucket")["bucket"] == BUCKET
    assert synth.only("aws_s3_bucket")["force_destroy"] is False
    assert synth.only("aws_s3_bucket_versioning")["versioning_configuration"]["status"] == "Enabled"
    (rule,) = synth.only("aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert rule["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    assert rule["bucket_key_enabled"] is True
    block = synth.only("aws_s3_bucket_public_access_block")
    assert all(block[key] is True for key in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                               "restrict_public_buckets"))  # fmt: skip
    (deny,) = synth.only_data("aws_iam_policy_document")["statement"]
    assert deny["effect"] == "Deny" and deny["condition"][0]["variable"] == "aws:SecureTransport"


def test_each_deploy_role_trusts_exactly_its_github_environment_of_the_repository(bootstrap):
    synth, _, _ = bootstrap
    provider = synth.only("aws_iam_openid_connect_provider")
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]
    roles = {body["name"]: body for body in synth.resources("aws_iam_role").values()}
    assert set(roles) == {"shop-prod-deploy", "shop-dev-deploy", "shop-prod-drift", "shop-dev-drift"}
    subjects = {
        "shop-prod-deploy": "environment:prod",
        "shop-dev-deploy": "environment:development",
        # The drift checks run on main outside any environment, so prod's needs no reviewer.
        "shop-prod-drift": "ref:refs/heads/main",
        "shop-dev-drift": "ref:refs/heads/main",
    }
    for name, subject in subjects.items():
        role = roles[name]
        assert role["path"] == "/deploy/"
        assert role["max_session_duration"] == 3600
        (trust,) = json.loads(role["assume_role_policy"])["Statement"]
        assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert trust["Principal"] == {
            "Federated": "${aws_iam_openid_connect_provider.github-oidc_provider_D7593BA3.arn}"
        }
        assert trust["Condition"] == {
            "StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": f"repo:acme/shop:{subject}",
            }
        }
    attached = {body["policy_arn"].split(".")[1].rsplit("_", 1)[0]: body["role"]
                for body in synth.resources("aws_iam_role_policy_attachment").values()}  # fmt: skip
    assert sorted(attached) == [f"{environment}-{kind}-role_policy-{n}" for environment, kind, n in sorted(
        (e, k, n) for e in ("dev", "prod") for k, count in (("deploy", len([x for x in attached if x.startswith(
            f"{e}-deploy-role_policy-")])), ("drift", 1)) for n in range(1, count + 1))]  # fmt: skip
    assert synth.resources("aws_iam_role_policy") == {}


def test_an_existing_oidc_provider_is_trusted_instead_of_a_new_one(tmp_path):
    existing = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    settings = SETTINGS.replace(
        'environments = ["prod", "dev"]', f'environments = ["prod"]\ngithub_oidc_provider_arn = "{existing}"'
    )
    synth, _, _ = bootstrap_synth(tmp_path, settings)
    assert synth.count("aws_iam_openid_connect_provider") == 0
    for role in synth.resources("aws_iam_role").values():
        (trust,) = json.loads(role["assume_role_policy"])["Statement"]
        assert trust["Principal"] == {"Federated": existing}


def test_the_deploy_role_reaches_its_own_state_object_and_repositories_only(bootstrap):
    synth, _, _ = bootstrap
    prod = role_statements(synth, "prod-deploy-role")
    state = prod["StateReadWrite"]
    assert state["Resource"] == [
        f"arn:${{data.aws_partition.partition.partition}}:s3:::{BUCKET}/shop-prod/terraform.tfstate",
        f"arn:${{data.aws_partition.partition.partition}}:s3:::{BUCKET}/shop-prod/terraform.tfstate.tflock",
    ]
    assert set(state["Action"]) == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    assert [arn.rsplit(":", 1)[1] for arn in prod["EcrByName"]["Resource"]] == [
        "repository/shop-prod",
        "repository/shop-prod-*",
    ]
    # ECR writes are granted nowhere else.
    others = [s for sid, s in prod.items() if sid not in ("EcrByName", "Read") and s["Effect"] == "Allow"]
    assert not [s["Sid"] for s in others if any(a.startswith("ecr:") and a != "ecr:GetAuthorizationToken"
                                                for a in s["Action"])]  # fmt: skip
    drift = role_statements(synth, "prod-drift-role")
    assert drift["StateRead"] == {
        "Sid": "StateRead", "Effect": "Allow", "Action": ["s3:GetObject"],
        "Resource": f"arn:${{data.aws_partition.partition.partition}}:s3:::{BUCKET}/shop-prod/terraform.tfstate",
    }  # fmt: skip


def test_roles_it_creates_carry_the_boundary_and_are_passed_to_ecs_tasks_only(bootstrap):
    synth, _, _ = bootstrap
    prod = role_statements(synth, "prod-deploy-role")
    boundary = f"{ACCOUNT_ARN}:policy/deploy/shop-prod-boundary"
    bounded = prod["RolesWithTheBoundary"]
    assert set(bounded["Action"]) == {"iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy"}
    assert bounded["Condition"] == {"StringEquals": {"iam:PermissionsBoundary": boundary}}
    assert bounded["Resource"].endswith(":role/shop-prod-*")
    # No other statement may create a role or change a role's policies.
    for sid, statement in prod.items():
        if sid != "RolesWithTheBoundary" and statement["Effect"] == "Allow":
            assert not set(statement["Action"]) & set(bounded["Action"]), sid
    tasks = prod["PassRoleToEcsTasks"]
    assert tasks["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    assert [arn.split(":role/")[1] for arn in tasks["Resource"]] == [
        "shop-prod-task", "shop-prod-execution", "shop-prod-*-task", "shop-prod-*-execution"]  # fmt: skip
    passing = [sid for sid, s in prod.items() if "iam:PassRole" in s.get("Action", [])]
    # A job's roles too, before the environment has a job (adding one needs no new bootstrap): each to its
    # one service, by the environment's names.
    assert sorted(passing) == [
        "PassRoleToEcs",
        "PassRoleToEcsTasks",
        "PassRoleToFlowLogs",
        "PassRoleToScheduler",
        "PassRoleToStates",
    ]
    # A service's infrastructure role for its tasks' EBS volumes, to ECS alone, and AWS's policy for it alone.
    ecs = prod["PassRoleToEcs"]
    assert ecs["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs.amazonaws.com"}}
    assert [arn.split(":role/")[1] for arn in ecs["Resource"]] == ["shop-prod-volumes", "shop-prod-*-volumes"]
    attach = prod["VolumeRolesManagedPolicy"]
    assert attach["Resource"].endswith(":role/shop-prod-*-volumes")
    assert attach["Condition"]["StringEquals"]["iam:PolicyARN"].endswith(
        ":iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
    )
    assert attach["Condition"]["StringEquals"]["iam:PermissionsBoundary"] == boundary
    for sid, service in (("PassRoleToScheduler", "scheduler"), ("PassRoleToStates", "states")):
        assert prod[sid]["Condition"] == {"StringEquals": {"iam:PassedToService": f"{service}.amazonaws.com"}}
        assert all(arn.split(":role/")[1].startswith("shop-prod") for arn in prod[sid]["Resource"]), sid
    deny = prod["NeverLoosenTheBoundary"]
    assert deny["Effect"] == "Deny" and "iam:DeleteRolePermissionsBoundary" in deny["Action"]
    assert boundary in deny["Resource"]
    # The deploy role itself lives outside the names it may change.
    assert not re.fullmatch(bounded["Resource"].split(":role/")[1].replace("*", ".*"), "deploy/shop-prod-deploy")


def test_every_write_on_every_resource_is_scoped_by_name_tag_or_region(bootstrap):
    synth, _, _ = bootstrap
    for role in ("prod-deploy-role", "dev-deploy-role"):
        for sid, statement in role_statements(synth, role).items():
            if statement["Effect"] == "Deny" or sid in ("Read", "EcrAuth"):
                continue
            assert not [action for action in statement["Action"] if "*" in action], (role, sid)
            if statement["Resource"] == "*":
                # On every resource only within the region, or with the environment's tag at stake.
                condition = json.dumps(statement.get("Condition", {}))
                assert re.search(r"aws:RequestedRegion|aws:ResourceTag/Environment|aws:RequestTag/Environment",
                                 condition), (role, sid)  # fmt: skip
        read = role_statements(synth, role)["Read"]
        assert all(re.search(r":(Describe|List|Get)", action) for action in read["Action"]), read["Action"]


@pytest.mark.parametrize("environment", ["prod", "local"])
def test_the_deploy_policy_covers_every_service_the_environment_stack_uses(environment):
    config = load_environment(environment)
    stack = WebServiceStack(CdktfTesting.app(), "coverage", config=config)
    used = set(Synthesized(stack).json["resource"])
    from stacks.deploy_permissions import deploy_policy

    document = deploy_policy(config, state_bucket=BUCKET, partition="aws", account="123456789012")
    granted = {action.split(":")[0] for s in document["Statement"] if s["Effect"] == "Allow" for action in s["Action"]}
    unknown = [resource for resource in used if not any(resource.startswith(prefix) for prefix in SERVICE_OF_RESOURCE)]
    assert unknown == [], "add the resource type's IAM service to SERVICE_OF_RESOURCE and to stacks/deploy_permissions/"
    missing = sorted(
        {service for prefix, service in SERVICE_OF_RESOURCE.items() for r in used if r.startswith(prefix)} - granted
    )
    assert missing == []


def test_the_deploy_policies_fit_iams_managed_policy_limit(bootstrap):
    synth, _, _ = bootstrap
    deploy_policies = 0
    for logical_id, body in synth.resources("aws_iam_policy").items():
        text = re.sub(r"\$\{data\.aws_partition\.[^}]*\}", "aws-us-gov", body["policy"])
        text = re.sub(r"\$\{data\.aws_caller_identity\.[^}]*\}", "123456789012", text)
        assert len(re.sub(r"\s", "", text)) <= 6144, logical_id
        deploy_policies += "-deploy-role_" in logical_id
    assert 4 <= deploy_policies <= 20


def test_the_boundary_caps_roles_and_denies_identity_changes_and_the_state(bootstrap):
    synth, _, _ = bootstrap
    boundaries = policies(synth, "aws_iam_policy", "policy")
    paths = {body["name"]: body["path"] for body in synth.resources("aws_iam_policy").values()}
    assert {name: path for name, path in paths.items() if name.endswith("-boundary")} == {
        "shop-prod-boundary": "/deploy/",
        "shop-dev-boundary": "/deploy/",
    }
    assert set(paths.values()) == {"/deploy/"}
    prod = statements(boundaries["prod-boundary"])
    assert prod["PullOwnImages"]["Resource"][1].endswith(":repository/shop-prod-*")
    assert "logs:PutLogEvents" in prod["WriteOwnLogs"]["Action"]
    assert "s3:*" in prod["Application"]["Action"]
    assert "arn:${data.aws_partition.partition.partition}:s3:::shop-prod-*" in prod["Application"]["Resource"]
    # What AWS names no resource for is one statement: task_role_actions' own among them.
    assert prod["WithoutResources"]["Resource"] == "*"
    assert {"cloudwatch:PutMetricData", "xray:PutTraceSegments", "ecr:GetAuthorizationToken"} <= set(
        prod["WithoutResources"]["Action"]
    )
    assert not any(action.endswith(":*") for action in prod["WithoutResources"]["Action"])
    # Workers' queues and publishers' topics of the environment, whether it has any yet.
    assert prod["ConsumeOwnQueues"]["Resource"].endswith(
        ":sqs:us-east-1:${data.aws_caller_identity.caller-identity.account_id}:shop-prod-*"
    )
    assert prod["PublishToOwnTopics"]["Action"] == ["sns:Publish"]
    assert "s3:PutBucketPolicy" in prod["NeverWhoElseMayUseIt"]["Action"]
    assert prod["NeverAnotherEnvironment"]["Action"] == "*"
    assert prod["NeverIdentity"] == {
        "Sid": "NeverIdentity", "Effect": "Deny", "Action": ["iam:*"], "Resource": "*",
        "Condition": {"StringNotEquals": {"iam:PassedToService": ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"]}},
    }  # fmt: skip
    assert prod["PassVolumeRoles"]["Resource"].endswith(":role/shop-prod-*-volumes")
    assert prod["PassVolumeRoles"]["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs.amazonaws.com"}}
    assert prod["NeverStsOrAccount"]["Action"] == ["sts:*", "organizations:*", "account:*"]
    # What a job's roles may do, whether or not the environment has a job yet: its own task definitions.
    assert all(":task-definition/shop-prod" in arn for arn in prod["RunOwnTasks"]["Resource"])
    assert prod["NeverTheStateBucket"]["Effect"] == "Deny"
    assert all(BUCKET in arn for arn in prod["NeverTheStateBucket"]["Resource"])


def test_a_domain_adds_certificate_and_record_rights_for_its_zone_only(tmp_path):
    settings = SETTINGS.replace(
        f'[prod]\napp_name = "shop"\ncertificate_arn = "{CERTIFICATE}"',
        '[prod]\napp_name = "shop"\ndomain_name = "shop.example.com"\nhosted_zone_id = "Z0123456789ABCDEFGHIJ"',
    )
    synth, _, _ = bootstrap_synth(tmp_path, settings)
    prod, dev = role_statements(synth, "prod-deploy-role"), role_statements(synth, "dev-deploy-role")
    assert prod["RecordsInTheZone"]["Resource"].endswith(":route53:::hostedzone/Z0123456789ABCDEFGHIJ")
    assert prod["CertificateOwn"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/Environment": "prod"},
        "StringEqualsIfExists": {"aws:RequestTag/Environment": "prod"},
    }
    assert "RecordsInTheZone" not in dev and "CertificateOwn" not in dev


def test_an_environment_of_a_bootstrapped_account_caps_every_role_and_keeps_its_key_to_the_deploy_role():
    config = load_environment("prod")
    config = dataclasses.replace(
        config, deploy=dataclasses.replace(config.deploy, key_admin_arns=("arn:aws:iam::123456789012:role/Admin",))
    )
    synth = Synthesized(WebServiceStack(CdktfTesting.app(), "env", config=config))
    roles = synth.resources("aws_iam_role")
    assert len(roles) == 3
    boundary = f"{ACCOUNT_ARN}:policy/deploy/webapp-prod-boundary"
    assert {body["permissions_boundary"] for body in roles.values()} == {boundary}
    key_policy = statements(json.loads(synth.only("aws_kms_key")["policy"]))
    admins = key_policy["OnlyKeyAdminsChangePolicyDisableOrDelete"]["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert admins == [boundary.replace(":policy/deploy/webapp-prod-boundary", ":role/deploy/webapp-prod-deploy"),
                      "arn:aws:iam::123456789012:role/Admin"]  # fmt: skip
    (logs,) = key_policy["CloudWatchLogsEncryptsThisAccountsLogGroups"]["Condition"]["ArnLike"].values()
    # With a separator: `prod` never covers a `prod2` environment's log groups. `/ecs/webapp-prod/*` holds a
    # collector's metrics group (`/ecs/<name>/metrics`), encrypted with the same key.
    assert [arn.split(":log-group:")[1] for arn in logs] == [
        "/ecs/webapp-prod",
        "/ecs/webapp-prod/*",
        "/ecs/webapp-prod-*",
        "/vpc/webapp-prod/*",
        "aws-waf-logs-webapp-prod",
    ]


def test_an_environment_without_the_bootstrap_creates_roles_without_a_boundary():
    config = load_environment("prod")
    config = dataclasses.replace(config, deploy=dataclasses.replace(config.deploy, permissions_boundary=False))
    roles = Synthesized(WebServiceStack(CdktfTesting.app(), "env", config=config)).resources("aws_iam_role")
    assert roles and all("permissions_boundary" not in body for body in roles.values())


def test_the_shipped_settings_bootstrap_prod_and_dev():
    config, environments = load_bootstrap(ROOT / "environments.toml")
    assert [environment.environment for environment in environments] == ["dev", "prod"]
    assert all(environment.state_bucket == config.state_bucket for environment in environments)


def test_fails_when_the_bootstrap_settings_are_missing_or_disagree_with_the_environments(tmp_path):
    path = tmp_path / "environments.toml"
    path.write_text(
        f"""
[bootstrap]
github_repository = "acme shop"
environments = ["prod", "prod-eu", "staging"]

[prod]
certificate_arn = "{CERTIFICATE}"
state_bucket = "{BUCKET}"

[prod-eu]
certificate_arn = "{CERTIFICATE}"
"""
    )
    with pytest.raises(ValueError) as raised:
        load_bootstrap(path)
    message = str(raised.value)
    assert "github_repository='acme shop' is invalid: must be '<owner>/<repository>'" in message
    assert "state_bucket='' is invalid: is required" in message
    # Reported once the table itself is valid: fix it, and the environments are checked.
    path.write_text(path.read_text().replace('"acme shop"', '"acme/shop"').replace(
        "[bootstrap]\n", f'[bootstrap]\nstate_bucket = "{BUCKET}"\n'))  # fmt: skip
    with pytest.raises(ValueError) as raised:
        load_bootstrap(path)
    message = str(raised.value)
    assert "environments='staging' is invalid: is not an environment in environments.toml" in message
    path.write_text(path.read_text().replace(', "staging"', ""))
    with pytest.raises(ValueError) as raised:
        load_bootstrap(path)
    message = str(raised.value)
    assert f"[prod-eu] state_bucket='': set it to '{BUCKET}'" in message
    assert "'webapp-prod-eu' starts with 'webapp-prod'-" in message


def test_fails_when_the_bootstraps_oidc_provider_is_in_another_account(tmp_path):
    path = tmp_path / "environments.toml"
    provider = "arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com"
    path.write_text(SETTINGS.replace("[bootstrap]", f'[bootstrap]\naccount_id = "123456789012"\n'
                                     f'github_oidc_provider_arn = "{provider}"'))  # fmt: skip
    with pytest.raises(ValueError) as raised:
        load_bootstrap(path)
    assert f"github_oidc_provider_arn='{provider}' is invalid: is in account '444455556666'" in str(raised.value)
    # And every environment it serves names its account.
    path.write_text(SETTINGS.replace("[bootstrap]", '[bootstrap]\naccount_id = "123456789012"'))
    with pytest.raises(ValueError, match=r"\[prod\] account_id='': set it to '123456789012'"):
        load_bootstrap(path)


def test_fails_when_an_environment_takes_the_bootstrap_tables_name():
    with pytest.raises(ValueError, match=r"environment='bootstrap' is invalid: 'bootstrap' names the account's"):
        config_from_mapping("bootstrap", {})


def test_fails_when_a_github_environment_could_widen_the_trusted_subject():
    with pytest.raises(ValueError, match=r"deploy.github_environment='prod:\*' is invalid"):
        config_from_mapping("prod", {"certificate_arn": CERTIFICATE, "deploy.github_environment": "prod:*"})


def test_an_environment_with_services_may_deploy_jobs_and_the_namespace_and_its_jobs_may_run_tasks():
    from stacks.deploy_permissions import boundary_statements, deploy_policy

    config = dataclasses.replace(load_environment("local"), aws_endpoint_url="")
    policy = deploy_policy(config, state_bucket=BUCKET, partition="aws", account="123456789012")
    granted = statements(policy)
    assert granted["StateMachinesByName"]["Resource"].endswith(":stateMachine:webapp-local-*")
    assert granted["SchedulesByName"]["Resource"].endswith(":schedule/default/webapp-local-*")
    assert granted["NamespaceOwn"]["Condition"] == {"StringEquals": {"aws:ResourceTag/Environment": "local"}}
    passed = {sid: (s["Condition"]["StringEquals"]["iam:PassedToService"], s["Resource"])
              for sid, s in granted.items() if s.get("Action") == ["iam:PassRole"]}  # fmt: skip
    account = "arn:aws:iam::123456789012:role"
    assert passed["PassRoleToStates"] == ("states.amazonaws.com", [f"{account}/webapp-local-run",
                                                                   f"{account}/webapp-local-*-run"])  # fmt: skip
    assert passed["PassRoleToScheduler"][0] == "scheduler.amazonaws.com"
    bootstrap, _ = load_bootstrap()
    boundary = statements(
        {"Statement": boundary_statements(config, bootstrap, partition="aws", account="123456789012")}
    )
    assert (
        boundary["RunOwnTasks"]["Resource"][1] == "arn:aws:ecs:us-east-1:123456789012:task-definition/webapp-local-*:*"
    )
    assert boundary["StartOwnStateMachines"]["Resource"].endswith(":stateMachine:webapp-local-*")
    assert "logs:PutResourcePolicy" not in boundary["WithoutResources"]["Action"]
    assert "logs:CreateLogDelivery" in boundary["WithoutResources"]["Action"]
    assert boundary["PassTaskRoles"]["Resource"] == [
        "arn:aws:iam::123456789012:role/webapp-local-*-task",
        "arn:aws:iam::123456789012:role/webapp-local-*-execution",
    ]
    assert boundary["PassTaskRoles"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    }
    # prod has no job and no backend yet, and may add one through CI alone: within its own names and tag.
    prod = statements(deploy_policy(load_environment("prod"), state_bucket=BUCKET, partition="aws", account="1" * 12))
    assert prod["StateMachinesByName"]["Resource"].endswith(":stateMachine:webapp-prod-*")
    assert prod["SchedulesByName"]["Resource"].endswith(":schedule/default/webapp-prod-*")
    assert prod["NamespaceOwn"]["Condition"] == {"StringEquals": {"aws:ResourceTag/Environment": "prod"}}


# dev in another region, with a certificate there (a load balancer takes only its own region's).
DEV = f'[dev]\napp_name = "shop"\ncertificate_arn = "{CERTIFICATE}"'
IRELAND = DEV.replace("us-east-1", "eu-west-1") + '\nregion = "eu-west-1"\nstate_region = "us-east-1"'


def test_what_every_environment_shares_is_made_once_in_the_bootstrap(tmp_path):
    settings = SETTINGS.replace(
        DEV,
        f"{IRELAND}\nalb.waf.enabled = false",
    )
    synth, _, _ = bootstrap_synth(tmp_path, settings)
    linked = [body["aws_service_name"] for body in synth.resources("aws_iam_service_linked_role").values()]
    assert sorted(linked) == [
        "ecs.amazonaws.com",
        "ecs.application-autoscaling.amazonaws.com",
        "elasticloadbalancing.amazonaws.com",
    ]
    # One log delivery policy in each region where an environment delivers logs (prod's WAF; dev has none).
    (policy,) = synth.resources("aws_cloudwatch_log_resource_policy").values()
    assert (policy["policy_name"], policy["provider"]) == ("shop-log-delivery", "aws")
    (statement,) = json.loads(policy["policy_document"])["Statement"]
    assert statement["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert [arn.split(":log-group:")[1] for arn in statement["Resource"]] == [
        "aws-waf-logs-shop-*:log-stream:*",
        "/ecs/shop-*:log-stream:*",
    ]
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_ARN.split("::")[1]}
    elsewhere = SETTINGS.replace(DEV, IRELAND)
    synth, _, _ = bootstrap_synth(tmp_path, elsewhere)
    providers = {provider.get("alias", ""): provider["region"] for provider in synth.json["provider"]["aws"]}
    assert providers == {"": "us-east-1", "eu-west-1": "eu-west-1"}
    regional = [body["provider"] for body in synth.resources("aws_cloudwatch_log_resource_policy").values()]
    assert sorted(regional) == ["aws", "aws.eu-west-1"]


def test_an_account_that_has_the_service_linked_roles_already_lists_none(tmp_path):
    settings = SETTINGS.replace(
        'environments = ["prod", "dev"]', 'environments = ["prod", "dev"]\nservice_linked_roles = []'
    )
    synth, _, _ = bootstrap_synth(tmp_path, settings)
    assert synth.count("aws_iam_service_linked_role") == 0
    with pytest.raises(ValueError, match=r"service_linked_roles='ecs' is invalid"):
        bootstrap_synth(
            tmp_path,
            SETTINGS.replace(
                'environments = ["prod", "dev"]', 'environments = ["prod", "dev"]\nservice_linked_roles = ["ecs"]'
            ),
        )


def test_each_environments_plan_checks_the_shape_its_deploy_role_was_made_for():
    from stacks.deploy_permissions import SHAPE_TAG, deploy_role_fingerprint
    from stacks.environments import serving_bootstrap

    bootstrap, environments = load_bootstrap(ROOT / "environments.toml")
    roles = Synthesized(BootstrapStack(CdktfTesting.app(), "bootstrap", config=bootstrap, environments=environments))
    for config in environments:
        (role,) = [r for r in roles.resources("aws_iam_role").values() if r["name"] == config.deploy_role_name]
        made_for = role["tags"][SHAPE_TAG]
        assert made_for == deploy_role_fingerprint(config, bootstrap)
        assert serving_bootstrap(config, ROOT / "environments.toml") == bootstrap
        stack = WebServiceStack(CdktfTesting.app(), config.stack_name, config=config, bootstrap=bootstrap)
        check = Synthesized(stack).by_path_data("aws_iam_role", "deploy-role")
        assert check["name"] == config.deploy_role_name
        (postcondition,) = check["lifecycle"]["postcondition"]
        assert postcondition["condition"] == f'${{lookup(self.tags, "{SHAPE_TAG}", "") == "{made_for}"}}'
        assert "Run `make bootstrap` with these settings" in postcondition["error_message"]
    # The local environment has no bootstrap: no check.
    local = load_environment("local")
    assert serving_bootstrap(local, ROOT / "environments.toml") is None


def test_a_change_of_shape_changes_what_the_deploy_role_is_made_for_and_a_count_does_not():
    from stacks.deploy_permissions import deploy_role_fingerprint

    bootstrap, _ = load_bootstrap(ROOT / "environments.toml")
    prod = load_environment("prod")
    made_for = deploy_role_fingerprint(prod, bootstrap)
    scaled = dataclasses.replace(prod, service=dataclasses.replace(prod.service, desired_count=5))
    assert deploy_role_fingerprint(scaled, bootstrap) == made_for
    with_job = config_from_mapping(
        "prod",
        {
            "certificate_arn": prod.certificate_arn,
            "state_bucket": prod.state_bucket,
            "services": {"web": {}, "nightly": {"kind": "job", "job": {"schedule": "cron(0 3 * * ? *)"}}},
        },
    )
    # A job or a backend added later needs nothing more of the deploy role; a domain does.
    assert deploy_role_fingerprint(with_job, bootstrap) == made_for
    with_domain = dataclasses.replace(prod, certificate_arn="", domain_name="app.example.com", hosted_zone_id="Z123")
    assert deploy_role_fingerprint(with_domain, bootstrap) != made_for


def test_every_boundary_fits_in_one_managed_policy_for_any_partition_and_account():
    bootstrap, environments = load_bootstrap()
    for config in [*environments, load_environment("local")]:
        statements = boundary_statements(config, bootstrap, partition="aws-us-gov", account="1" * 12)
        assert POLICY_ENVELOPE + sum(policy_characters(s) + 1 for s in statements) <= MANAGED_POLICY_CHARACTERS


SECRET_PREFIX = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/"


def test_fails_when_an_environments_boundary_would_be_too_long_for_iam(tmp_path):
    secrets = "".join(
        f'service.container.secrets.S{i}.arn = "{SECRET_PREFIX}a-long-name-{i}-AbCdEf"\n' for i in range(60)
    )
    with pytest.raises(ValueError, match=r"environments='prod' is invalid: its permissions boundary would be \d+ "):
        bootstrap_synth(tmp_path, SETTINGS.replace("[prod]\n", "[prod]\n" + secrets, 1))
