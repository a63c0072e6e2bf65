"""End to end, the shipped `local` environment's services on the emulator: a web service behind the load
balancer, a backend it calls over Service Connect, a worker taking the web service's `orders` topic from
its queue, a scheduled job.

deploy → check through boto3 → a new tag for one service (only its task definition and service
change) → the plan is empty → destroy (nothing left, namespace, schedule and state machine included).

The tests run in file order and share one deployment.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from e2e_support import NOTHING, Deployment, active_counts, local_aws
from side_by_side import record_e2e_figures

pytestmark = pytest.mark.e2e

APP = "svc"
STACK = f"{APP}-local"
REPORT: dict[str, Any] = {}
ONE_SERVICE = 'image_tags={"api":"v2"}'


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, terraform_env):
    with local_aws(tmp_path_factory, "svc") as emulator:
        yield Deployment(tmp_path_factory.mktemp("svc-project"), emulator, terraform_env, app=APP, services=True)
    record_e2e_figures(**REPORT)


@pytest.fixture(scope="module")
def first_deploy(deployment):
    result, seconds = deployment.run("deploy", "v1")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    REPORT["services_first_deploy_seconds"] = round(seconds, 1)
    REPORT["services_managed_resources"] = deployment.state_resource_count()
    return result


def service_kinds(deployment: Deployment) -> dict[str, int]:
    """The kinds a several-service environment adds, counted in the emulator."""
    return {
        "namespaces": len(deployment.client("servicediscovery").list_namespaces()["Namespaces"]),
        "schedules": len(deployment.client("scheduler").list_schedules()["Schedules"]),
        "state_machines": len(deployment.client("stepfunctions").list_state_machines()["stateMachines"]),
        "queues": len(deployment.client("sqs").list_queues().get("QueueUrls", [])),
        "topics": len(deployment.client("sns").list_topics()["Topics"]),
    }


def describe(deployment: Deployment, key: str) -> dict[str, Any]:
    (service,) = deployment.client("ecs").describe_services(cluster=STACK, services=[f"{STACK}-{key}"])["services"]
    return service


def image_of(deployment: Deployment, task_definition: str) -> str:
    """The application container's image: the task definition lists it first, before any sidecar."""
    containers = deployment.client("ecs").describe_task_definition(taskDefinition=task_definition)["taskDefinition"][
        "containerDefinitions"
    ]
    return str(containers[0]["image"])


def security_group(deployment: Deployment, key: str) -> str:
    (group,) = [
        g["GroupId"]
        for g in deployment.client("ec2").describe_security_groups()["SecurityGroups"]
        if g["GroupName"].startswith(f"{STACK}-{key}-tasks-")
    ]
    return group


def test_deploy_creates_the_services_on_one_cluster_and_load_balancer(deployment, first_deploy):
    counts = active_counts(deployment)
    assert (counts["clusters"], counts["load_balancers"], counts["target_groups"]) == (1, 1, 1)
    assert (counts["services"], counts["repositories"], counts["scalable_targets"]) == (3, 4, 3)
    # Four task security groups, the load balancer's and the endpoints'.
    assert counts["security_groups"] == 6
    # The worker's queue and its dead-letter queue; the alarms' topic and `orders`.
    assert service_kinds(deployment) == {
        "namespaces": 1,
        "schedules": 1,
        "state_machines": 1,
        "queues": 2,
        "topics": 2,
    }


def test_the_workers_queue_takes_the_orders_its_filter_admits_as_published(deployment, first_deploy):
    sqs, sns = deployment.client("sqs"), deployment.client("sns")
    url = sqs.get_queue_url(QueueName=f"{STACK}-fulfil")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    dead_letter = sqs.get_queue_attributes(
        QueueUrl=sqs.get_queue_url(QueueName=f"{STACK}-fulfil-dead-letter")["QueueUrl"], AttributeNames=["All"]
    )["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert (redrive["deadLetterTargetArn"], int(redrive["maxReceiveCount"])) == (dead_letter["QueueArn"], 3)
    assert (attributes["VisibilityTimeout"], attributes["ReceiveMessageWaitTimeSeconds"]) == ("120", "20")
    assert attributes["KmsMasterKeyId"] and dead_letter["KmsMasterKeyId"] == attributes["KmsMasterKeyId"]
    (topic,) = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(f":{STACK}-orders")]
    admitted = json.loads(attributes["Policy"])["Statement"]
    assert [s["Condition"] for s in admitted if s.get("Sid") == "SubscribedTopicsSend"] == [
        {"ArnEquals": {"aws:SourceArn": topic}}
    ]
    # What the subscription's filter lets through arrives as published (raw delivery); the rest never does.
    for event in ("cancelled", "created"):
        sns.publish(
            TopicArn=topic,
            Message=json.dumps({"order": event}),
            MessageAttributes={"event": {"DataType": "String", "StringValue": event}},
        )
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    assert [json.loads(message["Body"]) for message in received] == [{"order": "created"}]
    # The worker is told its queue and scales on the messages waiting per running task.
    (service,) = deployment.client("ecs").describe_services(cluster=STACK, services=[f"{STACK}-fulfil"])["services"]
    definition = deployment.client("ecs").describe_task_definition(taskDefinition=service["taskDefinition"])
    environment = {
        e["name"]: e["value"] for e in definition["taskDefinition"]["containerDefinitions"][0]["environment"]
    }
    assert environment["QUEUE_URL"].endswith(f"/{STACK}-fulfil")
    policies = deployment.client("application-autoscaling").describe_scaling_policies(
        ServiceNamespace="ecs", ResourceId=f"service/{STACK}/{STACK}-fulfil"
    )["ScalingPolicies"]
    backlog = next(p for p in policies if p["PolicyName"] == f"{STACK}-fulfil-backlog")
    tracking = backlog["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["TargetValue"] == 20
    assert [m["Id"] for m in tracking["CustomizedMetricSpecification"]["Metrics"]] == [
        "visible",
        "tasks",
        "backlog_per_task",
    ]


def test_the_backend_is_published_and_the_web_service_calls_it(deployment, first_deploy):
    (namespace,) = deployment.client("servicediscovery").list_namespaces()["Namespaces"]
    assert (namespace["Name"], namespace["Type"]) == (STACK, "HTTP")
    api = describe(deployment, "api")["deployments"][0]["serviceConnectConfiguration"]
    web = describe(deployment, "web")["deployments"][0]["serviceConnectConfiguration"]
    assert api["namespace"] == namespace["Arn"] and web["namespace"] == namespace["Arn"]
    (published,) = api["services"]
    assert (published["discoveryName"], published["portName"]) == ("api", "http")
    assert published["clientAliases"] == [{"port": 9000, "dnsName": "api"}]
    assert "services" not in web or web["services"] == []
    assert "loadBalancers" not in describe(deployment, "api") or describe(deployment, "api")["loadBalancers"] == []
    rules = deployment.client("ec2").describe_security_group_rules()["SecurityGroupRules"]
    api_group, web_group = security_group(deployment, "api"), security_group(deployment, "web")
    into_api = [
        (rule["FromPort"], rule["ReferencedGroupInfo"]["GroupId"])
        for rule in rules
        if rule["GroupId"] == api_group and not rule["IsEgress"]
    ]
    assert into_api == [(9000, web_group)]
    into_job = [
        rule for rule in rules if rule["GroupId"] == security_group(deployment, "report") and not rule["IsEgress"]
    ]
    assert into_job == []


def test_each_task_of_the_backend_gets_its_own_encrypted_ebs_volume(deployment, first_deploy):
    api = describe(deployment, "api")
    (volume,) = api["deployments"][0]["volumeConfigurations"]
    managed = volume["managedEBSVolume"]
    assert (volume["name"], managed["sizeInGiB"], managed["volumeType"], managed["encrypted"]) == (
        "ebs",
        20,
        "gp3",
        True,
    )
    role = deployment.client("iam").get_role(RoleName=f"{STACK}-api-volumes")["Role"]
    assert managed["roleArn"] == role["Arn"] and managed["kmsKeyId"].startswith("arn:aws:kms:")
    attached = deployment.client("iam").list_attached_role_policies(RoleName=f"{STACK}-api-volumes")["AttachedPolicies"]
    assert [policy["PolicyName"] for policy in attached] == ["AmazonECSInfrastructureRolePolicyForVolumes"]
    task = deployment.client("ecs").describe_task_definition(taskDefinition=api["taskDefinition"])["taskDefinition"]
    assert {"name": "ebs", "configuredAtLaunch": True} in task["volumes"]


def test_the_schedule_runs_the_jobs_task_definition_in_private_subnets_with_its_roles(deployment, first_deploy):
    schedule = deployment.client("scheduler").get_schedule(Name=f"{STACK}-report")
    assert schedule["ScheduleExpression"] == "cron(0 3 * * ? *)" and schedule["State"] == "ENABLED"
    machine = deployment.client("stepfunctions").describe_state_machine(stateMachineArn=schedule["Target"]["Arn"])
    assert machine["name"] == f"{STACK}-report"
    assert schedule["Target"]["RoleArn"].endswith(f":role/{STACK}-report-schedule")
    assert machine["roleArn"].endswith(f":role/{STACK}-report-run")
    run = json.loads(machine["definition"])["States"]["Run"]
    parameters = run["Parameters"]
    (cluster,) = deployment.client("ecs").describe_clusters(clusters=[STACK])["clusters"]
    assert parameters["Cluster"] == cluster["clusterArn"]
    task = deployment.client("ecs").describe_task_definition(taskDefinition=f"{STACK}-report")["taskDefinition"]
    assert parameters["TaskDefinition"] == task["taskDefinitionArn"]
    assert task["taskRoleArn"].endswith(f":role/{STACK}-report-task")
    assert image_of(deployment, task["taskDefinitionArn"]).endswith(f"/{STACK}-report:v1")
    network = parameters["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["AssignPublicIp"] == "DISABLED"
    assert network["SecurityGroups"] == [security_group(deployment, "report")]
    subnets = deployment.client("ec2").describe_subnets(SubnetIds=network["Subnets"])["Subnets"]
    assert sorted(tag["Value"] for s in subnets for tag in s["Tags"] if tag["Key"] == "Tier") == ["private", "private"]
    assert (run["TimeoutSeconds"], run["Retry"][0]["MaxAttempts"]) == (900, 1)


def test_a_new_tag_for_one_service_changes_only_that_service(deployment, first_deploy):
    changes = deployment.planned_changes("v1", ONE_SERVICE)
    assert sorted(changes) == sorted(
        address
        for address in changes
        if address.startswith(
            ("aws_ecs_task_definition.services_service-api_", "aws_ecs_service.services_service-api_")
        )
    ), changes
    assert len(changes) == 2, changes
    result, seconds = deployment.run("deploy", "v1", "--var", ONE_SERVICE)
    assert result.returncode == 0, result.stdout[-5000:]
    REPORT["services_one_service_update_seconds"] = round(seconds, 1)
    assert image_of(deployment, describe(deployment, "api")["taskDefinition"]).endswith(":v2")
    assert image_of(deployment, describe(deployment, "web")["taskDefinition"]).endswith(":v1")


def test_a_plan_right_after_shows_no_changes(deployment, first_deploy):
    assert deployment.planned_changes("v1", ONE_SERVICE) == {}


def test_destroy_leaves_nothing_behind(deployment, first_deploy):
    result, seconds = deployment.run("destroy", "v1", "--var", ONE_SERVICE)
    assert result.returncode == 0, result.stdout[-5000:]
    REPORT["services_destroy_seconds"] = round(seconds, 1)
    assert active_counts(deployment) == NOTHING
    assert service_kinds(deployment) == {
        "namespaces": 0,
        "schedules": 0,
        "state_machines": 0,
        "queues": 0,
        "topics": 0,
    }
