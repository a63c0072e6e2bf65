"""One AWS API call as AWS receives it: the signer's key, region and service from the SigV4 credential
scope, the operation and its parameters read from the HTTP request by botocore's service model (the
same model the SDKs write requests from), with moto's request parsers and routers."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import functools
import re
from collections.abc import Mapping
from typing import Any

SIGNATURE = re.compile(r"Credential=(?P<key>[^/,\s]+)/\d{8}/(?P<region>[^/]+)/(?P<signing_name>[^/]+)/aws4_request")


@dataclasses.dataclass(frozen=True)
class Call:
    """An API call: ``service`` is botocore's name (``elbv2``), ``params`` its input shape's members."""

    service: str
    operation: str
    params: Mapping[str, Any]
    region: str
    account: str
    principal: str

    def to_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "params": jsonable(self.params)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Call:
        return cls(**data)


def jsonable(value: Any) -> Any:
    """Parameters as JSON can hold them: blobs in base64, times in ISO 8601."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def signer(authorization: str) -> tuple[str, str, str] | None:
    """(access key, region, signing name) of a SigV4 ``Authorization`` header."""
    match = SIGNATURE.search(authorization or "")
    return (match["key"], match["region"], match["signing_name"]) if match else None


@functools.cache
def services_by_signing_name() -> dict[str, tuple[str, ...]]:
    """botocore's services by the name they sign with; the service named like it first."""
    from botocore.loaders import create_loader

    loader = create_loader()
    found: dict[str, list[str]] = {}
    for name in loader.list_available_services("service-2"):
        metadata = loader.load_service_model(name, "service-2")["metadata"]
        signing_name = metadata.get("signingName") or metadata.get("endpointPrefix")
        found.setdefault(signing_name, []).append(name)
    return {key: tuple(sorted(names, key=lambda name: (name != key, name))) for key, names in found.items()}


def read_call(request: Any, *, account: str, principal: str) -> Call | None:
    """The call a signed request makes, or None when it is not a signed AWS API request.

    ``request`` is a ``moto.core.request.Request`` over the buffered WSGI environ.
    """
    from botocore.model import OperationNotFoundError
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.request import determine_request_protocol
    from moto.core.routing import get_service_router
    from moto.core.utils import get_service_model
    from werkzeug.exceptions import NotFound

    signed = signer(request.headers.get("Authorization", ""))
    if signed is None:
        return None
    _, region, signing_name = signed
    for service in services_by_signing_name().get(signing_name, ()):
        model = get_service_model(service)
        if not _speaks(model, request):
            continue
        try:
            operation, uri_params = get_service_router(service).match(request)
        except (NotFound, NotImplementedError, OperationNotFoundError, KeyError):
            continue
        protocol = determine_request_protocol(model, request.content_type)
        params = PROTOCOL_PARSERS[protocol](operation).parse(
            {
                "method": request.method,
                "values": request.values,
                "headers": request.headers,
                "body": request.data,
                "url_path": request.path,
                "url_params": uri_params,
            }
        )
        return Call(service, operation.name, dict(params), region, account, principal)
    raise ValueError(f"no botocore service signing as {signing_name!r} reads {request.method} {request.full_path}")


def _speaks(model: Any, request: Any) -> bool:
    """Whether a request can be for this service: its API version (query protocols) or JSON target prefix."""
    version = request.values.get("Version")
    if version and model.protocol in ("query", "ec2") and version != model.api_version:
        return False
    target = request.headers.get("X-Amz-Target")
    prefix = model.metadata.get("targetPrefix")
    return not (target and prefix and not target.startswith(f"{prefix}."))
