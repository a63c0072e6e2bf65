"""Build once, promote (`promote_from`): the settings that allow it, and the copy by digest
(scripts/promote_images.py) on the emulator, whose ECR keeps and serves layers and checks manifests as
AWS does (cdktf_fargate_emulator/patches.py `_patch_ecr_image_content`). The deploy role's reach is proven with the
roles' recorded calls in tests/test_end_to_end_deploy_role.py."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from cdktf_fargate_emulator import LocalAws
from promote_images import PromotionError, copy_image, promotions
from registry import image_manifest, push_image, upload

from stacks.deploy_permissions import deploy_policy
from stacks.environments import load_bootstrap, load_environment

BOOTSTRAP = """
[bootstrap]
github_repository = "acme/app"
state_bucket = "app-state"
environments = ["dev", "prod"]
"""
DEV = """
[dev]
state_bucket = "app-state"
[dev.services.web]
kind = "web"
[dev.services.worker]
kind = "backend"
service.task.cpu_architecture = "ARM64"
"""


def settings(tmp_path: Path, prod: str, *, bootstrap: str = BOOTSTRAP, dev: str = DEV) -> Path:
    path = tmp_path / "environments.toml"
    path.write_text(f'{bootstrap}\n{dev}\n[prod]\nstate_bucket = "app-state"\n{prod}')
    return path


EU = 'region = "eu-west-1"\nstate_region = "us-east-1"'
PROD = """promote_from = "dev"
[prod.services.web]
kind = "web"
[prod.services.worker]
kind = "backend"
service.task.cpu_architecture = "ARM64"
"""


def test_a_promoted_environment_copies_each_service_image_from_the_same_service_of_its_source(tmp_path, monkeypatch):
    monkeypatch.setenv("CDKTF_FARGATE_CONFIG", str(settings(tmp_path, PROD)))
    assert promotions("prod") == ("us-east-1", [("webapp-dev-web", "webapp-prod-web"),
                                                ("webapp-dev-worker", "webapp-prod-worker")])  # fmt: skip
    load_bootstrap()  # the bootstrap, which makes prod's deploy role, accepts it too


@pytest.mark.parametrize(
    ("prod", "bootstrap", "message"),
    [
        ('promote_from = "qa"\n', BOOTSTRAP, "promote_from='qa' is invalid: is not an environment in environments"),
        ('promote_from = "prod"\n', BOOTSTRAP, "promote_from='prod' is invalid: names this environment itself"),
        (PROD, BOOTSTRAP.replace('["dev", "prod"]', '["prod", "dev"]'), "CI deploys 'prod' before 'dev'"),
        (PROD.replace("[prod.services.web]", f'{EU}\n[prod.services.web]'), BOOTSTRAP,
         "region is 'us-east-1' there and 'eu-west-1' here"),
        (PROD.replace('kind = "backend"', 'kind = "backend"\n[prod.services.mailer]\nkind = "backend"'), BOOTSTRAP,
         "'dev' builds no image for service 'mailer', which 'prod' runs"),
        ('promote_from = "dev"\n', BOOTSTRAP, "'dev' builds no image for the one service (no `services`)"),
        (PROD.replace('service.task.cpu_architecture = "ARM64"\n', ""), BOOTSTRAP,
         "service 'worker' runs on X86_64 here and on ARM64 in 'dev'"),
        # A repository the source took over is outside what this environment's deploy role may copy from.
        (PROD, BOOTSTRAP, "service 'web' runs from 'legacy/web' in 'dev', a repository it adopted"),
    ],
)  # fmt: skip
def test_fails_when_the_source_could_not_have_run_what_the_environment_deploys(tmp_path, prod, bootstrap, message):
    dev = DEV.replace(
        '[dev.services.web]\nkind = "web"', '[dev.services.web]\nkind = "web"\nadopt_repository = "legacy/web"'
    )
    path = settings(tmp_path, prod, bootstrap=bootstrap, dev=dev if "adopted" in message else DEV)
    with pytest.raises(ValueError, match="environment 'prod'") as raised:
        load_environment("prod", path)
    assert message in str(raised.value)
    with pytest.raises(ValueError) as raised:
        load_bootstrap(path)
    assert message in str(raised.value)


def test_the_deploy_role_may_pull_from_its_source_alone_and_change_nothing_there(tmp_path):
    prod = load_environment("prod", settings(tmp_path, PROD))
    policy = deploy_policy(prod, state_bucket="app-state", partition="aws", account="123456789012")
    by_sid = {statement["Sid"]: statement for statement in policy["Statement"]}
    promote = by_sid["PromoteFromItsSource"]
    assert promote["Action"] == ["ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer"]
    assert promote["Resource"] == [
        "arn:aws:ecr:us-east-1:123456789012:repository/webapp-dev",
        "arn:aws:ecr:us-east-1:123456789012:repository/webapp-dev-*",
    ]
    assert promote["Condition"] == {"StringEquals": {"aws:ResourceTag/Environment": "dev"}}
    # Pulling is no change, yet no other environment's images may be pulled either.
    assert set(promote["Action"]) <= set(by_sid["NeverAnotherEnvironment"]["NotAction"])
    images = by_sid["NeverAnotherEnvironmentsImages"]
    assert images["Action"] == promote["Action"]
    assert images["Condition"]["StringNotEquals"]["aws:ResourceTag/Environment"] == ["prod", "dev", "bootstrap"]
    # A building environment's role pulls nothing of another.
    dev = deploy_policy(load_environment("dev", settings(tmp_path, PROD)), state_bucket="app-state",
                        partition="aws", account="123456789012")  # fmt: skip
    sids = {statement["Sid"] for statement in dev["Statement"]}
    assert "PromoteFromItsSource" not in sids and "NeverAnotherEnvironmentsImages" not in sids


# The copy, on the emulator.


@pytest.fixture(scope="module")
def ecr():
    import boto3

    with LocalAws(port=0) as emulator:
        client = boto3.client("ecr", endpoint_url=emulator.endpoint, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
        for name in ("dev-web", "prod-web", "prod-api"):
            client.create_repository(repositoryName=name, imageTagMutability="IMMUTABLE")
        yield client


def test_the_copy_holds_the_digest_the_source_ran_and_every_layer_under_it(ecr):
    ran = push_image(ecr, "dev-web", "abc123", layer_bytes=3_500_000)  # several parts of 1 MiB
    assert copy_image(ecr, "dev-web", "prod-web", "abc123") == ran
    (copied,) = ecr.batch_get_image(repositoryName="prod-web", imageIds=[{"imageTag": "abc123"}])["images"]
    assert (
        copied["imageId"]["imageDigest"]
        == ran
        == "sha256:" + hashlib.sha256(copied["imageManifest"].encode()).hexdigest()
    )
    for child in json.loads(copied["imageManifest"])["manifests"]:
        (held,) = ecr.batch_get_image(repositoryName="prod-web", imageIds=[{"imageDigest": child["digest"]}])["images"]
        manifest = json.loads(held["imageManifest"])
        digests = [manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])]
        layers = ecr.batch_check_layer_availability(repositoryName="prod-web", layerDigests=digests)
        assert [layer["layerAvailability"] for layer in layers["layers"]] == ["AVAILABLE"] * 2
    # A re-run of the same deploy finds it there and copies nothing.
    assert copy_image(ecr, "dev-web", "prod-web", "abc123") == ran


def test_fails_when_the_source_has_no_image_under_the_tag(ecr):
    with pytest.raises(PromotionError, match="dev-web: no image"):
        copy_image(ecr, "dev-web", "prod-web", "never-pushed")


def test_fails_when_the_destination_holds_another_image_under_the_tag(ecr):
    push_image(ecr, "dev-web", "t2")
    push_image(ecr, "prod-api", "t2")
    with pytest.raises(PromotionError, match="tags are immutable"):
        copy_image(ecr, "dev-web", "prod-api", "t2")


def test_fails_when_a_downloaded_layer_is_not_the_digest_it_was_asked_for(ecr):
    import io

    push_image(ecr, "dev-web", "t3")
    with pytest.raises(PromotionError, match="downloaded as sha256:"):
        copy_image(ecr, "dev-web", "prod-api", "t3", download=lambda url: io.BytesIO(b"tampered"))
    assert ecr.batch_get_image(repositoryName="prod-api", imageIds=[{"imageTag": "t3"}])["images"] == []


# The emulator's ECR, as the copy's proof needs it to behave (AWS's documented errors).


def test_the_emulator_refuses_a_manifest_whose_layers_are_not_in_the_repository(ecr):
    config = {"digest": "sha256:" + "0" * 64, "size": 1}
    with pytest.raises(ecr.exceptions.ClientError, match="LayersNotFoundException"):
        ecr.put_image(repositoryName="prod-api", imageManifest=image_manifest(config, []), imageTag="x1")


def test_the_emulator_refuses_an_index_whose_images_are_not_in_the_repository(ecr):
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": [{"digest": "sha256:" + "1" * 64, "size": 2}]})  # fmt: skip
    with pytest.raises(ecr.exceptions.ClientError, match="ReferencedImagesNotFoundException"):
        ecr.put_image(repositoryName="prod-api", imageManifest=index, imageTag="x2")


def test_the_emulator_names_an_image_by_its_manifest_and_refuses_another_digest(ecr):
    config = upload(ecr, "prod-api", b"named")
    body = image_manifest(config, [])
    with pytest.raises(ecr.exceptions.ClientError, match="ImageDigestDoesNotMatchException"):
        ecr.put_image(repositoryName="prod-api", imageManifest=body, imageTag="x3", imageDigest="sha256:" + "2" * 64)
    put = ecr.put_image(repositoryName="prod-api", imageManifest=body, imageTag="x3")
    assert put["image"]["imageId"]["imageDigest"] == "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def test_the_emulator_refuses_an_upload_that_is_not_the_digest_named(ecr):
    started = ecr.initiate_layer_upload(repositoryName="prod-api")
    ecr.upload_layer_part(repositoryName="prod-api", uploadId=started["uploadId"], partFirstByte=0,
                          partLastByte=2, layerPartBlob=b"abc")  # fmt: skip
    with pytest.raises(ecr.exceptions.ClientError, match="InvalidLayerException"):
        ecr.complete_layer_upload(repositoryName="prod-api", uploadId=started["uploadId"],
                                  layerDigests=["sha256:" + "3" * 64])  # fmt: skip


def test_the_command_names_the_setting_when_the_environment_builds(tmp_path, monkeypatch, capsys):
    import promote_images

    monkeypatch.setenv("CDKTF_FARGATE_CONFIG", str(settings(tmp_path, PROD)))
    assert promote_images.main(["dev", "--tag", "abc"]) == 2
    assert "environment 'dev': promote_from is not set" in capsys.readouterr().err
    assert sys.modules["promote_images"] is promote_images
