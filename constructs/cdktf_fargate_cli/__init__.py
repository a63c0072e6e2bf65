"""`cdktf-fargate`: the installed command.

Of any synthesized stack (`--stack-dir cdktf.out/stacks/<stack>`, default the only one), offline:

    cdktf-fargate cost [--usage requests_per_second=50] [--compare OTHER_STACK_DIR]   a monthly estimate
    cdktf-fargate diagram [--output diagram.md]                                     a Mermaid flowchart

Of a deployed stack, read from its Terraform outputs (docs/operations.md#day-2-commands):

    cdktf-fargate drift                       what changed outside Terraform (exit 2 on drift)
    cdktf-fargate status                      each service's running/desired tasks and rollout; each job's last run
    cdktf-fargate logs web --since 1h -f      a service's or job's log events
    cdktf-fargate redeploy [web ...]          new tasks from the same task definition (a rotated secret)
    cdktf-fargate run-task api -- ./migrate   a one-off task with the service's task definition and network
    cdktf-fargate exec web [-- /bin/sh]       a shell in a running task (ECS Exec)
    cdktf-fargate rollback web [--to <tag>]   deploy an earlier image tag the repository still holds

And `import-copilot` (AWS Copilot manifests to settings, extra `copilot`) and `emulator serve|stop|endpoint`
(the local AWS emulator, extra `emulator`).

A package of its own, beside `cdktf_fargate`: the commands start without loading the construct
library (or Node); only `cost` loads it, for its option type. The day-2 commands need boto3:
`pip install 'cdktf-fargate[cli]'`.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
