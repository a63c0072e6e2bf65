"""The fast provider import: only the submodules in use are loaded, and nothing else changes.

Each case runs in a fresh interpreter, since the point is what a process imports.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT


def python_process(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``code`` run by a fresh interpreter of this environment, as an app's main module would be."""
    environment = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    environment.pop("CDKTF_FARGATE_EAGER_PROVIDER", None)
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def run_python(code: str, **env: str) -> str:
    return python_process(code, **env).stdout.strip()


# The provider modules the library uses (of ~2,100): those `_bindings.py` imports, and the jsii runtime.
USED_PROVIDER_MODULES = sorted(
    {"_jsii"}
    | set(
        re.findall(
            r"^from cdktf_cdktf_provider_aws\.(\w+) import",
            (ROOT / "constructs" / "cdktf_fargate" / "_bindings.py").read_text(),
            re.MULTILINE,
        )
    )
)


def test_importing_cdktf_fargate_loads_only_the_provider_modules_it_uses():
    output = run_python(
        """
        import sys
        import cdktf_fargate
        loaded = [m for m in sys.modules if m.startswith("cdktf_cdktf_provider_aws.") and m.count(".") == 1]
        print(" ".join(sorted(m.split(".")[1] for m in loaded)))
        print(getattr(sys.modules["cdktf_cdktf_provider_aws"], "__cdktf_fargate_lazy__", False))
        """
    )
    loaded, lazy = output.splitlines()
    assert lazy == "True"
    assert loaded.split() == USED_PROVIDER_MODULES


def test_other_code_can_import_any_provider_module_after_cdktf_fargate():
    output = run_python(
        """
        import cdktf_fargate
        import cdktf_cdktf_provider_aws
        from cdktf_cdktf_provider_aws import s3_bucket
        from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
        import cdktf_cdktf_provider_aws.sns_topic as sns_topic
        print(s3_bucket.S3Bucket.__name__, SqsQueue.__name__, sns_topic.SnsTopic.__name__)
        print(cdktf_cdktf_provider_aws.dynamodb_table.DynamodbTable.__name__)
        print("s3_bucket" in cdktf_cdktf_provider_aws.__all__, "s3_bucket" in dir(cdktf_cdktf_provider_aws))
        try:
            cdktf_cdktf_provider_aws.no_such_module
        except AttributeError as error:
            print("AttributeError", error)
        """
    )
    lines = output.splitlines()
    assert lines[0] == "S3Bucket SqsQueue SnsTopic"
    assert lines[1] == "DynamodbTable"
    assert lines[2] == "True True"
    assert lines[3].startswith("AttributeError") and "no_such_module" in lines[3]


@pytest.mark.parametrize(
    "first",
    [
        "import cdktf_cdktf_provider_aws",
        "from cdktf_cdktf_provider_aws.vpc import Vpc",
        "import cdktf; from cdktf_cdktf_provider_aws.provider import AwsProvider",
    ],
)
def test_the_start_up_hook_makes_any_import_order_fast(first):
    output = run_python(
        f"""
        import sys
        {first}
        import cdktf_fargate
        from cdktf_fargate._provider import slow_import_warning
        from cdktf_cdktf_provider_aws import s3_bucket
        provider = sys.modules["cdktf_cdktf_provider_aws"]
        loaded = [m for m in sys.modules if m.startswith("cdktf_cdktf_provider_aws.") and m.count(".") == 1]
        bound = {len(USED_PROVIDER_MODULES) + 2}  # what cdktf_fargate uses, the module imported first, s3_bucket
        print(getattr(provider, "__cdktf_fargate_lazy__", False), len(loaded) <= bound, slow_import_warning())
        print(s3_bucket.S3Bucket.__name__)
        """
    )
    assert output.splitlines() == ["True True None", "S3Bucket"]


def test_the_hook_is_what_python_installs_at_start_up():
    output = run_python(
        """
        import sys
        print([type(finder).__name__ for finder in sys.meta_path].count("_Hook"), "cdktf_fargate" in sys.modules)
        """
    )
    # The hook is in place before any import, and it imported nothing heavy to get there.
    assert output == "1 False"


def test_without_the_hook_a_provider_imported_first_is_left_alone_and_one_line_says_why():
    result = python_process(
        """
        import sys
        # As in an environment whose package has no start-up hook (a checkout on PYTHONPATH).
        sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "_Hook"]
        import cdktf_cdktf_provider_aws
        ordinary = sys.modules["cdktf_cdktf_provider_aws"]
        import cdktf_fargate
        from cdktf_cdktf_provider_aws import s3_bucket
        print(sys.modules["cdktf_cdktf_provider_aws"] is ordinary, hasattr(ordinary, "__cdktf_fargate_lazy__"))
        """
    )
    assert result.stdout.strip() == "True False"
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("cdktf_fargate:")]
    assert "cdktf_cdktf_provider_aws was imported whole" in warning and "import cdktf_fargate first" in warning


@pytest.mark.slow
def test_synthesized_json_is_byte_identical_with_fast_and_ordinary_imports(tmp_path):
    outputs = {}
    for mode, eager in (("fast", "0"), ("ordinary", "1")):
        outdir = tmp_path / mode
        run_python(
            "import runpy; runpy.run_path('main.py', run_name='__main__')",
            CDKTF_OUTDIR=str(outdir),
            CDKTF_FARGATE_EAGER_PROVIDER=eager,
            CDKTF_FARGATE_ENV="prod",
        )
        outputs[mode] = (outdir / "stacks" / "webapp-prod" / "cdk.tf.json").read_bytes()
    assert outputs["fast"] == outputs["ordinary"]
    assert len(outputs["fast"]) > 10_000


def test_node_preload_makes_the_provider_index_require_nothing_until_used(tmp_path):
    """The jsii kernel's require of the provider's lib/index.js must not load the 2,135 resource modules."""
    import shutil
    import tarfile

    from cdktf_fargate._provider import NODE_PRELOAD

    tarball = next((ROOT / ".venv").glob("lib/python*/site-packages/cdktf_cdktf_provider_aws/_jsii/*.jsii.tgz"))
    package_dir = tmp_path / "node_modules" / "@cdktf" / "provider-aws"
    with tarfile.open(tarball) as archive:
        for member in ("package/package.json", "package/lib/index.js"):
            extracted = archive.extractfile(member)
            assert extracted is not None
            target = package_dir / member.removeprefix("package/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(extracted.read())
    script = textwrap.dedent(
        """
        const index = require("@cdktf/provider-aws");
        const loaded = Object.keys(require.cache).filter((file) => file.includes("provider-aws"));
        console.log(JSON.stringify({
            exported: Object.keys(index).length, loaded: loaded.length, vpc: "vpc" in index,
        }));
        """
    )
    node = shutil.which("node")
    assert node is not None
    result = subprocess.run(
        [node, "--require", str(NODE_PRELOAD), "-e", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {"exported": 2135, "loaded": 1, "vpc": True}
