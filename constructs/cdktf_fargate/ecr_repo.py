"""EcrRepo: the private image repository the service pulls from."""

from __future__ import annotations

import json
import re

from constructs import Construct

from ._bindings import (
    DataAwsEcrImage,
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    EcrLifecyclePolicy,
    EcrRepository,
    EcrRepositoryEncryptionConfiguration,
    EcrRepositoryImageScanningConfiguration,
    IamRole,
    IamRolePolicy,
)
from ._validation import Problems

# ECR's own rule for repository names (namespaces separated by '/').
REPOSITORY_NAME_PATTERN = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")
IMAGE_TAG_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
TAG_MUTABILITY = ("IMMUTABLE", "MUTABLE")
MAX_KEEP_LAST_IMAGES = 10000
PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


class EcrRepo(Construct):
    """A private ECR repository with scanning, encryption and a lifecycle policy."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        image_tag_mutability: str = "IMMUTABLE",
        scan_on_push: bool = True,
        kms_key_arn: str | None = None,
        keep_last_images: int = 30,
        untagged_expire_days: int = 7,
        force_delete: bool = False,
    ) -> None:
        """
        :param name: repository name, 2-256 characters of ECR's pattern (lower case, digits, ``._-/``).
        :param image_tag_mutability: ``IMMUTABLE`` (default: a deployed tag always means the same image)
            or ``MUTABLE``.
        :param scan_on_push: scan each pushed image for vulnerabilities. Default True.
        :param kms_key_arn: encrypt with this KMS key. Default None: AES256 (ECR-managed keys).
        :param keep_last_images: the lifecycle policy expires all but this many newest images,
            1 to 10000. Default 30.
        :param untagged_expire_days: untagged images (left behind by re-pushed layers and failed
            pushes) are expired this many days after push, 1-3650. Default 7.
        :param force_delete: let ``destroy`` delete a repository that still holds images. Default False.
        """
        super().__init__(scope, id_)
        problems = Problems(f"EcrRepo {id_!r}")
        if (
            problems.check_pattern(
                "name",
                name,
                REPOSITORY_NAME_PATTERN,
                "must be lower-case letters and digits, separated by '.', '_', '-' or '/' (ECR's pattern)",
            )
            and not 2 <= len(name) <= 256
        ):
            problems.add("name", name, "must be 2 to 256 characters long")
        problems.check_choice("image_tag_mutability", image_tag_mutability, TAG_MUTABILITY)
        if not isinstance(scan_on_push, bool):
            problems.add("scan_on_push", scan_on_push, "must be True or False")
        if kms_key_arn is not None:
            problems.check_arn("kms_key_arn", kms_key_arn, service="kms")
        problems.check_int_range("keep_last_images", keep_last_images, 1, MAX_KEEP_LAST_IMAGES)
        problems.check_int_range("untagged_expire_days", untagged_expire_days, 1, 3650)
        problems.raise_if_any()

        self.name = name
        encryption = (
            EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=kms_key_arn)
            if kms_key_arn
            else EcrRepositoryEncryptionConfiguration(encryption_type="AES256")
        )
        self.repository = EcrRepository(
            self,
            "repository",
            name=name,
            image_tag_mutability=image_tag_mutability,
            image_scanning_configuration=EcrRepositoryImageScanningConfiguration(scan_on_push=scan_on_push),
            encryption_configuration=[encryption],
            force_delete=force_delete,
        )
        self.lifecycle_policy = EcrLifecyclePolicy(
            self,
            "lifecycle-policy",
            repository=self.repository.name,
            policy=json.dumps(
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "description": f"Expire untagged images after {untagged_expire_days} days",
                            "selection": {
                                "tagStatus": "untagged",
                                "countType": "sinceImagePushed",
                                "countUnit": "days",
                                "countNumber": untagged_expire_days,
                            },
                            "action": {"type": "expire"},
                        },
                        {
                            "rulePriority": 2,
                            "description": f"Keep the last {keep_last_images} images",
                            "selection": {
                                "tagStatus": "any",
                                "countType": "imageCountMoreThan",
                                "countNumber": keep_last_images,
                            },
                            "action": {"type": "expire"},
                        },
                    ]
                }
            ),
        )
        self._pull_grants: dict[str, IamRolePolicy] = {}

    def require_image(self, tag: str) -> DataAwsEcrImage:
        """Make plans fail unless ``tag`` is in the repository: a deploy cannot point the service at an
        image that was never pushed. Not for the very first deploy, before the repository exists."""
        return DataAwsEcrImage(self, "required-image", repository_name=self.repository.name, image_tag=tag)

    @property
    def repository_url(self) -> str:
        return self.repository.repository_url

    @property
    def repository_arn(self) -> str:
        return self.repository.arn

    def image_uri(self, tag: str) -> str:
        """The image reference ``<repository url>:<tag>``; ``tag`` may be a Terraform variable."""
        problems = Problems(f"EcrRepo {self.node.id!r}")
        problems.check_pattern(
            "image tag", tag, IMAGE_TAG_PATTERN, "must be 1-128 characters of letters, digits, '_', '.' or '-'"
        )
        problems.raise_if_any()
        return f"{self.repository.repository_url}:{tag}"

    def grant_pull(self, role: IamRole) -> IamRolePolicy:
        """Let ``role`` (an ECS execution role) pull images from this repository and no other.

        Calling it again for the same role returns the same policy.
        """
        key = role.node.path
        if key in self._pull_grants:
            return self._pull_grants[key]
        grant_id = "pull-" + re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")
        document = DataAwsIamPolicyDocument(
            self,
            f"{grant_id}-document",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="PullFromRepository", actions=list(PULL_ACTIONS), resources=[self.repository.arn]
                ),
                # GetAuthorizationToken is account-wide: AWS does not accept a resource for it.
                DataAwsIamPolicyDocumentStatement(
                    sid="GetRegistryToken", actions=["ecr:GetAuthorizationToken"], resources=["*"]
                ),
            ],
        )
        policy = IamRolePolicy(
            self, grant_id, name=f"pull-{self.name.replace('/', '-')}", role=role.id, policy=document.json
        )
        self._pull_grants[key] = policy
        return policy
