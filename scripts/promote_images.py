#!/usr/bin/env python
"""Build once, promote: copy the images an environment's `promote_from` source ran into the environment's
own repositories, by digest, before its deploy (the deploy workflow's step in place of the build).

    python scripts/promote_images.py prod --tag <sha>

For each image of the environment, the source's image of the same service at the same tag is read (its
manifest and, for an image index, every image it lists); each layer the destination lacks is downloaded
from the source and uploaded; the manifest is put under the same tag. The destination then holds the very
digest the source ran, which this checks. Tags are immutable: a destination that already holds the tag
with that digest is left alone (a re-run); with another digest the copy stops.

Only the ECR API, with the deploy role's credentials (which may read the source's repositories and no
other environment's: stacks/deploy_permissions/images.py). Both environments are in one account and region.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import urllib.request
from collections.abc import Callable
from typing import IO, Any

from stacks.environments import load_environment, promotion_source

# Every manifest type a build pushes: Docker's and OCI's, single images and indexes (buildx pushes an index
# with its provenance attestation by default). Asked for explicitly: ECR would otherwise convert.
MEDIA_TYPES = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
]
CHUNK = 1 << 20

Download = Callable[[str], IO[bytes]]


class PromotionError(RuntimeError):
    pass


def _manifest(ecr: Any, repository: str, image_id: dict[str, str]) -> dict[str, Any]:
    answer = ecr.batch_get_image(repositoryName=repository, imageIds=[image_id], acceptedMediaTypes=MEDIA_TYPES)
    if not answer["images"]:
        reasons = "; ".join(failure.get("failureReason", "") for failure in answer.get("failures", []))
        raise PromotionError(f"{repository}: no image {image_id} ({reasons or 'not found'})")
    return answer["images"][0]


def _references(manifest: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(blobs: config and layers, foreign layers left out; images: what an index lists)."""
    blobs = [manifest["config"]["digest"]] if "config" in manifest else []
    blobs += [layer["digest"] for layer in manifest.get("layers", []) if not layer.get("urls")]
    return blobs, [child["digest"] for child in manifest.get("manifests", [])]


def _missing_blobs(ecr: Any, repository: str, digests: list[str]) -> list[str]:
    if not digests:
        return []
    answer = ecr.batch_check_layer_availability(repositoryName=repository, layerDigests=digests)
    available = {layer["layerDigest"] for layer in answer["layers"] if layer.get("layerAvailability") == "AVAILABLE"}
    return [digest for digest in digests if digest not in available]


def _copy_blob(ecr: Any, source: str, destination: str, digest: str, download: Download) -> None:
    """Download the layer from the source (checked against its digest), upload it in the parts ECR asks for."""
    url = ecr.get_download_url_for_layer(repositoryName=source, layerDigest=digest)["downloadUrl"]
    hashed = hashlib.sha256()
    with tempfile.TemporaryFile() as spool:
        with download(url) as response:
            while chunk := response.read(CHUNK):
                hashed.update(chunk)
                spool.write(chunk)
        if f"sha256:{hashed.hexdigest()}" != digest:
            raise PromotionError(f"{source}: layer {digest} downloaded as sha256:{hashed.hexdigest()}")
        spool.seek(0)
        upload = ecr.initiate_layer_upload(repositoryName=destination)
        first = 0
        while part := spool.read(upload["partSize"]):
            ecr.upload_layer_part(
                repositoryName=destination,
                uploadId=upload["uploadId"],
                partFirstByte=first,
                partLastByte=first + len(part) - 1,
                layerPartBlob=part,
            )
            first += len(part)
        ecr.complete_layer_upload(repositoryName=destination, uploadId=upload["uploadId"], layerDigests=[digest])


def _put(
    ecr: Any, source: str, destination: str, image: dict[str, Any], *, tag: str | None, download: Download
) -> None:
    """The image's layers (and an index's images) first, then its manifest, byte for byte."""
    manifest = json.loads(image["imageManifest"])
    blobs, children = _references(manifest)
    for child in children:
        held = ecr.batch_get_image(repositoryName=destination, imageIds=[{"imageDigest": child}])["images"]
        if not held:
            _put(ecr, source, destination, _manifest(ecr, source, {"imageDigest": child}), tag=None, download=download)
    for digest in _missing_blobs(ecr, destination, blobs):
        _copy_blob(ecr, source, destination, digest, download)
    put = {
        "repositoryName": destination,
        "imageManifest": image["imageManifest"],
        "imageManifestMediaType": image.get("imageManifestMediaType") or manifest["mediaType"],
        "imageDigest": image["imageId"]["imageDigest"],
    }
    answer = ecr.put_image(**put, **({"imageTag": tag} if tag else {}))
    if answer["image"]["imageId"]["imageDigest"] != image["imageId"]["imageDigest"]:
        raise PromotionError(
            f"{destination}: the copy is {answer['image']['imageId']['imageDigest']}, "
            f"not {image['imageId']['imageDigest']}"
        )


def copy_image(ecr: Any, source: str, destination: str, tag: str, *, download: Download | None = None) -> str:
    """Copy ``source:tag`` to ``destination:tag``; returns the digest both then hold."""
    image = _manifest(ecr, source, {"imageTag": tag})
    digest = image["imageId"]["imageDigest"]
    held = ecr.batch_get_image(repositoryName=destination, imageIds=[{"imageTag": tag}], acceptedMediaTypes=MEDIA_TYPES)
    if held["images"]:
        if held["images"][0]["imageId"]["imageDigest"] == digest:
            return digest
        raise PromotionError(
            f"{destination}:{tag} is {held['images'][0]['imageId']['imageDigest']}, not {source}:{tag} ({digest}): "
            "tags are immutable, so it cannot be promoted under this tag"
        )
    _put(ecr, source, destination, image, tag=tag, download=download or _open)
    return digest


def _open(url: str) -> IO[bytes]:
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise PromotionError(f"refusing to download a layer from {url.split('?', maxsplit=1)[0]!r}")
    return urllib.request.urlopen(url, timeout=300)


def promotions(environment: str) -> tuple[str, list[tuple[str, str]]]:
    """The region and each (source repository, destination repository) of ``environment``'s images."""
    config = load_environment(environment)
    source = promotion_source(config)
    if source is None:
        raise ValueError(f"environment {environment!r}: promote_from is not set; its deploys build their images")
    theirs = source.images()
    return config.region, [(theirs[key][0], repository) for key, (repository, _) in config.images().items()]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environment", help="a table of environments.toml with promote_from")
    parser.add_argument("--tag", required=True, help="the tag the source ran, a commit SHA")
    args = parser.parse_args(argv)
    try:
        region, pairs = promotions(args.environment)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    import boto3
    import botocore.exceptions

    ecr = boto3.client("ecr", region_name=region)
    try:
        for source, destination in pairs:
            digest = copy_image(ecr, source, destination, args.tag)
            print(f"{destination}:{args.tag} = {source}:{args.tag} ({digest})")
    except (PromotionError, botocore.exceptions.ClientError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
