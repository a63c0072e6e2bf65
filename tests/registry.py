"""Images pushed to the emulator's ECR as `docker buildx build --push` leaves them: each blob uploaded,
an image manifest, and an index of the image and its provenance attestation (buildx's default)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def upload(ecr: Any, repository: str, content: bytes) -> dict[str, Any]:
    """A blob pushed as a client does; its descriptor."""
    digest = "sha256:" + hashlib.sha256(content).hexdigest()
    started = ecr.initiate_layer_upload(repositoryName=repository)
    ecr.upload_layer_part(repositoryName=repository, uploadId=started["uploadId"], partFirstByte=0,
                          partLastByte=len(content) - 1, layerPartBlob=content)  # fmt: skip
    ecr.complete_layer_upload(repositoryName=repository, uploadId=started["uploadId"], layerDigests=[digest])
    return {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": len(content)}


def image_manifest(config: dict[str, Any], layers: list[dict[str, Any]]) -> str:
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {**config, "mediaType": "application/vnd.oci.image.config.v1+json"},
        "layers": layers,
    })  # fmt: skip


def push_image(ecr: Any, repository: str, tag: str, *, layer_bytes: int = 4096) -> str:
    """An image of ``repository`` and ``tag`` (its content differs by both), pushed; its digest."""
    children = []
    for kind in ("image", "attestation"):
        seed = f"{kind}-{repository}-{tag}".encode()
        config = upload(ecr, repository, seed)
        layer = upload(ecr, repository, (seed * (layer_bytes // len(seed) + 1))[:layer_bytes])
        body = image_manifest(config, [layer])
        put = ecr.put_image(repositoryName=repository, imageManifest=body)
        children.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                         "digest": put["image"]["imageId"]["imageDigest"], "size": len(body)})  # fmt: skip
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": children})  # fmt: skip
    return ecr.put_image(repositoryName=repository, imageManifest=index, imageTag=tag)["image"]["imageId"][
        "imageDigest"
    ]
