"""What the authorization model needs to know of the emulator's state at the moment of a call: the tags a
resource holds, a role's path and boundary, what an id or alias stands for. Read from moto's backends in
the emulator's own process, before the call changes them.

`tags` raises `Unknown` for a service it cannot read, so the model leaves `aws:ResourceTag` unestablished
there (a condition on it then fails the evaluation, never passes it).
"""

from __future__ import annotations

import json
from typing import Any

Tags = dict[str, str]


class Unknown(Exception):
    pass


def _pairs(items: Any) -> Tags:
    """Tags from moto's lists of {Key, Value} (any capitalisation) or mappings."""
    if isinstance(items, dict):
        if "Tags" in items or "tags" in items or "TagSet" in items:
            return _pairs(items.get("Tags") or items.get("tags") or items.get("TagSet") or [])
        return {str(key): str(value) for key, value in items.items()}
    found: Tags = {}
    for item in items or []:
        key = item.get("Key", item.get("key", item.get("TagKey")))
        value = item.get("Value", item.get("value", item.get("TagValue", "")))
        found[str(key)] = str(value)
    return found


class MotoState:
    """Look-ups on moto's in-process backends (the emulator's own process)."""

    def _backend(self, service: str, account: str, region: str) -> Any:
        from moto.backends import get_backend

        return get_backend(service)[account][region]  # type: ignore[arg-type]

    # --- tags -----------------------------------------------------------------------------------
    def tags(self, arn: str) -> Tags | None:
        """The tags the resource holds now; None when it does not exist. Raises Unknown."""
        parts = arn.split(":", 5)
        if len(parts) < 6 or "*" in arn:
            return None
        _, _, service, region, account, resource = parts
        try:
            return self._tags(service, region or "us-east-1", account, resource, arn)
        except (Unknown, AttributeError, TypeError):
            raise  # not a missing resource: a look-up this module gets wrong, never "no tags"
        except Exception:  # moto's own not-found errors, one kind per service
            return None

    def _tags(self, service: str, region: str, account: str, resource: str, arn: str) -> Tags | None:
        if service == "ec2":
            backend = self._backend("ec2", account, region)
            resource_id = resource.split("/", 1)[1]
            return dict(backend.tags.get(resource_id, {})) if self._ec2_exists(backend, resource_id) else None
        if service == "elasticloadbalancing":
            backend = self._backend("elbv2", account, region)
            return backend.tagging_service.get_tag_dict_for_resource(arn) if self._elb_exists(backend, arn) else None
        if service == "ecs":
            return _pairs(self._backend("ecs", account, region).list_tags_for_resource(arn))
        if service == "ecr":
            return _pairs(self._backend("ecr", account, region).list_tags_for_resource(arn))
        if service == "kms":
            backend = self._backend("kms", account, region)
            key_id = resource.split("/", 1)[1]
            return _pairs(backend.list_resource_tags(key_id)) if resource.startswith("key/") else {}
        if service == "logs":
            backend = self._backend("logs", account, region)
            name = resource.removeprefix("log-group:").removesuffix(":*")
            if name not in backend.groups:
                return None
            return dict(backend.tagger.get_tag_dict_for_resource(backend.groups[name].arn))
        if service == "iam":
            backend = self._backend("iam", account, "global")
            name = resource.rsplit("/", 1)[-1]
            if resource.startswith("role/"):
                role = self._role(backend, name)
                return None if role is None else _pairs(role.tags)
            return {}
        if service == "cloudwatch":
            return dict(self._backend("cloudwatch", account, region).list_tags_for_resource(arn))
        if service == "sns":
            backend = self._backend("sns", account, region)
            return dict(backend.list_tags_for_resource(arn)) if arn in backend.topics else None
        if service == "sqs":
            queue = self._backend("sqs", account, region).queues.get(resource)
            return None if queue is None else dict(queue.tags)
        if service == "states":
            return _pairs(self._backend("stepfunctions", account, region).list_tags_for_resource(arn))
        if service == "servicediscovery":
            return _pairs(self._backend("servicediscovery", account, region).list_tags_for_resource(arn))
        if service == "acm":
            certificate = self._backend("acm", account, region).get_certificate(arn)
            return {key: value or "" for key, value in certificate.tags.items()}
        if service == "application-autoscaling":
            backend = self._backend("applicationautoscaling", account, region)
            return dict(getattr(backend, "tags_by_arn", {}).get(arn, {})) if self._scalable(backend, arn) else None
        if service == "wafv2":
            return dict(self._backend("wafv2", account, region).tagging_service.get_tag_dict_for_resource(arn))
        if service == "s3":
            from moto.s3.models import s3_backends

            bucket = resource.split("/", 1)[0]
            owner = s3_backends.bucket_accounts.get(bucket)  # an S3 ARN names no account: ask who owns it
            if owner is None:
                return None
            partition, owner_account = owner
            return _pairs(s3_backends[owner_account][partition].get_bucket_tagging(bucket))
        if service == "scheduler":
            return {}  # schedules hold no tags
        raise Unknown(f"tags of {service} resources")

    @staticmethod
    def _ec2_exists(backend: Any, resource_id: str) -> bool:
        kinds = {
            "vpc-": "vpcs",
            "rtb-": "route_tables",
            "igw-": "internet_gateways",
            "vpce-": "vpc_end_points",
            "nat-": "nat_gateways",
            "fl-": "flow_logs",
        }
        for prefix, attribute in kinds.items():
            if resource_id.startswith(prefix):
                return resource_id in getattr(backend, attribute)
        if resource_id.startswith("sg-"):
            return any(resource_id in groups for groups in list(backend.groups.values()))
        if resource_id.startswith("subnet-"):
            return any(resource_id in subnets for subnets in list(backend.subnets.values()))
        if resource_id.startswith("eipalloc-"):
            return any(address.allocation_id == resource_id for address in backend.addresses)
        return resource_id in backend.tags

    @staticmethod
    def _elb_exists(backend: Any, arn: str) -> bool:
        if ":targetgroup/" in arn:
            return arn in backend.target_groups
        if ":loadbalancer/" in arn:
            return arn in backend.load_balancers
        if ":listener/" in arn:
            return any(arn in balancer.listeners for balancer in list(backend.load_balancers.values()))
        return True

    @staticmethod
    def _scalable(backend: Any, arn: str) -> bool:
        return any(target.arn == arn for targets in list(backend.targets.values()) for target in list(targets.values()))

    # --- identities ---------------------------------------------------------------------------
    @staticmethod
    def _role(backend: Any, name: str) -> Any:
        # A snapshot: the other environment's deploy creates roles in this backend at the same time.
        return next((role for role in list(backend.roles.values()) if role.name == name), None)

    def role(self, account: str, name: str) -> tuple[str, str | None] | None:
        """(ARN, boundary ARN) of a role that exists."""
        role = self._role(self._backend("iam", account, "global"), name)
        return None if role is None else (role.arn, role.permissions_boundary_arn or None)

    def service_linked_role_exists(self, account: str, service_name: str) -> bool:
        backend = self._backend("iam", account, "global")
        return any(role.path == f"/aws-service-role/{service_name}/" for role in list(backend.roles.values()))

    # --- ids and aliases ----------------------------------------------------------------------
    def key_arn(self, account: str, region: str, key_id: str) -> str | None:
        backend = self._backend("kms", account, region)
        try:
            resolved = backend.any_id_to_key_id(key_id)
        except Exception:
            return None
        key = backend.keys.get(resolved)
        return None if key is None else key.arn

    def alias_target(self, account: str, region: str, alias_name: str) -> str | None:
        backend = self._backend("kms", account, region)
        key_id = backend.get_key_id_from_alias(alias_name)
        return None if key_id is None else self.key_arn(account, region, key_id)

    def route_table_association(self, account: str, region: str, association_id: str) -> tuple[str, str | None]:
        """(route table id, subnet or gateway id) of an association."""
        backend = self._backend("ec2", account, region)
        for table in backend.route_tables.values():
            if association_id in table._associations:
                return table.id, table._associations[association_id]
        raise LookupError(f"no route table association {association_id}")

    def address_of_association(self, account: str, region: str, association_id: str) -> str | None:
        backend = self._backend("ec2", account, region)
        return next(
            (address.allocation_id for address in backend.addresses if address.association_id == association_id),
            None,
        )

    def scalable_target_arn(self, account: str, region: str, namespace: str, resource_id: str, dimension: str) -> str:
        backend = self._backend("applicationautoscaling", account, region)
        for target in backend.targets.get(dimension, {}).values():
            if target.resource_id == resource_id and target.service_namespace == namespace:
                return str(target.arn)
        raise LookupError(f"no scalable target {namespace} {resource_id} {dimension}")

    def namespace_of_operation(self, account: str, region: str, operation_id: str) -> str | None:
        backend = self._backend("servicediscovery", account, region)
        operation = backend.operations.get(operation_id)
        return None if operation is None else operation.targets.get("NAMESPACE")

    def web_acl_of(self, account: str, region: str, resource_arn: str) -> str | None:
        acl = self._backend("wafv2", account, region).get_web_acl_for_resource(resource_arn)
        return None if acl is None else str(acl.arn)

    def repository_key(self, account: str, region: str, name: str) -> str | None:
        backend = self._backend("ecr", account, region)
        repository = backend.repositories.get(name)
        if repository is None:
            return None
        configuration = repository.encryption_configuration or {}
        return configuration.get("kmsKey") if configuration.get("encryptionType") == "KMS" else None

    def log_resource_policies(self, account: str, region: str) -> list[dict[str, Any]]:
        backend = self._backend("logs", account, region)
        return [json.loads(policy.policy_document) for policy in backend.resource_policies.values()]
