"""A small IAM policy evaluator: what AWS decides for one authorization against identity policies and
a permissions boundary, following IAM's documented evaluation logic for one account.

- An explicit Deny in any policy wins; otherwise an identity policy must Allow, and, when the principal
  has a permissions boundary, the boundary must Allow too.
- Action/NotAction match case-insensitively with `*` and `?`; Resource/NotResource case-sensitively.
- Conditions: the String, Arn, Bool, Null and Numeric operators, `...IfExists`, and the
  `ForAnyValue:`/`ForAllValues:` set operators. Operators are ANDed, keys of one operator ANDed, the values
  of one key ORed (NORed for a negated operator). A key absent from the request makes a positive operator
  false and a negated one true (IAM User Guide, "Condition operators"); `IfExists` makes absence true.
- A condition on a key the request context does not establish (neither present nor known to be absent)
  raises `CannotEstablish`: the evaluator never guesses.

Not evaluated: resource-based policies (key policies, bucket policies), service control and resource
control policies, session policies, and policy variables (`${...}`, refused when met).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

PolicyDocument = Mapping[str, Any]


class CannotEstablish(Exception):
    """A condition asks for a key the request context does not establish."""

    def __init__(self, key: str, authorization: Authorization, sid: str | None) -> None:
        super().__init__(
            f"cannot establish {key!r} for {authorization.action} on {authorization.resource} "
            f"(statement {sid or '<no Sid>'})"
        )
        self.key = key


@dataclasses.dataclass(frozen=True)
class Authorization:
    """One authorization AWS makes: an action on a resource, with the request context it evaluates.

    ``context`` holds the keys present (lower-case names, values as strings). ``established`` names keys
    known to be absent when not in ``context``: exact lower-case names, or prefixes ending in ``/``
    (``aws:resourcetag/``). ``reason`` says why AWS makes it (the call itself, tags on create, a role
    passed, a service's check on the caller).
    """

    action: str
    resource: str
    context: Mapping[str, tuple[str, ...]]
    established: tuple[str, ...] = ()
    reason: str = "the call"

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "context": {key: list(values) for key, values in self.context.items()},
            "established": list(self.established),
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Authorization:
        return cls(
            action=data["action"],
            resource=data["resource"],
            context={key: tuple(values) for key, values in data["context"].items()},
            established=tuple(data["established"]),
            reason=data["reason"],
        )

    def values(self, key: str) -> tuple[str, ...] | None:
        """The key's values; None when it is known to be absent. Raises KeyError when unknown."""
        name = key.lower()
        if name in self.context:
            return self.context[name]
        if name in self.established or any(
            prefix.endswith("/") and name.startswith(prefix) for prefix in self.established
        ):
            return None
        raise KeyError(key)


@dataclasses.dataclass(frozen=True)
class Decision:
    allowed: bool
    because: str
    allowed_by: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.allowed


def parse(document: str | PolicyDocument) -> PolicyDocument:
    """A policy document from IAM's answer (JSON, URL-encoded JSON) or as it is."""
    if isinstance(document, str):
        from urllib.parse import unquote

        text = document if document.lstrip().startswith("{") else unquote(document)
        return dict(json.loads(text))
    return document


def statements(document: PolicyDocument) -> list[Mapping[str, Any]]:
    found = document.get("Statement", [])
    return [found] if isinstance(found, Mapping) else list(found)


def decide(
    authorization: Authorization,
    identity: Sequence[PolicyDocument],
    boundary: PolicyDocument | None = None,
) -> Decision:
    """Whether AWS allows ``authorization`` to a principal with these identity policies and boundary."""
    denied, allows = _matching(identity, authorization)
    if denied is not None:
        return Decision(False, f"explicitly denied by identity statement {denied}")
    if boundary is not None:
        denied, boundary_allows = _matching([boundary], authorization)
        if denied is not None:
            return Decision(False, f"explicitly denied by boundary statement {denied}")
        if not boundary_allows:
            return Decision(False, "not allowed by the permissions boundary")
    if not allows:
        return Decision(False, "no identity statement allows it")
    return Decision(True, "allowed", tuple(allows))


def _matching(documents: Sequence[PolicyDocument], authorization: Authorization) -> tuple[str | None, list[str]]:
    """The first denying statement's Sid (None: none denies) and the allowing ones' Sids."""
    allows = []
    for document in documents:
        for statement in statements(document):
            if _applies(statement, authorization):
                sid = statement.get("Sid") or "<no Sid>"
                if statement.get("Effect") == "Deny":
                    return sid, allows
                allows.append(sid)
    return None, allows


def _applies(statement: Mapping[str, Any], authorization: Authorization) -> bool:
    if not _matches_element(statement, "Action", authorization.action, ignore_case=True):
        return False
    if not _matches_element(statement, "Resource", authorization.resource, ignore_case=False):
        return False
    return conditions_hold(statement.get("Condition") or {}, authorization, statement.get("Sid"))


def _matches_element(statement: Mapping[str, Any], element: str, value: str, *, ignore_case: bool) -> bool:
    if element in statement:
        return any(glob_match(pattern, value, ignore_case=ignore_case) for pattern in _listed(statement[element]))
    negated = f"Not{element}"
    if negated in statement:
        return not any(glob_match(pattern, value, ignore_case=ignore_case) for pattern in _listed(statement[negated]))
    raise ValueError(f"statement {statement.get('Sid')!r} has neither {element} nor Not{element}")


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(item) for item in value]


def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcard match: `*` any run of characters, `?` one character, everything else literal."""
    if "${" in pattern:
        raise ValueError(f"policy variables are not evaluated: {pattern!r}")
    regex = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def conditions_hold(condition: Mapping[str, Mapping[str, Any]], authorization: Authorization, sid: Any) -> bool:
    return all(
        _operator_holds(operator, key, _listed(expected), authorization, sid)
        for operator, keys in condition.items()
        for key, expected in keys.items()
    )


def _operator_holds(operator: str, key: str, expected: list[str], authorization: Authorization, sid: Any) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if qualifier not in ("", "ForAllValues", "ForAnyValue"):
        raise ValueError(f"unknown set operator {qualifier!r}")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    negated, compare = (False, None) if base == "Null" else _comparison(base)
    try:
        present = authorization.values(key)
    except KeyError:
        raise CannotEstablish(key, authorization, sid) from None
    if base == "Null":
        wanted_absent = {value.lower() for value in expected} == {"true"}
        return (present is None) == wanted_absent
    if present is None or (qualifier and not present):
        if if_exists:
            return True
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated

    def matches(value: str) -> bool:
        hit = any(compare(pattern, value) for pattern in expected)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(matches(value) for value in present)
    if qualifier == "ForAnyValue":
        return any(matches(value) for value in present)
    return all(matches(value) for value in present) if negated else any(matches(value) for value in present)


def _comparison(base: str) -> tuple[bool, Any]:
    comparisons = {
        "StringEquals": (False, lambda pattern, value: pattern == value),
        "StringNotEquals": (True, lambda pattern, value: pattern == value),
        "StringEqualsIgnoreCase": (False, lambda pattern, value: pattern.lower() == value.lower()),
        "StringNotEqualsIgnoreCase": (True, lambda pattern, value: pattern.lower() == value.lower()),
        "StringLike": (False, glob_match),
        "StringNotLike": (True, glob_match),
        "ArnEquals": (False, _arn_like),
        "ArnLike": (False, _arn_like),
        "ArnNotEquals": (True, _arn_like),
        "ArnNotLike": (True, _arn_like),
        "Bool": (False, lambda pattern, value: pattern.lower() == value.lower()),
        "NumericEquals": (False, lambda pattern, value: float(pattern) == float(value)),
        "NumericNotEquals": (True, lambda pattern, value: float(pattern) == float(value)),
        "NumericLessThan": (False, lambda pattern, value: float(value) < float(pattern)),
        "NumericLessThanEquals": (False, lambda pattern, value: float(value) <= float(pattern)),
        "NumericGreaterThan": (False, lambda pattern, value: float(value) > float(pattern)),
        "NumericGreaterThanEquals": (False, lambda pattern, value: float(value) >= float(pattern)),
    }
    if base not in comparisons:
        raise ValueError(f"condition operator {base!r} is not evaluated")
    return comparisons[base]


def _arn_like(pattern: str, value: str) -> bool:
    """ARN matching is by the six colon-separated parts, so a wildcard never spans a part."""
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) != len(value_parts):
        return False
    return all(glob_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def allowed_everywhere(
    authorizations: Iterable[Authorization], identity: Sequence[PolicyDocument], boundary: PolicyDocument | None = None
) -> list[tuple[Authorization, str]]:
    """The authorizations refused, with why; an unestablished key is a refusal too."""
    refused = []
    for authorization in authorizations:
        try:
            decision = decide(authorization, identity, boundary)
        except CannotEstablish as error:
            refused.append((authorization, str(error)))
            continue
        if not decision:
            refused.append((authorization, decision.because))
    return refused
