"""cdktf-fargate: CDK for Terraform constructs for a containerized web service on AWS.

Import it before cdktf and the provider bindings (``from cdktf_fargate import Network, EcrRepo,
PublicAlb, FargateService``): it sets up the fast provider import.
"""

from ._provider import use_lazy_provider_package

# Before any construct module imports the provider bindings.
use_lazy_provider_package()

from .access_log_bucket import AccessLogBucket  # noqa: E402
from .ecr_repo import EcrRepo  # noqa: E402
from .fargate_service import FargateService  # noqa: E402
from .kms_key import KmsKey  # noqa: E402
from .network import Network  # noqa: E402
from .public_alb import PublicAlb  # noqa: E402
from .service_alarms import ServiceAlarms  # noqa: E402
from .service_autoscaling import ServiceAutoscaling  # noqa: E402
from .service_domain import ServiceDomain  # noqa: E402
from .web_acl import WebAcl  # noqa: E402

__all__ = [
    "AccessLogBucket",
    "EcrRepo",
    "FargateService",
    "KmsKey",
    "Network",
    "PublicAlb",
    "ServiceAlarms",
    "ServiceAutoscaling",
    "ServiceDomain",
    "WebAcl",
    "use_lazy_provider_package",
]
__version__ = "0.1.0"
