"""`cdktf-fargate drift`: what changed outside Terraform, a refresh-only plan of any deployed stack (this
app's or another CDKTF app's), less the drift the stack expects. Exit 0 without drift, 2 with drift
(each listed), 1 when the check itself fails.

    cdktf-fargate [--stack-dir cdktf.out/stacks/<stack>] drift [--var name=value ...]   # after `cdktf synth`

Expected, and so not reported:
- attributes the stack leaves to others (`lifecycle.ignore_changes`: a service's desired count,
  which autoscaling and operators move);
- a security group's own `ingress`/`egress` list showing the rules the stack manages as separate
  `aws_vpc_security_group_*_rule` resources (the group's record in the state predates them);
- likewise, the attributes that mirror what the stack manages as resources of their own: a role's
  `inline_policy` (its `aws_iam_role_policy`s) and `managed_policy_arns` (its attachments), a route
  table's `route` (its `aws_route`s), a bucket's `policy`, `versioning`, encryption, lifecycle and
  logging (the `aws_s3_bucket_*` resources), a target group's `load_balancer_arns` (the listeners of
  the stack's load balancers). A state written by a first deploy predates them all;
- the provider's default tags showing up in a resource's own `tags` (they are `tags_all`'s);
- a nested flag read back as `false` where the state holds nothing (the same setting).
A rule added by hand to such a group, a policy or route the stack does not manage, or any other
attribute changed, is drift.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .synthesized import default_tags

# Before the first deploy, any valid tag: a refresh-only plan compares the state with AWS, never the
# configuration with either; once deployed, the tag the tasks run (data sources may look it up).
PLACEHOLDER_TAG = "drift-check"
RULE_TYPES = {"ingress": "aws_vpc_security_group_ingress_rule", "egress": "aws_vpc_security_group_egress_rule"}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value is False or (isinstance(value, (list, dict)) and not value)


def _normalized(value: Any) -> Any:
    """``value`` with every unset or empty part (null, "", false, [], {}) as null, at any depth."""
    if isinstance(value, dict):
        value = {key: _normalized(inner) for key, inner in value.items()}
    elif isinstance(value, list):
        value = [_normalized(inner) for inner in value]
    return None if _empty(value) else value


def changed_attributes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    """Attributes whose value changed; unset and empty (null, "", false, [], {}) are one value, at any depth."""
    before, after = before or {}, after or {}
    return sorted(
        key for key in set(before) | set(after) if _normalized(before.get(key)) != _normalized(after.get(key))
    )


# A bucket's attributes that its own `aws_s3_bucket_*` resources manage (the provider reads both ways).
BUCKET_PARTS = {
    "policy": "aws_s3_bucket_policy",
    "versioning": "aws_s3_bucket_versioning",
    "server_side_encryption_configuration": "aws_s3_bucket_server_side_encryption_configuration",
    "lifecycle_rule": "aws_s3_bucket_lifecycle_configuration",
    "logging": "aws_s3_bucket_logging",
    "acl": "aws_s3_bucket_acl",
    "grant": "aws_s3_bucket_acl",
    "cors_rule": "aws_s3_bucket_cors_configuration",
    "website": "aws_s3_bucket_website_configuration",
}


def _instances(state_resources: Iterable[Mapping[str, Any]], kind: str) -> list[Mapping[str, Any]]:
    return [
        instance["attributes"]
        for resource in state_resources
        if resource.get("type") == kind
        for instance in resource.get("instances", [])
    ]


def mirrored_elsewhere(
    kind: str, attribute: str, after: Mapping[str, Any], state_resources: Sequence[Mapping[str, Any]]
) -> bool:
    """Whether ``attribute`` of a ``kind`` resource, as AWS now shows it, is only what the stack manages
    through resources of their own (whose drift they report themselves)."""
    value = after.get(attribute) or []
    role = (after.get("name"), after.get("id"))
    if kind == "aws_iam_role" and attribute == "inline_policy":
        policies = _instances(state_resources, "aws_iam_role_policy")
        managed = {policy.get("name") for policy in policies if policy.get("role") in role}
        return all(policy.get("name") in managed for policy in value if policy.get("name"))
    if kind == "aws_iam_role" and attribute == "managed_policy_arns":
        attachments = _instances(state_resources, "aws_iam_role_policy_attachment")
        return set(value) <= {each.get("policy_arn") for each in attachments if each.get("role") in role}
    if kind == "aws_route_table" and attribute == "route":
        own = [
            route
            for route in _instances(state_resources, "aws_route")
            if route.get("route_table_id") == after.get("id")
        ]
        routes = {route.get("destination_cidr_block") or route.get("destination_prefix_list_id") for route in own}
        return all((entry.get("cidr_block") or entry.get("destination_prefix_list_id")) in routes for entry in value)
    if kind == "aws_lb_target_group" and attribute == "load_balancer_arns":
        balancers = {balancer.get("arn") for balancer in _instances(state_resources, "aws_lb")}
        return set(value) <= balancers
    if kind == "aws_s3_bucket" and attribute in BUCKET_PARTS:
        return any(part.get("bucket") in (after.get("bucket"), after.get("id"))
                   for part in _instances(state_resources, BUCKET_PARTS[attribute]))  # fmt: skip
    return False


def _shown(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rule_key(group: str, protocol: Any, from_port: Any, to_port: Any, peer: Any) -> tuple[str, str, int, int, str]:
    protocol = str(protocol)
    ports = (-1, -1) if protocol == "-1" else (int(from_port or 0), int(to_port or 0))
    return (group, protocol, ports[0], ports[1], str(peer))


def managed_rules(state_resources: Iterable[Mapping[str, Any]], direction: str) -> set[tuple[str, str, int, int, str]]:
    """The rules the stack manages for one direction, as (group, protocol, from, to, peer)."""
    keys = set()
    for resource in state_resources:
        if resource.get("type") != RULE_TYPES[direction]:
            continue
        for instance in resource.get("instances", []):
            rule = instance["attributes"]
            peer = rule.get("cidr_ipv4") or rule.get("referenced_security_group_id") or rule.get("prefix_list_id")
            keys.add(_rule_key(rule["security_group_id"], rule["ip_protocol"], rule.get("from_port"),
                               rule.get("to_port"), peer))  # fmt: skip
    return keys


def group_rules(group_id: str, entries: Sequence[Mapping[str, Any]]) -> set[tuple[str, str, int, int, str]]:
    """The rules an `aws_security_group`'s ingress or egress list holds, one per peer."""
    keys = set()
    for entry in entries or []:
        peers = [*entry.get("cidr_blocks", []), *entry.get("security_groups", []), *entry.get("prefix_list_ids", [])]
        if entry.get("self"):
            peers.append(group_id)
        for peer in peers:
            keys.add(_rule_key(group_id, entry["protocol"], entry.get("from_port"), entry.get("to_port"), peer))
    return keys


def _only_default_tags(before: Any, after: Any, defaults: Mapping[str, str]) -> bool:
    """Whether ``tags`` differ only by default tags showing up in (or leaving) a resource's own tags."""
    before, after = dict(before or {}), dict(after or {})
    moved = (set(before) ^ set(after)) | {key for key in set(before) & set(after) if before[key] != after[key]}
    return all(defaults.get(key) == (after.get(key) if key in after else before.get(key)) for key in moved)


def unexpected_drift(plan: Mapping[str, Any], config: Mapping[str, Any], state: Mapping[str, Any]) -> list[str]:
    """Each drifted resource with the attributes that changed unexpectedly, as `address: attr, attr`."""
    resources = state.get("resources", [])
    defaults = default_tags(config)
    found = []
    for drift in plan.get("resource_drift", []):
        change = drift["change"]
        before, after = change.get("before"), change.get("after")
        if after is None:
            found.append(f"{drift['address']}: deleted outside Terraform")
            continue
        kind, name = drift["type"], drift["name"]
        ignored = set(
            config.get("resource", {}).get(kind, {}).get(name, {}).get("lifecycle", {}).get("ignore_changes", [])
        )
        attributes = [attribute for attribute in changed_attributes(before, after) if attribute not in ignored]
        if "tags" in attributes and _only_default_tags(before.get("tags"), after.get("tags"), defaults):
            attributes.remove("tags")
        details = {name: f"{_shown(before.get(name))} -> {_shown(after.get(name))}" for name in attributes}
        for attribute in list(attributes):
            if mirrored_elsewhere(kind, attribute, after, resources):
                attributes.remove(attribute)
        if kind == "aws_security_group":
            for direction in set(attributes) & set(RULE_TYPES):
                unmanaged = group_rules(after["id"], after.get(direction, [])) - managed_rules(resources, direction)
                if unmanaged:
                    rules = (f"{protocol} {low}-{high} {peer}" for _, protocol, low, high, peer in sorted(unmanaged))
                    details[direction] = "rules the stack does not manage: " + ", ".join(rules)
                else:
                    attributes.remove(direction)
        if attributes:
            shown = "; ".join(f"{name} {details[name]}" for name in attributes)
            found.append(f"{drift['address']}: {', '.join(attributes)} ({shown})")
    return found


Terraform = Callable[..., subprocess.CompletedProcess[str]]
# A deploy that writes the state while the check reads it makes the check say nothing: it is run again.
ATTEMPTS = 3


def terraform(stack_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["terraform", *args], cwd=stack_dir, capture_output=True, text=True, check=False)


def deployed_image_variables(state: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """`image_tag` (and `image_tags`) as deployed, so data sources that look the image up
    (`verify_image_exists`) find it: an environment with services keeps each service's tag in its
    `deployed_image_tags` output; one service runs `<repository>:<tag>` in its task definition."""
    per_service = dict(state.get("outputs", {}).get("deployed_image_tags", {}).get("value") or {})
    if per_service and "image_tags" in config.get("variable", {}):
        return [f"image_tag={min(per_service.values())}", f"image_tags={json.dumps(per_service, sort_keys=True)}"]
    for resource in state.get("resources", []):
        if resource.get("type") != "aws_ecs_task_definition" or resource.get("mode") != "managed":
            continue
        for instance in resource.get("instances", []):
            for container in json.loads(instance.get("attributes", {}).get("container_definitions") or "[]"):
                name = str(container.get("image", "")).rsplit("/", 1)[-1]
                # `<repository>:<tag>`; an image pinned by digest (`@sha256:…`) names no tag.
                if ":" in name and "@" not in name:
                    return [f"image_tag={name.rsplit(':', 1)[1]}"]
    return [f"image_tag={PLACEHOLDER_TAG}"]


def _pull(stack_dir: Path, run: Terraform) -> dict[str, Any]:
    pulled = run(stack_dir, "state", "pull")
    if pulled.returncode != 0:
        raise RuntimeError(f"terraform state pull failed:\n{pulled.stderr[-2000:]}")
    return dict(json.loads(pulled.stdout or "{}"))


def check(
    stack_dir: Path, variables: Sequence[str], *, image_tag: str | None = None, run: Terraform = terraform
) -> tuple[int, list[str]]:
    """Run the refresh-only plan in ``stack_dir``; returns the exit code and the drift found.

    The plan takes no lock (the drift role may not write, and a deploy must never wait for a check), so
    the state is read before and after it: when a deploy wrote it meanwhile (its serial moved), the
    check is run again on the new state."""
    if not (stack_dir / ".terraform").is_dir():
        init = run(stack_dir, "init", "-input=false", "-no-color")
        if init.returncode != 0:
            raise RuntimeError(f"terraform init failed:\n{init.stdout[-2000:]}{init.stderr[-2000:]}")
    config = json.loads((stack_dir / "cdk.tf.json").read_text())
    state = _pull(stack_dir, run)
    for _ in range(ATTEMPTS):
        images = [f"image_tag={image_tag}"] if image_tag else deployed_image_variables(state, config)
        plan = run(
            stack_dir, "plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false",
            "-out=drift.plan", *(f"-var={variable}" for variable in (*images, *variables)),
        )  # fmt: skip
        if plan.returncode not in (0, 2):
            raise RuntimeError(f"terraform plan -refresh-only failed:\n{plan.stdout[-2000:]}{plan.stderr[-2000:]}")
        after = _pull(stack_dir, run)
        if after.get("serial") != state.get("serial"):
            print("the state changed during the check (a deploy wrote it): checking again", file=sys.stderr)
            state = after
            continue
        if plan.returncode == 0:
            return 0, []
        shown = json.loads(run(stack_dir, "show", "-json", "drift.plan").stdout)
        drift = unexpected_drift(shown, config, state)
        return (2 if drift else 0), drift
    raise RuntimeError(f"the state changed during each of {ATTEMPTS} checks (deploys running): try again later")


def report(
    stack_dir: Path, variables: Sequence[str], *, image_tag: str | None, out: Callable[[str], None] = print
) -> int:
    """The check of ``stack_dir``, said: 0 without drift, 2 with drift (each listed), 1 when it failed."""
    try:
        code, drift = check(stack_dir, variables, image_tag=image_tag)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if drift:
        out(f"drift in {stack_dir.name}: changed outside Terraform:")
        for line in drift:
            out(f"  - {line}")
    else:
        out(f"no drift in {stack_dir.name} (expected changes, such as autoscaled desired counts, left out)")
    return code
