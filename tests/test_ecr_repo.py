"""EcrRepo: immutable, scanned, encrypted repository with a lifecycle policy and pull grants."""

from __future__ import annotations

import json

from cdktf_fargate import EcrRepo, RepositoryOptions

import pytest
from cdktf import TerraformOutput, Testing
from cdktf_cdktf_provider_aws.iam_role import IamRole
from conftest import Synthesized, new_stack, ref


def test_defaults_are_immutable_scanned_aes256_and_keep_30_images(stack):
    EcrRepo(stack, "repository", name="shop")
    synth = Synthesized(stack)
    repository = synth.only("aws_ecr_repository")
    assert repository["name"] == "shop"
    assert repository["image_tag_mutability"] == "IMMUTABLE"
    assert repository["image_scanning_configuration"] == {"scan_on_push": True}
    assert repository["encryption_configuration"] == [{"encryption_type": "AES256"}]
    assert repository["force_delete"] is False
    # Keeping its images, it refuses any plan that would delete it (a rename, a moved construct).
    assert repository["lifecycle"] == {"prevent_destroy": True}

    lifecycle = synth.only("aws_ecr_lifecycle_policy")
    assert lifecycle["repository"] == ref("aws_ecr_repository", repository, "name")
    untagged, rule = json.loads(lifecycle["policy"])["rules"]
    assert untagged["rulePriority"] == 1
    assert untagged["selection"] == {
        "tagStatus": "untagged",
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 7,
    }
    assert rule["rulePriority"] == 2
    assert rule["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}
    assert rule["action"] == {"type": "expire"}


def test_every_setting_can_be_overridden(stack):
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    EcrRepo(
        stack,
        "repository",
        name="team/shop",
        kms_key_arn=key,
        options=RepositoryOptions(
            image_tag_mutability="MUTABLE",
            scan_on_push=False,
            keep_last_images=5,
            untagged_expire_days=1,
            force_delete=True,
        ),
    )
    synth = Synthesized(stack)
    repository = synth.only("aws_ecr_repository")
    assert repository["image_tag_mutability"] == "MUTABLE"
    assert repository["image_scanning_configuration"] == {"scan_on_push": False}
    assert repository["encryption_configuration"] == [{"encryption_type": "KMS", "kms_key": key}]
    assert repository["force_delete"] is True
    assert "lifecycle" not in repository
    untagged, rule = json.loads(synth.only("aws_ecr_lifecycle_policy")["policy"])["rules"]
    assert (untagged["selection"]["countNumber"], rule["selection"]["countNumber"]) == (1, 5)


def test_grant_pull_allows_this_repository_only(stack):
    repo = EcrRepo(stack, "repository", name="shop")
    role = IamRole(stack, "role", assume_role_policy="{}")
    first = repo.grant_pull(role)
    assert repo.grant_pull(role) is first
    synth = Synthesized(stack)
    policy = synth.only("aws_iam_role_policy")
    assert policy["role"] == ref("aws_iam_role", synth.only("aws_iam_role"), "id")
    document = synth.only_data("aws_iam_policy_document")
    statements = {statement["sid"]: statement for statement in document["statement"]}
    pull = statements["PullFromRepository"]
    assert pull["resources"] == [ref("aws_ecr_repository", synth.only("aws_ecr_repository"), "arn")]
    assert sorted(pull["actions"]) == [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ]
    assert statements["GetRegistryToken"]["actions"] == ["ecr:GetAuthorizationToken"]
    assert policy["policy"] == f"${{data.aws_iam_policy_document.{document['__logical_id__']}.json}}"


def test_image_uri_joins_repository_url_and_tag(stack):
    repo = EcrRepo(stack, "repository", name="shop")
    TerraformOutput(stack, "image", value=repo.image_uri("3f2c1d0"))
    synth = Synthesized(stack)
    repository = synth.only("aws_ecr_repository")
    assert synth.json["output"]["image"]["value"] == (
        ref("aws_ecr_repository", repository, "repository_url") + ":3f2c1d0"
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"name": "Shop"}, r"name='Shop' is invalid: must be lower-case"),
        ({"name": "-shop"}, r"name='-shop' is invalid"),
        ({"name": "shop/"}, r"name='shop/' is invalid"),
        ({"name": "a"}, r"name='a' is invalid: must be 2 to 256 characters"),
        ({"name": "a" * 257}, r"must be 2 to 256 characters"),
        ({"name": None}, r"name=None is invalid: must be lower-case"),
        (
            {"options": RepositoryOptions(image_tag_mutability="immutable")},  # type: ignore[arg-type]
            r"options.image_tag_mutability='immutable' is invalid: must be 'IMMUTABLE' or 'MUTABLE'",
        ),
        (
            {"options": RepositoryOptions(scan_on_push="true")},  # type: ignore[arg-type]
            r"options.scan_on_push='true' is invalid: must be true or false",
        ),
        ({"options": {"scan_on_push": True}}, r"options=.* is invalid: must be a RepositoryOptions"),
        ({"kms_key_arn": "alias/ecr"}, r"kms_key_arn='alias/ecr' is invalid: must be an ARN"),
        ({"kms_key_arn": "arn:aws:s3:::bucket-name"}, r"must be an ARN of the kms service"),
        (
            {"options": RepositoryOptions(keep_last_images=0)},
            r"options.keep_last_images=0 is invalid: must be a whole number from 1 to 10000",
        ),
        ({"options": RepositoryOptions(keep_last_images=10001)}, r"options.keep_last_images=10001 is invalid"),
        (
            {"options": RepositoryOptions(untagged_expire_days=0)},
            r"options.untagged_expire_days=0 is invalid: must be a whole number from 1 to 3650",
        ),
    ],
)
def test_fails_when_a_setting_is_invalid(settings, message):
    with pytest.raises(ValueError, match=message):
        EcrRepo(new_stack(), "repository", **{"name": "shop", **settings})


def test_fails_when_two_repositories_in_one_app_share_a_name(stack):
    EcrRepo(stack, "repository", name="shop")
    with pytest.raises(
        ValueError, match=r"name='shop' is invalid: is already the name of the ECR repository at 'test/repository'"
    ):
        EcrRepo(stack, "again", name="shop")


def test_an_existing_repository_is_read_by_name_and_granted_like_a_created_one(stack):
    repo = EcrRepo.from_existing(stack, "repository", name="team/shop")
    role = IamRole(stack, "role", assume_role_policy="{}")
    repo.grant_pull(role)
    TerraformOutput(stack, "image", value=repo.image_uri("3f2c1d0"))
    synth = Synthesized(stack)
    assert synth.count("aws_ecr_repository") == 0
    data = synth.only_data("aws_ecr_repository")
    assert data["name"] == "team/shop"
    document = synth.by_path_data("aws_iam_policy_document", "repository/pull-test-role-document")
    assert document["statement"][0]["resources"] == [ref("data.aws_ecr_repository", data, "arn")]
    assert synth.json["output"]["image"]["value"] == ref("data.aws_ecr_repository", data, "repository_url") + ":3f2c1d0"


@pytest.mark.parametrize("tag", ["", "latest tag", ".hidden", "-x", "a" * 129, "tag:1"])
def test_fails_when_an_image_tag_is_invalid(stack, tag):
    repo = EcrRepo(stack, "repository", name="shop")
    with pytest.raises(ValueError, match=r"image tag=.* is invalid: must be 1-128 characters"):
        repo.image_uri(tag)


def test_require_image_makes_the_plan_read_the_tag_from_the_repository(stack):
    repo = EcrRepo(stack, "repository", name="shop")
    repo.require_image("3f2c1d0")
    synth = Synthesized(stack)
    image = synth.only_data("aws_ecr_image")
    assert image["image_tag"] == "3f2c1d0"
    assert image["repository_name"] == ref("aws_ecr_repository", synth.only("aws_ecr_repository"), "name")


def test_adopting_takes_over_the_repository_of_its_name_with_an_import_block():
    stack = new_stack()
    repo = EcrRepo(stack, "repo", name="shop/api")
    repo.adopt()
    synthesized = json.loads(Testing.synth(stack))
    (logical_id,) = synthesized["resource"]["aws_ecr_repository"]
    assert synthesized["import"] == [{"id": "shop/api", "to": f"aws_ecr_repository.{logical_id}"}]
    assert "import" not in json.loads(Testing.synth(_stack_with_plain_repository()))


def _stack_with_plain_repository():
    stack = new_stack()
    EcrRepo(stack, "repo", name="shop/api")
    return stack
