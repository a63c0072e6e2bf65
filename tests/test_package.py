"""The library as users get it: a wheel installed into a fresh virtual environment, then every example app
synthesized there with the pinned cdktf CLI and checked by `terraform validate`."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

import cdktf_fargate

import pytest
from test_synth_and_validate import run, terraform_validate

ROOT = Path(__file__).resolve().parent.parent
CDKTF = ROOT / "node_modules" / ".bin" / "cdktf"
EXAMPLES = sorted(path.parent.name for path in (ROOT / "examples").glob("*/main.py"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built the way users build it: `pip wheel` with build isolation, from a copy without local state."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "setup.py", "README.md", "constructs"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name)
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    result = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(dist), str(source)],
        source,
        dict(os.environ),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_env(wheel, tmp_path_factory) -> Path:
    """A new virtual environment with only the wheel and the dependencies it declares."""
    venv = tmp_path_factory.mktemp("venv")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    created = run([sys.executable, "-m", "venv", "--clear", str(venv)], venv, env)
    assert created.returncode == 0, created.stderr
    installed = run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], venv, env, timeout=600
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv


def test_wheel_holds_the_package_its_type_marker_node_preload_and_start_up_hook_and_nothing_else(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    package_files = {name.split("/", 1)[1] for name in names if name.startswith("cdktf_fargate/")}
    assert {"py.typed", "_lazy_provider_require.js", "__init__.py", "fargate_service.py"} <= package_files
    assert {name.split("/", 1)[0] for name in names} == {
        "cdktf_fargate",
        # The `cdktf-fargate` command's package: it starts without the construct library.
        "cdktf_fargate_cli",
        # `cdktf-fargate emulator`: moto with this project's patches (the `emulator` extra installs moto).
        "cdktf_fargate_emulator",
        f"cdktf_fargate-{cdktf_fargate.__version__}.dist-info",
        # The start-up hook: a .pth at site-packages' root and the small module it imports.
        "cdktf_fargate_startup.pth",
        "_cdktf_fargate_startup.py",
    }
    pth = zipfile.ZipFile(wheel).read("cdktf_fargate_startup.pth").decode()
    assert pth.strip() == "import _cdktf_fargate_startup; _cdktf_fargate_startup.install()"
    assert wheel.name.startswith(f"cdktf_fargate-{cdktf_fargate.__version__}-py3-none-any")


def test_the_installed_wheel_makes_an_app_that_imports_the_provider_first_fast(fresh_env, tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    result = run(
        [
            str(fresh_env / "bin" / "python"),
            "-c",
            "import sys; import cdktf_cdktf_provider_aws; import cdktf_fargate; "
            "print(getattr(sys.modules['cdktf_cdktf_provider_aws'], '__cdktf_fargate_lazy__', False))",
        ],
        tmp_path,
        env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    assert "cdktf_fargate:" not in result.stderr


def test_wheel_declares_the_dependency_ranges_of_the_provider_bindings(wheel):
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"cdktf_fargate-{cdktf_fargate.__version__}.dist-info/METADATA").decode()
    requirements = sorted(
        line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")
    )
    assert requirements == [
        'boto3>=1.34; extra == "cli"',
        "cdktf-cdktf-provider-aws<21,>=20.1",
        "cdktf<0.22,>=0.21",
        "constructs<11,>=10.4.2",
        # The commands that need more say which extra brings it: the emulator's moto as pinned for development.
        'moto[server]==5.2.5; extra == "emulator"',
        'pyyaml>=6; extra == "copilot"',
    ]


def test_the_installed_wheel_has_the_command_which_says_what_it_needs(fresh_env, tmp_path):
    command = fresh_env / "bin" / "cdktf-fargate"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    shown = run([str(command), "--help"], tmp_path, env)
    assert shown.returncode == 0, shown.stderr
    for verb in ("status", "logs", "redeploy", "run-task", "exec", "rollback", "drift", "cost", "diagram",
                 "import-copilot", "emulator"):  # fmt: skip
        assert verb in shown.stdout
    # Outside an app: it says what to do first, in one line, without a traceback.
    refused = run([str(command), "status"], tmp_path, env)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "cdktf-fargate status: give --stack-dir cdktf.out/stacks/<stack>, or synthesize one stack first (`cdktf synth`)"
    )


def test_fresh_environment_imports_the_installed_copy_not_this_checkout(fresh_env, tmp_path):
    result = run(
        [
            str(fresh_env / "bin" / "python"),
            "-c",
            "import cdktf_fargate, json; print(json.dumps([cdktf_fargate.__file__, cdktf_fargate.__version__]))",
        ],
        tmp_path,
        {key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
    )
    assert result.returncode == 0, result.stderr
    location, version = json.loads(result.stdout)
    assert Path(location).is_relative_to(fresh_env)
    assert version == cdktf_fargate.__version__


def test_the_version_the_changelog_and_the_upgrade_guides_agree():
    """The package is its latest release, or the next minor's development version while the changelog has
    an Unreleased section; every upgrade guide leads to a release or to that next one."""
    changelog = (ROOT / "CHANGELOG.md").read_text()
    releases = re.findall(r"^## (\d+\.\d+\.\d+) — \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert releases, "CHANGELOG.md has no release heading like '## 1.2.3 — 2026-01-31'"
    major, minor, _ = releases[0].split(".")
    upcoming = f"{major}.{int(minor) + 1}"
    if re.search(r"^## Unreleased$", changelog, re.M):
        assert cdktf_fargate.__version__ == f"{upcoming}.0.dev0"
    else:
        assert cdktf_fargate.__version__ == releases[0]
    released = {release.rsplit(".", 1)[0] for release in releases}
    for guide in sorted((ROOT / "docs").glob("UPGRADE-*.md")):
        target = guide.stem.removeprefix("UPGRADE-")
        assert target in released | {upcoming}, guide.name
        assert guide.read_text().startswith("# Upgrading from "), guide.name
        assert f" to {target}\n" in guide.read_text().splitlines(keepends=True)[0], guide.name


def test_every_example_has_its_own_app_files():
    assert EXAMPLES == ["service-on-existing-alb", "single-service-existing-vpc", "two-services-one-alb"]
    for example in EXAMPLES:
        directory = ROOT / "examples" / example
        assert json.loads((directory / "cdktf.json").read_text())["app"] == "python3 main.py"
        assert (directory / "README.md").read_text().startswith("# Example: ")


@pytest.fixture(scope="module")
def synthesized_examples(fresh_env, tmp_path_factory, terraform_env) -> dict[str, Path]:
    """Each example, copied out of the repository, synthesized by `cdktf synth` with the fresh python3."""
    env = {key: value for key, value in terraform_env.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{fresh_env / 'bin'}{os.pathsep}{env['PATH']}"
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    stacks = {}
    for example in EXAMPLES:
        app_dir = tmp_path_factory.mktemp(example)
        shutil.copytree(ROOT / "examples" / example, app_dir, dirs_exist_ok=True)
        result = run([str(CDKTF), "synth"], app_dir, env)
        assert result.returncode == 0, result.stdout + result.stderr
        (stack_dir,) = (app_dir / "cdktf.out" / "stacks").iterdir()
        stacks[example] = stack_dir
    return stacks


def resources(stack_dir: Path) -> dict[str, dict[str, dict]]:
    return json.loads((stack_dir / "cdk.tf.json").read_text())["resource"]


def test_single_service_example_creates_no_network_and_uses_the_given_subnets(synthesized_examples):
    document = resources(synthesized_examples["single-service-existing-vpc"])
    assert "aws_vpc" not in document and "aws_subnet" not in document and "aws_nat_gateway" not in document
    (service,) = document["aws_ecs_service"].values()
    assert service["network_configuration"]["subnets"] == "${var.private_subnet_ids}"
    assert service["network_configuration"]["assign_public_ip"] is False
    assert service["desired_count"] == 2
    (alb,) = document["aws_lb"].values()
    assert alb["subnets"] == "${var.public_subnet_ids}"


def test_two_services_example_routes_by_path_to_two_services_in_one_cluster(synthesized_examples):
    document = resources(synthesized_examples["two-services-one-alb"])
    assert len(document["aws_lb"]) == 1
    assert len(document["aws_ecs_cluster"]) == 1
    assert len(document["aws_ecs_service"]) == 2
    assert len(document["aws_lb_target_group"]) == 2
    assert len(document["aws_ecr_repository"]) == 2
    routes = sorted(
        (rule["priority"], rule["condition"][0]["path_pattern"]["values"])
        for rule in document["aws_lb_listener_rule"].values()
    )
    assert routes == [(100, ["/api/*"]), (200, ["/*"])]
    clusters = {service["cluster"] for service in document["aws_ecs_service"].values()}
    assert len(clusters) == 1


def test_existing_alb_example_creates_only_the_service_and_what_belongs_to_it(synthesized_examples):
    document = json.loads((synthesized_examples["service-on-existing-alb"] / "cdk.tf.json").read_text())
    created = document["resource"]
    for kind in ("aws_lb", "aws_lb_listener", "aws_ecs_cluster", "aws_ecr_repository", "aws_vpc", "aws_subnet"):
        assert kind not in created, kind
    assert set(document["data"]["aws_lb"]) and set(document["data"]["aws_ecr_repository"])
    (rule,) = created["aws_lb_listener_rule"].values()
    assert rule["listener_arn"] == "${var.https_listener_arn}"
    (service,) = created["aws_ecs_service"].values()
    assert service["cluster"] == "${var.cluster_arn}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_passes_terraform_validate(synthesized_examples, example, terraform_env):
    terraform_validate(synthesized_examples[example], terraform_env)


@pytest.mark.parametrize("example", EXAMPLES)
def test_an_outside_app_prices_and_draws_its_own_stack_with_the_installed_command(
    fresh_env, synthesized_examples, example, tmp_path
):
    """As a team with its own CDKTF app would: the wheel's `cdktf-fargate` on the app's synthesized stack."""
    command = str(fresh_env / "bin" / "cdktf-fargate")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    stack = synthesized_examples[example]
    services = {body["name"] for body in resources(stack)["aws_ecs_service"].values()}
    priced = run([command, "--stack-dir", str(stack), "cost", "--json", str(tmp_path / "cost.json")], tmp_path, env)
    assert priced.returncode == 0, priced.stderr
    report = json.loads((tmp_path / "cost.json").read_text())
    fargate = {item["what"].split(":")[0] for item in report["items"] if item["resource"] == "aws_ecs_service"}
    assert fargate == services
    assert report["monthly_usd_total"] == pytest.approx(sum(item["monthly_usd"] for item in report["items"]), abs=0.05)
    assert f"{report['monthly_usd_total']:.2f}" in priced.stdout
    drawn = run([command, "--stack-dir", str(stack), "diagram"], tmp_path, env)
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.startswith("flowchart LR\n")
    for rule in resources(stack)["aws_lb_listener_rule"].values():
        assert f'· priority {rule["priority"]}"| ' in drawn.stdout
    for name in services:
        # Named as in the stack, less the stack's own name in front: `shop-api` of stack `shop` is `api`.
        assert f'["{name.removeprefix(stack.name + "-")}' in drawn.stdout


@pytest.mark.e2e
def test_an_outside_app_deployed_to_the_emulator_is_drift_checked_by_the_installed_command(
    fresh_env, tmp_path_factory, terraform_env
):
    """The two-service example, deployed with the pinned cdktf CLI and the fresh venv's python to its own
    emulator; the wheel's `cdktf-fargate drift` finds nothing, then what was changed outside Terraform."""
    import boto3
    import processes
    from e2e_support import ANSI, EMULATOR_CREDENTIALS, local_aws

    app_dir = tmp_path_factory.mktemp("outside-app")
    shutil.copytree(ROOT / "examples" / "two-services-one-alb", app_dir, dirs_exist_ok=True)
    main = app_dir / "main.py"
    # The emulator answers on 127.0.0.1, where S3 can only be addressed by path (its gap, not the app's).
    main.write_text(main.read_text().replace('region="us-east-1")', 'region="us-east-1", s3_use_path_style=True)', 1))
    with local_aws(tmp_path_factory, "outside") as emulator:
        dropped = ("PYTHONPATH", "VIRTUAL_ENV")
        env = {key: value for key, value in terraform_env.items()
               if key not in dropped and not key.startswith(("AWS_", "CDKTF_FARGATE_"))}  # fmt: skip
        env.update(
            PATH=f"{fresh_env / 'bin'}{os.pathsep}{terraform_env['PATH']}",
            JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
            AWS_ENDPOINT_URL=emulator.endpoint,
            AWS_DEFAULT_REGION="us-east-1",
            TF_PLUGIN_CACHE_DIR=str(app_dir / ".terraform-plugin-cache"),
            **EMULATOR_CREDENTIALS,
        )
        env = processes.marked(env, app_dir.name)
        (app_dir / ".terraform-plugin-cache").mkdir()
        variables = ["--var", "image_tag=v1", "--var", f"certificate_arn={emulator.certificate_arn}"]
        deployed = processes.run([str(CDKTF), "deploy", "--auto-approve", "--skip-provider-lock", *variables],
                                 cwd=app_dir, env=env, timeout=900)  # fmt: skip
        assert deployed.returncode == 0, ANSI.sub("", deployed.stdout[-3000:]) + deployed.stderr[-2000:]
        drift = [str(fresh_env / "bin" / "cdktf-fargate"), "--stack-dir", "cdktf.out/stacks/shop", "drift", *variables]
        clean = processes.run(drift, cwd=app_dir, env=env, timeout=600)
        assert clean.returncode == 0, ANSI.sub("", clean.stdout[-3000:]) + clean.stderr[-2000:]
        elb = boto3.client("elbv2", endpoint_url=emulator.endpoint, region_name="us-east-1", aws_access_key_id="test",
                           aws_secret_access_key="test")  # fmt: skip
        (balancer,) = elb.describe_load_balancers(Names=["shop"])["LoadBalancers"]
        elb.modify_load_balancer_attributes(
            LoadBalancerArn=balancer["LoadBalancerArn"],
            Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "300"}],
        )
        drifted = processes.run(drift, cwd=app_dir, env=env, timeout=600)
        assert drifted.returncode == 2, ANSI.sub("", drifted.stdout[-3000:]) + drifted.stderr[-2000:]
        assert "idle_timeout" in ANSI.sub("", drifted.stdout)
