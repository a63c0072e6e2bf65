"""Environment settings: the library's option types, with the differences in environments.toml."""

from __future__ import annotations

import json

from cdktf_fargate import HealthCheck, Scaling, ServiceOptions, SsmParameter

import pytest

from stacks.environments import DEFAULT_CONFIG_PATH, EnvironmentConfig, config_from_mapping, load_environment


def test_prod_is_the_default_and_keeps_the_production_defaults(monkeypatch):
    monkeypatch.delenv("CDKTF_FARGATE_ENV", raising=False)
    monkeypatch.delenv("CDKTF_FARGATE_CONFIG", raising=False)
    config = load_environment()
    assert config.environment == "prod"
    assert config.resource_name == "webapp-prod"
    assert (config.service.desired_count, config.network.single_nat_gateway, config.alb.deletion_protection) == (
        3,
        False,
        True,
    )
    assert config.certificate_arn.startswith("arn:aws:acm:")
    assert config.network.availability_zones == ("us-east-1a", "us-east-1b")


def test_dev_is_chosen_by_environment_variable_and_is_cheaper(monkeypatch):
    monkeypatch.setenv("CDKTF_FARGATE_ENV", "dev")
    config = load_environment()
    assert config.environment == "dev"
    assert (config.service.desired_count, config.network.single_nat_gateway, config.alb.deletion_protection) == (
        1,
        True,
        False,
    )
    assert config.service.container.environment == {"LOG_LEVEL": "debug"}
    assert config.service.task == EnvironmentConfig().service.task
    assert (config.alb.access_logs.force_destroy, config.alb.access_logs.retention_days) == (True, 7)
    assert config.alb.access_logs.enabled is True


def test_another_settings_file_can_be_named(tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text(
        '[staging]\napp_name = "shop"\nvpc_id = "vpc-0123456789abcdef0"\n'
        'public_subnet_ids = ["subnet-0aaaaaaaaaaaaaaaa"]\n'
    )
    monkeypatch.setenv("CDKTF_FARGATE_CONFIG", str(settings))
    config = load_environment("staging")
    assert config.resource_name == "shop-staging"
    assert config.public_subnet_ids == ("subnet-0aaaaaaaaaaaaaaaa",)


def test_fails_when_the_environment_is_not_in_the_file():
    with pytest.raises(
        ValueError,
        match=r"CDKTF_FARGATE_ENV='qa' is not an environment in environments.toml: allowed are dev, local, prod",
    ):
        load_environment("qa", DEFAULT_CONFIG_PATH)


def test_fails_when_the_settings_file_does_not_exist(tmp_path):
    with pytest.raises(ValueError, match=r"CDKTF_FARGATE_CONFIG='.*missing.toml': the settings file does not exist"):
        load_environment("prod", tmp_path / "missing.toml")


def test_fails_when_the_settings_file_is_not_toml(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[prod\n")
    with pytest.raises(ValueError, match=r"not valid TOML"):
        load_environment("prod", broken)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        # Every key it offers may be set: not `environment`, which is the table's name.
        (
            {"desired_count": 2},
            r"desired_count=2 is invalid: is not a setting of EnvironmentConfig: allowed are app_name, region, ",
        ),
        (
            {"service": {"desired_tasks": 2}},
            r"service.desired_tasks=2 is invalid: is not a setting of ServiceOptions: did you mean 'desired_count'\?",
        ),
        (
            {"service": {"helth_check": {"path": "/x"}}},
            r"service.helth_check=.* is not a setting of ServiceOptions: did you mean 'health_check'\?",
        ),
        (
            {"service": {"health_check": {"timeout": 10}}},
            r"service.health_check.timeout=10 is invalid: is not a setting of HealthCheck: "
            r"did you mean 'timeout_seconds'",
        ),
        ({"service": {"desired_count": "3"}}, r"service.desired_count='3' is invalid: must be a whole number"),
        ({"service": {"desired_count": True}}, r"service.desired_count=True is invalid: must be a whole number"),
        ({"network": {"single_nat_gateway": 1}}, r"network.single_nat_gateway=1 is invalid: must be true or false"),
        ({"vpc_id": 5}, r"vpc_id=5 is invalid: must be a string"),
        ({"service": 3}, r"service=3 is invalid: must be a ServiceOptions \(a table\)"),
        (
            {"service": {"container": {"environment": {"PORT": 80}}}},
            r"service.container.environment.PORT=80 is invalid: must be a string",
        ),
        (
            {"service": {"container": {"secrets": {"DB": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}}}},
            r"service.container.secrets.DB=.* is invalid: must be a Secret \(a table\)",
        ),
        (
            {"service": {"container": {"secrets": {"DB": {"kind": "vault", "arn": "x"}}}}},
            r"service.container.secrets.DB.kind='vault' is invalid: must be 'ssm-parameter' or 'secrets-manager'",
        ),
        ({"public_subnet_ids": "subnet-1"}, r"public_subnet_ids='subnet-1' is invalid: must be a list of strings"),
        (
            {"service": {"task": {"cpu_architecture": "arm64"}}},
            r"cpu_architecture='arm64' is invalid: must be 'X86_64' or",
        ),
    ],
)
def test_fails_when_a_setting_is_unknown_or_of_the_wrong_type(settings, message):
    with pytest.raises(ValueError, match=message):
        config_from_mapping("prod", settings)


def test_fails_with_every_problem_of_every_group_at_once():
    with pytest.raises(ValueError) as error:
        config_from_mapping(
            "prod",
            {
                "servce": {},
                "service": {"task": {"cpu_units": 256, "memory_mib": 4096}, "health_check": {"timeout_seconds": 30}},
                "alb": {"waf": {"rate_limit_per_5_minutes": 1}},
                "network": {"cidr_block": "10.0.0.0/8"},
            },
        )
    lines = str(error.value).splitlines()
    assert lines[0] == "environment 'prod': invalid settings:"
    for expected in (
        "servce={} is invalid: is not a setting of EnvironmentConfig: did you mean 'service'?",
        "service.task.memory_mib=4096 is invalid: with cpu_units=256",
        "service.health_check.timeout_seconds=30 is invalid: must be less than interval_seconds (30)",
        "alb.waf.rate_limit_per_5_minutes=1 is invalid",
        "network.cidr_block='10.0.0.0/8' is invalid",
    ):
        assert any(expected in line for line in lines), expected


def test_dotted_keys_and_tables_build_the_constructs_option_types(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text(
        "[qa]\n"
        "service.health_check.timeout_seconds = 10\n"
        "service.scaling = { min_count = 1, max_count = 2 }\n"
        "service.desired_count = 2\n"
        'service.container.secrets.DB = { kind = "ssm-parameter", '
        'arn = "arn:aws:ssm:us-east-1:123456789012:parameter/db" }\n'
        'network.availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]\n'
    )
    config = load_environment("qa", settings)
    assert isinstance(config.service, ServiceOptions)
    assert config.service.health_check == HealthCheck(timeout_seconds=10)
    assert config.service.scaling == Scaling(min_count=1, max_count=2)
    assert config.service.container.secrets == {"DB": SsmParameter("arn:aws:ssm:us-east-1:123456789012:parameter/db")}
    assert config.network.availability_zones == ("us-east-1a", "us-east-1b", "us-east-1c")
    # Everything else keeps the one default its field declares.
    assert config.service.container.environment == ServiceOptions().container.environment


def test_fails_when_the_environment_name_is_not_usable_in_resource_names():
    with pytest.raises(ValueError, match=r"environment='Prod_1' is invalid: must be 1-16 lower-case letters"):
        config_from_mapping("Prod_1", {})


def test_local_points_every_api_at_the_emulator_and_finds_the_certificate_by_domain():
    config = load_environment("local", DEFAULT_CONFIG_PATH)
    assert config.aws_endpoint_url == "http://127.0.0.1:4566"
    assert (config.certificate_arn, config.certificate_domain) == ("", "app.local.test")
    assert config.alb.deletion_protection is False


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/x", "certificate_domain": "a.test"},
            r"certificate_domain='a.test' is invalid: give certificate_arn or certificate_domain, not both",
        ),
        ({"aws_endpoint_url": "localhost"}, r"aws_endpoint_url='localhost' is invalid: must be http\(s\)://host:port"),
        (
            {"public_subnet_ids": ["subnet-0aaaaaaaaaaaaaaaa"]},
            r"public_subnet_ids=\[.*\] is invalid: the subnet ids need vpc_id",
        ),
        (
            {"domain_name": "shop.example.com"},
            r"domain_name='shop.example.com' is invalid: domain_name and hosted_zone_id go together",
        ),
        (
            {
                "domain_name": "a.example.com",
                "hosted_zone_id": "Z1",
                "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/x",
            },
            r"domain_name='a.example.com' is invalid: it brings its own certificate",
        ),
        (
            {"state_key": "x/terraform.tfstate"},
            r"state_key='x/terraform.tfstate' is invalid: state_key and state_region need state_bucket",
        ),
        (
            {"region": "eu-west-1", "network": {"availability_zones": ["eu-west-1a", "us-east-1b"]}},
            r"network.availability_zones=\['eu-west-1a', 'us-east-1b'\] is invalid: 'us-east-1b' not in region "
            r"'eu-west-1': name zones like 'eu-west-1a'",
        ),
        (
            {"build": {"context": "web"}, "services": {"web": {}}},
            r"build='<set>' is invalid: with services, each service's build is its own: `services.<name>.build`",
        ),
        (
            {"deploy": {"key_admin_arns": ["arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1a2b/jane"]}},
            r"deploy.key_admin_arns='arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1a2b/jane' is "
            r"invalid: must be an IAM role's or user's ARN",
        ),
    ],
)
def test_fails_when_certificate_or_endpoint_settings_conflict(settings, message):
    with pytest.raises(ValueError, match=message):
        config_from_mapping("local", settings)


BOOTSTRAPPED = """
[bootstrap]
github_repository = "acme/shop"
state_bucket = "shop-state"
environments = ["prod"]

[prod]
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/x"
state_bucket = "shop-state"
region = "eu-west-1"
"""


def test_fails_at_synth_when_an_environment_would_look_for_its_state_outside_the_bootstraps_region(tmp_path):
    path = tmp_path / "environments.toml"
    path.write_text(BOOTSTRAPPED)
    with pytest.raises(
        ValueError,
        match=r"environment 'prod': invalid settings:\n  - state_region='' is invalid: the state bucket is in "
        r"'us-east-1' \(\[bootstrap\] region\), not in 'eu-west-1' \(unset: the environment's region\): "
        r"set state_region = 'us-east-1'",
    ):
        load_environment("prod", path)
    path.write_text(BOOTSTRAPPED.replace('region = "eu-west-1"', 'region = "eu-west-1"\nstate_region = "us-east-1"'))
    assert load_environment("prod", path).state_region == "us-east-1"
    # An environment the bootstrap does not serve keeps its own state wherever it says.
    path.write_text(BOOTSTRAPPED.replace('environments = ["prod"]', 'environments = ["dev"]\n\n[dev]'))
    assert load_environment("prod", path).region == "eu-west-1"


CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"certificate_arn": CERTIFICATE.replace("us-east-1", "eu-west-1")},
         "certificate_arn='arn:aws:acm:eu-west-1:111122223333:certificate/1111"),
        ({"certificate_arn": CERTIFICATE.replace("us-east-1", "eu-west-1")},
         "is in 'eu-west-1', not in region 'us-east-1': a load balancer takes a certificate of its own region"),
        ({"certificate_arn": CERTIFICATE, "account_id": "444455556666"},
         "is in account '111122223333', not in account_id '444455556666'"),
        ({"certificate_arn": "arn:aws:iam::111122223333:server-certificate/x"}, "must be an ACM certificate ARN"),
        ({"account_id": "1234"}, "account_id='1234' is invalid: must be a 12-digit AWS account id"),
        ({"account_id": "444455556666", "aws_endpoint_url": "http://127.0.0.1:4566"},
         "aws_endpoint_url points at the emulator, whose account is '123456789012'"),
    ],
)  # fmt: skip
def test_fails_when_the_account_or_the_certificates_account_or_region_is_wrong(settings, message):
    with pytest.raises(ValueError) as raised:
        config_from_mapping("prod", settings)
    assert message in str(raised.value)


def test_an_account_id_stops_every_plan_made_with_another_accounts_credentials():
    from cdktf import Testing

    from stacks.web_service_stack import WebServiceStack

    config = config_from_mapping("prod", {"certificate_arn": CERTIFICATE, "account_id": "111122223333"})
    stack = WebServiceStack(Testing.app(), "webapp-prod", config=config)
    (provider,) = json.loads(Testing.synth(stack))["provider"]["aws"]
    assert provider["allowed_account_ids"] == ["111122223333"]
    unset = WebServiceStack(
        Testing.app(), "webapp-prod", config=config_from_mapping("prod", {"certificate_arn": CERTIFICATE})
    )
    assert "allowed_account_ids" not in json.loads(Testing.synth(unset))["provider"]["aws"][0]


def test_fails_at_synth_when_an_environment_is_not_in_the_bootstraps_account(tmp_path):
    path = tmp_path / "environments.toml"
    served = BOOTSTRAPPED.replace("[bootstrap]", '[bootstrap]\naccount_id = "123456789012"').replace(
        'region = "eu-west-1"', 'region = "eu-west-1"\nstate_region = "us-east-1"'
    )
    path.write_text(served)
    with pytest.raises(
        ValueError, match=r"account_id='' is invalid: set it to '123456789012': the bootstrap's account"
    ):
        load_environment("prod", path)
    path.write_text(served.replace("[prod]", '[prod]\naccount_id = "123456789012"'))
    assert load_environment("prod", path).account_id == "123456789012"
