"""The command line: argument parsing, AWS clients, and errors said as one line each."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cdktf_fargate_emulator.endpoint import DEFAULT_DOMAIN, DEFAULT_PORT

from . import commands, copilot_import, cost, diagram, drift
from .stack import Stack, StackError, find_stack_dir, load
from .synthesized import stack_document


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="cdktf-fargate",
        description="Commands for a synthesized cdktf-fargate stack (its cost, diagram and drift), the day-2 commands "
        "of a deployed one (docs/operations.md#day-2-commands), the Copilot importer and the local AWS emulator.",
    )
    top.add_argument(
        "--stack-dir",
        type=Path,
        help="the synthesized stack, cdktf.out/stacks/<stack>; default: the only one there",
    )
    verbs = top.add_subparsers(dest="verb", required=True, metavar="COMMAND")
    verbs.add_parser("status", help="each service's tasks and rollout, each job's last run")
    logs = verbs.add_parser("logs", help="a service's or job's log events")
    logs.add_argument("name", nargs="?", help="the service or job (its name in `services`); optional with one")
    logs.add_argument("--since", default="10m", help="how far back: 30s, 10m, 2h, 1d (default 10m)")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new events")
    redeploy = verbs.add_parser("redeploy", help="new tasks from the same task definition (a rotated secret)")
    redeploy.add_argument("names", nargs="*", help="the services; default all")
    run_task = verbs.add_parser(
        "run-task",
        help="a one-off task with a service's task definition and network",
        usage="cdktf-fargate run-task [NAME] [--no-wait] [--timeout SECONDS] [-- COMMAND ...]",
    )
    run_task.add_argument("name", nargs="?", help="the service; optional with one")
    run_task.add_argument("--no-wait", action="store_true", help="return once ECS has started it")
    run_task.add_argument("--timeout", type=int, default=3600, help="seconds to wait for it to stop (3600)")
    exec_ = verbs.add_parser(
        "exec",
        help="a shell in a running task of a service (ECS Exec)",
        usage="cdktf-fargate exec [NAME] [--task TASK] [-- COMMAND ...]  (default /bin/sh)",
    )
    exec_.add_argument("name", nargs="?", help="the service; optional with one")
    exec_.add_argument("--task", help="this task's id or ARN; default one of the service's running tasks")
    rollback = verbs.add_parser(
        "rollback",
        help="deploy an earlier image tag the repository still holds",
        usage="cdktf-fargate rollback [NAME] [--to TAG] [--dry-run] [-- more cdktf deploy arguments]",
    )
    rollback.add_argument("name", nargs="?", help="the service or job; optional with one")
    rollback.add_argument("--to", help="this tag; default the one before the current in the task definitions")
    rollback.add_argument("--dry-run", action="store_true", help="print the deploy command, run nothing")
    drift_ = verbs.add_parser(
        "drift",
        help="what changed outside Terraform: a refresh-only plan, less what the stack expects (exit 2 on drift)",
    )
    drift_.add_argument("--var", action="append", default=[], help="more name=value variables for the plan")
    cost_ = verbs.add_parser(
        "cost",
        help="an offline monthly cost estimate of the synthesized stack, from a dated price table",
        description="Prices what the synthesized stack holds; traffic and log volume are assumptions "
        "(docs/cost.md#assumptions). Needs no AWS credentials.",
    )
    cost_.add_argument("--usage", action="append", default=[], metavar="NAME=VALUE",
                       help="an assumption, e.g. requests_per_second=50 (docs/cost.md#assumptions)")  # fmt: skip
    cost_.add_argument("--usage-file", type=Path, help="a TOML file holding the assumptions")
    cost_.add_argument("--usage-table", default="", metavar="TABLE",
                       help="the file's table holding them, dotted: prod.cost in environments.toml")  # fmt: skip
    cost_.add_argument("--region", help="the prices of this region; default the stack's provider's")
    cost_.add_argument("--prices", type=Path, help="another price table (default: the one shipped, dated)")
    cost_.add_argument("--compare", type=Path, metavar="STACK_DIR", help="print what differs from this other stack")
    cost_.add_argument("--json", type=Path, metavar="FILE", help="also write the report here")
    drawing = verbs.add_parser(
        "diagram",
        help="the synthesized stack as a Mermaid flowchart (docs/diagrams.md shows this app's)",
        description="Draws what the stack holds, read from its cdk.tf.json alone; needs no AWS credentials.",
    )
    drawing.add_argument("--output", type=Path, help="write it here (a Markdown file gets a mermaid block)")
    copilot = verbs.add_parser(
        "import-copilot",
        help="an AWS Copilot workspace as environment tables of environments.toml, each with its services "
        "(docs/from-copilot.md)",
    )
    copilot.add_argument("workspace", type=Path, help="the directory that holds copilot/")
    copilot.add_argument("--environment", action="append", default=[], help="an environment to write (repeatable)")
    copilot.add_argument(
        "--account", default="", help="the environments' AWS account (secrets given by name are in it)"
    )
    copilot.add_argument("--region", default="us-east-1", help="their region")
    adopt_help = "this environment takes over Copilot's ECR repositories (<app>/<service>) and their images"
    copilot.add_argument("--adopt", default="", metavar="ENV", help=adopt_help)
    logs_help = "with --adopt: that environment's services keep their Copilot log groups and events"
    copilot.add_argument("--adopt-logs", action="store_true", help=logs_help)
    copilot.add_argument("--output", type=Path, help="write the tables here instead of stdout")
    emulator = verbs.add_parser(
        "emulator",
        help="the local AWS emulator (moto with this project's patches; docs/local-emulator.md)",
    )
    actions = emulator.add_subparsers(dest="action", required=True, metavar="ACTION")
    serve = actions.add_parser("serve", help="run it on loopback until SIGTERM (needs the emulator extra)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"0 takes a free one (default {DEFAULT_PORT})")
    serve.add_argument("--certificate-domain", default=DEFAULT_DOMAIN,
                       help="the domain of the self-signed certificate it imports into ACM")  # fmt: skip
    serve.add_argument("--pid-file", type=Path, help="write its pid here (what `stop` reads)")
    stop = actions.add_parser("stop", help="stop the emulator started with --pid-file")
    stop.add_argument("--pid-file", type=Path, required=True)
    endpoint = actions.add_parser(
        "endpoint",
        help="print AWS_ENDPOINT_URL=<url> and dummy credentials when the environment deploys to an emulator",
    )
    endpoint.add_argument("environment", nargs="?", help="default: CDKTF_FARGATE_ENV, else prod")
    return top


def run_emulator(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    # The package imports moto only when it serves: `endpoint` runs before every Terraform run.
    import cdktf_fargate_emulator as emulator  # noqa: PLC0415

    if args.action == "serve":
        return emulator.serve(args.port, args.certificate_domain, args.pid_file)
    if args.action == "stop":
        return emulator.stop(args.pid_file)
    if assignment := emulator.endpoint_assignment(args.environment):
        out(assignment)
    return 0


def aws_clients(stack: Stack) -> Callable[[str], Any]:
    try:
        # Imported here: `--help` and a stack's errors need no AWS SDK.
        import boto3  # type: ignore[import-untyped]  # noqa: PLC0415
    except ImportError:
        raise StackError("the commands need boto3: pip install 'cdktf-fargate[cli]'") from None
    session = boto3.session.Session(region_name=stack.region) if stack.region else boto3.session.Session()
    return session.client  # type: ignore[no-any-return]


def run_cost(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    """The synthesized stack alone, offline: no credentials, no Terraform."""
    prices = cost.load_prices(args.prices or cost.PRICES)
    warning = cost.stale_warning(prices, datetime.date.today())
    if warning:
        print(warning, file=sys.stderr)
    usage = cost.usage_from(args.usage, args.usage_file, args.usage_table)
    result = cost.cost_of(find_stack_dir(args.stack_dir), prices, usage, args.region)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    if args.compare:
        out(cost.diff(result, cost.cost_of(find_stack_dir(args.compare), prices, usage, args.region)))
    else:
        out(cost.table(result))
    return 0


def run_diagram(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    directory = find_stack_dir(args.stack_dir)
    drawn = diagram.mermaid(stack_document(directory), directory.name)
    if args.output is None:
        out(drawn)
    else:
        markdown = args.output.suffix == ".md"
        args.output.write_text(f"```mermaid\n{drawn}\n```\n" if markdown else drawn + "\n")
    return 0


def run_import(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    return copilot_import.run(args.workspace, environments=args.environment, account=args.account,
                              region=args.region, output=args.output, out=out, adopt=args.adopt,
                              adopt_logs=args.adopt_logs)  # fmt: skip


def split_at_dashes(given: list[str]) -> tuple[list[str], list[str]]:
    """Everything after the first `--` is the task's command (or cdktf's arguments), never an option of ours."""
    if "--" not in given:
        return given, []
    return given[: given.index("--")], given[given.index("--") + 1 :]


def main(argv: Sequence[str] | None = None, *, out: Callable[[str], None] = print) -> int:
    ours, after = split_at_dashes(list(sys.argv[1:] if argv is None else argv))
    args = parser().parse_args(ours)
    if args.verb == "drift":
        # Terraform and the stack alone: any deployed stack, read with read-only credentials.
        try:
            directory = find_stack_dir(args.stack_dir)
        except StackError as error:
            print(f"cdktf-fargate drift: {error}", file=sys.stderr)
            return 1
        return drift.report(directory, args.var, image_tag=os.environ.get("IMAGE_TAG"), out=out)
    offline = {"cost": run_cost, "diagram": run_diagram, "import-copilot": run_import, "emulator": run_emulator}
    if args.verb in offline:
        try:
            return offline[args.verb](args, out)
        except (StackError, ValueError) as error:
            print(f"cdktf-fargate {args.verb}: {error}", file=sys.stderr)
            return 2
    try:
        stack = load(find_stack_dir(args.stack_dir))
        clients = aws_clients(stack)
        if args.verb == "status":
            return commands.status(stack, clients, out)
        if args.verb == "logs":
            return commands.logs(stack, clients, out, name=args.name, since=args.since, follow=args.follow)
        if args.verb == "redeploy":
            return commands.redeploy(stack, clients, out, names=args.names)
        if args.verb == "run-task":
            return commands.run_task(
                stack,
                clients,
                out,
                name=args.name,
                command=after,
                wait=not args.no_wait,
                timeout_seconds=args.timeout,
            )
        if args.verb == "exec":
            return commands.exec_into(stack, clients, out, name=args.name, task=args.task, command=after)
        return commands.rollback(
            stack,
            clients,
            out,
            name=args.name,
            to=args.to,
            deploy_args=after,
            dry_run=args.dry_run,
        )
    except StackError as error:
        print(f"cdktf-fargate {args.verb}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
