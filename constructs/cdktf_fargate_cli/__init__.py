"""`cdktf-fargate`: the installed command. Day-2 subcommands for a deployed stack, read from its Terraform
outputs (docs/operations.md#day-2-commands):

    cdktf-fargate status                      each service's running/desired tasks and rollout; each job's last run
    cdktf-fargate logs web --since 1h -f      a service's or job's log events
    cdktf-fargate redeploy [web ...]          new tasks from the same task definition (a rotated secret)
    cdktf-fargate run-task api -- ./migrate   a one-off task with the service's task definition and network
    cdktf-fargate exec web [-- /bin/sh]       a shell in a running task (ECS Exec)
    cdktf-fargate rollback web [--to <tag>]   deploy an earlier image tag the repository still holds

A package of its own, beside `cdktf_fargate`: the commands start without loading the construct
library (or Node). They need boto3: `pip install 'cdktf-fargate[cli]'`.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
