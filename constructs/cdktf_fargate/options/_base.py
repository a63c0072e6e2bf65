"""How an option is declared once: a field of a frozen option type, with its default, doc and rule.

``option(default, doc, rule)`` makes the field. ``check_options`` walks an option object and
reports every problem with its dotted path: values of the wrong type (from the annotation),
values the field's rule refuses, and the cross-field rules an option type owns in its
``_cross_check`` method. ``options_from_mapping`` builds the same types from a TOML table,
refusing unknown keys with the closest valid one. ``tests/test_options.py`` checks the machinery;
``scripts/gen_docs.py`` renders the fields as the reference tables.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import ipaddress
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal, Protocol, TypeVar

from .._validation import LOG_RETENTION_DAYS, Problems, is_token

T = TypeVar("T")


class Rule(Protocol):
    """A check on one field's value, once its type is right. ``described`` says what is allowed."""

    @property
    def described(self) -> str: ...

    def __call__(self, value: Any) -> bool: ...


@dataclasses.dataclass(frozen=True)
class Range:
    low: float
    high: float
    whole: bool = True

    @property
    def described(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        return f"must be {kind} from {_number(self.low)} to {_number(self.high)}"

    def __call__(self, value: Any) -> bool:
        return bool(self.low <= value <= self.high)


@dataclasses.dataclass(frozen=True)
class Above:
    """A number above ``low`` (exclusive) and at most ``high``."""

    low: float
    high: float

    @property
    def described(self) -> str:
        return f"must be a number above {_number(self.low)} and at most {_number(self.high)}"

    def __call__(self, value: Any) -> bool:
        return bool(self.low < value <= self.high)


@dataclasses.dataclass(frozen=True)
class OneOf:
    choices: tuple[Any, ...]

    @property
    def described(self) -> str:
        return f"must be one of {', '.join(repr(choice) for choice in self.choices)}"

    def __call__(self, value: Any) -> bool:
        return value in self.choices


@dataclasses.dataclass(frozen=True)
class Pattern:
    pattern: re.Pattern[str]
    described: str

    def __call__(self, value: Any) -> bool:
        return bool(self.pattern.fullmatch(value))


# Who may do something, as `aws:PrincipalArn` names them: a role's or user's ARN (`*` and `?` match), never
# a session's (`arn:aws:sts::…:assumed-role/<role>/<session>`), which that key never equals.
PRINCIPAL_ARN = Pattern(
    re.compile(r"arn:aws[a-z-]*:iam::(\d{12}|[*?]+):(root|(role|user)/[A-Za-z0-9+=,.@_/*?-]+)"),
    "must be an IAM role's or user's ARN, e.g. 'arn:aws:iam::123456789012:role/Admin' (with the role's path: "
    "`aws iam get-role --role-name Admin --query Role.Arn`), not a session's 'arn:aws:sts::…:assumed-role/…'",
)


@dataclasses.dataclass(frozen=True)
class Cidr:
    min_prefix: int = 0
    max_prefix: int = 32

    @property
    def described(self) -> str:
        return f"must be an IPv4 CIDR block (/{self.min_prefix} to /{self.max_prefix}) with no host bits set"

    def __call__(self, value: Any) -> bool:
        try:
            network = ipaddress.IPv4Network(value, strict=True)
        except ValueError:
            return False
        return self.min_prefix <= network.prefixlen <= self.max_prefix


@dataclasses.dataclass(frozen=True)
class Each:
    """Applies ``rule`` to every item of a list (or every key of a mapping), and refuses repeats."""

    rule: Rule | None = None
    unique: bool = True
    non_empty: bool = False

    @property
    def described(self) -> str:
        parts = []
        if self.rule is not None:
            parts.append(f"each item {self.rule.described.removeprefix('must be ')}")
        if self.unique:
            parts.append("no repeats")
        if self.non_empty:
            parts.append("at least one")
        return "; ".join(parts)

    def __call__(self, value: Any) -> bool:  # pragma: no cover - check_options applies it item by item
        raise NotImplementedError


LOG_RETENTION = OneOf(LOG_RETENTION_DAYS)
PORT = Range(1, 65535)


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", "_") if value >= 100_000 and float(value).is_integer() else f"{value:g}"


def option(default: Any, doc: str, rule: Rule | None = None) -> Any:
    """A field of an option type: its default (behaviour, documented), its doc, and its rule."""
    metadata = {"doc": doc, "rule": rule}
    if isinstance(default, (dict, list)) or dataclasses.is_dataclass(default):
        return dataclasses.field(default_factory=functools.partial(_copy, default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def _copy(default: Any) -> Any:
    if isinstance(default, dict):
        return dict(default)
    if isinstance(default, list):
        return list(default)
    return dataclasses.replace(default)


class OptionType:
    """Base of every option type: frozen, keyword-only dataclasses of plain values."""

    # The name of the group in documentation (the class docstring says what it is for).
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def _cross_check(self, report: Callable[[str, Any, str], None]) -> None:
        """Rules across this type's own fields; runs only when every field has the right type."""


_HINTS: dict[type, dict[str, Any]] = {}


def hints(option_type: type) -> dict[str, Any]:
    """The resolved annotations of an option type's fields (the module uses postponed annotations)."""
    if option_type not in _HINTS:
        _HINTS[option_type] = typing.get_type_hints(option_type)
    return _HINTS[option_type]


def is_option_type(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, OptionType)


def describe_type(annotation: Any) -> str:
    """A reader's name for an annotation: ``whole number``, ``list of strings``, ``'X86_64' or 'ARM64'``."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is Literal:
        return " or ".join(repr(argument) for argument in arguments)
    if origin in (typing.Union, types.UnionType):
        named = [describe_type(argument) for argument in arguments if argument is not type(None)]
        return " or ".join(named) + (" or None" if type(None) in arguments else "")
    if origin is tuple:
        return f"a list of {_plural(describe_type(arguments[0]))}"
    if origin in (dict, Mapping) or annotation is Mapping:
        return f"a mapping of names to {_plural(describe_type(arguments[1]))}"
    if is_option_type(annotation):
        return f"a {annotation.__name__} (a table)"
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}.get(
        annotation, str(annotation)
    )


def _plural(described: str) -> str:
    for article in ("a ", "an "):
        if described.startswith(article):
            described = described[len(article) :]
    return {"string": "strings", "whole number": "whole numbers", "number": "numbers"}.get(described, described)


def _type_ok(value: Any, annotation: Any) -> bool:
    """Whether ``value`` has the annotation's shape (items are checked by the caller)."""
    origin = typing.get_origin(annotation)
    if is_token(value):
        return annotation in (int, float, str) or typing.get_origin(annotation) in (typing.Union, types.UnionType)
    if origin is Literal:
        return any(value == choice and type(value) is type(choice) for choice in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, argument) for argument in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if origin is tuple:
        return isinstance(value, (tuple, list))
    if origin in (dict, Mapping) or annotation is Mapping:
        return isinstance(value, Mapping)
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True


def _value_annotation(annotation: Any, value: Any) -> Any:
    """For ``X | None``, the member that ``value`` matched."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            if argument is not type(None) and _type_ok(value, argument):
                return argument
    return annotation


def check_value(problems: Problems, path: str, value: Any, annotation: Any, rule: Rule | None) -> bool:
    """Type, then items, then the rule. Reports into ``problems``; returns whether the value passed."""
    if not _type_ok(value, annotation):
        problems.add(path, value, f"must be {describe_type(annotation)}")
        return False
    if value is None or is_token(value):
        return True
    annotation = _value_annotation(annotation, value)
    origin = typing.get_origin(annotation)
    if origin is tuple:
        return _check_items(problems, path, list(value), typing.get_args(annotation)[0], rule)
    if origin in (dict, Mapping):
        key_type, item_type = typing.get_args(annotation)
        keys_ok = _check_items(problems, path, list(value), key_type, rule, what="name")
        items_ok = [check_value(problems, f"{path}.{key}", item, item_type, None) for key, item in value.items()]
        return keys_ok and all(items_ok)
    if is_option_type(annotation):
        return check_options(problems, path, value)
    if rule is not None and not rule(value):
        problems.add(path, value, rule.described)
        return False
    return True


def _check_items(
    problems: Problems, path: str, items: list[Any], item_type: Any, rule: Rule | None, *, what: str = "item"
) -> bool:
    each = rule if isinstance(rule, Each) else Each(rule=rule, unique=False)
    # Tables in a list are told apart by their place: `scaling.schedules[1].min_count`.
    paths = [f"{path}[{index}]" for index in range(len(items))] if is_option_type(item_type) else [path] * len(items)
    results = [
        check_value(problems, where, item, item_type, each.rule) for where, item in zip(paths, items, strict=True)
    ]
    ok = all(results)
    if each.unique and ok and len({repr(item) for item in items}) != len(items):
        problems.add(path, items, f"must not repeat a{'n' if what[0] in 'aeiou' else ''} {what}")
        ok = False
    if each.non_empty and not items:
        problems.add(path, items, f"must have at least one {what}")
        ok = False
    return ok


def check_options(problems: Problems, path: str, options: Any) -> bool:
    """Every field of an option object, then its cross-field rules. Returns whether all passed."""
    before = problems.count
    for field in dataclasses.fields(options):
        value = getattr(options, field.name)
        check_value(problems, f"{path}.{field.name}" if path else field.name, value, hints(type(options))[field.name],
                    field.metadata.get("rule"))  # fmt: skip
    if _types_ok(options):

        def report(setting: str, value: Any, allowed: str) -> None:
            problems.add(f"{path}.{setting}" if path else setting, value, allowed)

        options._cross_check(report)
    return problems.count == before


def _types_ok(value: Any, annotation: Any = None) -> bool:
    """Whether every value below ``value`` has its annotated type, so cross-field rules can compare them."""
    if annotation is not None and not _type_ok(value, annotation):
        return False
    if is_token(value) or value is None:
        return True
    if dataclasses.is_dataclass(value) and isinstance(value, OptionType):
        field_types = hints(type(value))
        return all(
            _types_ok(getattr(value, field.name), field_types[field.name]) for field in dataclasses.fields(value)
        )
    annotation = _value_annotation(annotation, value)
    origin = typing.get_origin(annotation)
    if origin is tuple:
        return all(_types_ok(item, typing.get_args(annotation)[0]) for item in value)
    if origin in (dict, Mapping):
        key_type, item_type = typing.get_args(annotation)
        return all(_types_ok(key, key_type) and _types_ok(item, item_type) for key, item in value.items())
    return True


def options_from_mapping(option_type: type[T], data: Any, path: str, problems: Problems) -> T | None:
    """Build ``option_type`` from a TOML table; unknown keys and wrong types are reported with their path."""
    if not isinstance(data, Mapping):
        problems.add(path, data, f"must be {describe_type(option_type)}")
        return None
    field_types = hints(option_type)
    known = [field.name for field in dataclasses.fields(option_type)]  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{path}.{key}" if path else key
        if key not in known:
            # Fields the table does not set itself (an environment's name is its table's) are not offered.
            settable = [name for name in known if name not in getattr(option_type, "NOT_IN_TABLE", ())]
            close = difflib.get_close_matches(key, settable, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.add(
                where, value, f"is not a setting of {option_type.__name__}: {hint}allowed are {', '.join(settable)}"
            )
            continue
        built = _from_toml(field_types[key], value, where, problems)
        if built is not _MISSING:
            values[key] = built
    try:
        return option_type(**values)
    except (TypeError, ValueError) as error:
        problems.add(path or option_type.__name__, dict(data), str(error))
        return None


_MISSING = object()


def _from_toml(annotation: Any, value: Any, path: str, problems: Problems) -> Any:
    annotation = _value_annotation(annotation, value) if not isinstance(value, Mapping) else annotation
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [argument for argument in arguments if argument is not type(None)]
        annotation, origin, arguments = members[0], typing.get_origin(members[0]), typing.get_args(members[0])
    if is_option_type(annotation):
        built = options_from_mapping(annotation, value, path, problems)
        return _MISSING if built is None else built
    if origin is tuple and isinstance(value, list):
        item_type = arguments[0] if arguments else Any
        if is_option_type(item_type):
            built = [_from_toml(item_type, item, f"{path}[{index}]", problems) for index, item in enumerate(value)]
            return tuple(item for item in built if item is not _MISSING)
        return tuple(value)
    if origin in (dict, Mapping) and isinstance(value, Mapping) and is_option_type(arguments[1]):
        items = {key: _from_toml(arguments[1], item, f"{path}.{key}", problems) for key, item in value.items()}
        return {key: item for key, item in items.items() if item is not _MISSING}
    return value
