"""The usage a cost estimate assumes: what a synthesized stack cannot know about its own traffic.

`cdktf-fargate cost` takes it from `--usage` and `--usage-file`; this app's settings file holds it per
environment as `cost.*`. One type for both, so its defaults and limits are written once.
"""

from __future__ import annotations

import dataclasses

from ._base import OptionType, Range, option


@dataclasses.dataclass(frozen=True, kw_only=True)
class CostAssumptions(OptionType):
    """The usage `cdktf-fargate cost` (`make cost`) assumes for a month: what a stack cannot know of its traffic."""

    requests_per_second: float = option(
        10.0, "average requests per second through the load balancer", Range(0, 1e6, whole=False)
    )
    response_kb: float = option(20.0, "average response size, KB", Range(0, 1e6, whole=False))
    egress_gb_per_month: float = option(
        20.0,
        "GB the tasks send out through NAT gateways or VPC endpoints (image pulls, AWS APIs)",
        Range(0, 1e7, whole=False),
    )
    log_gb_per_month_per_service: float = option(
        5.0, "GB each service or job writes to CloudWatch Logs", Range(0, 1e6, whole=False)
    )
    flow_log_gb_per_month: float = option(5.0, "GB of VPC flow logs", Range(0, 1e6, whole=False))
    job_run_minutes: float = option(10.0, "how long a job's run lasts", Range(0, 10080, whole=False))
    messages_per_month: float = option(
        1_000_000.0,
        "messages each topic carries and each worker's queue receives (a send, a receive and a delete each)",
        Range(0, 1e12, whole=False),
    )
