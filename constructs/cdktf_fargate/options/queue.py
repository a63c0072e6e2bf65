"""The option types of a queue worker's queue and of its subscriptions to topics.

A worker is an ECS service without a load balancer that takes its work from its own SQS queue; the
queue receives what the topics it subscribes to carry. Its task, container and scaling bounds are a
service's (`ServiceOptions`).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any, Literal

from ._base import OptionType, Pattern, Range, option

Report = Callable[[str, Any, str], None]

# A topic of the environment by its name (`<app>-<env>-<name>` in AWS), or any SNS topic by its ARN.
TOPIC_NAME = Pattern(
    re.compile(r"[a-z][a-z0-9-]{0,29}"), "must be 1-30 lower-case letters, digits or hyphens, starting with a letter"
)
TOPIC = Pattern(
    re.compile(r"[a-z][a-z0-9-]{0,29}|arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}"),
    "must be the name of a topic of the environment (1-30 lower-case letters, digits or hyphens) or an SNS "
    "topic's ARN (`arn:aws:sns:<region>:<account>:<name>`)",
)
# SQS's limits (SetQueueAttributes).
FOURTEEN_DAYS = 1_209_600
TWELVE_HOURS = 43_200
# SNS's limit of a filter policy (Amazon SNS message filtering: "Filter policy constraints").
FILTER_POLICY_CHARACTERS = 256 * 1024


@dataclasses.dataclass(frozen=True, kw_only=True)
class Subscription(OptionType):
    """One topic the worker's queue receives from (an SNS subscription with the `sqs` protocol)."""

    topic: str = option("", "a topic of the environment by name, or another SNS topic by ARN (required)")
    filter_policy: str = option(
        "",
        "only messages this SNS filter policy (a JSON object) matches reach the queue; '' : every message",
    )
    filter_policy_scope: Literal["MessageAttributes", "MessageBody"] = option(
        "MessageAttributes", "what `filter_policy` matches: the messages' attributes or their JSON body"
    )
    raw_message_delivery: bool = option(
        False, "the queue receives the message as published, without SNS's JSON envelope"
    )

    def _cross_check(self, report: Report) -> None:
        if not TOPIC(self.topic):
            report("topic", self.topic, TOPIC.described)
        if self.filter_policy:
            try:
                policy = json.loads(self.filter_policy)
            except json.JSONDecodeError as error:
                report("filter_policy", self.filter_policy, f"must be a JSON object ({error.msg})")
                return
            if not isinstance(policy, dict) or not policy:
                report("filter_policy", self.filter_policy, "must be a non-empty JSON object")
            elif len(self.filter_policy) > FILTER_POLICY_CHARACTERS:
                report("filter_policy", "<long>", f"must be at most {FILTER_POLICY_CHARACTERS} characters")
        elif self.filter_policy_scope != "MessageAttributes":
            report("filter_policy_scope", self.filter_policy_scope, "applies with a `filter_policy` only")


@dataclasses.dataclass(frozen=True, kw_only=True)
class QueueOptions(OptionType):
    """A worker's SQS queue, its dead-letter queue, its subscriptions, its scaling on backlog and its alarms.
    Both queues are encrypted (with the environment's key when it has one) and refuse requests without TLS."""

    subscriptions: tuple[Subscription, ...] = option((), "the topics whose messages the queue receives")
    visibility_timeout_seconds: int = option(
        60,
        "a received message is hidden from other tasks this long; longer than the work on one message takes",
        Range(0, TWELVE_HOURS),
    )
    retention_seconds: int = option(
        345_600, "an unprocessed message is deleted after this long (default 4 days)", Range(60, FOURTEEN_DAYS)
    )
    receive_wait_seconds: int = option(
        20, "long polling: a receive waits this long for a message (fewer, cheaper requests)", Range(0, 20)
    )
    max_receive_count: int = option(
        5, "a message received this many times without being deleted moves to the dead-letter queue", Range(1, 1000)
    )
    dead_letter_retention_seconds: int = option(
        FOURTEEN_DAYS,
        "how long the dead-letter queue keeps a message; at least `retention_seconds` (a message's age counts "
        "from when it was first sent)",
        Range(60, FOURTEEN_DAYS),
    )
    backlog_per_task: int = option(
        10,
        "autoscaling keeps the messages waiting per running task near this (with `service.scaling.enabled`)",
        Range(1, 100_000),
    )
    oldest_message_alarm_seconds: int = option(
        900, "an alarm fires when the oldest waiting message is older than this", Range(60, FOURTEEN_DAYS)
    )

    def _cross_check(self, report: Report) -> None:
        if self.dead_letter_retention_seconds < self.retention_seconds:
            report(
                "dead_letter_retention_seconds",
                self.dead_letter_retention_seconds,
                f"must be at least `retention_seconds` ({self.retention_seconds}): a message's age counts from "
                "when it was first sent, so a shorter one deletes dead letters as they arrive",
            )
        if self.oldest_message_alarm_seconds >= self.retention_seconds:
            report(
                "oldest_message_alarm_seconds",
                self.oldest_message_alarm_seconds,
                f"must be below `retention_seconds` ({self.retention_seconds}): messages are deleted before "
                "they are that old, so the alarm could never fire",
            )
        topics = [subscription.topic for subscription in self.subscriptions]
        for index, topic in enumerate(topics):
            if topic in topics[:index]:
                report(f"subscriptions[{index}].topic", topic, "is subscribed to already: one subscription a topic")


__all__ = ["TOPIC", "TOPIC_NAME", "QueueOptions", "Subscription"]
