"""Records, in the emulator, every API call a role's session signs: the call as botocore's model reads
it, and what AWS would authorize for it, judged on the emulator's state at that moment (the tags a
resource holds then, the boundary a role has then), before the call changes anything.

One JSON object a line: ``{"call": {...}, "authorizations": [...], "status": 200}``, or ``"error"``
in place of the authorizations where the model cannot say what the call needs (the evaluation fails on
it: an unknown call is never taken as allowed).
"""

from __future__ import annotations

import base64
import io
import json
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .calls import Call, read_call, signer

Principal = Callable[[str], "tuple[str, str] | None"]


class RecordingApplication:
    """WSGI middleware before moto's application: it reads each request twice (once here, once moto)."""

    def __init__(self, application: Any, path: Path, *, authorize: Callable[[Call], list[dict[str, Any]]]) -> None:
        self.application = application
        self.path = path
        self.authorize = authorize
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        from moto.core.request import Request

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        entry = self._entry(Request(dict(environ)))
        environ["wsgi.input"] = io.BytesIO(body)
        if entry is None:
            return self.application(environ, start_response)
        status: list[str] = []

        def remember(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code)
            return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

        response = self.application(environ, remember)
        entry["status"] = int(status[0].split()[0]) if status else None
        with self._lock, self.path.open("a") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")
        return response

    def _entry(self, request: Any) -> dict[str, Any] | None:
        signed = signer(request.headers.get("Authorization", ""))
        if signed is None:
            return None
        session = assumed_role(signed[0])
        if session is None:
            return None
        account, principal = session
        try:
            call = read_call(request, account=account, principal=principal)
        except Exception:
            return {"request": raw_request(request), "error": traceback.format_exc(limit=3)}
        if call is None:
            return None
        try:
            return {"call": call.to_json(), "authorizations": self.authorize(call)}
        except Exception:
            return {"call": call.to_json(), "error": traceback.format_exc(limit=5)}


def assumed_role(access_key: str) -> tuple[str, str] | None:
    """(account, role ARN) of a role session's access key in the emulator; None for any other key."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import get_account_id_from
    from moto.sts.models import sts_backends

    account = get_account_id_from(access_key)
    for candidate in {account, DEFAULT_ACCOUNT_ID}:
        session = sts_backends[candidate]["global"].get_assumed_role_from_access_key(access_key)
        if session is not None:
            return candidate, session.role_arn
    return None


def raw_request(request: Any) -> dict[str, Any]:
    """What a request that could not be read held, to read it again (iam_evidence.calls.request_from_raw)."""
    return {
        "method": request.method,
        "url": request.url,
        "headers": dict(request.headers),
        "body": base64.b64encode(request.get_data()).decode(),
    }


def read_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
