"""WorkerQueue: a worker's SQS queue with its dead-letter queue, its topic subscriptions and its alarms."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from constructs import Construct

from ._bindings import (
    CloudwatchMetricAlarm,
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
    DataAwsRegion,
    Fn,
    IamRolePolicy,
    SnsTopicSubscription,
    SqsQueue,
    SqsQueuePolicy,
    SqsQueueRedriveAllowPolicy,
)
from ._iam import key_through_service
from ._service_task import TaskRoleGrants
from ._validation import Problems
from .options import QueueOptions, check_options

QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,68}")
CONSUME_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes")


class WorkerQueue(Construct):
    """A queue ``<name>`` and its dead-letter queue ``<name>-dead-letter`` (only the queue may move messages
    there), both encrypted and refusing requests without TLS; an SNS subscription per ``options.subscriptions``
    entry, the queue's policy admitting exactly those topics; alarms ``<name>-dead-letters`` (a message
    reached the dead-letter queue) and ``<name>-oldest-message``. ``WorkerService`` makes one."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        options: QueueOptions | None = None,
        topic_arns: Mapping[str, str] | None = None,
        kms_key_arn: str | None = None,
        alarm_actions: Sequence[str] = (),
    ) -> None:
        """
        :param name: the queue's name, 1-68 letters, digits, '-' or '_'.
        :param options: ``QueueOptions``: retention, timeouts, the dead-letter queue, subscriptions, alarms.
        :param topic_arns: the topics a subscription may name, by name (``EventTopic.arn``); a subscription
            may also give a topic's ARN itself.
        :param kms_key_arn: encrypt both queues with this customer-managed key; subscribed topics need its
            policy to let SNS use it (``KmsKey(allow_sns_deliveries=True)``). Default None: SQS-managed keys.
        :param alarm_actions: ARNs (an SNS topic) notified when an alarm changes state. Default none.
        """
        super().__init__(scope, id_)
        options = QueueOptions() if options is None else options
        topic_arns = dict(topic_arns or {})
        problems = Problems.of(self)
        problems.check_pattern("name", name, QUEUE_NAME, "must be 1-68 letters, digits, '-' or '_'")
        if not isinstance(options, QueueOptions):
            problems.add("options", options, "must be a QueueOptions")
        else:
            check_options(problems, "options", options)
            for index, subscription in enumerate(options.subscriptions):
                topic = subscription.topic
                if topic and not topic.startswith("arn:") and topic not in topic_arns:
                    known = ", ".join(sorted(topic_arns)) or "none"
                    problems.add(
                        f"options.subscriptions[{index}].topic",
                        topic,
                        f"is no topic given in topic_arns (there are: {known}); name one, or give a topic's ARN",
                    )
        for topic, arn in topic_arns.items():
            problems.check_arn(f"topic_arns[{topic!r}]", arn)
        if kms_key_arn is not None:
            problems.check_arn("kms_key_arn", kms_key_arn)
        problems.check_arn_list("alarm_actions", alarm_actions)
        problems.raise_if_any()
        self.options = options
        self.kms_key_arn = kms_key_arn
        self._region = DataAwsRegion(self, "region").name
        encryption: dict[str, object] = (
            {"kms_master_key_id": kms_key_arn} if kms_key_arn else {"sqs_managed_sse_enabled": True}
        )
        self.dead_letter_queue = SqsQueue(
            self,
            "dead-letter-queue",
            name=f"{name}-dead-letter",
            message_retention_seconds=options.dead_letter_retention_seconds,
            **encryption,  # type: ignore[arg-type]
        )
        self.queue = SqsQueue(
            self,
            "queue",
            name=name,
            visibility_timeout_seconds=options.visibility_timeout_seconds,
            message_retention_seconds=options.retention_seconds,
            receive_wait_time_seconds=options.receive_wait_seconds,
            redrive_policy=Fn.jsonencode(
                {"deadLetterTargetArn": self.dead_letter_queue.arn, "maxReceiveCount": options.max_receive_count}
            ),
            **encryption,  # type: ignore[arg-type]
        )
        self.arn = self.queue.arn
        self.url = self.queue.url
        self.queue_name = self.queue.name
        self.redrive_allow_policy = SqsQueueRedriveAllowPolicy(
            self,
            "dead-letter-redrive-allow",
            queue_url=self.dead_letter_queue.url,
            redrive_allow_policy=Fn.jsonencode({"redrivePermission": "byQueue", "sourceQueueArns": [self.queue.arn]}),
        )
        self.topic_arns = [
            topic_arns.get(subscription.topic, subscription.topic) for subscription in options.subscriptions
        ]
        self.policy = SqsQueuePolicy(
            self, "policy", queue_url=self.queue.url, policy=self._policy("policy", self.queue, self.topic_arns)
        )
        self.dead_letter_policy = SqsQueuePolicy(
            self,
            "dead-letter-policy",
            queue_url=self.dead_letter_queue.url,
            policy=self._policy("dead-letter-policy", self.dead_letter_queue, []),
        )
        self.subscriptions = [
            SnsTopicSubscription(
                self,
                f"subscription-{index}",
                topic_arn=topic_arn,
                protocol="sqs",
                endpoint=self.queue.arn,
                raw_message_delivery=subscription.raw_message_delivery,
                filter_policy=subscription.filter_policy or None,
                filter_policy_scope=subscription.filter_policy_scope if subscription.filter_policy else None,
                # SNS delivers only once the queue's policy admits the topic.
                depends_on=[self.policy],
            )
            for index, (subscription, topic_arn) in enumerate(zip(options.subscriptions, self.topic_arns, strict=True))
        ]

        def alarm(key: str, description: str, **settings: object) -> CloudwatchMetricAlarm:
            return CloudwatchMetricAlarm(
                self,
                key,
                alarm_name=f"{name}-{key}",
                alarm_description=description,
                namespace="AWS/SQS",
                statistic="Maximum",
                comparison_operator="GreaterThanThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=list(alarm_actions),
                ok_actions=list(alarm_actions),
                **settings,  # type: ignore[arg-type]
            )

        self.dead_letters_alarm = alarm(
            "dead-letters",
            f"{name}: messages failed {options.max_receive_count} times and wait in the dead-letter queue",
            metric_name="ApproximateNumberOfMessagesVisible",
            dimensions={"QueueName": self.dead_letter_queue.name},
            period=60,
            evaluation_periods=1,
            threshold=0,
        )
        self.oldest_message_alarm = alarm(
            "oldest-message",
            f"{name}: a message has waited over {options.oldest_message_alarm_seconds} s (workers fall behind)",
            metric_name="ApproximateAgeOfOldestMessage",
            dimensions={"QueueName": self.queue.name},
            period=300,
            evaluation_periods=1,
            threshold=options.oldest_message_alarm_seconds,
        )

    def _policy(self, id_: str, queue: SqsQueue, topic_arns: list[str]) -> str:
        statements = [
            DataAwsIamPolicyDocumentStatement(
                sid="DenyInsecureTransport",
                effect="Deny",
                actions=["sqs:*"],
                resources=[queue.arn],
                principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="AWS", identifiers=["*"])],
                condition=[
                    DataAwsIamPolicyDocumentStatementCondition(
                        test="Bool", variable="aws:SecureTransport", values=["false"]
                    )
                ],
            )
        ]
        if topic_arns:
            statements.append(
                DataAwsIamPolicyDocumentStatement(
                    sid="SubscribedTopicsSend",
                    actions=["sqs:SendMessage"],
                    resources=[queue.arn],
                    principals=[
                        DataAwsIamPolicyDocumentStatementPrincipals(type="Service", identifiers=["sns.amazonaws.com"])
                    ],
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="ArnEquals", variable="aws:SourceArn", values=list(topic_arns)
                        )
                    ],
                )
            )
        return DataAwsIamPolicyDocument(self, f"{id_}-document", statement=statements).json

    def grant_consume(self, grantee: TaskRoleGrants) -> IamRolePolicy:
        """Let ``grantee``'s application receive, delete and hide messages of this queue (and no other), and
        decrypt them with its key when it has a customer-managed one."""
        problems = Problems.of(self)
        if not isinstance(grantee, TaskRoleGrants):
            problems.add("grantee", grantee, "must be a FargateService or a ScheduledJob")
        problems.raise_if_any()
        statements = [
            DataAwsIamPolicyDocumentStatement(sid="Consume", actions=list(CONSUME_ACTIONS), resources=[self.arn])
        ]
        if self.kms_key_arn:
            # SQS decrypts a message encrypted with a customer key as the consumer.
            statements.append(
                key_through_service("DecryptThroughSqs", ["kms:Decrypt"], self.kms_key_arn, "sqs", self._region)
            )
        return grantee._attach_task_policy("ConsumeQueue", statements)
