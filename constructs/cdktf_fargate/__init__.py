"""cdktf-fargate: CDK for Terraform constructs for a containerized web service on AWS.

``from cdktf_fargate import Network, EcrRepo, Cluster, PublicAlb, FargateService, ServiceOptions``.
Importing it sets up the fast provider import (``_provider.py``); the installed package also does
that at interpreter start, so the order of an app's imports does not matter.
"""

import sys

from ._provider import install, slow_import_warning, use_lazy_provider_package

# Before any construct module imports the provider bindings (the .pth file did it already when installed).
install()
use_lazy_provider_package()
if (_warning := slow_import_warning()) is not None:
    print(_warning, file=sys.stderr)

# Every name of the options package, by its own list: one list, not a copy here to keep in step.
from . import options  # noqa: E402
from ._load_balancer_members import rule_covers  # noqa: E402
from ._rollout import RolloutEstimate, estimate_rollout  # noqa: E402
from .access_log_bucket import AccessLogBucket  # noqa: E402
from .cluster import Cluster, ExistingCluster  # noqa: E402
from .ecr_repo import EcrRepo, ExistingRepository  # noqa: E402
from .event_topic import EventTopic  # noqa: E402
from .fargate_service import FargateService  # noqa: E402
from .github_deploy_role import GithubDeployRole, GithubOidcProvider, PermissionsBoundary  # noqa: E402
from .kms_key import KmsKey  # noqa: E402
from .network import ExistingNetwork, Network  # noqa: E402
from .options import *  # noqa: E402, F403
from .public_alb import ExistingAlb, PublicAlb  # noqa: E402
from .refs import AlbRef, ClusterRef, NetworkRef, RepositoryRef, ServiceNamespaceRef  # noqa: E402
from .scheduled_job import ScheduledJob  # noqa: E402
from .service_alarms import ServiceAlarms  # noqa: E402
from .service_autoscaling import ServiceAutoscaling  # noqa: E402
from .service_domain import ServiceDomain  # noqa: E402
from .service_namespace import ExistingNamespace, ServiceNamespace  # noqa: E402
from .state_bucket import StateBucket  # noqa: E402
from .web_acl import WebAcl  # noqa: E402
from .worker_queue import WorkerQueue  # noqa: E402
from .worker_service import WorkerService  # noqa: E402

__all__ = [
    "AccessLogBucket",
    "AlbRef",
    "Cluster",
    "ClusterRef",
    "EcrRepo",
    "EventTopic",
    "ExistingAlb",
    "ExistingCluster",
    "ExistingNamespace",
    "ExistingNetwork",
    "ExistingRepository",
    "FargateService",
    "GithubDeployRole",
    "GithubOidcProvider",
    "KmsKey",
    "Network",
    "NetworkRef",
    "PermissionsBoundary",
    "PublicAlb",
    "RepositoryRef",
    "RolloutEstimate",
    "ScheduledJob",
    "ServiceAlarms",
    "ServiceAutoscaling",
    "ServiceDomain",
    "ServiceNamespace",
    "ServiceNamespaceRef",
    "StateBucket",
    "WebAcl",
    "WorkerQueue",
    "WorkerService",
    "estimate_rollout",
    "rule_covers",
    "use_lazy_provider_package",
]
__all__ += options.__all__
__version__ = "0.4.0.dev0"
