"""What a load balancer offers the services behind it, built here or brought in: its address, its
listener rules kept apart, and egress from its security group to theirs."""

from __future__ import annotations

import re
from collections.abc import Sequence

from constructs import Construct

from ._bindings import DataAwsLb, Lb, SecurityGroup, VpcSecurityGroupEgressRule
from ._validation import Problems, is_token


def _pattern_covers(general: str, specific: str) -> bool:
    """Whether every value ``specific`` matches, ``general`` matches too (ALB wildcards: ``*`` and ``?``)."""
    expression = re.escape(general.lower()).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(expression, specific.lower()) is not None


def _values_cover(general: Sequence[str], specific: Sequence[str]) -> bool:
    if not general:  # no condition of this kind: every request
        return True
    if not specific:
        return any(value in ("*", "/*") for value in general)
    return all(any(_pattern_covers(first, second) for first in general) for second in specific)


def rule_covers(general: tuple[Sequence[str], Sequence[str]], specific: tuple[Sequence[str], Sequence[str]]) -> bool:
    """Whether a listener rule with ``general``'s (paths, hosts) matches every request one with
    ``specific``'s matches: then, at a lower priority number, it leaves the other no traffic."""
    return _values_cover(general[0], specific[0]) and _values_cover(general[1], specific[1])


class ListenerRules:
    """Each rule's owner, priority and conditions; AWS refuses two rules with one priority on a
    listener only at apply time, and silently never matches the second of two identical rules."""

    def __init__(self) -> None:
        self._rules: list[tuple[str, int, tuple[str, ...], tuple[str, ...]]] = []
        self._target_group_prefixes: set[str] = set()

    def target_group_name_prefix(self, service_name: str) -> str:
        """A target group ``name_prefix`` (AWS allows 6 characters; Terraform adds a unique suffix) that
        no other service on this load balancer has, where one can be found, so the console tells
        them apart. The first service keeps the prefix 0.1 gave it (the first five letters and
        digits of its name); later ones try the first two and last three, then the last five."""
        letters = re.sub(r"[^A-Za-z0-9]", "", service_name)
        candidates = [letters[:5], letters[:2] + letters[-3:], letters[-5:]]
        chosen = next((prefix for prefix in candidates if prefix not in self._target_group_prefixes), candidates[0])
        self._target_group_prefixes.add(chosen)
        return f"{chosen}-"

    def claim(self, owner: str, priority: int, path_patterns: Sequence[str], host_headers: Sequence[str]) -> list[str]:
        paths, hosts = tuple(sorted(path_patterns)), tuple(sorted(host_headers))
        problems = []
        for other, other_priority, other_paths, other_hosts in self._rules:
            if other == owner:
                continue
            if not is_token(priority) and priority == other_priority:
                problems.append(f"priority {priority} is already the priority of {other!r} on this load balancer")
            if (paths, hosts) == (other_paths, other_hosts):
                problems.append(
                    f"the same conditions as {other!r} (paths {list(paths)}, hosts {list(hosts)}): "
                    "the later rule would never match"
                )
            elif is_token(priority) or is_token(other_priority):
                continue
            elif other_priority < priority and rule_covers((other_paths, other_hosts), (paths, hosts)):
                problems.append(
                    f"{other!r} (priority {other_priority}, paths {list(other_paths)}, hosts {list(other_hosts)}) "
                    f"matches every request this rule does, first: give this rule a priority below {other_priority}"
                )
            elif priority < other_priority and rule_covers((paths, hosts), (other_paths, other_hosts)):
                problems.append(
                    f"it matches every request of {other!r} (priority {other_priority}) first, so that service "
                    f"would get no traffic: give this rule a priority above {other_priority}"
                )
        self._rules.append((owner, priority, paths, hosts))
        return problems


class LoadBalancerMembers:
    """Shared by ``PublicAlb`` and ``ExistingAlb``: each sets ``load_balancer``, ``_security_group_id``,
    ``egress_rules`` and ``_rules``."""

    load_balancer: Lb | DataAwsLb
    egress_rules: list[VpcSecurityGroupEgressRule]
    _security_group_id: str
    _rules: ListenerRules

    @property
    def security_group_id(self) -> str:
        return self._security_group_id

    @property
    def load_balancer_arn_suffix(self) -> str:
        return self.load_balancer.arn_suffix

    @property
    def dns_name(self) -> str:
        return self.load_balancer.dns_name

    @property
    def zone_id(self) -> str:
        return self.load_balancer.zone_id

    @property
    def url(self) -> str:
        return f"https://{self.load_balancer.dns_name}"

    def claim_rule(
        self, owner: str, priority: int, path_patterns: Sequence[str], host_headers: Sequence[str]
    ) -> list[str]:
        """Record a service's listener rule; return its clashes with the rules already added."""
        return self._rules.claim(owner, priority, path_patterns, host_headers)

    def target_group_name_prefix(self, service_name: str) -> str:
        """A target group name prefix that tells this service apart from the others here."""
        return self._rules.target_group_name_prefix(service_name)

    def allow_to(self, security_group: SecurityGroup, port: int, description: str) -> VpcSecurityGroupEgressRule:
        """Let the load balancer open connections to ``security_group`` on ``port``, and nothing else.

        Security groups made by Terraform start with no egress at all, so without this
        the load balancer cannot reach its targets.
        """
        assert isinstance(self, Construct)
        problems = Problems.of(self)
        problems.check_port("port", port)
        problems.raise_if_any()
        rule_id = f"egress-{re.sub(r'[^A-Za-z0-9]+', '-', security_group.node.path).strip('-')}-{port}"
        rule = VpcSecurityGroupEgressRule(
            self,
            rule_id,
            security_group_id=self.security_group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=security_group.id,
            description=description,
        )
        self.egress_rules.append(rule)
        return rule
