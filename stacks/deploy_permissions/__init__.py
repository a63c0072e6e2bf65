"""What an environment's deploy role and drift role may do: exactly what deploying `WebServiceStack` calls,
and nothing that reaches another environment (docs/bootstrap.md#what-a-deploy-role-can-do).

How each grant is contained, the strictest way its AWS service allows:
- by name, `<app>-<env>` or `<app>-<env>-…` (never a bare prefix: `dev` must not reach `devtest`): IAM
  roles, ECR, ECS, log groups, the load balancer with its listeners and rules, alarms, the topic, the web
  ACL, the access-log bucket, the key's alias, state machines, schedules and the state object;
- by the `Environment` tag, where AWS names the resource by an id: EC2 network resources, target groups,
  KMS keys, scalable targets, certificates and the Cloud Map namespace. Creating one requires the tag in
  the request (`aws:RequestTag`); changing or tagging one requires it on the resource
  (`aws:ResourceTag`); tags on create are allowed only inside the creating call where AWS says which
  call it is (`ec2:CreateAction`, `elasticloadbalancing:CreateAction`, `ecs:CreateAction`);
- `NeverAnotherEnvironment` denies every change to a resource tagged with another environment, whatever
  any other statement allows.

Every action is named (no service wildcard): each is used by a recorded deploy, update, re-plan, destroy
or drift check (tests/test_end_to_end_deploy_role.py evaluates them), or is listed in UNRECORDED with
the setting that needs it. Reads are allowed on every resource: they change nothing, and Terraform's
refresh and data sources make them.
"""

from ._vocabulary import (
    ACTIONS_WITHOUT_RESOURCES,
    BOOTSTRAP_TAG,
    BOUNDARY_WITHHOLDS,
    ENVIRONMENT_TAG,
    MANAGED_POLICY_CHARACTERS,
    POLICY_ENVELOPE,
    PULL_ACTIONS,
    READ_ACTIONS,
    READ_PATTERNS,
    SHAPE_TAG,
    deploy_role_arn,
    log_group_names,
    log_groups,
    never_another_environment,
    permissions_boundary_arn,
    policy_characters,
)
from .boundary import boundary_statements
from .policy import deploy_policies, deploy_policy, deploy_role_fingerprint, drift_policy
from .unrecorded import UNRECORDED

__all__ = [
    "ACTIONS_WITHOUT_RESOURCES",
    "BOOTSTRAP_TAG",
    "BOUNDARY_WITHHOLDS",
    "ENVIRONMENT_TAG",
    "MANAGED_POLICY_CHARACTERS",
    "POLICY_ENVELOPE",
    "PULL_ACTIONS",
    "READ_ACTIONS",
    "READ_PATTERNS",
    "SHAPE_TAG",
    "UNRECORDED",
    "boundary_statements",
    "deploy_policies",
    "deploy_policy",
    "deploy_role_arn",
    "deploy_role_fingerprint",
    "drift_policy",
    "log_group_names",
    "log_groups",
    "never_another_environment",
    "permissions_boundary_arn",
    "policy_characters",
]
