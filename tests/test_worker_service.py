"""EventTopic, WorkerQueue and WorkerService: a topic services publish to, a worker's queue with its
dead-letter queue, subscriptions and alarms, and the worker that takes from it, scaled on its backlog."""

from __future__ import annotations

import json
from typing import Any

from cdktf_fargate import (
    Cluster,
    EventTopic,
    FargateService,
    Network,
    QueueOptions,
    ScheduledJob,
    ServiceOptions,
    Subscription,
    WorkerQueue,
    WorkerService,
)

import pytest
from conftest import Synthesized, changed, new_stack, ref

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fulfil:3f2c1d0"
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
ALARMS = "arn:aws:sns:us-east-1:123456789012:alarms"
ELSEWHERE = "arn:aws:sns:us-east-1:210987654321:partner-events"


def build(stack, *, queue: QueueOptions | None = None, options: dict[str, Any] | None = None, **wiring: Any):
    network = Network(stack, "network", name="test")
    cluster = Cluster(stack, "cluster", name="test")
    topic = EventTopic(stack, "topic-orders", name="shop-orders", kms_key_arn=KEY)
    worker = WorkerService(
        stack,
        "worker",
        **{
            "name": "shop-fulfil",
            "cluster": cluster,
            "network": network,
            "image": IMAGE,
            "options": changed(ServiceOptions(), options or {}),
            "queue": queue
            or QueueOptions(
                subscriptions=(
                    Subscription(topic="orders", filter_policy='{"event": ["created"]}', raw_message_delivery=True),
                    Subscription(topic=ELSEWHERE),
                ),
                max_receive_count=3,
                backlog_per_task=20,
            ),
            "topic_arns": {"orders": topic.arn},
            "kms_key_arn": KEY,
            "alarm_actions": [ALARMS],
            **wiring,
        },
    )
    return topic, worker


@pytest.fixture(scope="module")
def worker() -> Synthesized:
    stack = new_stack()
    topic, _ = build(stack)
    publisher = FargateService(
        stack,
        "web",
        name="shop-web",
        cluster=Cluster(stack, "web-cluster", name="web"),
        network=Network(stack, "web-network", name="web"),
        alb=None,
        image=IMAGE,
    )
    topic.grant_publish(publisher)
    return Synthesized(stack)


def policy(synth: Synthesized, resource_type: str, path: str) -> dict[str, Any]:
    """The statements of the policy document a resource at ``path`` is given."""
    document = synth.by_path_data("aws_iam_policy_document", path)
    return {statement["sid"]: statement for statement in document["statement"]}


def test_the_queue_moves_a_message_failed_max_receive_count_times_to_its_dead_letter_queue(worker):
    queue = worker.by_path("aws_sqs_queue", "worker/queue")
    dead = worker.by_path("aws_sqs_queue", "worker/queue/dead-letter-queue")
    assert (queue["name"], dead["name"]) == ("shop-fulfil", "shop-fulfil-dead-letter")
    dead_arn = ref("aws_sqs_queue", dead, "arn")[2:-1]  # inside jsonencode(), a bare reference
    assert queue["redrive_policy"] == f'${{jsonencode({{"deadLetterTargetArn" = {dead_arn}, "maxReceiveCount" = 3}})}}'
    assert (queue["visibility_timeout_seconds"], queue["receive_wait_time_seconds"]) == (60, 20)
    assert (queue["message_retention_seconds"], dead["message_retention_seconds"]) == (345_600, 1_209_600)
    assert queue["kms_master_key_id"] == dead["kms_master_key_id"] == KEY
    allowed = worker.by_path("aws_sqs_queue_redrive_allow_policy", "worker/queue/dead-letter-redrive-allow")
    assert allowed["queue_url"] == ref("aws_sqs_queue", dead, "url")
    assert '"redrivePermission" = "byQueue"' in allowed["redrive_allow_policy"]
    assert ref("aws_sqs_queue", queue, "arn")[2:-1] in allowed["redrive_allow_policy"]


def test_without_a_key_both_queues_use_sqs_managed_encryption():
    stack = new_stack()
    WorkerQueue(stack, "queue", name="plain")
    synth = Synthesized(stack)
    for queue in synth.resources("aws_sqs_queue").values():
        assert queue["sqs_managed_sse_enabled"] is True and "kms_master_key_id" not in queue


def test_the_queue_admits_exactly_its_subscribed_topics_and_no_request_without_tls(worker):
    statements = policy(worker, "aws_sqs_queue_policy", "worker/queue/policy-document")
    deny = statements["DenyInsecureTransport"]
    assert (deny["effect"], deny["actions"], deny["condition"][0]["values"]) == ("Deny", ["sqs:*"], ["false"])
    send = statements["SubscribedTopicsSend"]
    assert send["principals"] == [{"type": "Service", "identifiers": ["sns.amazonaws.com"]}]
    topic = worker.by_path("aws_sns_topic", "topic-orders/topic")
    assert send["condition"] == [
        {"test": "ArnEquals", "variable": "aws:SourceArn", "values": [ref("aws_sns_topic", topic, "arn"), ELSEWHERE]}
    ]
    dead_letter = policy(worker, "aws_sqs_queue_policy", "worker/queue/dead-letter-policy-document")
    assert list(dead_letter) == ["DenyInsecureTransport"]


def test_each_subscription_keeps_its_filter_and_delivery_and_waits_for_the_queues_policy(worker):
    first = worker.by_path("aws_sns_topic_subscription", "worker/queue/subscription-0")
    second = worker.by_path("aws_sns_topic_subscription", "worker/queue/subscription-1")
    topic = worker.by_path("aws_sns_topic", "topic-orders/topic")
    queue = worker.by_path("aws_sqs_queue", "worker/queue")
    assert (first["topic_arn"], first["protocol"], first["endpoint"]) == (
        ref("aws_sns_topic", topic, "arn"),
        "sqs",
        ref("aws_sqs_queue", queue, "arn"),
    )
    assert json.loads(first["filter_policy"]) == {"event": ["created"]}
    assert (first["filter_policy_scope"], first["raw_message_delivery"]) == ("MessageAttributes", True)
    assert second["topic_arn"] == ELSEWHERE and "filter_policy" not in second
    policy_resource = worker.by_path("aws_sqs_queue_policy", "worker/queue/policy")
    assert first["depends_on"] == [f"aws_sqs_queue_policy.{policy_resource['__logical_id__']}"]


def test_alarms_watch_the_dead_letter_queue_and_the_oldest_message(worker):
    dead = worker.by_path("aws_cloudwatch_metric_alarm", "worker/queue/dead-letters")
    oldest = worker.by_path("aws_cloudwatch_metric_alarm", "worker/queue/oldest-message")
    dead_queue = worker.by_path("aws_sqs_queue", "worker/queue/dead-letter-queue")
    assert (dead["metric_name"], dead["threshold"], dead["alarm_actions"]) == (
        "ApproximateNumberOfMessagesVisible",
        0,
        [ALARMS],
    )
    assert dead["dimensions"] == {"QueueName": ref("aws_sqs_queue", dead_queue, "name")}
    assert (oldest["metric_name"], oldest["threshold"]) == ("ApproximateAgeOfOldestMessage", 900)


def test_the_worker_alone_consumes_its_queue_and_is_told_where_it_is(worker):
    queue = worker.by_path("aws_sqs_queue", "worker/queue")
    consume = policy(worker, "aws_iam_role_policy", "worker/service/task-policy-ConsumeQueue-document")
    assert consume["Consume"]["actions"] == [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
    ]
    assert consume["Consume"]["resources"] == [ref("aws_sqs_queue", queue, "arn")]
    decrypt = consume["DecryptThroughSqs"]
    assert (decrypt["actions"], decrypt["resources"]) == (["kms:Decrypt"], [KEY])
    assert decrypt["condition"][0]["variable"] == "kms:ViaService"
    assert decrypt["condition"][0]["values"][0].startswith("sqs.")
    task = worker.by_path("aws_ecs_task_definition", "worker/service/task-definition")
    (container,) = json.loads(task["container_definitions"])
    assert {"name": "QUEUE_URL", "value": ref("aws_sqs_queue", queue, "url")} in container["environment"]
    service = worker.by_path("aws_ecs_service", "worker/service")
    assert "load_balancer" not in service and "service_connect_configuration" not in service


def test_a_publisher_may_publish_to_the_topic_alone_and_encrypt_through_sns(worker):
    topic = worker.by_path("aws_sns_topic", "topic-orders/topic")
    assert topic["kms_master_key_id"] == KEY
    granted = policy(worker, "aws_iam_role_policy", "web/task-policy-PublishToTopicOrders-document")
    assert (granted["Publish"]["actions"], granted["Publish"]["resources"]) == (
        ["sns:Publish"],
        [ref("aws_sns_topic", topic, "arn")],
    )
    assert granted["EncryptThroughSns"]["actions"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert granted["EncryptThroughSns"]["condition"][0]["values"][0].startswith("sns.")
    tls = policy(worker, "aws_sns_topic_policy", "topic-orders/policy-document")["DenyInsecureTransport"]
    assert (tls["effect"], tls["actions"]) == ("Deny", ["sns:Publish"])


def test_the_worker_scales_on_messages_waiting_per_running_task(worker):
    backlog = worker.by_path("aws_appautoscaling_policy", "worker/service/autoscaling/backlog-policy")
    queue = worker.by_path("aws_sqs_queue", "worker/queue")
    tracking = backlog["target_tracking_scaling_policy_configuration"]
    assert (backlog["name"], tracking["target_value"]) == ("shop-fulfil-backlog", 20)
    metrics = {metric["id"]: metric for metric in tracking["customized_metric_specification"]["metrics"]}
    assert metrics["backlog_per_task"] == {
        "id": "backlog_per_task",
        "expression": "visible / tasks",
        "label": "Messages waiting per running task",
        "return_data": True,
    }
    visible = metrics["visible"]["metric_stat"]["metric"]
    assert (visible["namespace"], visible["metric_name"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert visible["dimensions"] == [{"name": "QueueName", "value": ref("aws_sqs_queue", queue, "name")}]
    tasks = metrics["tasks"]["metric_stat"]["metric"]
    assert (tasks["namespace"], tasks["metric_name"]) == ("ECS/ContainerInsights", "RunningTaskCount")
    # CPU stays a target too: a worker busy on few long messages still scales out.
    assert worker.by_path("aws_appautoscaling_policy", "worker/service/autoscaling/cpu-policy")


def test_a_job_may_publish_too():
    stack = new_stack()
    topic = EventTopic(stack, "topic", name="shop-reports")
    job = ScheduledJob(
        stack,
        "job",
        name="shop-report",
        cluster=Cluster(stack, "cluster", name="test"),
        network=Network(stack, "network", name="test"),
        image=IMAGE,
    )
    topic.grant_publish(job)
    synth = Synthesized(stack)
    granted = policy(synth, "aws_iam_role_policy", "job/task-policy-PublishToTopic-document")
    # A topic on SNS's own key needs no key grant.
    assert list(granted) == ["Publish"]
    assert synth.only("aws_sns_topic")["kms_master_key_id"] == "alias/aws/sns"


def test_fails_when_a_subscription_names_a_topic_it_was_not_given():
    with pytest.raises(ValueError, match=r"options\.subscriptions\[0\]\.topic='payments' is invalid: is no topic"):
        WorkerQueue(
            new_stack(),
            "queue",
            name="shop-fulfil",
            options=QueueOptions(subscriptions=(Subscription(topic="payments"),)),
            topic_arns={"orders": ELSEWHERE},
        )


def test_fails_when_the_queues_settings_contradict_each_other_every_one_at_once():
    options = QueueOptions(
        retention_seconds=3600,
        dead_letter_retention_seconds=600,
        oldest_message_alarm_seconds=7200,
        subscriptions=(
            Subscription(topic="orders", filter_policy="{not json"),
            Subscription(topic="orders", filter_policy_scope="MessageBody"),
        ),
    )
    with pytest.raises(ValueError) as error:
        WorkerQueue(new_stack(), "queue", name="shop fulfil", options=options, topic_arns={"orders": ELSEWHERE})
    message = str(error.value)
    for fragment in (
        "name='shop fulfil'",
        "options.dead_letter_retention_seconds=600 is invalid: must be at least `retention_seconds` (3600)",
        "options.oldest_message_alarm_seconds=7200 is invalid: must be below `retention_seconds`",
        "options.subscriptions[0].filter_policy='{not json' is invalid: must be a JSON object",
        "options.subscriptions[1].filter_policy_scope='MessageBody' is invalid: applies with a `filter_policy` only",
        "options.subscriptions[1].topic='orders' is invalid: is subscribed to already",
    ):
        assert fragment in message


def test_fails_when_a_worker_is_given_what_only_a_service_behind_a_load_balancer_or_called_by_name_takes():
    with pytest.raises(ValueError) as error:
        build(
            new_stack(),
            options={
                "routing.priority": 5,
                "health_check.path": "/ready",
                "service_connect.name": "fulfil",
                "container.environment": {"QUEUE_URL": "mine"},
                "scaling.min_count": 0,
            },
        )
    message = str(error.value)
    for fragment in (
        "options.routing='<set>' is invalid: a worker has no load-balancer route",
        "options.health_check='<set>' is invalid: a worker has no load balancer to check it",
        "options.service_connect.name='fulfil' is invalid: nothing calls a worker",
        "options.container.environment.QUEUE_URL='mine' is invalid: is set by the worker to its queue's URL",
        "options.scaling.min_count=0 is invalid: must be at least 1",
    ):
        assert fragment in message


def test_fails_when_a_topic_name_or_key_is_malformed():
    with pytest.raises(ValueError) as error:
        EventTopic(new_stack(), "topic", name="shop orders", kms_key_arn="my-key")
    assert "name='shop orders'" in str(error.value) and "kms_key_arn='my-key'" in str(error.value)
