"""Option types: every plain setting of every construct, declared once with its default, doc and rule.

Constructs take them as ``options=``; ``environments.toml`` builds the same types.
"""

from .._validation import Problems
from ._base import Cidr, Each, OneOf, OptionType, Pattern, Range, check_options, option, options_from_mapping
from .infrastructure import (
    AccessLogs,
    AlbAlarms,
    AlbOptions,
    ClusterOptions,
    FlowLogs,
    NetworkOptions,
    RepositoryOptions,
    Waf,
)
from .job import JobOptions, schedule_problem
from .service import (
    FARGATE_TASK_SIZES,
    Alarms,
    CapacityMix,
    Container,
    Deployment,
    HealthCheck,
    Logging,
    Routing,
    Scaling,
    Secret,
    SecretsManagerSecret,
    ServiceConnect,
    ServiceOptions,
    SsmParameter,
    TaskSize,
)

__all__ = [
    "FARGATE_TASK_SIZES",
    "AccessLogs",
    "Alarms",
    "AlbAlarms",
    "AlbOptions",
    "CapacityMix",
    "Cidr",
    "ClusterOptions",
    "Container",
    "Deployment",
    "Each",
    "FlowLogs",
    "HealthCheck",
    "JobOptions",
    "Logging",
    "NetworkOptions",
    "OneOf",
    "OptionType",
    "Pattern",
    "Problems",
    "Range",
    "RepositoryOptions",
    "Routing",
    "Scaling",
    "Secret",
    "SecretsManagerSecret",
    "ServiceConnect",
    "ServiceOptions",
    "SsmParameter",
    "TaskSize",
    "Waf",
    "check_options",
    "option",
    "options_from_mapping",
    "schedule_problem",
]
