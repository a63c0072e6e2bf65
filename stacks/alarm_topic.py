"""The environment's alarm topic: encrypted, published to by CloudWatch alone and over TLS only, with an
optional e-mail subscription."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct


def alarm_topic(scope: Construct, name: str, key_arn: str | None, email: str) -> SnsTopic:
    topic = SnsTopic(scope, "alarm-topic", name=f"{name}-alarms", kms_master_key_id=key_arn)
    document = DataAwsIamPolicyDocument(
        scope,
        "alarm-topic-policy-document",
        statement=[
            DataAwsIamPolicyDocumentStatement(
                sid="CloudWatchAlarmsPublish",
                actions=["sns:Publish"],
                resources=[topic.arn],
                principals=[
                    DataAwsIamPolicyDocumentStatementPrincipals(
                        type="Service", identifiers=["cloudwatch.amazonaws.com"]
                    )
                ],
                condition=[
                    DataAwsIamPolicyDocumentStatementCondition(
                        test="StringEquals", variable="aws:SourceAccount", values=[topic.owner]
                    )
                ],
            ),
            # Whoever may publish does so over TLS only.
            DataAwsIamPolicyDocumentStatement(
                sid="DenyInsecureTransport",
                effect="Deny",
                actions=["sns:Publish"],
                resources=[topic.arn],
                principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="AWS", identifiers=["*"])],
                condition=[
                    DataAwsIamPolicyDocumentStatementCondition(
                        test="Bool", variable="aws:SecureTransport", values=["false"]
                    )
                ],
            ),
        ],
    )
    SnsTopicPolicy(scope, "alarm-topic-policy", arn=topic.arn, policy=document.json)
    if email:
        SnsTopicSubscription(scope, "alarm-email", topic_arn=topic.arn, protocol="email", endpoint=email)
    return topic
