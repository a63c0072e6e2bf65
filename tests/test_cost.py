"""`cdktf-fargate cost` (cdktf_fargate_cli/cost.py): each line of the estimate, read from a synthesized
stack alone, against a hand computation; the price table's date warning; schedules as runs a month; the
assumptions and their errors; and the command's report and comparison."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

from cdktf_fargate.options import CostAssumptions

import cdktf
import pytest
from cdktf_fargate_cli.cost import (
    estimate,
    load_prices,
    region,
    region_prices,
    report,
    runs_per_month,
    spot_share,
    stale_warning,
    usage_from,
)
from cdktf_fargate_cli.synthesized import without_interpolations
from conftest import CERTIFICATE_ARN

from stacks.environments import config_from_mapping, load_environment
from stacks.web_service_stack import WebServiceStack

PRICES = load_prices()
US = region_prices(PRICES, "us-east-1")


def synthesized(config):
    return json.loads(cdktf.Testing.synth(WebServiceStack(cdktf.Testing.app(), config.stack_name, config=config)))


def synthesize_to(directory, config):
    """The stack as `cdktf synth` leaves it: ``directory``/cdk.tf.json."""
    directory.mkdir(parents=True)
    (directory / "cdk.tf.json").write_text(json.dumps(synthesized(config)))
    return directory


def lines(config, usage=None):
    return estimate(synthesized(config), region_prices(PRICES, config.region), usage or CostAssumptions())


def usd(items, resource, what=""):
    return round(sum(item.monthly_usd for item in items if item.resource == resource and what in item.what), 2)


@pytest.fixture(scope="module")
def prod():
    return lines(load_environment("prod"))


def test_fargate_is_tasks_times_size_times_hours(prod):
    # 3 tasks of 0.5 vCPU and 1 GB, 730 hours, us-east-1.
    assert usd(prod, "aws_ecs_service", "vCPU") == round(3 * 0.5 * 730 * 0.04048, 2) == 44.33
    assert usd(prod, "aws_ecs_service", "GB hours") == round(3 * 1 * 730 * 0.004445, 2) == 9.73


def test_endpoints_load_balancer_and_public_addresses(prod):
    assert usd(prod, "aws_vpc_endpoint", "interface") == round(3 * 2 * 730 * 0.01, 2) == 43.80
    assert usd(prod, "aws_vpc_endpoint", "processed") == round(20 * 0.01, 2)
    assert usd(prod, "aws_lb", "hours") == round(730 * 0.0225, 2)
    # 10 requests a second: 0.4 LCU of connections, 0.72 of GB (10 x 20 KB x 3600 s = 0.72 GB an hour).
    assert usd(prod, "aws_lb", "LCU") == round(0.72 * 730 * 0.008, 2)
    assert usd(prod, "public_ipv4") == round(2 * 730 * 0.005, 2)
    assert usd(prod, "aws_nat_gateway") == 0


def test_logs_waf_keys_and_alarms(prod):
    assert usd(prod, "aws_cloudwatch_log_group", "/ecs/webapp-prod: ingested") == 5 * 0.50
    assert usd(prod, "aws_cloudwatch_log_group", "/ecs/webapp-prod: stored") == round(5 * 365 / 30 * 0.03, 2)
    assert usd(prod, "aws_kms_key") == 1.00
    assert usd(prod, "aws_wafv2_web_acl", "web ACL") == 5.00
    requests = 10 * 730 * 3600 / 1e6
    assert usd(prod, "aws_wafv2_web_acl", "requests") == round(requests * 0.60, 2)
    assert usd(prod, "aws_cloudwatch_metric_alarm") == round(6 * 0.10, 2)


def test_dev_pays_one_nat_gateway_and_its_address_and_no_endpoints():
    dev = lines(load_environment("dev"))
    assert usd(dev, "aws_nat_gateway", "hours") == round(730 * 0.045, 2)
    assert usd(dev, "aws_nat_gateway", "processed") == round(20 * 0.045, 2)
    assert usd(dev, "public_ipv4") == round(3 * 730 * 0.005, 2)
    assert usd(dev, "aws_vpc_endpoint") == 0
    assert usd(dev, "aws_ecs_service") == round(1 * 730 * (0.5 * 0.04048 + 1 * 0.004445), 2)


def test_arm_spot_and_region_change_the_fargate_price():
    config = config_from_mapping(
        "tokyo",
        {
            "certificate_arn": CERTIFICATE_ARN.replace("us-east-1", "ap-northeast-1"),
            "region": "ap-northeast-1",
            "network": {"availability_zones": ["ap-northeast-1a", "ap-northeast-1c"]},
            "service": {
                "desired_count": 4,
                "scaling": {"enabled": False},
                "task": {"cpu_units": 1024, "memory_mib": 2048, "cpu_architecture": "ARM64"},
                "capacity": {"fargate_weight": 1, "fargate_spot_weight": 1, "fargate_base": 2},
            },
        },
    )
    items = lines(config)
    # 4 tasks: 2 on the base, the other 2 split 1:1, so a quarter of the task hours on Spot at 70 % off.
    factor = 1 - 0.25 * 0.70
    assert usd(items, "aws_ecs_service", "vCPU") == round(4 * 1 * 730 * 0.04045 * factor, 2)
    assert usd(items, "aws_ecs_service", "GB hours") == round(4 * 2 * 730 * 0.00442 * factor, 2)


def test_a_job_costs_its_runs():
    items = lines(load_environment("local"))
    runs = 730 / 24  # every night
    assert usd(items, "fargate_job_runs", "vCPU") == round(runs * 10 / 60 * 0.5 * 0.04048, 2)
    assert usd(items, "aws_ecs_service", "api:") == round(2 * 730 * (0.5 * 0.04048 + 0.004445), 2)


def test_a_topic_costs_its_publishes_and_a_workers_queue_its_requests_and_empty_receives(prod):
    items = lines(load_environment("local"), CostAssumptions(messages_per_month=2_000_000))
    assert usd(items, "aws_sns_topic", "webapp-local-orders") == round(2 * 0.50, 2)
    # One task of fulfil polls every 20 s (long polling) besides a send, a receive and a delete a message.
    empty = 730 * 3600 / 20 / 1e6
    assert usd(items, "aws_sqs_queue", "webapp-local-fulfil") == round((3 * 2 + empty) * 0.40, 2)
    assert usd(lines(load_environment("prod")), "aws_sqs_queue") == usd(
        lines(load_environment("prod")), "aws_sns_topic"
    )
    assert usd(lines(load_environment("prod")), "aws_sns_topic") == 0


@pytest.mark.parametrize(
    ("schedule", "runs"),
    [
        ("rate(1 hour)", 730),
        ("rate(15 minutes)", 730 * 4),
        ("rate(2 days)", 730 / 48),
        ("cron(0 3 * * ? *)", 730 / 24),
        ("cron(0/15 * * * ? *)", 4 * 24 * 730 / 24),
        ("cron(0 9 ? * 2-6 *)", 730 / 24 * 5 / 7),
        ("cron(0 0 1 * ? *)", 1),
        ("at(2027-01-01T00:00:00)", 0),
    ],
)
def test_runs_per_month(schedule, runs):
    assert runs_per_month(schedule) == pytest.approx(runs)


def test_the_report_totals_its_lines_and_says_what_it_assumed(prod):
    document = synthesized(load_environment("prod"))
    result = report(document, prod, PRICES, CostAssumptions(), where=region(document), name="webapp-prod")
    assert result["environment"] == "prod" and result["stack"] == "webapp-prod"
    assert result["monthly_usd_total"] == pytest.approx(sum(item["monthly_usd"] for item in result["items"]), abs=0.05)
    assert result["assumptions"]["requests_per_second"] == 10
    assert result["prices_as_of"] == PRICES["as_of"]
    assert result["rollout"] == {"service": {"rollout_worst_case_seconds": 180, "rollback_worst_case_seconds": 420}}


def test_a_price_table_over_a_year_old_is_warned_about():
    as_of = datetime.date.fromisoformat(PRICES["as_of"])
    assert stale_warning(PRICES, as_of + datetime.timedelta(days=365)) is None
    assert "pass --prices with a table updated" in stale_warning(PRICES, as_of + datetime.timedelta(days=366))


def test_fails_when_the_region_has_no_prices():
    with pytest.raises(ValueError, match=r"region='sa-east-1': the price table has prices for us-east-1"):
        region_prices(PRICES, "sa-east-1")


def test_a_job_costs_nothing_while_its_schedule_is_disabled():
    config = load_environment("local")
    document = synthesized(config)
    (schedule,) = document["resource"]["aws_scheduler_schedule"].values()
    schedule["state"] = "DISABLED"
    items = estimate(document, US, CostAssumptions())
    assert usd(items, "fargate_job_runs") == 0


@pytest.mark.parametrize(
    ("strategy", "tasks", "share"),
    [
        ([], 4, 0),
        ([("FARGATE", 1, 0)], 4, 0),
        ([("FARGATE", 1, 2), ("FARGATE_SPOT", 1, 0)], 4, 0.25),
        ([("FARGATE", 0, 0), ("FARGATE_SPOT", 1, 0)], 4, 1),
        ([("FARGATE", 1, 0), ("FARGATE_SPOT", 3, 1)], 5, (1 + 4 * 3 / 4) / 5),
    ],
)
def test_the_spot_share_takes_the_base_first_then_the_weights(strategy, tasks, share):
    assert spot_share(strategy, tasks) == pytest.approx(share)


def test_assumptions_come_from_a_file_table_then_the_command_line(tmp_path):
    settings = tmp_path / "environments.toml"
    settings.write_text("[prod.cost]\nrequests_per_second = 50\nresponse_kb = 40\n")
    usage = usage_from(["response_kb=10"], settings, "prod.cost")
    assert (usage.requests_per_second, usage.response_kb, usage.job_run_minutes) == (50, 10, 10)
    # An environment that sets no `cost` table assumes the defaults.
    assert usage_from([], settings, "dev.cost") == CostAssumptions()
    doubled = 2 * CostAssumptions().requests_per_second
    items = lines(load_environment("prod"), usage_from([f"requests_per_second={doubled:g}"]))
    assert usd(items, "aws_wafv2_web_acl", "requests") == round(doubled * 730 * 3600 / 1e6 * 0.60, 2)


def test_fails_when_an_assumption_is_out_of_range_or_unknown(tmp_path):
    with pytest.raises(ValueError, match=r"--usage: invalid settings:\n  - requests_per_second=-1.0 is invalid"):
        usage_from(["requests_per_second=-1"])
    with pytest.raises(ValueError, match=r"requests_per_secnd=1.0 is invalid: .*did you mean 'requests_per_second'"):
        usage_from(["requests_per_secnd=1"])
    with pytest.raises(ValueError, match=r"--usage 'response_kb=many': 'many' is not a number"):
        usage_from(["response_kb=many"])
    settings = tmp_path / "environments.toml"
    settings.write_text("[prod.cost]\njob_run_minutes = 20000\n")
    with pytest.raises(ValueError, match=r"(?s)environments.toml.*prod.cost.job_run_minutes=20000 is invalid"):
        usage_from([], settings, "prod.cost")


def cli(*args: str, cwd=None):
    return subprocess.run([sys.executable, "-m", "cdktf_fargate_cli", *args], capture_output=True, text=True,
                          check=False, cwd=cwd)  # fmt: skip


def test_the_command_prices_a_synthesized_stack_writes_the_report_and_compares_two(tmp_path):
    prod = synthesize_to(tmp_path / "prod", load_environment("prod"))
    dev = synthesize_to(tmp_path / "dev", load_environment("dev"))
    single = cli("--stack-dir", str(prod), "cost", "--json", str(tmp_path / "cost.json"), "--usage", "response_kb=40")
    assert single.returncode == 0, single.stderr
    written = json.loads((tmp_path / "cost.json").read_text())
    assert set(written) >= {"monthly_usd_total", "items", "assumptions", "prices_as_of", "rollout"}
    assert written["assumptions"]["response_kb"] == 40
    assert f"{written['monthly_usd_total']:.2f}" in single.stdout
    compared = cli("--stack-dir", str(dev), "cost", "--compare", str(prod))
    assert compared.returncode == 0, compared.stderr
    assert "aws_nat_gateway" in compared.stdout and "aws_vpc_endpoint" in compared.stdout


def test_fails_when_the_command_is_given_no_stack_or_a_bad_assumption(tmp_path):
    missing = cli("--stack-dir", str(tmp_path), "cost")
    assert missing.returncode == 2 and "holds no synthesized stack (cdk.tf.json)" in missing.stderr
    prod = synthesize_to(tmp_path / "prod", load_environment("prod"))
    bad = cli("--stack-dir", str(prod), "cost", "--usage", "egress_gb_per_month=-5")
    assert bad.returncode == 2 and "egress_gb_per_month=-5.0 is invalid" in bad.stderr


def test_each_secrets_manager_secret_the_containers_read_is_priced_once():
    """Read from the task definitions, whose JSON holds Terraform interpolations with quotes in them."""
    secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
    reads = {"kind": "secrets-manager", "arn": secret}
    one_key = {**reads, "arn": f"{secret}:user::"}
    config = config_from_mapping(
        "shop",
        {
            "certificate_arn": CERTIFICATE_ARN,
            "services": {
                "web": {"service": {"container": {"secrets": {"DB": reads, "USER": one_key}}}},
                "api": {"kind": "backend", "service": {"container": {"secrets": {"DB": reads}}}},
                "nightly": {"kind": "job", "job": {"container": {"secrets": {"TOKEN": {"kind": "ssm-parameter",
                            "arn": "arn:aws:ssm:us-east-1:123456789012:parameter/token"}}}}},
            },
        },
    )  # fmt: skip
    items = lines(config)
    (line,) = [item for item in items if item.resource == "secretsmanager_secret"]
    assert line.quantity == 1 and line.monthly_usd == 0.40


def test_terraform_interpolations_are_taken_out_before_json_is_read():
    text = '[{"image": "${aws_ecr_repository.web.repository_url}:${lookup(var.tags, "web", var.tag)}", "n": 1}]'
    assert json.loads(without_interpolations(text, "X")) == [{"image": "X:X", "n": 1}]
    assert without_interpolations('{"a": "${jsonencode({"b": 1})}"}', "X") == '{"a": "X"}'


def test_each_task_of_a_service_pays_its_ebs_volume_and_its_provisioned_performance():
    items = lines(load_environment("local"))
    # api: two tasks (its scaling minimum), each with 20 GB of gp3 and gp3's free performance.
    assert usd(items, "ebs_volume", "webapp-local-api: 2 x 20 GB gp3") == round(2 * 20 * 0.08, 2)
    assert [item.what for item in items if item.resource == "ebs_volume"] == ["webapp-local-api: 2 x 20 GB gp3"]
    faster = config_from_mapping(
        "shop",
        {
            "certificate_arn": CERTIFICATE_ARN,
            "service": {"ebs_volume": {"mount_path": "/data", "size_gib": 100, "iops": 6000, "throughput_mibps": 500}},
        },
    )
    priced = lines(faster)
    assert usd(priced, "ebs_volume", "IOPS past 3000") == round(3 * 3000 * 0.005, 2)
    assert usd(priced, "ebs_volume", "MiB/s past 125") == round(3 * 375 * 0.04, 2)


@pytest.mark.parametrize(("mode", "association_hours"), [("verify", 730), ("passthrough", 0), ("off", 0)])
def test_a_listener_checking_client_certificates_pays_its_trust_store_by_the_hour(mode, association_hours):
    """Verify mode associates a trust store with the listener, charged by the hour; passthrough has none."""
    mutual_tls = {"mode": mode}
    if mode == "verify":
        mutual_tls["trust_store_bundle"] = "s3://shop-ca/clients.pem"
    config = config_from_mapping("shop", {"certificate_arn": CERTIFICATE_ARN, "alb": {"mutual_tls": mutual_tls}})
    items = [item for item in lines(config) if item.resource == "aws_lb_trust_store"]
    assert sum(item.quantity for item in items) == association_hours
    assert usd(items, "aws_lb_trust_store") == round(association_hours * 0.005, 2)


def test_task_storage_past_fargates_free_20_gib_is_priced_by_the_gb_hour(prod):
    assert [item for item in prod if "storage GB hours" in item.what] == []
    config = config_from_mapping(
        "shop", {"certificate_arn": CERTIFICATE_ARN, "service": {"task": {"ephemeral_storage_gib": 50}}}
    )
    # 3 tasks, 30 GiB each past the free 20, 730 hours.
    assert usd(lines(config), "aws_ecs_service", "storage GB hours past 20") == round(3 * 30 * 730 * 0.000111, 2)
