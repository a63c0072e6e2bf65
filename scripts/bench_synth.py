#!/usr/bin/env python3
"""Benchmark synth: the fast provider import against the ordinary one, and the cost per service.

    python scripts/bench_synth.py [--runs N]

Runs the default stack's `main.py` synth in fresh interpreters in three modes, rotating
(so machine noise hits all alike), N runs each: `fast` (main.py as shipped), `provider-first`
(an app that imports cdktf and the provider bindings before cdktf_fargate, as isort orders
them) and `ordinary` (CDKTF_FARGATE_EAGER_PROVIDER=1). Prints medians of wall time and peak
memory (python process, node jsii kernel process) and the ratios.
Then, in one fast process, times the synth of a stack with 1, 5 and 20 services
behind one load balancer. Results also go to .bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs in the child. The atexit handler is registered before jsii is imported, so it runs
# after jsii's own handler has stopped (and waited for) the node process.
CHILD = r"""
import atexit, json, os, resource, runpy, sys
def report():
    with open(os.environ["BENCH_REPORT"], "w") as handle:
        json.dump({
            "python_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "node_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        }, handle)
atexit.register(report)
if os.environ.get("BENCH_PROVIDER_FIRST") == "1":
    import cdktf
    from cdktf_cdktf_provider_aws.provider import AwsProvider
sys.argv = ["main.py"]
runpy.run_path("main.py", run_name="__main__")
"""
MODES = ("fast", "provider-first", "ordinary")

SERVICES = r"""
import json, sys, time
import cdktf_fargate
from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_fargate import Cluster, EcrRepo, FargateService, Network, PublicAlb, Routing, ServiceOptions

def synth_seconds(count, outdir):
    started = time.perf_counter()
    app = App(outdir=outdir)
    stack = TerraformStack(app, f"services-{count}")
    AwsProvider(stack, "aws", region="us-east-1")
    network = Network(stack, "network", name="bench")
    alb = PublicAlb(stack, "alb", name="bench", network=network,
                    certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/bench")
    cluster = Cluster(stack, "cluster", name="bench")
    for index in range(count):
        repo = EcrRepo(stack, f"repository-{index}", name=f"bench-{index}")
        options = ServiceOptions(routing=Routing(priority=index + 1, path_patterns=(f"/s{index}/*",)))
        service = FargateService(stack, f"service-{index}", name=f"bench-{index}", cluster=cluster, network=network,
                                 alb=alb, image=repo.image_uri("v1"), options=options)
        repo.grant_pull(service.execution_role)
    app.synth()
    return time.perf_counter() - started

outdir = sys.argv[1]
synth_seconds(1, outdir)  # warm-up: first jsii calls load type metadata
results = {count: min(synth_seconds(count, outdir) for _ in range(3)) for count in (1, 5, 20)}
print(json.dumps(results))
"""


def run_once(mode: str, workdir: Path) -> dict[str, float]:
    report = workdir / "report.json"
    env = {
        **os.environ,
        "CDKTF_FARGATE_EAGER_PROVIDER": "1" if mode == "ordinary" else "0",
        "BENCH_PROVIDER_FIRST": "1" if mode == "provider-first" else "0",
        "CDKTF_OUTDIR": str(workdir / "out"),
        "BENCH_REPORT": str(report),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, check=True)
    wall = time.perf_counter() - started
    measured = json.loads(report.read_text())
    return {"wall_s": wall, **measured, "total_peak_mib": measured["python_peak_mib"] + measured["node_peak_mib"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of each mode (at least 3)")
    args = parser.parse_args()
    if args.runs < 3:
        parser.error(f"--runs={args.runs} is invalid: at least 3 runs of each mode are needed for a median")

    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory() as temporary:
        workdir = Path(temporary)
        for index in range(args.runs):
            for mode in MODES[index % 3 :] + MODES[: index % 3]:
                result = run_once(mode, workdir)
                runs[mode].append(result)
                print(
                    f"  run {index + 1} {mode:14s} wall {result['wall_s']:6.2f} s"
                    f"  python {result['python_peak_mib']:6.0f} MiB"
                    f"  node {result['node_peak_mib']:6.0f} MiB",
                    flush=True,
                )
        services = subprocess.run(
            [sys.executable, "-c", SERVICES, str(workdir / "services")],
            cwd=ROOT,
            env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"},
            check=True,
            capture_output=True,
            text=True,
        )
        per_count = {int(k): v for k, v in json.loads(services.stdout.strip().splitlines()[-1]).items()}

    medians = {
        mode: {key: statistics.median(run[key] for run in results) for key in results[0]}
        for mode, results in runs.items()
    }
    wall_ratio = medians["fast"]["wall_s"] / medians["ordinary"]["wall_s"]
    order_ratio = medians["provider-first"]["wall_s"] / medians["fast"]["wall_s"]
    memory_ratio = medians["fast"]["total_peak_mib"] / medians["ordinary"]["total_peak_mib"]
    per_service_ms = (per_count[20] - per_count[1]) / 19 * 1000

    print()
    print(f"{'median of ' + str(args.runs):14s} {'wall s':>8s} {'python MiB':>11s} {'node MiB':>9s} {'total MiB':>10s}")
    for mode in MODES:
        m = medians[mode]
        print(
            f"{mode:14s} {m['wall_s']:8.2f} {m['python_peak_mib']:11.0f}"
            f" {m['node_peak_mib']:9.0f} {m['total_peak_mib']:10.0f}"
        )
    print(f"fast/ordinary wall-time ratio   {wall_ratio:.3f}  (target <= 0.30)")
    print(f"fast/ordinary peak-memory ratio {memory_ratio:.3f}  (target <= 0.65)")
    print(f"provider-first/fast wall ratio  {order_ratio:.3f}  (target <= 1.10: the import order does not matter)")
    print(
        "synth of N services behind one ALB (in-process, best of 3): "
        + ", ".join(f"{count}: {seconds * 1000:.0f} ms" for count, seconds in per_count.items())
    )
    print(f"each extra service              {per_service_ms:.0f} ms  (target <= 150 ms)")

    results_path = ROOT / ".bench" / "results.json"
    results_path.parent.mkdir(exist_ok=True)
    results_path.write_text(
        json.dumps(
            {
                "machine": {"cpus": os.cpu_count(), "platform": sys.platform, "python": sys.version.split()[0]},
                "runs": runs,
                "medians": medians,
                "wall_ratio": wall_ratio,
                "provider_first_ratio": order_ratio,
                "memory_ratio": memory_ratio,
                "services_synth_s": per_count,
                "per_extra_service_ms": per_service_ms,
            },
            indent=2,
        )
    )
    print(f"written to {results_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
