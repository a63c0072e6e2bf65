"""The listener rules of one load balancer, so services sharing it cannot collide."""

from __future__ import annotations

from collections.abc import Sequence

from ._validation import is_token


class ListenerRules:
    """Each rule's owner, priority and conditions; AWS refuses two rules with one priority on a
    listener only at apply time, and silently never matches the second of two identical rules."""

    def __init__(self) -> None:
        self._rules: list[tuple[str, int, tuple[str, ...], tuple[str, ...]]] = []

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
        self._rules.append((owner, priority, paths, hosts))
        return problems
