"""Stacks compose the cdktf_fargate constructs into deployable units.

The names below load on first use: `stacks.settings_file` (the settings file, read as TOML) must stay
free of cdktf, which importing a stack loads.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "BootstrapStack": "bootstrap_stack",
    "WebServiceStack": "web_service_stack",
    "BootstrapConfig": "environments",
    "DeployOptions": "environments",
    "EnvironmentConfig": "environments",
    "load_bootstrap": "environments",
    "load_environment": "environments",
}

__all__ = [
    "BootstrapConfig",
    "BootstrapStack",
    "DeployOptions",
    "EnvironmentConfig",
    "WebServiceStack",
    "load_bootstrap",
    "load_environment",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'stacks' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
