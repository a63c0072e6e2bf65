"""The fast provider import (``_cdktf_fargate_startup``, beside this package, says how and why).

The installed package sets it up when Python starts, through a ``.pth`` file; importing
``cdktf_fargate`` sets it up too, for a checkout on ``PYTHONPATH`` that has no ``.pth``.
"""

from _cdktf_fargate_startup import (
    EAGER_ENV_VAR,
    NODE_PRELOAD,
    PROVIDER_PACKAGE,
    install,
    slow_import_warning,
    use_lazy_provider_package,
)

__all__ = [
    "EAGER_ENV_VAR",
    "NODE_PRELOAD",
    "PROVIDER_PACKAGE",
    "install",
    "slow_import_warning",
    "use_lazy_provider_package",
]
