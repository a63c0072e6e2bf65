"""End to end on the local AWS emulator: `make bootstrap`'s stack, then an environment that stands on it.

The bootstrap deploys the state bucket, GitHub's OIDC provider, and the `local` environment's deploy
role and permissions boundary. The environment then keeps its state in that bucket, and every role
it creates carries that boundary. Both are destroyed, leaving nothing. Here it is checked that AWS's
APIs accept and return what was synthesized; what the roles may do is judged on recorded calls by
test_end_to_end_deploy_role.py (the emulator does not evaluate IAM).
"""

from __future__ import annotations

import json
import subprocess
import time
from urllib.parse import unquote

import processes
import pytest
from iam_evidence.evidence import role_policies
from side_by_side import record_e2e_figures
from test_end_to_end import ANSI, CDKTF, Deployment, local_aws

pytestmark = pytest.mark.e2e

APP = "boot"
STATE_BUCKET = "boot-terraform-state"
REPOSITORY = "acme/boot"
REPORT: dict[str, float] = {}


def run_bootstrap(deployment: Deployment, action: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """`make bootstrap` (or its destroy), as the Makefile runs it: the bootstrap stack has no image_tag."""
    started = time.monotonic()
    result = processes.run(
        [str(CDKTF), action, "--auto-approve", "--skip-provider-lock"],
        cwd=deployment.directory,
        env={**deployment.env, "CDKTF_FARGATE_ENV": "bootstrap"},
        timeout=900,
    )
    result.stdout = ANSI.sub("", result.stdout)
    return result, time.monotonic() - started


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, terraform_env):
    with local_aws(tmp_path_factory, "bootstrap") as emulator:
        deployment = Deployment(
            tmp_path_factory.mktemp("e2e-bootstrap"),
            emulator,
            terraform_env,
            app=APP,
            settings={"state_bucket": STATE_BUCKET},
        )
        settings = deployment.directory / "settings.toml"
        settings.write_text(
            settings.read_text()
            + "\n[bootstrap]\n"
            + f'app_name = "{APP}"\ngithub_repository = "{REPOSITORY}"\nstate_bucket = "{STATE_BUCKET}"\n'
            + f'environments = ["local"]\naws_endpoint_url = "{emulator.endpoint}"\n'
            # The emulator's bucket goes with the test; a real one keeps its states.
            + "state_force_destroy = true\n"
        )
        yield deployment
    record_e2e_figures(**{f"bootstrap_{key}": value for key, value in REPORT.items()})


@pytest.fixture(scope="module")
def bootstrapped(deployment):
    result, seconds = run_bootstrap(deployment, "deploy")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    REPORT["deploy_seconds"] = round(seconds, 1)
    return result


@pytest.fixture(scope="module")
def environment_deployed(deployment, bootstrapped):
    result, seconds = deployment.run("deploy", "v1")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    REPORT["environment_deploy_seconds"] = round(seconds, 1)
    return result


def test_the_state_bucket_is_versioned_encrypted_private_and_tls_only(deployment, bootstrapped):
    s3 = deployment.client("s3")
    assert s3.get_bucket_versioning(Bucket=STATE_BUCKET)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=STATE_BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    block = s3.get_public_access_block(Bucket=STATE_BUCKET)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    (statement,) = json.loads(s3.get_bucket_policy(Bucket=STATE_BUCKET)["Policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_deploy_role_trusts_only_the_repositorys_github_environment(deployment, bootstrapped):
    iam = deployment.client("iam")
    (provider,) = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    described = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider["Arn"])
    assert described["ClientIDList"] == ["sts.amazonaws.com"]
    assert described["Url"].endswith("token.actions.githubusercontent.com")
    role = iam.get_role(RoleName=f"{APP}-local-deploy")["Role"]
    assert role["Path"] == "/deploy/"
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(unquote(trust)) if isinstance(trust, str) else trust
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Federated": provider["Arn"]}
    assert statement["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": f"repo:{REPOSITORY}:environment:local",
    }
    # The deploy policy, in managed policies of IAM's size, all attached.
    documents, boundary = role_policies(iam, f"{APP}-local-deploy")
    assert len(documents) >= 2 and boundary is None
    sids = {statement["Sid"] for document in documents for statement in document["Statement"]}
    assert {"StateReadWrite", "RolesWithTheBoundary", "PassRoleToEcsTasks", "EcrByName"} <= sids
    drift, _ = role_policies(iam, f"{APP}-local-drift")
    assert [statement["Sid"] for statement in drift[0]["Statement"]] == [
        "Read",
        "StateList",
        "StateRead",
        "LogBucketExists",
    ]


def test_the_environment_keeps_its_state_in_the_bucket_and_caps_every_role(deployment, environment_deployed):
    s3 = deployment.client("s3")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=STATE_BUCKET).get("Contents", [])]
    assert keys == [f"{APP}-local/terraform.tfstate"]
    iam = deployment.client("iam")
    policies = iam.list_policies(Scope="Local", PathPrefix="/deploy/")["Policies"]
    (boundary,) = [policy for policy in policies if policy["PolicyName"].endswith("-boundary")]
    assert boundary["PolicyName"] == f"{APP}-local-boundary"
    roles = [role for role in iam.list_roles()["Roles"] if role["RoleName"].startswith(f"{APP}-local-")]
    created = [role["RoleName"] for role in roles if role["Path"] == "/"]
    assert len(created) == 3
    for name in created:
        role = iam.get_role(RoleName=name)["Role"]
        assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary["Arn"], name


def test_the_environments_key_is_kept_to_the_deploy_role(deployment, environment_deployed):
    kms = deployment.client("kms")
    (alias,) = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == f"alias/{APP}-local"]
    policy = json.loads(kms.get_key_policy(KeyId=alias["TargetKeyId"], PolicyName="default")["Policy"])
    (deny,) = [s for s in policy["Statement"] if s["Sid"] == "OnlyKeyAdminsChangePolicyDisableOrDelete"]
    role_arn = deployment.client("iam").get_role(RoleName=f"{APP}-local-deploy")["Role"]["Arn"]
    assert deny["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [role_arn]


def test_destroying_the_environment_then_the_bootstrap_leaves_nothing(deployment, environment_deployed):
    result, _ = deployment.run("destroy", "v1")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    result, seconds = run_bootstrap(deployment, "destroy")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    REPORT["destroy_seconds"] = round(seconds, 1)
    iam = deployment.client("iam")
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert [role["RoleName"] for role in iam.list_roles()["Roles"] if role["RoleName"].startswith(APP)] == []
    assert deployment.client("s3").list_buckets()["Buckets"] == []
