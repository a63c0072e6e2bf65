"""Rules across the constructs of one app: names AWS requires to be unique.

A registry per app (keyed by the app's jsii reference, the one identity every construct's
``node.root`` shares) records who claimed a name first, so the second claimant's error names both.
"""

from __future__ import annotations

from constructs import Construct

from ._validation import is_token

_CLAIMS: dict[str, dict[str, dict[str, str]]] = {}


def _app_key(scope: Construct) -> str:
    return str(scope.node.root.__jsii_ref__.ref)  # type: ignore[attr-defined]


def claim_name(scope: Construct, kind: str, name: str, owner: str) -> str | None:
    """Record that ``owner`` (a construct path) uses ``name`` for a ``kind``; return the path of an
    earlier owner of the same name, if any. Names known only at apply time are not compared."""
    if not isinstance(name, str) or is_token(name):
        return None
    names = _CLAIMS.setdefault(_app_key(scope), {}).setdefault(kind, {})
    earlier = names.get(name)
    if earlier is not None and earlier != owner:
        return earlier
    names[name] = owner
    return None
