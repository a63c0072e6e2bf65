"""Synth-time checks shared by the constructs.

Each construct collects every problem with its settings and raises them together,
so a user fixes their configuration in one pass instead of one error per synth.
Values that are unresolved Terraform tokens (known only at apply time) are not
checked: AWS validates those.
"""

from __future__ import annotations

import ipaddress
import re
import warnings
from collections.abc import Iterable
from typing import Any

from constructs import Construct

from ._bindings import Token

# An image tag, as ECR and Docker take it (the one definition: repositories, references, the stack's variables).
IMAGE_TAG = r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}"
# Docker's image reference grammar: [registry[:port]/]path[:tag][@digest], path components lower-case.
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_REFERENCE = re.compile(
    rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*(?::{IMAGE_TAG})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?"
)
IMAGE_REFERENCE_DESCRIBED = (
    "must be an image reference, [registry/]repository[:tag][@sha256:digest], with a lower-case repository, "
    "e.g. '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:3f2a9c1' or 'public.ecr.aws/nginx/nginx:1.27'"
)

# CloudWatch Logs accepts only these retention periods (0 means never expire).
LOG_RETENTION_DAYS = (
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$")


# Every token cdktf encodes in a string (a string, a list or a map token) carries this marker; a
# number token is a float. Anything else is a plain value, decided without a call into the jsii kernel,
# which costs about half a millisecond each and is made for every option checked.
TOKEN_MARKER = "TfToken["


def is_token(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    if isinstance(value, int) or (isinstance(value, str) and TOKEN_MARKER not in value):
        return False
    # A whole list from a token (a list variable, an attribute) iterates as one encoded string
    # that is only recognised inside a list.
    return bool(Token.is_unresolved(value)) or (isinstance(value, str) and bool(Token.is_unresolved([value])))


# Ranges that are not reachable from the internet.
PRIVATE_NETWORKS = tuple(
    ipaddress.IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)


def is_private_cidr(cidr: str) -> bool:
    network = ipaddress.IPv4Network(cidr, strict=True)
    return any(network.subnet_of(private) for private in PRIVATE_NETWORKS)


class Problems:
    """Collects setting errors for one construct and raises them as one ValueError."""

    def __init__(self, owner: str | Construct) -> None:
        self._owner = owner
        self._messages: list[str] = []

    @classmethod
    def of(cls, construct: Construct) -> Problems:
        """Problems of a construct, named by its class and its path in the app (unique, unlike its id)."""
        return cls(construct)

    @property
    def owner(self) -> str:
        # A construct's path is asked of the jsii kernel only when there is something to report.
        if isinstance(self._owner, str):
            return self._owner
        return f"{type(self._owner).__name__} {self._owner.node.path!r}"

    @classmethod
    def before(cls, kind: str, scope: Construct, id_: str) -> Problems:
        """Problems of a construct about to be made at ``scope``/``id_``."""
        path = f"{scope.node.path}/{id_}" if scope.node.path else id_
        return cls(f"{kind} {path!r}")

    def add(self, setting: str, value: Any, allowed: str) -> None:
        self._messages.append(f"{setting}={value!r} is invalid: {allowed}")

    @property
    def found(self) -> bool:
        return bool(self._messages)

    @property
    def count(self) -> int:
        return len(self._messages)

    def raise_if_any(self) -> None:
        if self._messages:
            details = "\n  - ".join(self._messages)
            raise ValueError(f"{self.owner}: invalid settings:\n  - {details}")

    # Checks used by more than one construct. Each returns True when the value passed.

    def check_int_range(self, setting: str, value: Any, low: int, high: int) -> bool:
        if is_token(value):
            return True
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(setting, value, f"must be a whole number from {low} to {high}")
            return False
        return True

    def check_choice(self, setting: str, value: Any, choices: Iterable[Any]) -> bool:
        choices = tuple(choices)
        if is_token(value) or value in choices:
            return True
        self.add(setting, value, f"must be one of {', '.join(repr(c) for c in choices)}")
        return False

    def check_pattern(self, setting: str, value: Any, pattern: re.Pattern[str], described: str) -> bool:
        if is_token(value):
            return True
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.add(setting, value, described)
            return False
        return True

    def check_port(self, setting: str, value: Any) -> bool:
        return self.check_int_range(setting, value, 1, 65535)

    def check_arn(self, setting: str, value: Any, service: str | None = None) -> bool:
        if is_token(value):
            return True
        if not isinstance(value, str) or not ARN_PATTERN.match(value):
            self.add(setting, value, "must be an ARN (arn:aws:<service>:<region>:<account>:<resource>)")
            return False
        if service is not None and value.split(":")[2] != service:
            self.add(setting, value, f"must be an ARN of the {service} service (arn:aws:{service}:...)")
            return False
        return True

    def check_arn_list(self, setting: str, values: Any) -> bool:
        if isinstance(values, str) or not isinstance(values, (list, tuple)):
            self.add(setting, values, "must be a list of ARNs")
            return False
        # Every element is checked (not all() short-circuiting) so that each bad ARN is reported.
        results = [self.check_arn(setting, value) for value in values]
        return all(results)

    def check_cidr(self, setting: str, value: Any, min_prefix: int = 0, max_prefix: int = 32) -> bool:
        if is_token(value):
            return True
        try:
            network = ipaddress.IPv4Network(value, strict=True)
        except (ValueError, TypeError):
            self.add(setting, value, "must be an IPv4 CIDR block with no host bits set, e.g. '10.0.0.0/16'")
            return False
        if not min_prefix <= network.prefixlen <= max_prefix:
            self.add(setting, value, f"prefix length must be from /{min_prefix} to /{max_prefix}")
            return False
        return True

    def check_log_retention(self, setting: str, value: Any) -> bool:
        return self.check_choice(setting, value, LOG_RETENTION_DAYS)

    def check_members(self, setting: str, value: Any, members: Iterable[str], described: str) -> bool:
        """A wiring argument (a construct, built or brought in) has what the receiver uses of it."""
        if all(hasattr(value, member) for member in members):
            return True
        self.add(setting, value, f"must be {described}")
        return False

    def check_image(self, setting: str, value: Any) -> bool:
        """A container image reference as Docker and ECS parse it (a reference to a repository resolved
        at apply time is taken as is)."""
        return self.check_pattern(setting, value, IMAGE_REFERENCE, IMAGE_REFERENCE_DESCRIBED)

    def check_non_empty(self, setting: str, value: Any) -> bool:
        if is_token(value) or (isinstance(value, str) and value.strip()):
            return True
        self.add(setting, value, "must be a non-empty string")
        return False


def deprecated(old: str, new: str) -> None:
    """Warn the caller's caller that ``old`` goes in the next minor release, and what to write instead."""
    warnings.warn(f"{old} is deprecated and goes in 0.5: use {new}", DeprecationWarning, stacklevel=3)
