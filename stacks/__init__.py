"""Stacks compose the cdktf_fargate constructs into deployable units."""

from .bootstrap_stack import BootstrapStack
from .environments import BootstrapConfig, DeployOptions, EnvironmentConfig, load_bootstrap, load_environment
from .web_service_stack import WebServiceStack

__all__ = [
    "BootstrapConfig",
    "BootstrapStack",
    "DeployOptions",
    "EnvironmentConfig",
    "WebServiceStack",
    "load_bootstrap",
    "load_environment",
]
