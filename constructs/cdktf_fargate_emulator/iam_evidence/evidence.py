"""The evaluation of a recording: each call a role signed, judged against the policies that role held.

`refusals` lists every authorization the role would be refused (or that the evaluator cannot decide),
every call the model does not know, and every request the recorder could not read: an evaluation is
clean only when the list is empty. `unused_grants` lists the actions a policy grants that no recorded
authorization used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .policy import Authorization, CannotEstablish, PolicyDocument, decide, glob_match, parse, statements


@dataclasses.dataclass(frozen=True)
class Refusal:
    call: str
    action: str
    resource: str
    reason: str
    why: str

    def __str__(self) -> str:
        return f"{self.call}: {self.action} on {self.resource} ({self.reason}): {self.why}"


def role_policies(iam: Any, role_name: str) -> tuple[list[PolicyDocument], PolicyDocument | None]:
    """The identity policies (inline and attached) and the boundary of a deployed role, from IAM."""
    role = iam.get_role(RoleName=role_name)["Role"]
    documents: list[PolicyDocument] = []
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        documents.append(parse(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]))
    for attached in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
        documents.append(_managed(iam, attached["PolicyArn"]))
    boundary_arn = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    return documents, _managed(iam, boundary_arn) if boundary_arn else None


def _managed(iam: Any, arn: str) -> PolicyDocument:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return parse(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])


def describe_call(record: Mapping[str, Any]) -> str:
    call = record.get("call")
    if call is None:
        request = record.get("request") or {}
        return f"{request.get('method')} {request.get('url')}"
    return f"{call['service']}:{call['operation']}"


def refusals(
    records: Iterable[Mapping[str, Any]],
    policies: Mapping[str, tuple[Sequence[PolicyDocument], PolicyDocument | None]],
) -> list[Refusal]:
    """What would be refused, for the records whose principal is in ``policies`` (role ARN -> its policies)."""
    found = []
    for record in records:
        principal = (record.get("call") or {}).get("principal")
        if principal is not None and principal not in policies:
            continue
        if "error" in record:
            found.append(Refusal(describe_call(record), "-", "-", "not evaluated", record["error"].strip()[-600:]))
            continue
        identity, boundary = policies[principal]
        for item in record["authorizations"]:
            authorization = Authorization.from_json(item)
            try:
                decision = decide(authorization, identity, boundary)
            except CannotEstablish as error:
                why = str(error)
            else:
                if decision:
                    continue
                why = decision.because
            found.append(
                Refusal(describe_call(record), authorization.action, authorization.resource, authorization.reason, why)
            )
    return found


def authorizations(records: Iterable[Mapping[str, Any]], principal: str) -> list[Authorization]:
    return [
        Authorization.from_json(item)
        for record in records
        if (record.get("call") or {}).get("principal") == principal
        for item in record.get("authorizations", [])
    ]


def unused_grants(documents: Sequence[PolicyDocument], used: Iterable[Authorization]) -> dict[str, list[str]]:
    """Statement Sid -> the actions it allows that allowed none of ``used``."""
    used = list(used)
    unused: dict[str, list[str]] = {}
    for document in documents:
        for statement in statements(document):
            if statement.get("Effect") != "Allow":
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            for action in actions:
                single = {**statement, "Action": [action]}
                if not any(_allows(single, authorization) for authorization in used):
                    unused.setdefault(statement.get("Sid", "<no Sid>"), []).append(action)
    return unused


def _allows(statement: Mapping[str, Any], authorization: Authorization) -> bool:
    actions = statement["Action"]
    if not any(glob_match(pattern, authorization.action, ignore_case=True) for pattern in actions):
        return False
    try:
        return bool(decide(authorization, [{"Statement": [statement]}]))
    except CannotEstablish:
        return False
