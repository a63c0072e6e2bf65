"""moto's gaps for this stack, filled by wrapping moto's own code (the list: this package's docstring)."""

from __future__ import annotations

import inspect
import json
import os
from typing import Any

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
# Dummy credentials: boto3 inside this process (certificate import) needs some.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from .endpoint import DEFAULT_PORT

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


# What the provider reads back from a service's primary deployment, which moto's deployments leave out.
DEPLOYMENT_FIELDS_KEPT = ("serviceConnectConfiguration", "volumeConfigurations")


def _keep_service_connect(responses: type) -> None:
    for action in ("create_service", "update_service"):
        original = getattr(responses, action)

        def kept(self, original=original):  # type: ignore[no-untyped-def]
            result = original(self)
            given = {key: self._get_param(key) for key in DEPLOYMENT_FIELDS_KEPT}
            if any(value is not None for value in given.values()):
                service = self.ecs_backend._get_service(
                    self._get_param("cluster", "default"),
                    (self._get_param("serviceName") or self._get_param("service")).split("/")[-1],
                )
                for deployment in service.deployments:
                    deployment.update({key: value for key, value in given.items() if value is not None})
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


def _patch_sqs_queue_attributes() -> None:
    """SetQueueAttributes replaces a queue's policy with whatever the call gives, so setting any other
    attribute removes it (AWS keeps it); `RedriveAllowPolicy` is stored but never answered (nor asked for
    by name), so the provider waits for it until it times out; and the redrive policy comes back with
    spaces AWS does not write, which the provider plans to change forever. All three as AWS does here."""
    from moto.sqs.models import Queue, SQSBackend

    set_attributes = Queue._set_attributes
    attributes = Queue.attributes
    get_queue_attributes = SQSBackend.get_queue_attributes

    def _set_attributes(self, attributes, now=None):  # type: ignore[no-untyped-def]
        policy = getattr(self, "policy", None)
        set_attributes(self, attributes, now)
        if "Policy" not in attributes:
            self.policy = policy

    def answered(self):  # type: ignore[no-untyped-def]
        found = attributes.fget(self)
        if "RedrivePolicy" in found:
            found["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
        if getattr(self, "redrive_allow_policy", None):
            found["RedriveAllowPolicy"] = self.redrive_allow_policy
        return found

    def get_queue_attributes_(self, queue_name, attribute_names):  # type: ignore[no-untyped-def]
        others = [name for name in attribute_names if name != "RedriveAllowPolicy"]
        found = get_queue_attributes(self, queue_name, others) if others else {}
        if len(others) < len(attribute_names):
            allowed = getattr(self.get_queue(queue_name), "redrive_allow_policy", None)
            if allowed:
                found["RedriveAllowPolicy"] = allowed
        return found

    Queue._set_attributes = _set_attributes
    Queue.attributes = property(answered)
    SQSBackend.get_queue_attributes = get_queue_attributes_


def _patch_elb_trust_stores() -> None:
    """ELB's trust stores (mutual TLS) are missing: created from a CA bundle in S3 (read as the caller, refused
    when the object is missing or holds no certificate), described, changed, revoked from, tagged and deleted;
    a listener keeps its `MutualAuthentication` as given."""
    import uuid

    from moto.core.responses import ActionResult, EmptyResult
    from moto.elbv2.exceptions import ELBClientError
    from moto.elbv2.models import ELBv2Backend
    from moto.elbv2.responses import ELBV2Response
    from moto.s3.models import s3_backends

    def error(code: str, message: str) -> ELBClientError:
        return ELBClientError(code, message)

    def stores(backend: Any) -> dict[str, dict[str, Any]]:
        if not hasattr(backend, "trust_stores"):
            backend.trust_stores = {}
        return backend.trust_stores  # type: ignore[no-any-return]

    def certificates_in(response: Any, bucket: str, key: str, missing: str) -> int:
        try:
            body = s3_backends[response.current_account]["aws"].get_object(bucket, key).value
        except Exception:
            raise error(missing, f"s3://{bucket}/{key} cannot be read") from None
        return int(body.count(b"-----BEGIN CERTIFICATE-----"))

    def bundle(response: Any) -> int:
        bucket, key = (
            response._get_param("CaCertificatesBundleS3Bucket"),
            response._get_param("CaCertificatesBundleS3Key"),
        )
        found = certificates_in(response, bucket, key, "CaCertificatesBundleNotFound")
        if not found:
            raise error("InvalidCaCertificatesBundle", f"s3://{bucket}/{key} holds no PEM certificate")
        return found

    def store_of(response: Any) -> dict[str, Any]:
        arn = response._get_param("TrustStoreArn")
        found = stores(response.elbv2_backend).get(arn)
        if found is None:
            raise error("TrustStoreNotFound", f"trust store {arn} not found")
        return found

    def shown(store: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in store.items() if key != "revocations"}

    def create_trust_store(self):  # type: ignore[no-untyped-def]
        name = self._get_param("Name")
        if any(store["Name"] == name for store in stores(self.elbv2_backend).values()):
            raise error("DuplicateTrustStoreName", f"a trust store named {name} exists")
        where = f"arn:aws:elasticloadbalancing:{self.region}:{self.current_account}"
        arn = f"{where}:truststore/{name}/{uuid.uuid4().hex[:16]}"
        store = {"Name": name, "TrustStoreArn": arn, "Status": "ACTIVE", "NumberOfCaCertificates": bundle(self),
                 "TotalRevokedEntries": 0, "revocations": {}}  # fmt: skip
        stores(self.elbv2_backend)[arn] = store
        if self._get_param("Tags"):
            self.elbv2_backend.tagging_service.tag_resource(arn, self._get_param("Tags"))
        return ActionResult({"TrustStores": [shown(store)]})

    def describe_trust_stores(self):  # type: ignore[no-untyped-def]
        arns, names = self._get_param("TrustStoreArns") or [], self._get_param("Names") or []
        found = [shown(store) for arn, store in stores(self.elbv2_backend).items()
                 if (not arns or arn in arns) and (not names or store["Name"] in names)]  # fmt: skip
        if (arns or names) and not found:
            raise error("TrustStoreNotFound", "no such trust store")
        return ActionResult({"TrustStores": found})

    def modify_trust_store(self):  # type: ignore[no-untyped-def]
        store = store_of(self)
        store["NumberOfCaCertificates"] = bundle(self)
        return ActionResult({"TrustStores": [shown(store)]})

    def delete_trust_store(self):  # type: ignore[no-untyped-def]
        store = store_of(self)
        for balancer in self.elbv2_backend.load_balancers.values():
            for listener in balancer.listeners.values():
                if (getattr(listener, "mutual_authentication", None) or {}).get("TrustStoreArn") == store[
                    "TrustStoreArn"
                ]:
                    raise error("TrustStoreInUse", f"{listener.arn} uses it")
        del stores(self.elbv2_backend)[store["TrustStoreArn"]]
        return EmptyResult()

    def add_trust_store_revocations(self):  # type: ignore[no-untyped-def]
        store = store_of(self)
        added = []
        for content in self._get_param("RevocationContents") or []:
            certificates_in(self, content["S3Bucket"], content["S3Key"], "RevocationContentNotFound")
            revocation = {
                "TrustStoreArn": store["TrustStoreArn"],
                "RevocationId": len(store["revocations"]) + 1,
                "RevocationType": content.get("RevocationType", "CRL"),
                "NumberOfRevokedEntries": 0,
            }
            store["revocations"][revocation["RevocationId"]] = revocation
            added.append(revocation)
        return ActionResult({"TrustStoreRevocations": added})

    def describe_trust_store_revocations(self):  # type: ignore[no-untyped-def]
        store, wanted = store_of(self), self._get_param("RevocationIds") or []
        found = [r for key, r in store["revocations"].items() if not wanted or key in [int(w) for w in wanted]]
        if wanted and not found:
            raise error("RevocationIdNotFound", "no such revocation")
        return ActionResult({"TrustStoreRevocations": found})

    def remove_trust_store_revocations(self):  # type: ignore[no-untyped-def]
        store = store_of(self)
        for key in self._get_param("RevocationIds") or []:
            store["revocations"].pop(int(key), None)
        return EmptyResult()

    def describe_trust_store_associations(self):  # type: ignore[no-untyped-def]
        arn = store_of(self)["TrustStoreArn"]
        found = [{"ResourceArn": balancer.arn} for balancer in self.elbv2_backend.load_balancers.values()
                 if any((getattr(one, "mutual_authentication", None) or {}).get("TrustStoreArn") == arn
                        for one in balancer.listeners.values())]  # fmt: skip
        return ActionResult({"TrustStoreAssociations": found})

    for handler in (create_trust_store, describe_trust_stores, modify_trust_store, delete_trust_store,
                    add_trust_store_revocations, describe_trust_store_revocations, remove_trust_store_revocations,
                    describe_trust_store_associations):  # fmt: skip
        setattr(ELBV2Response, handler.__name__.rstrip("_"), handler)

    resource_by_arn = ELBv2Backend._get_resource_by_arn

    def _get_resource_by_arn(self, arn):  # type: ignore[no-untyped-def]
        if ":truststore/" in arn:
            if arn not in stores(self):
                raise error("TrustStoreNotFound", f"trust store {arn} not found")
            return stores(self)[arn]
        return resource_by_arn(self, arn)

    ELBv2Backend._get_resource_by_arn = _get_resource_by_arn

    for action in ("create_listener", "modify_listener"):
        original = getattr(ELBV2Response, action)

        def kept(self, original=original):  # type: ignore[no-untyped-def]
            result = original(self)
            given = self._get_param("MutualAuthentication")
            if given is not None:
                for listener in result.result["Listeners"] if hasattr(result, "result") else []:
                    listener.mutual_authentication = None if given.get("Mode") == "off" else given
            return result

        setattr(ELBV2Response, action, kept)


def _patch_logs_kms_association() -> None:
    """CloudWatch Logs has no AssociateKmsKey or DisassociateKmsKey: a log group made with a key kept it, but
    one made without (a log group taken over, `adopt_log_group`) could never be given the environment's, and
    the provider retried the call until it timed out. They set and clear the group's key here."""
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.responses import LogsResponse

    def group_of(response: Any) -> Any:
        name = response._get_param("logGroupName")
        group = response.logs_backend.groups.get(name)
        if group is None:
            raise ResourceNotFoundException()
        return group

    def associate_kms_key(self):  # type: ignore[no-untyped-def]
        group_of(self).kms_key_id = self._get_param("kmsKeyId")
        return ""

    def disassociate_kms_key(self):  # type: ignore[no-untyped-def]
        group_of(self).kms_key_id = None
        return ""

    LogsResponse.associate_kms_key = associate_kms_key
    LogsResponse.disassociate_kms_key = disassociate_kms_key


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
    _patch_sqs_queue_attributes()
    _patch_elb_trust_stores()
    _patch_logs_kms_association()
