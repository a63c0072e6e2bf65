"""End to end as GitHub Actions deploys: every call made with a deploy or drift role's credentials is
recorded by the emulator and judged against that role's deployed policies (cdktf_fargate_emulator/iam_evidence).

One emulator, one bootstrap (as `make bootstrap` runs it, with the account's own credentials), two
environments, each deployed with its own deploy role's session (as the deploy workflow gets it through
GitHub's OIDC token):
- `svc`: the shipped `local` environment's services (web, a backend over Service Connect with an EBS
  volume a task, a worker on the web service's topic, a scheduled job), with its own DNS name (a
  certificate requested and validated in a hosted zone);
- `edge`: one service with internet egress through a NAT gateway, the certificate found by domain, an
  alarm e-mail, and mutual TLS checking clients against a CA bundle in a bucket of the account's.
A third, `stage`, copies the images `svc` ran into its repositories with its own role, taking over on the
way a repository made before the stack (`adopt_repository`), image and all.
Both deploy at once (their waits overlap), re-plan empty, get a new image, pass a drift check made with
the drift role, get a new tag on every resource, and are destroyed. Every recorded call must be
allowed, every grant used or explained (UNRECORDED), and each environment's resources out of reach of
the other's role.

While both are deployed, the bootstrap's own resources are read back as AWS's APIs return them: the
state bucket's protections, each deploy role's trust (GitHub's OIDC provider, the repository's
environment), the environments' states in the bucket, the boundary on every role they made, and each
key kept to its deploy role; destroying the bootstrap last leaves nothing.

The emulator does not evaluate IAM: the decisions here are the evaluator's, on what AWS would be asked
(the authorization model, held to the Service Authorization Reference). docs/bootstrap.md says what is
evaluated and what is not.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import processes
import pytest
from cdktf_fargate_emulator import LocalAws
from cdktf_fargate_emulator.iam_evidence.calls import Call
from cdktf_fargate_emulator.iam_evidence.evidence import (
    authorizations,
    describe_call,
    refusals,
    role_policies,
    unused_grants,
)
from cdktf_fargate_emulator.iam_evidence.model import authorize
from cdktf_fargate_emulator.iam_evidence.moto_state import MotoState
from cdktf_fargate_emulator.iam_evidence.policy import Authorization, decide, parse, statements
from cdktf_fargate_emulator.iam_evidence.recorder import read_records
from cdktf_fargate_emulator.iam_evidence.reference import problems
from conftest import ROOT
from e2e_support import (
    ANSI,
    CDKTF,
    REPOSITORIES_FIRST,
    Deployment,
    emulator_client,
    local_aws,
    synthesize,
    workflow_step,
)
from iam_attempts import Resources, refused_and_allowed
from registry import push_image
from side_by_side import record_e2e_figures

from stacks.deploy_permissions import BOUNDARY_WITHHOLDS, UNRECORDED

pytestmark = pytest.mark.e2e

APP = "role"
STATE_BUCKET = "role-terraform-state"
REPOSITORY = "acme/role"
ZONE = "role.test"
REPORT: dict[str, float] = {}
PHASES = ("deploy", "re-plan", "drift", "update", "destroy")
CA_BUCKET = "acme-client-ca"
CA_BUNDLE = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
PROMOTE = "Copy the images the earlier environment ran (build once, promote)"
# A repository made before any of this (as Copilot made them) that `stage` takes over for its `report` job
# with its deploy role (`adopt_repository`): the import and the changes it makes are recorded and judged.
ADOPTED = "legacy/report"


class Environments:
    """The two deployments, the emulator they share and the roles' sessions."""

    def __init__(self, emulator: LocalAws, svc: Deployment, edge: Deployment) -> None:
        self.emulator = emulator
        self.deployments = {"svc": svc, "edge": edge}
        self.roles: dict[str, str] = {}
        self.stage: Deployment | None = None
        # Each promoted repository: (the digest its source ran, the digest it holds).
        self.promoted: dict[str, tuple[str, str]] = {}
        self.settings: str | None = None
        self.boundaries: dict[str, Any] = {}
        # The adopted repository: the image it held before, and how it stood once `stage` took it over.
        self.adopted_digest = ""
        self.adopted: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        return emulator_client(self.emulator, service)

    def sign_as(self, deployment: Deployment, role_arn: str) -> None:
        """The role's session, as GitHub's OIDC token gets it, in the deployment's environment."""
        credentials = self.client("sts").assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName=f"github-{deployment.environment}", WebIdentityToken="github-oidc-token"
        )["Credentials"]
        deployment.env.update(
            AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
            AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
            AWS_SESSION_TOKEN=credentials["SessionToken"],
        )

    def both(self, action: str, tag: str) -> float:
        """``action`` on both environments at once; their provider waits overlap."""
        started = time.monotonic()
        logs = {name: d.directory / f"{action}-{tag}.log" for name, d in self.deployments.items()}
        running = {name: d.start(action, tag, logs[name]) for name, d in self.deployments.items()}
        for name, process in running.items():
            process.wait(timeout=900)
            output = ANSI.sub("", logs[name].read_text())
            assert process.returncode == 0, f"{action} {name}:\n{output[-6000:]}"
        return round(time.monotonic() - started, 1)


@pytest.fixture(scope="module")
def environments(tmp_path_factory, terraform_env):
    import moto.settings

    calls = tmp_path_factory.mktemp("role-calls") / "calls.jsonl"
    # AWS validates a DNS certificate in minutes; the emulator at once, so the deploy does not wait.
    validation_wait, moto.settings.ACM_VALIDATION_WAIT = moto.settings.ACM_VALIDATION_WAIT, 0
    with local_aws(tmp_path_factory, "role", record=calls) as emulator:
        zone = emulator_client(emulator, "route53").create_hosted_zone(Name=ZONE, CallerReference="e2e")["HostedZone"]
        # The CA bundle `edge` verifies clients with, in a bucket of the account's (not the environment's).
        s3 = emulator_client(emulator, "s3")
        s3.create_bucket(Bucket=CA_BUCKET)
        s3.put_object(Bucket=CA_BUCKET, Key="clients.pem", Body=CA_BUNDLE)
        common = {"state_bucket": STATE_BUCKET}
        svc = Deployment(
            tmp_path_factory.mktemp("role-svc"),
            emulator,
            terraform_env,
            app=APP,
            services=True,
            environment="svc",
            settings={
                **common,
                "certificate_domain": None,
                "domain_name": f"app.{ZONE}",
                "hosted_zone_id": zone["Id"].rsplit("/", 1)[1],
            },
        )
        edge = Deployment(
            tmp_path_factory.mktemp("role-edge"),
            emulator,
            terraform_env,
            app=APP,
            environment="edge",
            settings={
                **common,
                "network.allow_internet_egress": True,
                "network.single_nat_gateway": True,
                "alarm_email": "ops@example.com",
                "alb.mutual_tls": {"mode": "verify", "trust_store_bundle": f"s3://{CA_BUCKET}/clients.pem"},
            },
        )
        # Deploys nothing of its own: it copies what `svc` ran into its repositories, as the workflow's step.
        stage = Deployment(
            tmp_path_factory.mktemp("role-stage"),
            emulator,
            terraform_env,
            app=APP,
            services=True,
            environment="stage",
            settings={**common, "promote_from": "svc", "services.report.adopt_repository": ADOPTED},
        )
        ecr = emulator_client(emulator, "ecr")
        ecr.create_repository(
            repositoryName=ADOPTED, imageTagMutability="MUTABLE", tags=[{"Key": "team", "Value": "legacy"}]
        )
        adopted_digest = push_image(ecr, ADOPTED, "old")
        bootstrap = (
            f'[bootstrap]\napp_name = "{APP}"\ngithub_repository = "{REPOSITORY}"\nstate_bucket = "{STATE_BUCKET}"\n'
            f'environments = ["svc", "edge", "stage"]\naws_endpoint_url = "{emulator.endpoint}"\n'
            "state_force_destroy = true\n"
        )
        envs = Environments(emulator, svc, edge)
        envs.stage = stage
        envs.adopted_digest = adopted_digest
        envs.settings = f"{svc.table}\n{edge.table}\n{stage.table}\n{bootstrap}"
        for deployment in (svc, edge, stage):
            (deployment.directory / "settings.toml").write_text(envs.settings)
        yield envs, calls
    moto.settings.ACM_VALIDATION_WAIT = validation_wait
    record_e2e_figures(**{f"deploy_role_{key}": value for key, value in REPORT.items()})


def run_bootstrap(deployment: Deployment, action: str) -> subprocess.CompletedProcess[str]:
    """`make bootstrap` (`-plan`, `-destroy`): scripts/bootstrap.py, with the account's own credentials (the
    emulator's dummy ones)."""
    env = {
        **deployment.env,
        "CDKTF_FARGATE_ENV": "bootstrap",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    env.pop("AWS_SESSION_TOKEN", None)
    env["CDKTF_FARGATE_CDKTF"] = str(CDKTF)
    command = [sys.executable, "-m", "scripts.bootstrap", action]
    if action != "plan":
        command += ["--", "--skip-provider-lock"]
    result = processes.run(command, cwd=deployment.directory, env=env, timeout=900)
    result.stdout = ANSI.sub("", result.stdout)
    return result


def drift_check(deployment: Deployment) -> subprocess.CompletedProcess[str]:
    return processes.run(
        [str(Path(sys.executable).parent / "cdktf-fargate"), "--stack-dir", str(deployment.stack_dir), "drift"],
        cwd=deployment.directory,
        env=deployment.env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def recorded(environments):
    """Bootstrap, then each phase up to the update as the roles; the recording, the roles' deployed
    policies (read while they exist) and the account. The destroys are tests of their own, at the end."""
    envs, calls = environments
    svc = envs.deployments["svc"]
    started = time.monotonic()
    result = run_bootstrap(svc, "deploy")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    REPORT["bootstrap_seconds"] = round(time.monotonic() - started, 1)
    iam = envs.client("iam")
    account = iam.get_role(RoleName=f"{APP}-svc-deploy")["Role"]["Arn"].split(":")[4]
    for name, deployment in envs.deployments.items():
        for kind in ("deploy", "drift"):
            envs.roles[f"{name}-{kind}"] = f"arn:aws:iam::{account}:role/deploy/{APP}-{name}-{kind}"
        envs.sign_as(deployment, envs.roles[f"{name}-deploy"])
    # `stage` only copies images with its deploy role (`promote`); its drift role is never used.
    envs.roles["stage-deploy"] = f"arn:aws:iam::{account}:role/deploy/{APP}-stage-deploy"
    policies = {arn: role_policies(iam, arn.rsplit("/", 1)[1]) for arn in envs.roles.values()}
    for policy in iam.list_policies(Scope="Local", PathPrefix="/deploy/")["Policies"]:
        if policy["PolicyName"].endswith("-boundary"):
            envs.boundaries[policy["PolicyName"].split("-")[1]] = managed_document(iam, policy["Arn"])

    REPORT["deploy_seconds"] = envs.both("deploy", "v1")
    for name, deployment in envs.deployments.items():
        assert deployment.planned_changes("v1") == {}, name
    REPORT["promote_seconds"] = promote(envs, account, "v1")
    REPORT["update_seconds"] = envs.both("deploy", "v2")
    # As the daily check runs, on a deployment that has been updated once (test_end_to_end.py's order).
    for name, deployment in envs.deployments.items():
        envs.sign_as(deployment, envs.roles[f"{name}-drift"])
        checked = drift_check(deployment)
        assert checked.returncode == 0, f"drift {name}:\n{checked.stdout[-3000:]}{checked.stderr[-3000:]}"
        envs.sign_as(deployment, envs.roles[f"{name}-deploy"])
    # A tag added to every resource, as a team changes `tags`: the grants that change an environment's
    # own tags, used.
    tagged = (envs.settings or "").replace("[svc]\n", '[svc]\ntags = { CostCenter = "e2e" }\n')
    tagged = tagged.replace("[edge]\n", '[edge]\ntags = { CostCenter = "e2e" }\n')
    for deployment in envs.deployments.values():
        (deployment.directory / "settings.toml").write_text(tagged)
    REPORT["retag_seconds"] = envs.both("deploy", "v2")
    return envs, calls, account, policies


def promote(envs: Environments, account: str, tag: str) -> float:
    """`stage`'s deploy job up to its deploy, with its role: its repositories first, then the images `svc` ran
    copied into them (the workflow's own commands); then its repositories destroyed, which is all it has."""
    stage = envs.stage
    assert stage is not None
    started = time.monotonic()
    ran = {repository: push_image(envs.client("ecr"), repository, tag) for repository in svc_repositories()}
    envs.sign_as(stage, envs.roles["stage-deploy"])
    synthesize(stage)
    first = workflow_step(REPOSITORIES_FIRST, STACK=stage.stack, IMAGE_TAG=tag)
    result = processes.run(first, cwd=stage.directory, env=stage.env, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ecr = envs.client("ecr")
    (taken,) = ecr.describe_repositories(repositoryNames=[ADOPTED])["repositories"]
    envs.adopted = {
        "images": {tag: image["imageDigest"] for image in ecr.describe_images(repositoryName=ADOPTED)["imageDetails"]
                   for tag in image.get("imageTags", [])},
        "mutability": taken["imageTagMutability"],
        "tags": {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=taken["repositoryArn"])["tags"]},
    }  # fmt: skip
    copy = workflow_step(PROMOTE, DEPLOY_ENVIRONMENT="stage", IMAGE_TAG=tag)
    result = processes.run(copy, cwd=stage.directory, env=stage.env, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ecr = envs.client("ecr")
    for source, digest in ran.items():
        destination = ADOPTED if source == f"{APP}-svc-report" else source.replace(f"{APP}-svc-", f"{APP}-stage-")
        (held,) = ecr.batch_get_image(repositoryName=destination, imageIds=[{"imageTag": tag}])["images"]
        envs.promoted[destination] = (digest, held["imageId"]["imageDigest"])
    destroyed, _ = stage.run("destroy", tag)
    assert destroyed.returncode == 0, destroyed.stdout[-3000:]
    return round(time.monotonic() - started, 1)


def svc_services() -> list[str]:
    """The shipped `local` environment's services with a repository of their own, as `svc` deploys them."""
    shipped = tomllib.loads((ROOT / "environments.toml").read_text())["local"]["services"]
    return [key for key, table in shipped.items() if not table.get("repository")]


def svc_repositories() -> list[str]:
    return [f"{APP}-svc-{service}" for service in svc_services()]


def resources_of(envs: Environments, name: str, account: str) -> Resources:
    """One deployed environment's resources, found in the emulator by its tag and names."""
    prefix = f"{APP}-{name}"
    ec2, elbv2 = envs.client("ec2"), envs.client("elbv2")
    tagged = [{"Name": "tag:Environment", "Values": [name]}]
    (vpc,) = ec2.describe_vpcs(Filters=tagged)["Vpcs"]
    groups = [g for g in ec2.describe_security_groups(Filters=tagged)["SecurityGroups"] if "-tasks-" in g["GroupName"]]
    tables = ec2.describe_route_tables(Filters=[*tagged, {"Name": "tag:Name", "Values": [f"{prefix}-public"]}])
    (balancer,) = elbv2.describe_load_balancers(Names=[prefix])["LoadBalancers"]
    target_groups = [g["TargetGroupArn"] for g in elbv2.describe_target_groups()["TargetGroups"]]
    described = elbv2.describe_tags(ResourceArns=target_groups)["TagDescriptions"]
    (target_group,) = [d["ResourceArn"] for d in described if {"Key": "Environment", "Value": name} in d["Tags"]]
    key = envs.client("kms").describe_key(KeyId=f"alias/{prefix}")["KeyMetadata"]["KeyId"]
    (acl,) = [a for a in envs.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"] == prefix]
    (bucket,) = [
        b["Name"] for b in envs.client("s3").list_buckets()["Buckets"] if b["Name"].startswith(f"{prefix}-alb")
    ]
    addresses = ec2.describe_addresses(Filters=tagged)["Addresses"]
    namespaces = [
        n["Id"] for n in envs.client("servicediscovery").list_namespaces()["Namespaces"] if n["Name"] == prefix
    ]
    return Resources(
        prefix=prefix,
        region="us-east-1",
        account=account,
        key_id=key,
        target_group=target_group,
        security_group=groups[0]["GroupId"],
        route_table=tables["RouteTables"][0]["RouteTableId"],
        vpc=vpc["VpcId"],
        load_balancer=balancer["LoadBalancerArn"],
        web_acl=acl["ARN"],
        web_acl_name=prefix,
        log_bucket=bucket,
        state_bucket=STATE_BUCKET,
        elastic_ip=addresses[0]["AllocationId"] if addresses else None,
        namespace=namespaces[0] if namespaces else None,
        service=f"{prefix}-web" if name == "svc" else "",
    )


def test_no_role_may_change_the_other_environments_resources(recorded):
    envs, _, account, policies = recorded
    state = MotoState()
    targets = {name: resources_of(envs, name, account) for name in envs.deployments}

    def judge(caller: str, service: str, operation: str, params: dict[str, Any]) -> list[str]:
        arn = envs.roles[f"{caller}-deploy"]
        identity, boundary = policies[arn]
        made = authorize(Call(service, operation, params, "us-east-1", account, arn), state)
        return [f"{item.action} on {item.resource}" for item in made if not decide(item, identity, boundary)]

    crossing, own = refused_and_allowed(targets, judge)
    assert crossing == []
    assert own == []


def test_a_promoted_environment_holds_the_very_digests_its_source_ran(recorded):
    envs, *_ = recorded
    expected = [ADOPTED if service == "report" else f"{APP}-stage-{service}" for service in svc_services()]
    assert sorted(envs.promoted) == sorted(expected)
    for repository, (ran, held) in envs.promoted.items():
        assert held == ran, repository


def test_an_environments_role_takes_over_a_repository_made_elsewhere_with_its_image(recorded):
    """`stage`'s repository step, as its deploy role, imported `legacy/report` (every call judged with the rest):
    the image it held stays, and it is now under the stack's settings and tags."""
    envs, *_ = recorded
    assert envs.adopted["images"] == {"old": envs.adopted_digest}
    assert envs.adopted["mutability"] == "IMMUTABLE"
    assert envs.adopted["tags"].get("Environment") == "stage" and "team" not in envs.adopted["tags"]


def test_a_promoted_environments_role_pulls_its_sources_images_and_changes_nothing_there(recorded):
    """`stage` copies from `svc`: it may pull svc's images, and neither change them nor pull edge's; edge,
    which builds, may pull svc's images no more than before."""
    envs, _, account, policies = recorded
    state = MotoState()

    def allowed(caller: str, operation: str, repository: str) -> bool:
        arn = envs.roles[f"{caller}-deploy"]
        identity, boundary = policies[arn]
        call = Call("ecr", operation, {"repositoryName": repository}, "us-east-1", account, arn)
        return all(decide(item, identity, boundary) for item in authorize(call, state))

    source, other = f"{APP}-svc-web", f"{APP}-edge"
    pulls = ("BatchGetImage", "BatchCheckLayerAvailability", "GetDownloadUrlForLayer")
    changes = ("PutImage", "InitiateLayerUpload", "BatchDeleteImage", "DeleteRepository", "SetRepositoryPolicy")
    assert {operation: allowed("stage", operation, source) for operation in pulls} == dict.fromkeys(pulls, True)
    assert {operation: allowed("stage", operation, source) for operation in changes} == dict.fromkeys(changes, False)
    assert {operation: allowed("stage", operation, other) for operation in pulls} == dict.fromkeys(pulls, False)
    assert {operation: allowed("edge", operation, source) for operation in pulls} == dict.fromkeys(pulls, False)


# What the bootstrap made, and how the environments stand on it, read while both are deployed.


def test_the_state_bucket_is_versioned_encrypted_private_and_tls_only(recorded):
    s3 = recorded[0].client("s3")
    assert s3.get_bucket_versioning(Bucket=STATE_BUCKET)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=STATE_BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    block = s3.get_public_access_block(Bucket=STATE_BUCKET)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    (statement,) = json.loads(s3.get_bucket_policy(Bucket=STATE_BUCKET)["Policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("name", ["svc", "edge"])
def test_each_deploy_role_trusts_only_the_repositorys_github_environment(recorded, name):
    iam = recorded[0].client("iam")
    (provider,) = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    described = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider["Arn"])
    assert described["ClientIDList"] == ["sts.amazonaws.com"]
    assert described["Url"].endswith("token.actions.githubusercontent.com")
    role = iam.get_role(RoleName=f"{APP}-{name}-deploy")["Role"]
    assert role["Path"] == "/deploy/"
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(unquote(trust)) if isinstance(trust, str) else trust
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Federated": provider["Arn"]}
    assert statement["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": f"repo:{REPOSITORY}:environment:{name}",
    }
    # The deploy policy, in managed policies of IAM's size, all attached.
    documents, boundary = role_policies(iam, f"{APP}-{name}-deploy")
    assert len(documents) >= 2 and boundary is None
    sids = {statement["Sid"] for document in documents for statement in document["Statement"]}
    assert {"StateReadWrite", "RolesWithTheBoundary", "PassRoleToEcsTasks", "EcrByName"} <= sids
    drift, _ = role_policies(iam, f"{APP}-{name}-drift")
    assert [statement["Sid"] for statement in drift[0]["Statement"]] == [
        "Read",
        "StateList",
        "StateRead",
        "LogBucketExists",
    ]


def test_each_environment_keeps_its_state_in_the_bucket_and_caps_every_role_it_made(recorded):
    envs = recorded[0]
    s3, iam = envs.client("s3"), envs.client("iam")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=STATE_BUCKET).get("Contents", [])]
    # The bootstrap's own too: moved there after the first run made the bucket.
    # `stage`'s, emptied by its destroy after the promotion.
    assert sorted(keys) == [
        f"{APP}-bootstrap/terraform.tfstate", f"{APP}-edge/terraform.tfstate", f"{APP}-stage/terraform.tfstate",
        f"{APP}-svc/terraform.tfstate",
    ]  # fmt: skip
    policies = iam.list_policies(Scope="Local", PathPrefix="/deploy/")["Policies"]
    boundaries = {p["PolicyName"]: p["Arn"] for p in policies if p["PolicyName"].endswith("-boundary")}
    assert sorted(boundaries) == [f"{APP}-edge-boundary", f"{APP}-stage-boundary", f"{APP}-svc-boundary"]
    roles = iam.list_roles()["Roles"]
    for name in envs.deployments:
        created = [
            role["RoleName"] for role in roles if role["RoleName"].startswith(f"{APP}-{name}-") and role["Path"] == "/"
        ]
        # Each service's, worker's and job's task and execution roles, and the flow logs' role; a job adds its
        # two (its run's and its schedule's), a service with an EBS volume its infrastructure role.
        assert len(created) == {"svc": 2 * 4 + 1 + 2 + 1, "edge": 2 + 1}[name], created
        for role_name in created:
            role = iam.get_role(RoleName=role_name)["Role"]
            assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundaries[f"{APP}-{name}-boundary"]


def test_the_bootstrap_keeps_its_state_in_its_bucket_and_a_second_run_changes_nothing(recorded):
    envs = recorded[0]
    svc = envs.deployments["svc"]
    assert not (svc.directory / f"terraform.{APP}-bootstrap.tfstate").exists()
    again = run_bootstrap(svc, "plan")
    assert again.returncode == 0, again.stdout[-4000:] + again.stderr[-2000:]
    assert "No changes." in again.stdout


@pytest.mark.parametrize("name", ["svc", "edge"])
def test_each_environments_key_is_kept_to_its_deploy_role(recorded, name):
    envs = recorded[0]
    kms = envs.client("kms")
    (alias,) = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == f"alias/{APP}-{name}"]
    policy = json.loads(kms.get_key_policy(KeyId=alias["TargetKeyId"], PolicyName="default")["Policy"])
    (deny,) = [s for s in policy["Statement"] if s["Sid"] == "OnlyKeyAdminsChangePolicyDisableOrDelete"]
    assert deny["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [envs.roles[f"{name}-deploy"]]


def test_a_shape_the_deploy_role_was_not_made_for_stops_the_plan_before_any_change(recorded):
    """An alarm e-mail added to `svc` after the bootstrap: its deploy would need `sns:Subscribe`, which the
    role lacks. The plan, as the deploy role, stops on the role's tag with what to do; the deploys above
    passed the same check."""
    envs = recorded[0]
    svc = envs.deployments["svc"]
    settings = svc.directory / "settings.toml"
    deployed = settings.read_text()
    assert deployed.count("[svc]\n") == 1 and "alarm_email" not in deployed.split("[edge]")[0]
    settings.write_text(deployed.replace("[svc]\n", '[svc]\nalarm_email = "oncall@example.com"\n'))
    try:
        synthesized = processes.run([str(CDKTF), "synth"], cwd=svc.directory, env=svc.env, timeout=600)
        assert synthesized.returncode == 0, synthesized.stdout[-3000:] + synthesized.stderr[-3000:]
        # The bootstrap's synth in this directory replaced cdktf.out: initialize again, as a fresh runner would.
        initialized = svc.terraform("init", "-input=false", "-no-color")
        assert initialized.returncode == 0, initialized.stdout[-3000:] + initialized.stderr[-3000:]
        plan = svc.terraform("plan", "-input=false", "-no-color", "-lock=false", "-var=image_tag=v2")
        assert plan.returncode == 1, plan.stdout[-3000:]
        refusal = " ".join((plan.stdout + plan.stderr).split())
        assert f"The deploy role {APP}-svc-deploy was made for another shape of environment 'svc'" in refusal, refusal
        assert "Run `make bootstrap` with these settings, then deploy again." in refusal
        # Nothing was created: no subscription for the address.
        sns = envs.client("sns")
        endpoints = [s["Endpoint"] for s in sns.list_subscriptions()["Subscriptions"]]
        assert "oncall@example.com" not in endpoints
    finally:
        settings.write_text(deployed)


def test_edge_verifies_clients_against_its_trust_store_made_from_the_accounts_bundle(recorded):
    """Read while deployed (the recording fixture ran the deploy): the deploy role made the trust store, reading
    the bundle from the account's bucket with the one grant it has there."""
    envs, calls, _, _ = recorded
    elbv2 = envs.client("elbv2")
    (store,) = elbv2.describe_trust_stores(Names=[f"{APP}-edge"])["TrustStores"]
    assert store["NumberOfCaCertificates"] == 1
    (balancer,) = elbv2.describe_load_balancers(Names=[f"{APP}-edge"])["LoadBalancers"]
    listeners = elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
    (https,) = [listener for listener in listeners if listener["Protocol"] == "HTTPS"]
    assert https["MutualAuthentication"]["Mode"] == "verify"
    assert https["MutualAuthentication"]["TrustStoreArn"] == store["TrustStoreArn"]
    read = {item.resource for item in authorizations(read_records(calls), envs.roles["edge-deploy"])
            if item.action == "s3:GetObject"}  # fmt: skip
    assert f"arn:aws:s3:::{CA_BUCKET}/clients.pem" in read


def test_destroying_both_environments_leaves_none_of_their_resources(recorded):
    envs, _, _, _ = recorded
    REPORT["destroy_seconds"] = envs.both("destroy", "v2")
    ec2 = envs.client("ec2")
    for name in envs.deployments:
        tagged = [{"Name": "tag:Environment", "Values": [name]}]
        assert ec2.describe_vpcs(Filters=tagged)["Vpcs"] == [], name
        assert envs.client("ecs").list_clusters()["clusterArns"] == [] or all(
            c["status"] == "INACTIVE"
            for c in envs.client("ecs").describe_clusters(clusters=envs.client("ecs").list_clusters()["clusterArns"])[
                "clusters"
            ]
        )
    assert envs.client("elbv2").describe_load_balancers()["LoadBalancers"] == []
    assert envs.client("elbv2").describe_trust_stores()["TrustStores"] == []
    # The account's CA bucket goes as the account made it, before the bootstrap's own teardown is checked.
    s3 = envs.client("s3")
    s3.delete_object(Bucket=CA_BUCKET, Key="clients.pem")
    s3.delete_bucket(Bucket=CA_BUCKET)


def test_every_call_of_every_role_is_allowed(recorded):
    _, calls, _, policies = recorded
    records = read_records(calls)
    assert len(records) > 1000
    REPORT["recorded_calls"] = len(records)
    REPORT["recorded_operations"] = len({describe_call(record) for record in records})
    REPORT["recorded_authorizations"] = sum(len(record.get("authorizations", [])) for record in records)
    assert [str(refusal) for refusal in refusals(records, policies)] == []


def test_each_role_signed_the_calls_of_its_own_phases(recorded):
    envs, calls, _, _ = recorded
    principals = {record["call"]["principal"] for record in read_records(calls) if "call" in record}
    assert principals == set(envs.roles.values())


def test_what_the_model_says_aws_authorizes_is_as_aws_publishes_it(recorded):
    _, calls, _, _ = recorded
    found: dict[str, int] = {}
    for record in read_records(calls):
        for item in authorizations([record], record["call"]["principal"]) if "call" in record else []:
            for problem in problems(item):
                found[problem] = found.get(problem, 0) + 1
    assert found == {}


def test_every_grant_is_used_by_a_recorded_run_or_explained(recorded):
    """Each action of each statement allowed some recorded call of some role (the two environments
    together turn on what one alone does not), or UNRECORDED says why it is granted."""
    envs, calls, _, policies = recorded
    records = read_records(calls)
    granted, used = set(), set()
    for arn in envs.roles.values():
        identity, _ = policies[arn]
        pairs = {
            (statement["Sid"], action)
            for document in identity
            for statement in statements(document)
            if statement["Effect"] == "Allow"
            for action in statement["Action"]
        }
        unused = {
            (sid, action)
            for sid, actions in unused_grants(identity, authorizations(records, arn)).items()
            for action in actions
        }
        granted |= pairs
        used |= pairs - unused
    assert sorted(pair for pair in granted - used if pair[1] not in UNRECORDED) == []


def test_the_evaluation_refuses_what_a_role_lacks(recorded):
    """The same recording, judged against the deploy policy without the grant for the VPC's default
    security group: tagging it on the first deploy is refused, as it would be on AWS."""
    envs, calls, _, policies = recorded
    arn = envs.roles["edge-deploy"]
    identity, boundary = policies[arn]
    without = [
        {**document, "Statement": [s for s in statements(document) if s.get("Sid") != "NetworkClaimDefaultGroup"]}
        for document in identity
    ]
    refused = refusals(read_records(calls), {arn: (without, boundary)})
    assert {(refusal.call, refusal.action) for refusal in refused} == {("ec2:CreateTags", "ec2:CreateTags")}


def test_the_drift_roles_only_read(recorded):
    envs, calls, _, _ = recorded
    records = read_records(calls)
    for name in envs.deployments:
        used = {item.action for item in authorizations(records, envs.roles[f"{name}-drift"])}
        assert "s3:GetObject" in used, name
        assert all(action.split(":")[1].startswith(("Describe", "Get", "List")) for action in used), used


def test_what_the_stack_grants_its_roles_fits_in_their_boundary(recorded):
    """Each policy a deploy wrote to an environment's role, action by resource, is allowed by the
    boundary the role carries, but for what the boundary withholds on purpose (BOUNDARY_WITHHOLDS): a
    tighter boundary never silently takes a task's permission away. The resources a policy names are
    the environment's own, which carry its tag (the provider's default tags)."""
    envs, calls, _, _ = recorded
    checked, refused, withheld = 0, [], set()
    for record in read_records(calls):
        call = record.get("call") or {}
        if call.get("operation") != "PutRolePolicy":
            continue
        environment = call["params"]["RoleName"].split("-")[1]
        document = parse(call["params"]["PolicyDocument"])
        for statement in statements(document):
            for action, resource in granted_pairs(statement):
                context = {**condition_context(statement), "aws:resourcetag/environment": (environment,)}
                # Keys the statement does not ask for are absent: a direct call (KMS without a service between).
                item = Authorization(action, resource, context, ("aws:resourcetag/", "kms:viaservice"))
                checked += 1
                if decide(item, [document], envs.boundaries[environment]):
                    continue
                if action in BOUNDARY_WITHHOLDS:
                    withheld.add(action)
                else:
                    refused.append(f"{call['params']['RoleName']}: {action} on {resource}")
    assert checked > 20
    assert refused == [], refused
    # Each exception is still needed: the stack grants it and the boundary takes it away.
    assert withheld == set(BOUNDARY_WITHHOLDS)


def test_destroying_the_bootstrap_leaves_nothing(recorded):
    envs, _, _, _ = recorded
    started = time.monotonic()
    result = run_bootstrap(envs.deployments["svc"], "destroy")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    REPORT["bootstrap_destroy_seconds"] = round(time.monotonic() - started, 1)
    iam = envs.client("iam")
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    assert [role["RoleName"] for role in iam.list_roles()["Roles"] if role["RoleName"].startswith(APP)] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert envs.client("s3").list_buckets()["Buckets"] == []
    assert envs.client("logs").describe_resource_policies()["resourcePolicies"] == []


def managed_document(iam: Any, arn: str) -> Any:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return parse(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])


def granted_pairs(statement: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (action, resource) an Allow statement names, as literal as it names them."""
    if statement.get("Effect") != "Allow":
        return []
    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    return [(action, resource) for action in actions for resource in resources]


def condition_context(statement: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The request context the statement itself asks for (its conditions' first values)."""
    context = {}
    for keys in (statement.get("Condition") or {}).values():
        for key, values in keys.items():
            context[key.lower()] = (values if isinstance(values, str) else values[0],)
    return context
