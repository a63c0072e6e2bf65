#!/usr/bin/env python3
"""The AWS emulator behind `make deploy-local` and the end-to-end test: moto's server mode on
loopback, with the few pieces it lacks for this stack added here, and nowhere else.

    python scripts/local_aws.py serve [--port 4566] [--certificate-domain app.local.test] [--pid-file F]
    python scripts/local_aws.py stop --pid-file F
    python scripts/local_aws.py endpoint [ENVIRONMENT]   # AWS_ENDPOINT_URL=... and credentials, or nothing

Gaps of moto 5.2 with hashicorp/aws 5.100.0 that this layer fills (the production stack is
never changed to suit the emulator):

- ECS's CreateService drops `availabilityZoneRebalancing` (which the provider sets), the
  capacity provider strategy, the deployment configuration (circuit breaker, percentages), the
  health-check grace period and the managed-tags flag, so every plan would want to change the
  service: they are stored on the service and returned here.
- Nor does it keep `serviceConnectConfiguration`, which the provider reads back from the
  primary deployment: it is kept there, on create and on update.
- DescribeSecurityGroupRules loses the description of a rule that references another security
  group or a prefix list (it reads only CIDR rules' descriptions): it is kept from those too.
- Application Auto Scaling has no `ListTagsForResource` (nor `TagResource`), which the provider
  calls on every read of a scalable target, and drops the tags given at registration: both are
  kept here, so the default tags do not re-plan forever.
- The HTTPS listener needs a certificate that exists: a self-signed one for the local domain is
  imported into the emulator's ACM when it starts (the stack finds it by domain).
- Route53 hosted zone ids start with `Z` on AWS (and constructs check that); moto's are any
  22 capitals and digits: new zones get a `Z` in front here.
- Bucket policies: moto evaluates only `StringEquals` conditions and takes every other one as
  met, so a TLS-only deny (`Bool aws:SecureTransport false`, on the state bucket) refused every
  object request. The emulator speaks plain HTTP on loopback and cannot offer TLS: a deny whose
  condition moto cannot evaluate does not apply here.
- Deleting the last version of a key whose versions include a delete marker (emptying a
  versioned bucket, as destroying the state bucket does) fails with a 500: the marker has no
  `dispose`, which moto calls on every version. It gets one that holds nothing to release.
- Step Functions has no `ValidateStateMachineDefinition`, which the provider calls before it
  creates a state machine (and retries until it times out): it answers OK here. The definition's
  shape is checked by the unit tests instead (tests/test_scheduled_job.py). Nor has it
  `ListStateMachineVersions`, which every read calls: none are published, so it lists none.
- ECR keeps no layer's bytes, has no GetDownloadUrlForLayer and takes any manifest with a made-up digest:
  layers are kept and served, and PutImage checks what the manifest references and names the image
  by its SHA-256, as AWS does, so an image can be copied between repositories (promotion) and a copy
  that forgets a layer fails.
- AWS-managed IAM policies exist only with `MOTO_IAM_LOAD_MANAGED_POLICIES=true`, which is set.
- moto does not evaluate IAM for a role's session the way AWS does: with `record`, every call such a
  session signs is recorded with what AWS would authorize for it, for scripts/iam_evidence to judge.

The provider must not skip requesting the account id (security-group rules would read back as
`<account>/sg-…`); the emulator answers STS, so nothing is needed for that.
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import io
import json
import os
import re
import signal
import sys
import threading
import time
import tomllib
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, ClassVar

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
# Dummy credentials: boto3 inside this process (certificate import) needs some.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

DEFAULT_PORT = 4566
DEFAULT_DOMAIN = "app.local.test"
# How the provider learns the emulator's address: the AWS SDKs' own variable, not an `endpoints`
# block, which costs seconds on every Terraform run (docs/local-emulator.md#deploy-loop).
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL"
DUMMY_CREDENTIALS = "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"
ROOT = Path(__file__).resolve().parent.parent


# Service settings moto's CreateService ignores but the provider sets and reads back.
ECS_SERVICE_FIELDS_KEPT = (
    "availabilityZoneRebalancing",
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "healthCheckGracePeriodSeconds",
    "enableECSManagedTags",
    "enableExecuteCommand",
)


def _patch_ecs_service_fields() -> None:
    from moto.core.utils import camelcase_to_underscores
    from moto.ecs.responses import EC2ContainerServiceResponse

    original_create = EC2ContainerServiceResponse.create_service

    def create_service(self):  # type: ignore[no-untyped-def]
        result = original_create(self)
        service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
        for key in ECS_SERVICE_FIELDS_KEPT:
            value = self._get_param(key)
            if value is not None:
                setattr(service, camelcase_to_underscores(key), value)
        return result

    EC2ContainerServiceResponse.create_service = create_service
    _keep_service_connect(EC2ContainerServiceResponse)


def _keep_service_connect(responses: type) -> None:
    for action in ("create_service", "update_service"):
        original = getattr(responses, action)

        def kept(self, original=original):  # type: ignore[no-untyped-def]
            result = original(self)
            configuration = self._get_param("serviceConnectConfiguration")
            if configuration is not None:
                service = self.ecs_backend._get_service(
                    self._get_param("cluster", "default"),
                    (self._get_param("serviceName") or self._get_param("service")).split("/")[-1],
                )
                for deployment in service.deployments:
                    deployment["serviceConnectConfiguration"] = configuration
            return result

        setattr(responses, action, kept)


def _patch_application_autoscaling_tags() -> None:
    from moto.applicationautoscaling import responses

    if hasattr(responses.ApplicationAutoScalingResponse, "list_tags_for_resource"):
        return
    original_register = responses.ApplicationAutoScalingResponse.register_scalable_target

    def tags_by_arn(response) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
        # On the backend, where a reset empties them with everything else (and iam_evidence reads them).
        backend = response.applicationautoscaling_backend
        if not hasattr(backend, "tags_by_arn"):
            backend.tags_by_arn = {}
        return backend.tags_by_arn  # type: ignore[no-any-return]

    def register_scalable_target(self):  # type: ignore[no-untyped-def]
        body = original_register(self)
        arn = json.loads(body)["ScalableTargetARN"]
        tags_by_arn(self).setdefault(arn, {}).update(self._get_param("Tags") or {})
        return body

    def list_tags_for_resource(self):  # type: ignore[no-untyped-def]
        return json.dumps({"Tags": tags_by_arn(self).get(self._get_param("ResourceARN"), {})})

    def tag_resource(self):  # type: ignore[no-untyped-def]
        tags_by_arn(self).setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
        return json.dumps({})

    def untag_resource(self):  # type: ignore[no-untyped-def]
        tags = tags_by_arn(self).setdefault(self._get_param("ResourceARN"), {})
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return json.dumps({})

    responses.ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target
    responses.ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource
    responses.ApplicationAutoScalingResponse.tag_resource = tag_resource
    responses.ApplicationAutoScalingResponse.untag_resource = untag_resource


def _patch_security_group_rule_descriptions() -> None:
    from moto.ec2.models.security_groups import SecurityGroupRule

    create = SecurityGroupRule.__init__
    signature = inspect.signature(create)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        create(self, *args, **kwargs)
        prefix_list = signature.bind(self, *args, **kwargs).arguments.get("prefix_list_id")
        self.prefix_list_description = (prefix_list or {}).get("Description")

    def description(self):  # type: ignore[no-untyped-def]
        return (
            self.ip_range.get("Description")
            or self.source_group.get("Description")
            or getattr(self, "prefix_list_description", None)
        )

    SecurityGroupRule.__init__ = __init__  # type: ignore[method-assign]
    SecurityGroupRule.description = property(description)  # type: ignore[assignment]


def _patch_route53_zone_ids() -> None:
    from moto.route53 import models

    original = models.create_route53_zone_id
    if getattr(original, "__cdktf_fargate_patched__", False):
        return

    def create_route53_zone_id(*args, **kwargs):  # type: ignore[no-untyped-def]
        generated = original(*args, **kwargs)
        return generated if generated.startswith("Z") else "Z" + generated[1:]

    create_route53_zone_id.__cdktf_fargate_patched__ = True  # type: ignore[attr-defined]
    models.create_route53_zone_id = create_route53_zone_id


def _patch_policy_conditions() -> None:
    from moto.iam import access_control, policy_conditions

    statement_type = access_control.IAMPolicyStatement
    is_action_permitted = statement_type.is_action_permitted
    evaluated = set(policy_conditions.CONDITION_OPERATIONS)

    def permitted(self, action, resource="*", principal=None, incoming_condition_values=None):  # type: ignore[no-untyped-def]
        conditions = self._statement.get("Condition") or {}
        if self._statement.get("Effect") == "Deny" and set(conditions) - evaluated:
            return access_control.PermissionResult.NEUTRAL
        return is_action_permitted(self, action, resource, principal, incoming_condition_values)

    statement_type.is_action_permitted = permitted


def _patch_delete_marker_disposal() -> None:
    from moto.s3 import models

    if not hasattr(models.FakeDeleteMarker, "dispose"):
        models.FakeDeleteMarker.dispose = lambda self, garbage=False: None  # type: ignore[attr-defined]


def _patch_state_machine_validation() -> None:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def validate_state_machine_definition(self):  # type: ignore[no-untyped-def]
        return ActionResult({"result": "OK", "diagnostics": [], "truncated": False})

    def list_state_machine_versions(self):  # type: ignore[no-untyped-def]
        return ActionResult({"stateMachineVersions": []})

    for method in (validate_state_machine_definition, list_state_machine_versions):
        if not hasattr(StepFunctionResponse, method.__name__):
            setattr(StepFunctionResponse, method.__name__, method)


def _patch_task_resources_without_container_memory() -> None:
    """moto adds up the containers' `memory` to place a task, and fails (500) on a container without one,
    which Fargate allows (the task's memory is what counts): RunTask of the stack's task definitions
    failed. Such a container counts 0 MiB; the task definition itself is unchanged."""
    import copy

    from moto.ecs.models import EC2ContainerServiceBackend

    original = EC2ContainerServiceBackend._calculate_task_resource_requirements
    sized = ("memory", "memoryReservation", "Memory", "MemoryReservation")

    def calculate(task_definition):  # type: ignore[no-untyped-def]
        definitions = task_definition.container_definitions
        if all(any(key in definition for key in sized) for definition in definitions):
            return original(task_definition)
        counted = copy.copy(task_definition)
        counted.container_definitions = [
            definition if any(key in definition for key in sized) else {**definition, "memory": 0}
            for definition in definitions
        ]
        return original(counted)

    EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(calculate)  # type: ignore[method-assign]


def _patch_response_fields_per_request() -> None:
    """moto keeps a response's "leave this field out" choices (ECS's `include=["TAGS"]` among them) in
    one dict on the class, shared by every request of every thread: a DescribeServices without TAGS
    answered while one with TAGS was being written dropped the tags from the latter, so Terraform
    stored `tags_all = {}` and the next refresh-only plan saw drift that never happened. Each request
    gets its own copy."""
    from moto.core.responses import BaseResponse, never_return

    def fields(self):  # type: ignore[no-untyped-def]
        own = vars(self).get("RESPONSE_KEY_PATH_TO_TRANSFORMER")
        if own is None:
            own = self.RESPONSE_KEY_PATH_TO_TRANSFORMER = dict(type(self).RESPONSE_KEY_PATH_TO_TRANSFORMER)
        return own

    def include(self, response_key_path):  # type: ignore[no-untyped-def]
        fields(self)[response_key_path] = lambda value: value

    def exclude(self, response_key_path):  # type: ignore[no-untyped-def]
        fields(self)[response_key_path] = never_return

    BaseResponse._include_in_response = include  # type: ignore[method-assign]
    BaseResponse._exclude_from_response = exclude  # type: ignore[method-assign]


# Where the emulator serves a layer's bytes; GetDownloadUrlForLayer points here (AWS: a pre-signed S3 URL).
LAYER_PATH = "/_emulator/ecr-layer/"


def _ecr_errors() -> dict[str, type]:
    from moto.core.exceptions import ServiceException

    def error(code: str) -> type:
        return type(code, (ServiceException,), {"code": code})

    codes = ("InvalidLayerException", "LayersNotFoundException", "ImageDigestDoesNotMatchException",
             "ReferencedImagesNotFoundException")  # fmt: skip
    return {code: error(code) for code in codes}


def manifest_references(manifest: dict[str, Any]) -> tuple[list[str], list[str]]:
    """What an image manifest needs in its repository: (blobs: its config and layers, foreign layers left
    out as registries do; images: the manifests an index lists)."""
    blobs = [manifest["config"]["digest"]] if "config" in manifest else []
    blobs += [layer["digest"] for layer in manifest.get("layers", []) if not layer.get("urls")]
    return blobs, [child["digest"] for child in manifest.get("manifests", [])]


def _patch_ecr_image_content() -> None:
    """moto's ECR keeps a layer's size but not its bytes, has no GetDownloadUrlForLayer, takes any manifest in
    PutImage and makes up its digest: an image could not be copied from one repository to another, and a copy
    that forgot a layer would pass. As AWS does, here: CompleteLayerUpload refuses bytes that are not the digest
    named and keeps them; GetDownloadUrlForLayer answers a URL of this emulator that serves them (LAYER_PATH);
    PutImage refuses a manifest whose layers or (for an index) images the repository does not hold, names
    the image by the SHA-256 of the manifest's bytes, and refuses another digest given for it."""
    import hashlib

    from moto.core.responses import ActionResult
    from moto.ecr.models import ECRBackend
    from moto.ecr.responses import ECRResponse

    errors = _ecr_errors()
    complete, put = ECRBackend.complete_layer_upload, ECRBackend.put_image

    def complete_layer_upload(self, repository_name, upload_id, layer_digests, registry_id=None):  # type: ignore[no-untyped-def]
        repository = self._get_repository(repository_name, registry_id)
        upload = repository.uploads.get(upload_id)
        content = bytes(upload.layer_parts) if upload is not None else b""
        actual = "sha256:" + hashlib.sha256(content).hexdigest()
        if upload is not None and list(layer_digests or []) != [actual]:
            raise errors["InvalidLayerException"](f"layer digest {layer_digests} does not match the upload's {actual}")
        answer = complete(self, repository_name, upload_id, layer_digests, registry_id=registry_id)
        vars(repository).setdefault("layer_blobs", {})[actual] = content
        return answer

    def put_image(self, repository_name, image_manifest, image_tag, image_manifest_mediatype=None, digest=None):  # type: ignore[no-untyped-def] # noqa: PLR0917 (moto's signature)
        repository = self._get_repository(repository_name, None)
        actual = "sha256:" + hashlib.sha256(image_manifest.encode()).hexdigest()
        if digest and digest != actual:
            raise errors["ImageDigestDoesNotMatchException"](f"digest {digest} is not the manifest's, {actual}")
        blobs, images = manifest_references(json.loads(image_manifest))
        missing = [blob for blob in blobs if blob not in repository.layers]
        if missing:
            raise errors["LayersNotFoundException"](f"layers not found in {repository_name}: {missing}")
        held = {image.get_image_digest() for image in repository.images}
        absent = [image for image in images if image not in held]
        if absent:
            raise errors["ReferencedImagesNotFoundException"](f"images not found in {repository_name}: {absent}")
        return put(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, actual)

    def get_download_url_for_layer(self):  # type: ignore[no-untyped-def]
        name, digest = self._get_param("repositoryName"), self._get_param("layerDigest")
        repository = self.ecr_backend._get_repository(name, self._get_param("registryId"))
        if digest not in vars(repository).get("layer_blobs", {}):
            raise errors["LayersNotFoundException"](f"layer {digest} not found in {name}")
        host = self.headers.get("Host", f"127.0.0.1:{DEFAULT_PORT}")
        where = f"{self.current_account}/{self.region}/{name}/{digest}"
        return ActionResult({"downloadUrl": f"http://{host}{LAYER_PATH}{where}", "layerDigest": digest})

    ECRBackend.complete_layer_upload = complete_layer_upload  # type: ignore[method-assign]
    ECRBackend.put_image = put_image  # type: ignore[method-assign]
    ECRResponse.get_download_url_for_layer = get_download_url_for_layer  # type: ignore[method-assign]


class LayerDownloads:
    """WSGI middleware: the layer bytes a GetDownloadUrlForLayer URL names (`_patch_ecr_image_content`)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(LAYER_PATH):
            return self.application(environ, start_response)
        from moto.ecr.models import ecr_backends

        account, region, *name, digest = path[len(LAYER_PATH) :].split("/")
        repository = ecr_backends[account][region].repositories.get("/".join(name))
        content = vars(repository).get("layer_blobs", {}).get(digest) if repository is not None else None
        if content is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"no such layer"]
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(content)))])
        return [content]


_PATCHED: list[bool] = []


def patch_moto() -> None:
    """Once per process: a second round would wrap the wrappers."""
    if _PATCHED:
        return
    _PATCHED.append(True)
    _patch_response_fields_per_request()
    _patch_ecr_image_content()
    _patch_task_resources_without_container_memory()
    _patch_policy_conditions()
    _patch_delete_marker_disposal()
    _patch_ecs_service_fields()
    _patch_route53_zone_ids()
    _patch_security_group_rule_descriptions()
    _patch_application_autoscaling_tags()
    _patch_state_machine_validation()


def import_certificate(endpoint: str, domain: str) -> str:
    """Import a self-signed certificate for ``domain`` into the emulator's ACM; returns its ARN."""
    import boto3
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    acm = boto3.client("acm", endpoint_url=endpoint)
    response = acm.import_certificate(
        Certificate=certificate.public_bytes(serialization.Encoding.PEM),
        PrivateKey=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ),
    )
    return response["CertificateArn"]


# Generous: with the suites side by side on two cores an emulator answers slowly, and only a broken one
# should fail here (a clean-clone run timed out a reset at 10 s).
STARTUP_SECONDS = 120


def wait_until_up(endpoint: str, timeout_seconds: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not answer at {endpoint} within {timeout_seconds} s") from None
            time.sleep(0.2)


def reset(endpoint: str) -> None:
    """Empty every service: moto keeps its accounts in module globals, which every server started in
    the same process shares (the end-to-end modules each start one)."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=STARTUP_SECONDS):
        pass


class LocalAws:
    """moto's ThreadedMotoServer with the patches, on 127.0.0.1, empty but for the local certificate.

    ``port`` 0 takes a free port, chosen by the system as the server binds it (then ``port`` and
    ``endpoint`` say which): suites running side by side never race for one. With ``log``, a line per
    request goes there (`RequestLog`): what a failing end-to-end test shows of its emulator. With
    ``record``, every call a role's session signs is written there with what AWS would authorize for
    it (scripts/iam_evidence: the evidence for the deploy role that the emulator cannot give).
    """

    # The emulators this process runs: a failing test shows their logs (tests/conftest.py).
    running: ClassVar[list[LocalAws]] = []

    def __init__(
        self,
        port: int = DEFAULT_PORT,
        certificate_domain: str = DEFAULT_DOMAIN,
        *,
        record: Path | None = None,
        log: Path | None = None,
    ) -> None:
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.certificate_domain = certificate_domain
        self.certificate_arn: str | None = None
        self.record = record
        self.log = log
        self._server: Any = None

    def start(self) -> LocalAws:
        patch_moto()
        self._server = _server_type(self.record, self.log)(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.port = self._server.get_host_and_port()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        LocalAws.running.append(self)
        wait_until_up(self.endpoint)
        reset(self.endpoint)
        self.certificate_arn = import_certificate(self.endpoint, self.certificate_domain)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self in LocalAws.running:
            LocalAws.running.remove(self)

    def log_tail(self, lines: int = 60) -> str:
        """The last ``lines`` of the request log ("" without one)."""
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> LocalAws:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def sdk_attempt(environ: dict[str, Any]) -> int:
    """Which attempt of its call an SDK says a request is (`amz-sdk-request: attempt=N`); 1 when it does not say."""
    found = re.search(r"attempt=(\d+)", environ.get("HTTP_AMZ_SDK_REQUEST", ""))
    return int(found.group(1)) if found else 1


def run_to_the_end(application: Any, environ: dict[str, Any], start_response: Any) -> tuple[list[Any], bytes]:
    """Run a WSGI application through: the (status, headers) it started the answer with, and its whole body."""
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def remember(code: str, headers: Any, exc_info: Any = None) -> Any:
        started.append((code, list(headers)))
        return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

    result = application(environ, remember)
    try:
        return started, b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()


class RequestLog:
    """WSGI middleware: a line per request with the time, the status, the milliseconds, the service
    and operation asked for (from the signature's scope and the request's target or `Action`), an
    error's code, and the SDK's attempt number when it sends a request again; a 5xx (the emulator's
    own failure, not the API's answer) with the start of its body."""

    def __init__(self, application: Any, path: Path) -> None:
        self.application = application
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.monotonic()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            answered, response = run_to_the_end(self.application, environ, start_response)
        except Exception as error:
            # The server answers 500 with its own page; the log says what failed, in the emulator.
            self._write(environ, body, started, "500", f"{type(error).__name__}: {error}".encode())
            raise
        code = answered[0][0].split()[0] if answered else "-"
        line = self._head(environ, body, started, code)
        error = ERROR_CODE.search(response[:2000]) if code[:1] in ("4", "5") else None
        if error:
            line += f"  {(error.group(1) or error.group(2)).decode(errors='replace')}"
        attempt = sdk_attempt(environ)
        if attempt > 1:
            replayed = ", answered again without running it" if environ.get(REPLAYED) else ""
            line += f"  (attempt {attempt}{replayed})"
        if code.startswith("5"):
            line += "\n    " + response[:600].decode(errors="replace").replace("\n", "\n    ")
        self._append(line)
        return [response]

    def _write(self, environ: dict[str, Any], body: bytes, started: float, code: str, detail: bytes) -> None:
        self._append(self._head(environ, body, started, code) + "\n    " + detail[:600].decode(errors="replace"))

    @staticmethod
    def _head(environ: dict[str, Any], body: bytes, started: float, code: str) -> str:
        return (
            f"{datetime.datetime.now().strftime('%H:%M:%S.%f')[:-3]} {code} "
            f"{round((time.monotonic() - started) * 1000):>5} ms  {requested(environ, body)}"
        )

    def _append(self, line: str) -> None:
        with self._lock, self.path.open("a") as handle:
            handle.write(line + "\n")


class AnsweredOnce:
    """WSGI middleware: an SDK's retry of a call the emulator already answered with success gets that same
    answer, instead of running the call a second time.

    Under load, a client on loopback sometimes sends a call again although the emulator ran it and
    answered 200 (seen as `AuthorizeSecurityGroupEgress` 200, then the same call's attempt 2 refused with
    `InvalidPermission.Duplicate` 110 ms later, which failed the deploy): the answer was lost between the
    two. AWS would have delivered it. The SDKs name each call (`amz-sdk-invocation-id`, the same on every
    attempt) and count its attempts (`amz-sdk-request: attempt=N`), so a later attempt of a call already
    answered is recognized and answered again; a new call with the same content still runs (and a real
    duplicate is still refused)."""

    KEPT = 1024

    def __init__(self, application: Any) -> None:
        self.application = application
        self._answers: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID", "")
        if invocation and sdk_attempt(environ) > 1:
            with self._lock:
                answered = self._answers.get(invocation)
            if answered is not None:
                environ[REPLAYED] = True
                start_response(answered[0], answered[1])
                return [answered[2]]
        status, response = run_to_the_end(self.application, environ, start_response)
        if invocation and status and status[0][0].startswith("2"):
            with self._lock:
                self._answers[invocation] = (status[0][0], status[0][1], response)
                while len(self._answers) > self.KEPT:
                    del self._answers[next(iter(self._answers))]
        return [response]


# Set in a request's environ when AnsweredOnce answered it again.
REPLAYED = "cdktf_fargate.answered_again"
# An error's code in the query protocols' XML or the JSON protocols' `__type`.
ERROR_CODE = re.compile(rb"<Code>([^<]+)</Code>|\"__type\":\s*\"(?:[^\"#]*#)?([^\"]+)\"")


def requested(environ: dict[str, Any], body: bytes) -> str:
    """`service Operation` as far as the request says it, else the method and path."""
    scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    service = scope.group(1) if scope else "-"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return f"{service} {target.rsplit('.', 1)[-1]}"
    form = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" not in form and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        form = urllib.parse.parse_qs(body.decode(errors="replace"))
    if "Action" in form:
        return f"{service} {form['Action'][0]}"
    return f"{service} {environ.get('REQUEST_METHOD', '?')} {environ.get('PATH_INFO', '')}"


def _server_type(record: Path | None, log: Path | None) -> type:
    """ThreadedMotoServer whose application answers an SDK's retry of a call it already answered
    (`AnsweredOnce`), first records role sessions' calls (iam_evidence.recorder) when ``record`` is set,
    and logs every request when ``log`` is."""
    from moto.moto_server import threaded_moto_server
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    def application() -> Any:
        wrapped: Any = threaded_moto_server.DomainDispatcherApplication(threaded_moto_server.create_backend_app)
        if record is not None:
            from iam_evidence.model import authorize
            from iam_evidence.moto_state import MotoState
            from iam_evidence.recorder import RecordingApplication

            state = MotoState()
            wrapped = RecordingApplication(
                wrapped, record, authorize=lambda call: [a.to_json() for a in authorize(call, state)]
            )
        # Outside the recorder: a call answered again was run, and recorded, once.
        wrapped = AnsweredOnce(wrapped)
        if log is not None:
            wrapped = RequestLog(wrapped, log)
        return LayerDownloads(wrapped)

    class WrappedServer(ThreadedMotoServer):  # type: ignore[misc]
        def _server_entry(self) -> None:
            self._server = make_server(
                self._ip_address,
                self._port,
                application(),
                True,
                request_handler=threaded_moto_server.MotoRequestHandler,
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    return WrappedServer


def serve(port: int, domain: str, pid_file: Path | None) -> int:
    # Before the pid is published: a SIGTERM sent as soon as it is must stop the emulator cleanly.
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    emulator = LocalAws(port, domain).start()
    if pid_file is not None:
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        pid_file.write_text(str(os.getpid()))
    print(
        f"AWS emulator (moto) at {emulator.endpoint}; certificate for {domain}: {emulator.certificate_arn}", flush=True
    )
    stopped.wait()
    emulator.stop()
    if pid_file is not None and pid_file.exists():
        pid_file.unlink()
    return 0


def is_emulator(pid: int) -> bool:
    """Whether ``pid`` runs this script's `serve` (read from /proc, where the process's arguments are)."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(argument.endswith(b"local_aws.py") for argument in arguments) and b"serve" in arguments


def stop(pid_file: Path) -> int:
    if not pid_file.exists():
        print(f"no emulator running ({pid_file} does not exist)")
        return 0
    pid = int(pid_file.read_text())
    if not is_emulator(pid):
        # The emulator is gone and its pid was reused: signal nothing, forget the pid.
        print(f"pid {pid} from {pid_file} is not the emulator; nothing to stop")
        pid_file.unlink()
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink()
        return 0
    for _ in range(300):
        if not pid_file.exists():
            return 0
        if not is_emulator(pid):
            # It ended without removing its pid file.
            pid_file.unlink(missing_ok=True)
            return 0
        time.sleep(0.1)
    print(f"the emulator (pid {pid}) did not stop", file=sys.stderr)
    return 1


def endpoint_assignment(environment: str | None = None, config_path: str | Path | None = None) -> str:
    """`AWS_ENDPOINT_URL=<url>` and the emulator's dummy credentials for an environment that deploys to an
    emulator (`aws_endpoint_url`), else "". The stack takes credentials from the environment as on AWS
    (and accepts only the emulator's account), so these replace whatever a shell holds.

    Read from the settings file alone, as stacks/settings_file.py finds it, without building the
    settings (that loads cdktf: seconds before every Terraform run). tests/test_local_aws.py checks
    it against the loaded settings of every environment.
    """
    path = Path(config_path or os.environ.get("CDKTF_FARGATE_CONFIG") or ROOT / "environments.toml")
    name = environment or os.environ.get("CDKTF_FARGATE_ENV") or "prod"
    url = tomllib.loads(path.read_text()).get(name, {}).get("aws_endpoint_url", "")
    return f"{ENDPOINT_VARIABLE}={url} {DUMMY_CREDENTIALS}" if url else ""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the emulator until SIGTERM")
    serve_parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve_parser.add_argument("--certificate-domain", default=DEFAULT_DOMAIN)
    serve_parser.add_argument("--pid-file", type=Path)
    stop_parser = commands.add_parser("stop", help="stop the emulator started with --pid-file")
    stop_parser.add_argument("--pid-file", type=Path, required=True)
    endpoint_parser = commands.add_parser(
        "endpoint",
        help=f"print {ENDPOINT_VARIABLE}=<url> and dummy credentials when the environment deploys to an emulator",
    )
    endpoint_parser.add_argument("environment", nargs="?", help="default: CDKTF_FARGATE_ENV, else prod")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.port, args.certificate_domain, args.pid_file)
    if args.command == "endpoint":
        if assignment := endpoint_assignment(args.environment):
            print(assignment)
        return 0
    return stop(args.pid_file)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
