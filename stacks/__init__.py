"""Stacks compose the cdktf_fargate constructs into deployable units."""

from .environments import EnvironmentConfig, load_environment
from .web_service_stack import WebServiceStack

__all__ = ["EnvironmentConfig", "WebServiceStack", "load_environment"]
