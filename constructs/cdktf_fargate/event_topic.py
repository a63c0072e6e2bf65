"""EventTopic: an SNS topic services and jobs publish events to, and workers' queues subscribe to."""

from __future__ import annotations

import re

from constructs import Construct

from ._bindings import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
    DataAwsRegion,
    IamRolePolicy,
    SnsTopic,
    SnsTopicPolicy,
)
from ._iam import key_through_service
from ._service_task import TaskRoleGrants
from ._validation import Problems

TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
# SNS encrypts with its AWS-managed key when the topic is given no key of its own.
AWS_MANAGED_KEY = "alias/aws/sns"


class EventTopic(Construct):
    """An encrypted SNS topic whose policy refuses publishing without TLS. ``grant_publish`` lets a service's
    or job's application publish to it (and to nothing else); ``WorkerService`` queues subscribe to its
    ``arn``."""

    def __init__(self, scope: Construct, id_: str, *, name: str, kms_key_arn: str | None = None) -> None:
        """
        :param name: the topic's name, 1-256 letters, digits, '-' or '_', e.g. ``webapp-prod-orders``.
        :param kms_key_arn: encrypt messages at rest with this customer-managed key; its policy must let SNS
            use it for subscribed queues encrypted with it (``KmsKey(allow_sns_deliveries=True)``). Default
            None: SNS's AWS-managed key (which cannot deliver to queues encrypted with a customer key).
        """
        super().__init__(scope, id_)
        problems = Problems.of(self)
        problems.check_pattern("name", name, TOPIC_NAME, "must be 1-256 letters, digits, '-' or '_'")
        if kms_key_arn is not None:
            problems.check_arn("kms_key_arn", kms_key_arn)
        problems.raise_if_any()
        self.name = name
        self.kms_key_arn = kms_key_arn
        self._region = DataAwsRegion(self, "region").name
        self.topic = SnsTopic(self, "topic", name=name, kms_master_key_id=kms_key_arn or AWS_MANAGED_KEY)
        self.arn = self.topic.arn
        anyone = [DataAwsIamPolicyDocumentStatementPrincipals(type="AWS", identifiers=["*"])]
        document = DataAwsIamPolicyDocument(
            self,
            "policy-document",
            statement=[
                # Who may publish is IAM's to say (the account's policies); over TLS only, whoever it is.
                DataAwsIamPolicyDocumentStatement(
                    sid="DenyInsecureTransport",
                    effect="Deny",
                    actions=["sns:Publish"],
                    resources=[self.topic.arn],
                    principals=anyone,
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="Bool", variable="aws:SecureTransport", values=["false"]
                        )
                    ],
                ),
            ],
        )
        self.policy = SnsTopicPolicy(self, "policy", arn=self.topic.arn, policy=document.json)

    def grant_publish(self, grantee: TaskRoleGrants) -> IamRolePolicy:
        """Let ``grantee``'s application (a ``FargateService``'s or ``ScheduledJob``'s task role) publish to
        this topic, and encrypt with its key when it has a customer-managed one."""
        problems = Problems.of(self)
        if not isinstance(grantee, TaskRoleGrants):
            problems.add("grantee", grantee, "must be a FargateService or a ScheduledJob")
        problems.raise_if_any()
        sid = "PublishTo" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", self.node.id) if part)
        statements = [DataAwsIamPolicyDocumentStatement(sid="Publish", actions=["sns:Publish"], resources=[self.arn])]
        if self.kms_key_arn is not None:
            # A publisher to a topic encrypted with a customer key has SNS make the data key, as the publisher.
            statements.append(
                key_through_service(
                    "EncryptThroughSns", ["kms:GenerateDataKey", "kms:Decrypt"], self.kms_key_arn, "sns", self._region
                )
            )
        return grantee._attach_task_policy(sid, statements)
