"""The stack's image tags: `image_tag`, the tag every service runs, and, with several services,
`image_tags`, a tag per service that replaces it for that one alone. Both refuse `latest` and anything
that is not an ECR tag, at plan time."""

from __future__ import annotations

import json
from collections.abc import Sequence

from cdktf_fargate.ecr_repo import IMAGE_TAG_PATTERN

from cdktf import TerraformStack, TerraformVariable, TerraformVariableValidationConfig

# ECR's tag syntax; "latest" is refused so every deploy names the exact image it runs.
IMAGE_TAG_REGEX = f"^{IMAGE_TAG_PATTERN.pattern}$"


def image_tag_variable(stack: TerraformStack) -> TerraformVariable:
    """`image_tag`: required, an ECR tag, not `latest`."""
    variable = TerraformVariable(
        stack,
        "image_tag",
        type="string",
        nullable=False,
        description="The image tag to deploy, e.g. the git commit SHA. Required; 'latest' is refused.",
        validation=[
            TerraformVariableValidationConfig(
                condition=(f'${{can(regex("{IMAGE_TAG_REGEX}", var.image_tag)) && var.image_tag != "latest"}}'),
                error_message=(
                    "image_tag must be an ECR tag (1-128 letters, digits, '_', '.', '-', "
                    "not starting with '.' or '-') and not 'latest'."
                ),
            )
        ],
    )
    # Terraform variable names are global in the synthesized JSON; keep the exact name users pass.
    variable.override_logical_id("image_tag")
    return variable


def image_tags_variable(stack: TerraformStack, keys: Sequence[str]) -> TerraformVariable:
    """`image_tags`: per service (of ``keys``), a tag that replaces `image_tag` for that service alone."""
    variable = TerraformVariable(
        stack,
        "image_tags",
        type="map(string)",
        default={},
        nullable=False,
        description=('Per service, a tag that replaces image_tag for that service alone, e.g. {"api" = "<sha>"}.'),
        validation=[
            TerraformVariableValidationConfig(
                condition=(
                    "${alltrue([for service, tag in var.image_tags : "
                    f'contains({json.dumps(list(keys))}, service) && can(regex("{IMAGE_TAG_REGEX}", tag)) '
                    '&& tag != "latest"])}'
                ),
                error_message=(
                    f"image_tags: each key must be a service of this environment ({', '.join(keys)}) and "
                    "each tag an ECR tag other than 'latest'."
                ),
            )
        ],
    )
    variable.override_logical_id("image_tags")
    return variable
