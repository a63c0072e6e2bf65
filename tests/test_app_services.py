"""Several services per environment (`[<env>.services.<name>]`): web services behind the one load
balancer, backends over Service Connect, scheduled jobs; their wiring and the rules across them."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from cdktf import Testing
from conftest import CERTIFICATE_ARN, Synthesized, ref

from stacks.environments import config_from_mapping, load_environment
from stacks.web_service_stack import WebServiceStack


def synth(settings: dict[str, Any], environment: str = "multi") -> Synthesized:
    config = config_from_mapping(environment, {"certificate_arn": CERTIFICATE_ARN, **settings})
    return Synthesized(WebServiceStack(Testing.app(), config.stack_name, config=config))


@pytest.fixture(scope="module")
def local() -> Synthesized:
    config = load_environment("local")
    return Synthesized(WebServiceStack(Testing.app(), config.stack_name, config=config))


# Terraform evaluates the tag expression inside the JSON string; its quotes are HCL's, not JSON's.
TAG_EXPRESSION = re.compile(r'\$\{lookup\(var\.image_tags, "([a-z0-9-]+)", var\.image_tag\)\}')


def containers(synth: Synthesized, key: str) -> list[dict[str, Any]]:
    body = synth.by_path("aws_ecs_task_definition", f"services/{key}/task-definition")
    return json.loads(TAG_EXPRESSION.sub(r"<tag of \1>", body["container_definitions"]))


def container(synth: Synthesized, key: str) -> dict[str, Any]:
    return containers(synth, key)[0]


def ingress_sources(synth: Synthesized, key: str) -> list[tuple[str, int]]:
    """(referenced security group, port) of every ingress rule into ``key``'s tasks."""
    group = ref("aws_security_group", synth.by_path("aws_security_group", f"services/{key}/security-group"), "id")
    return sorted(
        (rule.get("referenced_security_group_id") or rule.get("cidr_ipv4"), rule["from_port"])
        for rule in synth.resources("aws_vpc_security_group_ingress_rule").values()
        if rule["security_group_id"] == group
    )


def group_of(synth: Synthesized, key: str) -> str:
    return ref("aws_security_group", synth.by_path("aws_security_group", f"services/{key}/security-group"), "id")


def test_the_local_environment_runs_a_web_service_a_backend_a_worker_and_a_job(local):
    assert local.count("aws_ecs_service") == 3
    assert local.count("aws_ecs_task_definition") == 4
    assert local.count("aws_ecr_repository") == 4
    assert local.count("aws_ecs_cluster") == 1 and local.count("aws_lb") == 1
    assert local.count("aws_service_discovery_http_namespace") == 1
    assert local.count("aws_scheduler_schedule") == 1 and local.count("aws_sfn_state_machine") == 1
    names = sorted(service["name"] for service in local.resources("aws_ecs_service").values())
    assert names == ["webapp-local-api", "webapp-local-fulfil", "webapp-local-web"]
    assert sorted(r["name"] for r in local.resources("aws_ecr_repository").values()) == [
        "webapp-local-api",
        "webapp-local-fulfil",
        "webapp-local-report",
        "webapp-local-web",
    ]


def test_only_the_web_service_is_behind_the_load_balancer(local):
    web = local.by_path("aws_ecs_service", "services/service-web/service")
    api = local.by_path("aws_ecs_service", "services/service-api/service")
    assert web["load_balancer"][0]["container_port"] == 8080
    assert "load_balancer" not in api and "health_check_grace_period_seconds" not in api
    assert local.count("aws_lb_target_group") == 1
    assert [rule["priority"] for rule in local.resources("aws_lb_listener_rule").values()] == [100]


def test_the_backend_is_published_in_the_namespace_and_the_web_service_calls_it(local):
    namespace = ref("aws_service_discovery_http_namespace", local.only("aws_service_discovery_http_namespace"), "arn")
    web = local.by_path("aws_ecs_service", "services/service-web/service")["service_connect_configuration"]
    api = local.by_path("aws_ecs_service", "services/service-api/service")["service_connect_configuration"]
    assert web["enabled"] is True and web["namespace"] == namespace and "service" not in web
    assert api["namespace"] == namespace
    assert api["service"] == [
        {
            "client_alias": {"dns_name": "api", "port": 9000},
            "discovery_name": "api",
            "port_name": "http",
            # The environment's timeouts for calls to it (environments.toml).
            "timeout": {"idle_timeout_seconds": 600, "per_request_timeout_seconds": 30},
        }
    ]
    assert api["log_configuration"]["options"]["awslogs-stream-prefix"] == "service-connect"
    port = container(local, "service-api")["portMappings"][0]
    assert port == {"containerPort": 9000, "hostPort": 9000, "protocol": "tcp", "name": "http", "appProtocol": "http"}


def test_a_backend_admits_exactly_its_callers_and_callers_may_reach_only_it(local):
    assert ingress_sources(local, "service-api") == [(group_of(local, "service-web"), 9000)]
    alb_group = ref("aws_security_group", local.by_path("aws_security_group", "alb/security-group"), "id")
    assert ingress_sources(local, "service-web") == [(alb_group, 8080)]
    web_group = group_of(local, "service-web")
    to_services = [
        (rule["referenced_security_group_id"], rule["from_port"])
        for rule in local.resources("aws_vpc_security_group_egress_rule").values()
        if rule["security_group_id"] == web_group and rule.get("from_port") != 443
    ]
    assert to_services == [(group_of(local, "service-api"), 9000)]
    assert ingress_sources(local, "job-report") == []


def test_a_backend_alarms_on_cpu_and_memory_and_rolls_back_on_its_circuit_breaker(local):
    api = local.by_path("aws_ecs_service", "services/service-api/service")
    assert "alarms" not in api
    assert api["deployment_circuit_breaker"] == {"enable": True, "rollback": True}
    alarms = sorted(
        alarm["alarm_name"]
        for alarm in local.resources("aws_cloudwatch_metric_alarm").values()
        if alarm["alarm_name"].startswith("webapp-local-api-")
    )
    assert alarms == ["webapp-local-api-cpu-high", "webapp-local-api-memory-high"]


def test_each_service_runs_its_own_tag_unless_image_tags_names_one(local):
    variable = local.json["variable"]["image_tags"]
    assert variable["type"] == "map(string)" and variable["default"] == {}
    assert '["web", "api", "fulfil", "report"]' in variable["validation"][0]["condition"]
    for key, service in (("service-web", "web"), ("service-api", "api"), ("job-report", "report")):
        image = container(local, key)["image"]
        assert image.endswith(f":<tag of {service}>"), image
        repository = local.by_path("aws_ecr_repository", f"services/repository-{service}/repository")
        assert image.startswith(ref("aws_ecr_repository", repository, "repository_url"))


def test_the_job_runs_on_its_schedule_in_the_environments_cluster(local):
    schedule = local.only("aws_scheduler_schedule")
    assert schedule["schedule_expression"] == "cron(0 3 * * ? *)"
    run = json.loads(local.only("aws_sfn_state_machine")["definition"])["States"]["Run"]
    assert run["Parameters"]["Cluster"] == ref("aws_ecs_cluster", local.only("aws_ecs_cluster"), "arn")
    assert (run["TimeoutSeconds"], run["Retry"][0]["MaxAttempts"]) == (900, 1)
    assert set(local.json["output"]) >= {"ecr_repository_urls", "deployed_image_tags", "service_names"}


def test_services_may_share_one_repository():
    synth_ = synth({"services": {"web": {}, "worker": {"kind": "backend", "repository": "web"}}})
    assert synth_.count("aws_ecr_repository") == 1
    image = container(synth_, "service-worker")["image"]
    repository = synth_.only("aws_ecr_repository")
    assert image.startswith(ref("aws_ecr_repository", repository, "repository_url"))


def test_without_backends_there_is_no_namespace_and_no_service_connect():
    synth_ = synth(
        {"services": {"web": {}, "admin": {"service": {"routing": {"host_headers": ["admin.example.com"]}}}}}
    )
    assert synth_.count("aws_service_discovery_http_namespace") == 0
    assert all("service_connect_configuration" not in s for s in synth_.resources("aws_ecs_service").values())


def test_priorities_are_derived_so_a_catch_all_route_comes_last():
    synth_ = synth(
        {
            "services": {
                "site": {},
                "api": {"service": {"routing": {"path_patterns": ["/api/*"]}}},
                "admin": {"service": {"routing": {"host_headers": ["admin.example.com"]}}},
            }
        }
    )
    priorities = {
        rule["tags"]["Name"]: rule["priority"]
        for key, rule in synth_.resources("aws_lb_listener_rule").items()
        if "http-listener" not in key
    }
    assert priorities == {"webapp-multi-api": 100, "webapp-multi-admin": 110, "webapp-multi-site": 120}


def test_given_priorities_are_kept():
    synth_ = synth(
        {
            "services": {
                "api": {"service": {"routing": {"path_patterns": ["/api/*"], "priority": 5}}},
                "site": {"service": {"routing": {"priority": 50}}},
            }
        }
    )
    assert sorted(rule["priority"] for rule in synth_.resources("aws_lb_listener_rule").values()) == [5, 50]


def test_fails_when_services_do_not_fit_together_reporting_every_problem_at_once():
    settings = {
        "certificate_arn": CERTIFICATE_ARN,
        "service": {"desired_count": 3, "scaling": {"min_count": 3}, "task": {"cpu_units": 1024, "memory_mib": 2048}},
        "services": {
            "site": {"service": {"routing": {"priority": 10}}},
            "api": {"service": {"routing": {"path_patterns": ["/api/*"], "priority": 20}}, "calls": ["db", "site"]},
            "worker": {"kind": "backend", "calls": ["worker"], "repository": "nope"},
            "report": {"kind": "job", "calls": ["worker"], "job": {"schedule": "cron(0 3 * * *)"},
                       "service": {"desired_count": 1, "scaling": {"min_count": 1}}},
            "Bad_Name": {},
        },
    }  # fmt: skip
    with pytest.raises(ValueError) as error:
        config_from_mapping("multi", settings)
    message = str(error.value)
    expected = [
        "services.Bad_Name",
        "service='<set>' is invalid: with `services`",
        "services.api.calls='db' is invalid: is not a service of this environment",
        "services.api.calls='site' is invalid: is a web service: only `backend` services",
        "services.worker.calls='worker' is invalid: is this service itself",
        "services.worker.repository='nope' is invalid: must name another service",
        "services.report.calls=['worker'] is invalid: a job's tasks are started one by one",
        "services.report.job.schedule='cron(0 3 * * *)' is invalid: a cron expression has 6 fields",
        "services.report.service='<set>' is invalid: a job takes `job` settings",
        "services.api.service.routing=",
        "'site' (priority 10) matches every request this route does, first",
    ]
    missing = [fragment for fragment in expected if fragment not in message]
    assert not missing, f"missing {missing} in:\n{message}"


def test_fails_when_no_service_is_behind_the_load_balancer():
    with pytest.raises(ValueError, match=r"services=\['api'\] is invalid: needs at least one `web` service"):
        config_from_mapping("multi", {"certificate_arn": CERTIFICATE_ARN, "services": {"api": {"kind": "backend"}}})


def test_fails_when_a_backend_gets_a_route_or_a_web_service_gets_job_settings():
    with pytest.raises(ValueError) as error:
        config_from_mapping(
            "multi",
            {
                "certificate_arn": CERTIFICATE_ARN,
                "services": {
                    "web": {"job": {"retries": 2}},
                    "api": {"kind": "backend", "service": {"routing": {"path_patterns": ["/api/*"]}}},
                },
            },
        )
    message = str(error.value)
    assert "services.web.job='<set>' is invalid: only a job takes `job` settings" in message
    assert "services.api.service.routing='<set>' is invalid: a backend service has no load-balancer route" in message


def test_fails_when_a_web_service_sets_service_connect_timeouts():
    """Only a backend is called over Service Connect: a web service's timeouts would do nothing."""
    with pytest.raises(ValueError) as error:
        config_from_mapping(
            "multi",
            {"certificate_arn": CERTIFICATE_ARN,
             "services": {"web": {"service": {"service_connect": {"per_request_timeout_seconds": 30}}},
                          "api": {"kind": "backend", "service": {"service_connect": {"idle_timeout_seconds": -1}}}}},
        )  # fmt: skip
    message = str(error.value)
    assert "services.web.service.service_connect='<set>' is invalid: its timeouts apply to calls over" in message
    assert "services.api.service.service_connect.idle_timeout_seconds=-1 is invalid: must be a whole number" in message


def test_fails_when_a_backend_sets_the_load_balancers_health_check_at_any_value():
    """A backend has no target group: its `health_check` would do nothing, set away from the default or at it."""
    for check in ({"path": "/status"}, {"grace_period_seconds": 60}, {"path": "/health"}):
        with pytest.raises(ValueError) as error:
            config_from_mapping(
                "multi",
                {"certificate_arn": CERTIFICATE_ARN,
                 "services": {"web": {}, "api": {"kind": "backend", "service": {"health_check": check}}}},
            )  # fmt: skip
        message = str(error.value)
        assert message.count("services.api.service.health_check='<set>' is invalid: ") == 1, message
        assert "container's own check is `service.container.health_check_command`" in message
    # A web service's check is the load balancer's, as before.
    web = {"web": {"service": {"health_check": {"path": "/s"}}}}
    config_from_mapping("multi", {"certificate_arn": CERTIFICATE_ARN, "services": web})


def test_fails_when_a_setting_has_no_effect_even_when_it_repeats_the_default():
    """Written out at their defaults, settings a service's kind ignores would pass unseen: each is reported,
    once, with the path the file gives it."""
    with pytest.raises(ValueError) as error:
        config_from_mapping(
            "multi",
            {
                "certificate_arn": CERTIFICATE_ARN,
                "services": {
                    "web": {"job": {"retries": 0}},
                    "api": {"kind": "backend", "service": {"routing": {"path_patterns": ["/*"]}}},
                    "nightly": {"kind": "job", "job": {"schedule": "rate(1 day)"}, "service": {"desired_count": 3}},
                },
            },
        )
    message = str(error.value)
    for fragment in (
        "services.web.job='<set>' is invalid: has no effect: only a job takes `job` settings",
        "services.api.service.routing='<set>' is invalid: has no effect: a backend service has no load-balancer",
        "services.nightly.service='<set>' is invalid: has no effect: a job takes `job` settings",
    ):
        assert message.count(fragment) == 1, f"{fragment!r} in:\n{message}"
    assert message.count("\n  - ") == 3
    # The same settings away from their defaults are reported once too, by the service's own rules.
    with pytest.raises(ValueError) as error:
        config_from_mapping(
            "multi", {"certificate_arn": CERTIFICATE_ARN, "services": {"web": {}, "api": {"kind": "backend",
                      "job": {"retries": 2}}}},
        )  # fmt: skip
    assert str(error.value).count("services.api.job='<set>'") == 1


def test_fails_when_two_routes_have_one_priority():
    routes = {
        "a": {"service": {"routing": {"path_patterns": ["/a/*"], "priority": 7}}},
        "b": {"service": {"routing": {"path_patterns": ["/b/*"], "priority": 7}}},
    }
    with pytest.raises(
        ValueError, match=r"services\.b\.service\.routing\.priority=7 is invalid: is also the priority of 'a'"
    ):
        config_from_mapping("multi", {"certificate_arn": CERTIFICATE_ARN, "services": routes})


def test_an_environment_without_services_keeps_its_one_service():
    prod = load_environment("prod")
    assert prod.services == {}
    synth_ = Synthesized(WebServiceStack(Testing.app(), prod.stack_name, config=prod))
    assert "image_tags" not in synth_.json["variable"]
    assert synth_.count("aws_service_discovery_http_namespace") == 0
    assert [s["name"] for s in synth_.resources("aws_ecs_service").values()] == ["webapp-prod"]


def test_fails_when_a_service_sharing_an_image_builds_its_own_or_runs_on_another_architecture():
    services = {
        "web": {},
        "worker": {
            "kind": "backend",
            "repository": "web",
            "build": {"context": "worker"},
            "service": {"task": {"cpu_architecture": "ARM64"}, "container": {"command": ["python", "-m", "worker"]}},
        },
    }
    with pytest.raises(ValueError) as error:
        config_from_mapping("multi", {"certificate_arn": CERTIFICATE_ARN, "services": services})
    message = str(error.value)
    assert "services.worker.build='<set>' is invalid: it runs the image of 'web'" in message
    assert (
        "services.worker.repository='web' is invalid: its tasks run on ARM64, the image of 'web' is built for X86_64"
        in message
    )


def test_a_service_sharing_an_image_runs_its_own_command():
    synth_ = synth(
        {"services": {"web": {}, "worker": {"kind": "backend", "repository": "web",
                                             "service": {"container": {"command": ["python", "-m", "worker"]}}}}}
    )  # fmt: skip
    assert container(synth_, "service-worker")["command"] == ["python", "-m", "worker"]
    assert "command" not in container(synth_, "service-web")


def test_fails_when_a_sidecars_image_is_out_of_reach_of_tasks_without_internet_egress():
    """Tasks without internet egress reach this region's ECR only: an image from elsewhere is named, with the way
    out; with egress, or in an existing VPC (whose routes the stack does not know), any registry is taken."""
    hub = {"image": "docker.io/datadog/agent:7"}
    services = {"web": {"service": {"sidecars": {"agent": hub}}}, "nightly": {"kind": "job", "job": {"sidecars": {
        "agent": {"image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/agent:7"}}}}}  # fmt: skip
    with pytest.raises(ValueError) as error:
        config_from_mapping("multi", {"certificate_arn": CERTIFICATE_ARN, "services": services})
    message = str(error.value)
    assert "services.web.service.sidecars.agent.image='docker.io/datadog/agent:7' is invalid: tasks without" in message
    assert "services.nightly.job.sidecars.agent.image=" in message and "pull-through cache rule" in message
    config_from_mapping("multi", {"certificate_arn": CERTIFICATE_ARN, "services": services,
                                  "network": {"allow_internet_egress": True}})  # fmt: skip


def test_the_local_apis_agent_runs_beside_it_and_the_app_waits_for_it(local):
    app, agent = containers(local, "service-api")
    assert app["dependsOn"] == [{"containerName": "agent", "condition": "HEALTHY"}]
    assert agent["name"] == "agent" and agent["essential"] is True and (agent["cpu"], agent["memory"]) == (128, 256)


def test_fails_when_the_log_routers_image_is_out_of_reach_and_its_secret_is_admitted_by_the_boundary():
    from stacks.deploy_permissions.boundary import _secret_arns

    key = "arn:aws:secretsmanager:us-east-1:123456789012:secret:datadog-key-AbCdEf"
    logging = {"router": "firelens", "destination": {"Name": "datadog"},
               "destination_secrets": {"apikey": {"arn": key}}}  # fmt: skip
    settings = {"certificate_arn": CERTIFICATE_ARN, "services": {"web": {"service": {"logging": logging}}}}
    with pytest.raises(ValueError, match=r"services.web.service.logging.router_image='public.ecr.aws/aws-observ"):
        config_from_mapping("multi", settings)
    config = config_from_mapping("multi", {**settings, "network": {"allow_internet_egress": True}})
    assert key in _secret_arns(config)


def test_the_local_web_services_telemetry_reaches_x_ray_through_an_endpoint_its_boundary_admits(local):
    names = {endpoint["service_name"].rsplit(".", 1)[-1] for endpoint in local.resources("aws_vpc_endpoint").values()}
    assert "xray" in names
    collector = containers(local, "service-web")[-1]
    assert collector["name"] == "otel-collector" and collector["image"].endswith("/aws-otel-collector:v0.43.3")
    names = {group["name"] for group in local.resources("aws_cloudwatch_log_group").values()}
    assert "/ecs/webapp-local-web/metrics" in names and "/ecs/webapp-local-api/metrics" not in names


def test_fails_when_the_collectors_image_is_out_of_reach_of_tasks_without_internet_egress():
    services = {"web": {"service": {"telemetry": {"collector": "otel"}}}}
    with pytest.raises(ValueError, match=r"services.web.service.telemetry.image='public.ecr.aws/aws-observability/"):
        config_from_mapping("multi", {"certificate_arn": CERTIFICATE_ARN, "services": services})


def test_publishers_are_told_their_topics_and_the_worker_its_queue(local):
    topic = local.by_path("aws_sns_topic", "services/topic-orders/topic")
    assert topic["name"] == "webapp-local-orders"
    told = {e["name"]: e["value"] for e in container(local, "service-web")["environment"]}
    assert json.loads(told["SNS_TOPIC_ARNS"]) == {"orders": ref("aws_sns_topic", topic, "arn")}
    worker = {e["name"]: e["value"] for e in container(local, "worker-fulfil/service")["environment"]}
    queue = local.by_path("aws_sqs_queue", "services/worker-fulfil/queue")
    assert worker["QUEUE_URL"] == ref("aws_sqs_queue", queue, "url") and "SNS_TOPIC_ARNS" not in worker
    # Only those who publish may: the web service, not the backend.
    policies = {name.rsplit("_", 1)[0] for name in local.resources("aws_iam_role_policy")}
    assert "services_service-web_task-policy-PublishToTopicOrders" in policies
    assert not any("service-api_task-policy-Publish" in name for name in policies)
    # SNS delivers to the queue encrypted with the environment's key: the key's policy lets it.
    key_policy = json.loads(local.only("aws_kms_key")["policy"])
    assert "SnsDeliversToEncryptedQueues" in {statement["Sid"] for statement in key_policy["Statement"]}


def test_an_environment_without_subscriptions_keeps_sns_out_of_its_key():
    plain = synth({"services": {"web": {}}})
    key_policy = json.loads(plain.only("aws_kms_key")["policy"])
    assert "SnsDeliversToEncryptedQueues" not in {statement["Sid"] for statement in key_policy["Statement"]}
    assert plain.resources("aws_sqs_queue") == {} and plain.resources("aws_sns_topic_subscription") == {}


def test_a_worker_may_call_a_backend_and_a_job_publish():
    synthesized = synth(
        {
            "services": {
                "web": {"publish": ["orders"]},
                "api": {"kind": "backend"},
                "fulfil": {"kind": "worker", "calls": ["api"], "queue": {"subscriptions": [{"topic": "orders"}]}},
                "report": {"kind": "job", "publish": ["orders", "reports"]},
            }
        }
    )
    assert ingress_sources(synthesized, "service-api") == [(group_of(synthesized, "worker-fulfil/service"), 8080)]
    assert sorted(t["name"] for t in synthesized.resources("aws_sns_topic").values()) == [
        "webapp-multi-alarms",
        "webapp-multi-orders",
        "webapp-multi-reports",
    ]
    told = {e["name"]: e["value"] for e in container(synthesized, "job-report")["environment"]}
    assert sorted(json.loads(told["SNS_TOPIC_ARNS"])) == ["orders", "reports"]


def test_fails_when_workers_topics_and_queues_do_not_fit_together_reporting_every_problem_at_once():
    settings = {
        "certificate_arn": CERTIFICATE_ARN,
        "cluster": {"container_insights": False},
        "services": {
            "web": {"queue": {"max_receive_count": 2}, "publish": ["orders"],
                    "service": {"container": {"environment": {"SNS_TOPIC_ARNS": "{}"}}}},
            "fulfil": {
                "kind": "worker",
                "queue": {"subscriptions": [{"topic": "payments"}, {"topic": "arn:aws:sns:us-east-1:123456789012:x"}]},
                "service": {"scaling": {"min_count": 0}, "health_check": {"path": "/ready"},
                            "service_connect": {"name": "fulfil"}},
            },
            "report": {"kind": "job", "publish": ["Orders"]},
        },
    }  # fmt: skip
    with pytest.raises(ValueError) as error:
        config_from_mapping("multi", settings)
    message = str(error.value)
    expected = [
        "services.web.queue='<set>' is invalid: only a worker has a queue",
        "services.web.service.container.environment.SNS_TOPIC_ARNS='<set>' is invalid: is set to the ARNs",
        "services.fulfil.queue.subscriptions[0].topic='payments' is invalid: is published by no service or job",
        "services.fulfil.service.scaling.min_count=0 is invalid: must be at least 1",
        "services.fulfil.service.health_check='<set>' is invalid: a worker service has no load balancer",
        "services.fulfil.service.service_connect='<set>' is invalid: nothing calls a worker",
        "services.report.publish='Orders' is invalid",
    ]
    missing = [fragment for fragment in expected if fragment not in message]
    assert not missing, f"missing {missing} in:\n{message}"
    # The ARN of a topic from elsewhere needs no publisher here.
    assert "subscriptions[1]" not in message


def test_fails_when_a_scaled_worker_has_no_container_insights_to_count_its_tasks():
    with pytest.raises(ValueError, match=r"cluster\.container_insights=False is invalid: workers \['fulfil'\] scale"):
        config_from_mapping(
            "multi",
            {
                "certificate_arn": CERTIFICATE_ARN,
                "cluster": {"container_insights": False},
                "services": {"web": {}, "fulfil": {"kind": "worker"}},
            },
        )
    unscaled = {"web": {}, "fulfil": {"kind": "worker", "service": {"scaling": {"enabled": False}}}}
    config_from_mapping(
        "multi", {"certificate_arn": CERTIFICATE_ARN, "cluster": {"container_insights": False}, "services": unscaled}
    )


def test_a_backend_answers_to_its_alias_on_its_alias_port():
    synthesized = synth(
        {
            "services": {
                "web": {"calls": ["api"]},
                "api": {"kind": "backend", "service": {"service_connect": {"alias": "orders-api", "alias_port": 80}}},
            }
        }
    )
    api = synthesized.by_path("aws_ecs_service", "services/service-api/service")
    (published,) = api["service_connect_configuration"]["service"]
    assert published["discovery_name"] == "api"
    assert published["client_alias"] == {"dns_name": "orders-api", "port": 80}


def test_fails_when_an_alias_is_another_services_name_or_given_to_a_web_service():
    with pytest.raises(ValueError) as error:
        config_from_mapping(
            "multi",
            {
                "certificate_arn": CERTIFICATE_ARN,
                "services": {
                    "web": {"calls": ["api"], "service": {"service_connect": {"alias": "site"}}},
                    "api": {"kind": "backend", "service": {"service_connect": {"alias": "report"}}},
                    "report": {"kind": "backend"},
                },
            },
        )
    message = str(error.value)
    assert (
        "services.api.service.service_connect.alias='report' is invalid: is also the name or alias of 'report'"
        in message
    )
    assert (
        "services.web.service.service_connect='<set>' is invalid: an alias names how callers reach a backend" in message
    )


def test_an_adopted_repository_is_imported_by_its_name_and_keeps_ecrs_own_encryption():
    synthesized = synth(
        {"app_name": "shop", "services": {"web": {"adopt_repository": "shop/web"}, "api": {"kind": "backend"}}}
    )
    web = synthesized.by_path("aws_ecr_repository", "services/repository-web/repository")
    api = synthesized.by_path("aws_ecr_repository", "services/repository-api/repository")
    assert web["name"] == "shop/web" and web["encryption_configuration"] == [{"encryption_type": "AES256"}]
    # The environment's key encrypts the repository it makes; the adopted one cannot change its encryption.
    assert api["name"] == "shop-multi-api" and api["encryption_configuration"][0]["encryption_type"] == "KMS"
    (block,) = synthesized.json["import"]
    assert block == {"id": "shop/web", "to": f"aws_ecr_repository.{web['__logical_id__']}"}
    task = synthesized.by_path("aws_ecs_task_definition", "services/service-web/task-definition")
    assert ref("aws_ecr_repository", web, "repository_url") in task["container_definitions"]


def test_fails_when_a_repository_is_adopted_twice_or_by_a_service_that_shares_another():
    with pytest.raises(ValueError) as raised:
        synth({"services": {
            "web": {"adopt_repository": "shop/web"},
            "admin": {"adopt_repository": "shop/web", "service": {"routing": {"path_patterns": ["/admin/*"]}}},
            "api": {"kind": "backend", "repository": "web", "adopt_repository": "shop/api"},
            "bad": {"kind": "backend", "adopt_repository": "Shop/API"},
        }})  # fmt: skip
    message = str(raised.value)
    assert "services.admin.adopt_repository='shop/web' is invalid: is adopted by 'web' too" in message
    assert "services.api.adopt_repository='shop/api' is invalid: it runs the image of 'web' (`repository`)" in message
    assert "services.bad.adopt_repository='Shop/API' is invalid: must be '' or an ECR repository's name" in message


def test_an_adopted_log_group_is_imported_and_the_environments_key_may_encrypt_it():
    synthesized = synth(
        {
            "app_name": "shop",
            "services": {
                "web": {"service": {"logging": {"adopt_log_group": "/copilot/shop-multi-web", "retention_days": 30}}},
                "nightly": {"kind": "job", "job": {"logging": {"adopt_log_group": "/copilot/shop-multi-nightly"}}},
            },
        }
    )
    group = synthesized.by_path("aws_cloudwatch_log_group", "services/service-web/log-group")
    assert (group["name"], group["retention_in_days"]) == ("/copilot/shop-multi-web", 30)
    imports = {block["id"]: block["to"] for block in synthesized.json["import"]}
    assert imports["/copilot/shop-multi-web"] == f"aws_cloudwatch_log_group.{group['__logical_id__']}"
    assert "/copilot/shop-multi-nightly" in imports
    # KMS lets CloudWatch Logs encrypt the environment's log groups by name: the adopted ones by theirs.
    policy = json.loads(synthesized.only("aws_kms_key")["policy"])
    (logs,) = [s for s in policy["Statement"] if s["Sid"] == "CloudWatchLogsEncryptsThisAccountsLogGroups"]
    allowed = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert any(arn.endswith(":log-group:/copilot/shop-multi-web") for arn in allowed), allowed
    assert not any("/copilot/shop-multi-webhooks" in arn or arn.endswith("/copilot/*") for arn in allowed)


def test_fails_when_two_services_adopt_one_log_group():
    adopted = {"logging": {"adopt_log_group": "/copilot/shop-multi-web"}}
    with pytest.raises(ValueError, match=r"services.api.service.logging.adopt_log_group='/copilot/shop-multi-web' is "
                                         r"invalid: is adopted by services.web.service too"):  # fmt: skip
        synth({"services": {"web": {"service": adopted}, "api": {"kind": "backend", "service": adopted}}})
