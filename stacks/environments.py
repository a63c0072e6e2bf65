"""Per-environment settings: the library's option types, with the differences in ``environments.toml``.

``CDKTF_FARGATE_ENV`` picks the environment (default ``prod``); ``CDKTF_FARGATE_CONFIG``
points at another settings file (default ``environments.toml`` beside ``main.py``). Each
construct's settings are its own option type (``service.health_check.timeout_seconds = 10``);
only what composes the stack is declared here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cdktf_fargate.options import CostAssumptions, Problems, check_options, options_from_mapping

from .bootstrap_settings import BootstrapConfig, ServiceLinkedRole
from .environment_settings import DeployOptions, EnvironmentConfig, config_from_mapping
from .service_settings import AppService, ImageBuild, ServiceKind
from .settings_file import (
    BOOTSTRAP_TABLE,
    CONFIG_VAR,
    DEFAULT_CONFIG_PATH,
    DEFAULT_ENVIRONMENT,
    ENV_VAR,
    chosen_environment,
    environment_names,
    read_tables,
)

__all__ = [
    "BOOTSTRAP_TABLE",
    "CONFIG_VAR",
    "DEFAULT_CONFIG_PATH",
    "DEFAULT_ENVIRONMENT",
    "ENV_VAR",
    "AppService",
    "BootstrapConfig",
    "CostAssumptions",
    "DeployOptions",
    "EnvironmentConfig",
    "ImageBuild",
    "ServiceKind",
    "ServiceLinkedRole",
    "config_from_mapping",
    "load_bootstrap",
    "load_environment",
    "promotion_source",
    "serving_bootstrap",
]


def load_environment(environment: str | None = None, config_path: str | Path | None = None) -> EnvironmentConfig:
    """The chosen environment's settings from the settings file (or the environment variables)."""
    environment = chosen_environment(environment)
    path, tables = read_tables(config_path)
    environments = sorted(environment_names(tables))
    if environment not in environments:
        raise ValueError(
            f"{ENV_VAR}={environment!r} is not an environment in {path.name}: allowed are {', '.join(environments)}"
            + (f" (or '{BOOTSTRAP_TABLE}', the account's bootstrap)" if BOOTSTRAP_TABLE in tables else "")
        )
    config = config_from_mapping(environment, tables[environment])
    _check_against_bootstrap(config, tables)
    _check_promotion(config, tables, path.name)
    return config


def promotion_source(config: EnvironmentConfig, config_path: str | Path | None = None) -> EnvironmentConfig | None:
    """The environment whose images ``config``'s deploys copy (`promote_from`), checked; None when it builds."""
    if not config.promote_from:
        return None
    path, tables = read_tables(config_path)
    return _check_promotion(config, tables, path.name)


def _check_promotion(config: EnvironmentConfig, tables: Mapping[str, Any], file_name: str) -> EnvironmentConfig | None:
    """A promoted environment deploys only what its source ran: the source is deployed before it, from the same
    registry, with an image of the same architecture for every service it runs. Returns the source, checked."""
    source_name = config.promote_from
    if not source_name or source_name == config.environment:
        return None
    problems = Problems(f"environment {config.environment!r}")
    names = sorted(name for name in tables if name not in (BOOTSTRAP_TABLE, config.environment))
    if source_name not in names:
        problems.add(
            "promote_from", source_name, f"is not an environment in {file_name}: allowed are {', '.join(names)}"
        )
        problems.raise_if_any()
    source = config_from_mapping(source_name, tables[source_name])
    bootstrap = _serving(config, tables)
    if bootstrap is not None:
        order = list(bootstrap.environments)
        if source_name not in order or order.index(source_name) > order.index(config.environment):
            problems.add(
                "promote_from",
                source_name,
                f"CI deploys {config.environment!r} before {source_name!r} ([bootstrap] environments = {order}): "
                "list the source first, so its images ran before they are promoted",
            )
    for setting in ("app_name", "region", "aws_endpoint_url"):
        if getattr(source, setting) != getattr(config, setting):
            problems.add(
                "promote_from",
                source_name,
                f"{setting} is {getattr(source, setting)!r} there and {getattr(config, setting)!r} here: images are "
                "copied within one registry and named `<app_name>-<environment>`; give both the same",
            )
    theirs = source.images()
    for key, (_, architecture) in config.images().items():
        service = f"service {key!r}" if key else "the one service (no `services`)"
        if key not in theirs:
            problems.add(
                "promote_from",
                source_name,
                f"{source_name!r} builds no image for {service}, which {config.environment!r} runs: a promoted "
                "environment deploys only images its source ran; give both the same services",
            )
        elif theirs[key][0] in source.adopted_repositories():
            problems.add(
                "promote_from",
                source_name,
                f"{service} runs from {theirs[key][0]!r} in {source_name!r}, a repository it adopted: this "
                f"environment's deploy role may copy only from `<app_name>-{source_name}-*` repositories; promote "
                "from an environment with repositories of its own, or build here",
            )
        elif theirs[key][1] != architecture:
            problems.add(
                "promote_from",
                source_name,
                f"{service} runs on {architecture} here and on {theirs[key][1]} in {source_name!r}: the copied "
                "image would not start; give both the same cpu_architecture",
            )
    problems.raise_if_any()
    return source


def serving_bootstrap(config: EnvironmentConfig, config_path: str | Path | None = None) -> BootstrapConfig | None:
    """The `[bootstrap]` table when it serves ``config``'s environment (made its deploy role), else None."""
    return _serving(config, read_tables(config_path)[1])


def _serving(config: EnvironmentConfig, tables: Mapping[str, Any]) -> BootstrapConfig | None:
    # A [bootstrap] table with problems of its own is left to `make bootstrap`, which reports them.
    if BOOTSTRAP_TABLE not in tables:
        return None
    bootstrap = options_from_mapping(BootstrapConfig, tables[BOOTSTRAP_TABLE], "", Problems(BOOTSTRAP_TABLE))
    if bootstrap is None or config.environment not in bootstrap.environments:
        return None
    return bootstrap


def _check_against_bootstrap(config: EnvironmentConfig, tables: Mapping[str, Any]) -> None:
    """At synth, not only at `make bootstrap`: an environment the bootstrap serves keeps its state where the
    bootstrap put the bucket."""
    bootstrap = _serving(config, tables)
    if bootstrap is None:
        return
    problems = Problems(f"environment {config.environment!r}")
    for setting, value, instead in bootstrap.disagreements(config):
        problems.add(setting, value, instead)
    problems.raise_if_any()


def load_bootstrap(config_path: str | Path | None = None) -> tuple[BootstrapConfig, list[EnvironmentConfig]]:
    """The ``[bootstrap]`` table and the environments it serves, checked together."""
    path, tables = read_tables(config_path)
    if BOOTSTRAP_TABLE not in tables:
        raise ValueError(f"{path.name} has no [{BOOTSTRAP_TABLE}] table: docs/bootstrap.md says what goes in it")
    problems = Problems(BOOTSTRAP_TABLE)
    bootstrap = options_from_mapping(BootstrapConfig, tables[BOOTSTRAP_TABLE], "", problems)
    if bootstrap is not None:
        check_options(problems, "", bootstrap)
    problems.raise_if_any()
    assert bootstrap is not None
    environments = []
    for name in bootstrap.environments:
        if name not in tables or name == BOOTSTRAP_TABLE:
            problems.add("environments", name, f"is not an environment in {path.name}")
        else:
            environments.append(config_from_mapping(name, tables[name]))
    problems.raise_if_any()
    bootstrap.check_environments(environments, problems)
    problems.raise_if_any()
    for config in environments:
        _check_promotion(config, tables, path.name)
    return bootstrap, environments
