"""EcrRepo: the private image repository the service pulls from."""

from __future__ import annotations

import json
import re

from constructs import Construct

from ._app_rules import claim_name
from ._bindings import (
    DataAwsEcrImage,
    DataAwsEcrRepository,
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    EcrLifecyclePolicy,
    EcrRepository,
    EcrRepositoryEncryptionConfiguration,
    EcrRepositoryImageScanningConfiguration,
    IamRole,
    IamRolePolicy,
)
from ._validation import IMAGE_TAG, Problems
from .options import RepositoryOptions, check_options

# ECR's own rule for repository names (namespaces separated by '/').
REPOSITORY_NAME_PATTERN = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")
IMAGE_TAG_PATTERN = re.compile(IMAGE_TAG)
PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


class RepositoryMembers:
    """Shared by ``EcrRepo`` and ``ExistingRepository``: each sets ``repository``, ``name`` and ``_pull_grants``."""

    repository: EcrRepository | DataAwsEcrRepository
    name: str
    _pull_grants: dict[str, IamRolePolicy]

    @property
    def repository_url(self) -> str:
        return self.repository.repository_url

    @property
    def repository_arn(self) -> str:
        return self.repository.arn

    def image_uri(self, tag: str) -> str:
        """The image reference ``<repository url>:<tag>``; ``tag`` may be a Terraform variable."""
        assert isinstance(self, Construct)
        problems = Problems.of(self)
        problems.check_pattern(
            "image tag", tag, IMAGE_TAG_PATTERN, "must be 1-128 characters of letters, digits, '_', '.' or '-'"
        )
        problems.raise_if_any()
        return f"{self.repository_url}:{tag}"

    def grant_pull(self, role: IamRole) -> IamRolePolicy:
        """Let ``role`` (an ECS execution role) pull images from this repository and no other.

        Calling it again for the same role returns the same policy.
        """
        assert isinstance(self, Construct)
        key = role.node.path
        if key in self._pull_grants:
            return self._pull_grants[key]
        grant_id = "pull-" + re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")
        document = DataAwsIamPolicyDocument(
            self,
            f"{grant_id}-document",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="PullFromRepository", actions=list(PULL_ACTIONS), resources=[self.repository_arn]
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


class EcrRepo(RepositoryMembers, Construct):
    """A private ECR repository with scanning, encryption and a lifecycle policy.
    ``EcrRepo.from_existing`` brings a repository made elsewhere."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        options: RepositoryOptions | None = None,
        kms_key_arn: str | None = None,
    ) -> None:
        """
        :param name: repository name, 2-256 characters of ECR's pattern (lower case, digits, ``._-/``).
        :param options: ``RepositoryOptions``; default: immutable tags, scan on push, keep 30 images.
        :param kms_key_arn: encrypt with this KMS key. Default None: AES256 (ECR-managed keys).
        """
        super().__init__(scope, id_)
        options = RepositoryOptions() if options is None else options
        problems = Problems.of(self)
        check_repository_name(problems, name)
        if not isinstance(options, RepositoryOptions):
            problems.add("options", options, "must be a RepositoryOptions")
        else:
            check_options(problems, "options", options)
        if kms_key_arn is not None:
            problems.check_arn("kms_key_arn", kms_key_arn, service="kms")
        earlier = claim_name(self, "ECR repository", name, self.node.path)
        if earlier:
            problems.add("name", name, f"is already the name of the ECR repository at {earlier!r}")
        problems.raise_if_any()

        self.options = options
        untagged_expire_days = options.untagged_expire_days
        keep_last_images = options.keep_last_images
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
            image_tag_mutability=options.image_tag_mutability,
            image_scanning_configuration=EcrRepositoryImageScanningConfiguration(scan_on_push=options.scan_on_push),
            encryption_configuration=[encryption],
            force_delete=options.force_delete,
            # A repository that keeps its images also refuses, at plan time, a change that would delete
            # it (a rename, a move to another construct id), before anything else is touched.
            lifecycle={"prevent_destroy": True} if not options.force_delete else None,
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
        image that was never pushed. The repository must exist first: create it alone before the first
        push (the app's `scripts/repositories_first.py` applies the missing repositories with `-target`)."""
        return DataAwsEcrImage(self, "required-image", repository_name=self.repository.name, image_tag=tag)

    def adopt(self) -> None:
        """Take over the existing repository of this name instead of creating one: the first plan imports it
        (a Terraform `import` block; later plans find it in the state), so its images and tags stay. Give the
        encryption it was made with (``kms_key_arn=None`` for ECR's default, AES256): a repository's
        encryption cannot change in place, and the plan would replace it (refused while it keeps its
        images). Other settings are updated in place. ``from_existing`` is for one this stack only reads."""
        assert isinstance(self.repository, EcrRepository)
        self.repository.import_from(self.name)

    @staticmethod
    def from_existing(scope: Construct, id_: str, *, name: str) -> ExistingRepository:
        """A repository made elsewhere (its ARN and URL are read from AWS). Nothing is created.

        :param name: the repository's name.
        """
        return ExistingRepository(scope, id_, name=name)


class ExistingRepository(RepositoryMembers, Construct):
    """A reference to a repository made elsewhere (``EcrRepo.from_existing``)."""

    def __init__(self, scope: Construct, id_: str, *, name: str) -> None:
        super().__init__(scope, id_)
        problems = Problems.of(self)
        check_repository_name(problems, name)
        problems.raise_if_any()
        self.name = name
        self.repository = DataAwsEcrRepository(self, "repository", name=name)
        self._pull_grants: dict[str, IamRolePolicy] = {}


def check_repository_name(problems: Problems, name: object) -> None:
    if (
        problems.check_pattern(
            "name",
            name,
            REPOSITORY_NAME_PATTERN,
            "must be lower-case letters and digits, separated by '.', '_', '-' or '/' (ECR's pattern)",
        )
        and isinstance(name, str)
        and not 2 <= len(name) <= 256
    ):
        problems.add("name", name, "must be 2 to 256 characters long")
