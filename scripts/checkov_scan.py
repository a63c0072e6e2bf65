#!/usr/bin/env python3
"""Run checkov on a synthesized stack's cdk.tf.json and print the failed checks as JSON lines.

    scripts/checkov_scan.py CHECKOV_BINARY STACK_DIR [CONFIG_FILE]

checkov runs in an empty directory, so no `.checkov.yaml` applies but CONFIG_FILE's.

checkov 3.3's terraform_json parser stops on a string directly under the `terraform`
block ("this method receives only dicts"), which `required_version` is, and counts a
top-level `moved` list (state moves across a construct-id change) as a parsing error. Neither
holds a resource to check, so a copy of the file without them is scanned; the stack itself is
left as it is. Prints one JSON object per line: {"check_id", "resource", "name"}, and a
last line {"passed": N, "failed": N, "skipped": N, "parsing_errors": N}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def scan(checkov: str, stack_dir: Path, config_file: Path | None = None) -> dict:
    if os.sep in checkov:
        checkov = str(Path(checkov).resolve())  # checkov runs in another directory
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    document.get("terraform", {}).pop("required_version", None)
    document.pop("moved", None)
    with tempfile.TemporaryDirectory() as temporary:
        copy = Path(temporary) / "cdk.tf.json"
        copy.write_text(json.dumps(document, indent=2))
        command = [
            checkov,
            "-f",
            str(copy),
            "--framework",
            "terraform_json",
            "--output",
            "json",
            "--quiet",
            "--skip-download",
        ]
        if config_file is not None:
            command += ["--config-file", str(config_file.resolve())]
        env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
        result = subprocess.run(
            command, cwd=temporary, capture_output=True, text=True, env=env, check=False, timeout=600
        )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"checkov exited {result.returncode}: {result.stderr[-3000:]}")
    report = json.loads(result.stdout)
    if isinstance(report, list):
        report = report[0]
    summary = report["summary"]
    failed = [
        {"check_id": check["check_id"], "resource": check["resource"], "name": check["check_name"]}
        for check in report["results"].get("failed_checks", [])
    ]
    skipped = [
        {"check_id": check["check_id"], "resource": check["resource"]}
        for check in report["results"].get("skipped_checks", [])
    ]
    return {
        "failed": failed,
        "skipped": skipped,
        "passed": summary["passed"],
        "parsing_errors": summary["parsing_errors"],
    }


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    config = Path(argv[3]) if len(argv) == 4 else None
    result = scan(argv[1], Path(argv[2]), config)
    for failure in result["failed"]:
        print(json.dumps(failure))
    print(json.dumps({k: (len(v) if isinstance(v, list) else v) for k, v in result.items()}))
    return 1 if result["failed"] or result["parsing_errors"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
