"""GitHub Actions deploy identity: the account's OIDC provider and a role per GitHub environment."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from constructs import Construct

from ._bindings import IamOpenidConnectProvider, IamPolicy, IamRole, IamRolePolicyAttachment
from ._validation import Problems

GITHUB_TOKEN_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
REPOSITORY_PATTERN = re.compile(r"[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}")
# A `sub` claim is matched exactly (StringEquals), so nothing in it may act as a wildcard.
GITHUB_ENVIRONMENT_PATTERN = re.compile(r"[^\s'\"`,;:\\*?]{1,255}")
BRANCH_PATTERN = re.compile(r"[A-Za-z0-9._/-]{1,255}")
# IAM's default quota of managed policies attached to one role.
MAX_MANAGED_POLICIES = 10
ROLE_NAME_PATTERN = re.compile(r"[A-Za-z0-9+=,.@_-]{1,64}")
PATH_PATTERN = re.compile(r"/([\x21-\x7e]{1,510}/)?")


class GithubOidcProvider(Construct):
    """The account's IAM identity provider for GitHub Actions' OIDC tokens (audience ``sts.amazonaws.com``).
    An account holds one per URL: bring an existing one's ARN to ``GithubDeployRole`` instead."""

    def __init__(self, scope: Construct, id_: str) -> None:
        super().__init__(scope, id_)
        # AWS trusts GitHub's token signing through its own root CAs; no thumbprint is pinned.
        self.provider = IamOpenidConnectProvider(
            self, "provider", url=f"https://{GITHUB_TOKEN_HOST}", client_id_list=[STS_AUDIENCE]
        )

    @property
    def arn(self) -> str:
        return self.provider.arn


class GithubDeployRole(Construct):
    """A role only one repository's workflow runs can assume, either in one GitHub environment or on one
    branch: the trust requires ``aud`` = ``sts.amazonaws.com`` and ``sub`` =
    ``repo:<owner>/<repo>:environment:<env>`` (or ``…:ref:refs/heads/<branch>``), both StringEquals. A run
    gets that ``sub`` only from a job that names the environment (so the environment's protection rules,
    branches and reviewers, guard the role), or from a job outside any environment on that branch."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        oidc_provider_arn: str,
        repository: str,
        policies: Sequence[Mapping[str, object]],
        github_environment: str = "",
        branch: str = "",
        path: str = "/",
        max_session_hours: int = 1,
    ) -> None:
        """
        :param name: the role's name.
        :param oidc_provider_arn: the account's GitHub OIDC provider (``GithubOidcProvider(...).arn``).
        :param repository: ``<owner>/<repository>``.
        :param policies: the role's permissions: IAM policy documents, each a managed policy of its own
            (IAM allows 6,144 characters a managed policy and 10 policies a role), named ``<name>-<n>``.
        :param github_environment: the GitHub environment whose jobs may assume the role.
        :param branch: instead, the branch whose jobs outside any environment may (e.g. ``main``).
        :param path: the path of the role and its policies, e.g. ``/deploy/``. Default ``/``.
        :param max_session_hours: 1-12. Default 1.
        """
        super().__init__(scope, id_)
        problems = Problems.of(self)
        problems.check_pattern("name", name, ROLE_NAME_PATTERN, "must be 1-64 letters, digits or +=,.@_-")
        problems.check_arn("oidc_provider_arn", oidc_provider_arn, service="iam")
        problems.check_pattern("repository", repository, REPOSITORY_PATTERN, "must be '<owner>/<repository>'")
        if bool(github_environment) == bool(branch):
            problems.add("github_environment", github_environment, "give github_environment or branch, not both")
        elif github_environment:
            problems.check_pattern(
                "github_environment",
                github_environment,
                GITHUB_ENVIRONMENT_PATTERN,
                "must be a GitHub environment name without spaces, quotes, wildcards, ',', ';' or ':'",
            )
        else:
            problems.check_pattern(
                "branch", branch, BRANCH_PATTERN, "must be a branch name without spaces, wildcards or ':'"
            )
        problems.check_pattern("path", path, PATH_PATTERN, "must start and end with '/'")
        problems.check_int_range("max_session_hours", max_session_hours, 1, 12)
        if not policies or not all(isinstance(policy, Mapping) and policy.get("Statement") for policy in policies):
            problems.add("policies", policies, "must be IAM policy documents, each with at least one statement")
        elif len(policies) > MAX_MANAGED_POLICIES:
            problems.add("policies", len(policies), f"IAM attaches at most {MAX_MANAGED_POLICIES} policies to a role")
        problems.raise_if_any()

        claim = f"environment:{github_environment}" if github_environment else f"ref:refs/heads/{branch}"
        self.subject = f"repo:{repository}:{claim}"
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "GithubEnvironmentOnly" if github_environment else "GithubBranchOnly",
                    "Effect": "Allow",
                    "Principal": {"Federated": oidc_provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{GITHUB_TOKEN_HOST}:aud": STS_AUDIENCE,
                            f"{GITHUB_TOKEN_HOST}:sub": self.subject,
                        }
                    },
                }
            ],
        }
        described = f"environment {github_environment}" if github_environment else f"branch {branch}"
        self.role = IamRole(
            self,
            "role",
            name=name,
            path=path,
            description=f"GitHub Actions runs of {repository}, {described}",
            assume_role_policy=json.dumps(trust),
            max_session_duration=max_session_hours * 3600,
        )
        self.policies: list[IamPolicy] = []
        for number, document in enumerate(policies, start=1):
            policy = IamPolicy(
                self,
                f"policy-{number}",
                name=f"{name}-{number}",
                path=path,
                description=f"{name}: part {number} of {len(policies)}",
                policy=json.dumps(document),
            )
            IamRolePolicyAttachment(self, f"policy-{number}-attachment", role=self.role.name, policy_arn=policy.arn)
            self.policies.append(policy)

    @property
    def arn(self) -> str:
        return self.role.arn


class PermissionsBoundary(Construct):
    """A managed policy meant as the permissions boundary of roles another role creates."""

    def __init__(
        self, scope: Construct, id_: str, *, name: str, statements: Sequence[Mapping[str, object]], path: str = "/"
    ) -> None:
        """
        :param name: the policy's name.
        :param statements: IAM policy statements: what the roles may do at most.
        :param path: the policy's path, e.g. ``/deploy/``. Default ``/``.
        """
        super().__init__(scope, id_)
        problems = Problems.of(self)
        problems.check_pattern("name", name, ROLE_NAME_PATTERN, "must be 1-64 letters, digits or +=,.@_-")
        problems.check_pattern("path", path, PATH_PATTERN, "must start and end with '/'")
        if not statements:
            problems.add("statements", statements, "must hold at least one statement")
        problems.raise_if_any()
        self.policy = IamPolicy(
            self,
            "policy",
            name=name,
            path=path,
            description="The most any role of this environment may do",
            policy=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}),
        )

    @property
    def arn(self) -> str:
        return self.policy.arn
