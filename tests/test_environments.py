"""Environment settings: defaults in code, differences in environments.toml."""

from __future__ import annotations

import pytest

from stacks.environments import DEFAULT_CONFIG_PATH, EnvironmentConfig, config_from_mapping, load_environment


def test_prod_is_the_default_and_keeps_the_production_defaults(monkeypatch):
    monkeypatch.delenv("CDKTF_FARGATE_ENV", raising=False)
    monkeypatch.delenv("CDKTF_FARGATE_CONFIG", raising=False)
    config = load_environment()
    assert config.environment == "prod"
    assert config.resource_name == "webapp-prod"
    assert (config.desired_count, config.single_nat_gateway, config.deletion_protection) == (3, False, True)
    assert config.certificate_arn.startswith("arn:aws:acm:")


def test_dev_is_chosen_by_environment_variable_and_is_cheaper(monkeypatch):
    monkeypatch.setenv("CDKTF_FARGATE_ENV", "dev")
    config = load_environment()
    assert config.environment == "dev"
    assert (config.desired_count, config.single_nat_gateway, config.deletion_protection) == (1, True, False)
    assert config.container_environment == {"LOG_LEVEL": "debug"}
    assert config.cpu_units == EnvironmentConfig().cpu_units


def test_another_settings_file_can_be_named(tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text('[staging]\napp_name = "shop"\npublic_subnet_ids = ["subnet-0aaaaaaaaaaaaaaaa"]\n')
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
        ({"desired_tasks": 2}, r"desired_tasks=2 is not a setting: allowed are access_logs_enabled, .*desired_count, "),
        ({"desired_count": "3"}, r"desired_count='3' is invalid: must be int"),
        ({"desired_count": True}, r"desired_count=True is invalid: must be int"),
        ({"single_nat_gateway": 1}, r"single_nat_gateway=1 is invalid: must be bool"),
        ({"vpc_id": 5}, r"vpc_id=5 is invalid: must be str \| None"),
        (
            {"container_environment": {"PORT": 80}},
            r"container_environment=\{'PORT': 80\} is invalid: must be dict\[str, str\]",
        ),
        ({"public_subnet_ids": "subnet-1"}, r"public_subnet_ids='subnet-1' is invalid: must be tuple\[str, \.\.\.\]"),
    ],
)
def test_fails_when_a_setting_is_unknown_or_of_the_wrong_type(settings, message):
    with pytest.raises(ValueError, match=message):
        config_from_mapping("prod", settings)


def test_fails_when_the_environment_name_is_not_usable_in_resource_names():
    with pytest.raises(ValueError, match=r"environment='Prod_1' is invalid: must be 1-16 lower-case letters"):
        config_from_mapping("Prod_1", {})


def test_local_points_every_api_at_the_emulator_and_finds_the_certificate_by_domain():
    config = load_environment("local", DEFAULT_CONFIG_PATH)
    assert config.aws_endpoint_url == "http://127.0.0.1:4566"
    assert (config.certificate_arn, config.certificate_domain) == ("", "app.local.test")
    assert config.deletion_protection is False


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/x", "certificate_domain": "a.test"},
            r"certificate_domain='a.test' is invalid: give certificate_arn or certificate_domain, not both",
        ),
        ({"aws_endpoint_url": "localhost"}, r"aws_endpoint_url='localhost' is invalid: must be http\(s\)://host:port"),
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
    ],
)
def test_fails_when_certificate_or_endpoint_settings_conflict(settings, message):
    with pytest.raises(ValueError, match=message):
        config_from_mapping("local", settings)
