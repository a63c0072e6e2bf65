"""The AWS emulator behind `make deploy-local` and the end-to-end suites: moto's server mode on
loopback, with the few pieces it lacks for this stack added here (`patches`), and nowhere else.

    cdktf-fargate emulator serve [--port 4566] [--certificate-domain app.local.test] [--pid-file F]
    cdktf-fargate emulator stop --pid-file F
    cdktf-fargate emulator endpoint [ENVIRONMENT]   # AWS_ENDPOINT_URL=... and credentials, or nothing

In-process: ``with LocalAws(port=0) as emulator: ...`` (``emulator.endpoint``). It needs moto:
``pip install 'cdktf-fargate[emulator]'``; importing the package does not import moto.

Gaps of moto 5.2 with hashicorp/aws 5.100.0 that this layer fills (the production stack is
never changed to suit the emulator):

- ECS's CreateService drops `availabilityZoneRebalancing` (which the provider sets), the
  capacity provider strategy, the deployment configuration (circuit breaker, percentages), the
  health-check grace period and the managed-tags flag, so every plan would want to change the
  service: they are stored on the service and returned here.
- Nor does it keep `serviceConnectConfiguration` or `volumeConfigurations` (a task's EBS volume), which
  the provider reads back from the primary deployment: they are kept there, on create and on update.
- DescribeSecurityGroupRules loses the description of a rule that references another security
  group or a prefix list (it reads only CIDR rules' descriptions): it is kept from those too.
- Application Auto Scaling has no `ListTagsForResource` (nor `TagResource`), which the provider
  calls on every read of a scalable target, and drops the tags given at registration: both are
  kept here, so the default tags do not re-plan forever.
- The HTTPS listener needs a certificate that exists: a self-signed one for the local domain is
  imported into the emulator's ACM when it starts (the stack finds it by domain).
- Route53 hosted zone ids start with `Z` on AWS (and constructs check that); moto's are any
  22 capitals and digits: new zones get a `Z` in front here.
- Bucket policies: moto evaluates only `StringEquals` conditions and takes every other one as
  met, so a TLS-only deny (`Bool aws:SecureTransport false`, on the state bucket) refused every
  object request. The emulator speaks plain HTTP on loopback and cannot offer TLS: a deny whose
  condition moto cannot evaluate does not apply here.
- Deleting the last version of a key whose versions include a delete marker (emptying a
  versioned bucket, as destroying the state bucket does) fails with a 500: the marker has no
  `dispose`, which moto calls on every version. It gets one that holds nothing to release.
- Step Functions has no `ValidateStateMachineDefinition`, which the provider calls before it
  creates a state machine (and retries until it times out): it answers OK here. The definition's
  shape is checked by the unit tests instead (tests/test_scheduled_job.py). Nor has it
  `ListStateMachineVersions`, which every read calls: none are published, so it lists none.
- ECR keeps no layer's bytes, has no GetDownloadUrlForLayer and takes any manifest with a made-up digest:
  layers are kept and served, and PutImage checks what the manifest references and names the image
  by its SHA-256, as AWS does, so an image can be copied between repositories (promotion) and a copy
  that forgets a layer fails.
- SQS's SetQueueAttributes replaces the queue's policy with whatever the call holds, so setting any
  other attribute (the dead-letter queue's redrive-allow policy) removed it; and `RedriveAllowPolicy`
  is stored but never answered, so the provider waited for it until it timed out; the redrive policy
  came back with spaces, which the provider took for a change on every plan. The policy is kept when a
  call does not name it, the redrive-allow policy is answered and the redrive policy is compact, as on AWS.
- ELB has no trust stores (mutual TLS): they are made here from a CA bundle in the emulator's S3 (a
  missing object or one without a PEM certificate is refused, as AWS refuses them), described, changed,
  given revocation lists, tagged and deleted (not while a listener uses one), and a listener keeps its
  `MutualAuthentication`. No TLS handshake happens: whether clients' certificates verify is not shown.
- CloudWatch Logs has no AssociateKmsKey or DisassociateKmsKey, which the provider calls to give a log group
  made without a key the environment's (one taken over, `adopt_log_group`) and retries until it times out:
  they set and clear the group's key here. Whether CloudWatch Logs may use the key is the key policy's, which
  the unit tests check instead.
- AWS-managed IAM policies exist only with `MOTO_IAM_LOAD_MANAGED_POLICIES=true`, which is set.
- moto does not evaluate IAM for a role's session the way AWS does: with `record`, every call such a
  session signs is recorded with what AWS would authorize for it, for cdktf_fargate_emulator/iam_evidence to judge.

The provider must not skip requesting the account id (security-group rules would read back as
`<account>/sg-…`); the emulator answers STS, so nothing is needed for that.
"""

from __future__ import annotations

from .endpoint import DEFAULT_DOMAIN, DEFAULT_PORT, ENDPOINT_VARIABLE, endpoint_assignment
from .patches import manifest_references, patch_moto
from .server import AnsweredOnce, LocalAws, RequestLog, is_emulator, serve, stop

__all__ = [
    "DEFAULT_DOMAIN",
    "DEFAULT_PORT",
    "ENDPOINT_VARIABLE",
    "AnsweredOnce",
    "LocalAws",
    "RequestLog",
    "endpoint_assignment",
    "is_emulator",
    "manifest_references",
    "patch_moto",
    "serve",
    "stop",
]
