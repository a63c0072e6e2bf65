"""moto's server on loopback with the patches: started in-process (the end-to-end suites) or as
`cdktf-fargate emulator serve` (`make deploy-local`), stopped by its pid file."""

from __future__ import annotations

import datetime
import io
import os
import re
import signal
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, ClassVar

from .endpoint import DEFAULT_DOMAIN, DEFAULT_PORT
from .patches import LayerDownloads, patch_moto


def import_certificate(endpoint: str, domain: str) -> str:
    """Import a self-signed certificate for ``domain`` into the emulator's ACM; returns its ARN."""
    import boto3
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    acm = boto3.client("acm", endpoint_url=endpoint)
    response = acm.import_certificate(
        Certificate=certificate.public_bytes(serialization.Encoding.PEM),
        PrivateKey=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ),
    )
    return response["CertificateArn"]


# Generous: with the suites side by side on two cores an emulator answers slowly, and only a broken one
# should fail here (a clean-clone run timed out a reset at 10 s).
STARTUP_SECONDS = 120


def wait_until_up(endpoint: str, timeout_seconds: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not answer at {endpoint} within {timeout_seconds} s") from None
            time.sleep(0.2)


def reset(endpoint: str) -> None:
    """Empty every service: moto keeps its accounts in module globals, which every server started in
    the same process shares (the end-to-end modules each start one)."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=STARTUP_SECONDS):
        pass


class LocalAws:
    """moto's ThreadedMotoServer with the patches, on 127.0.0.1, empty but for the local certificate.

    ``port`` 0 takes a free port, chosen by the system as the server binds it (then ``port`` and
    ``endpoint`` say which): suites running side by side never race for one. With ``log``, a line per
    request goes there (`RequestLog`): what a failing end-to-end test shows of its emulator. With
    ``record``, every call a role's session signs is written there with what AWS would authorize for
    it (cdktf_fargate_emulator/iam_evidence: the evidence for the deploy role that the emulator cannot give).
    """

    # The emulators this process runs: a failing test shows their logs (tests/conftest.py).
    running: ClassVar[list[LocalAws]] = []

    def __init__(
        self,
        port: int = DEFAULT_PORT,
        certificate_domain: str = DEFAULT_DOMAIN,
        *,
        record: Path | None = None,
        log: Path | None = None,
    ) -> None:
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.certificate_domain = certificate_domain
        self.certificate_arn: str | None = None
        self.record = record
        self.log = log
        self._server: Any = None

    def start(self) -> LocalAws:
        patch_moto()
        self._server = _server_type(self.record, self.log)(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.port = self._server.get_host_and_port()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        LocalAws.running.append(self)
        wait_until_up(self.endpoint)
        reset(self.endpoint)
        self.certificate_arn = import_certificate(self.endpoint, self.certificate_domain)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self in LocalAws.running:
            LocalAws.running.remove(self)

    def log_tail(self, lines: int = 60) -> str:
        """The last ``lines`` of the request log ("" without one)."""
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> LocalAws:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def sdk_attempt(environ: dict[str, Any]) -> int:
    """Which attempt of its call an SDK says a request is (`amz-sdk-request: attempt=N`); 1 when it does not say."""
    found = re.search(r"attempt=(\d+)", environ.get("HTTP_AMZ_SDK_REQUEST", ""))
    return int(found.group(1)) if found else 1


def run_to_the_end(application: Any, environ: dict[str, Any], start_response: Any) -> tuple[list[Any], bytes]:
    """Run a WSGI application through: the (status, headers) it started the answer with, and its whole body."""
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def remember(code: str, headers: Any, exc_info: Any = None) -> Any:
        started.append((code, list(headers)))
        return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

    result = application(environ, remember)
    try:
        return started, b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()


class RequestLog:
    """WSGI middleware: a line per request with the time, the status, the milliseconds, the service
    and operation asked for (from the signature's scope and the request's target or `Action`), an
    error's code, and the SDK's attempt number when it sends a request again; a 5xx (the emulator's
    own failure, not the API's answer) with the start of its body."""

    def __init__(self, application: Any, path: Path) -> None:
        self.application = application
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.monotonic()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            answered, response = run_to_the_end(self.application, environ, start_response)
        except Exception as error:
            # The server answers 500 with its own page; the log says what failed, in the emulator.
            self._write(environ, body, started, "500", f"{type(error).__name__}: {error}".encode())
            raise
        code = answered[0][0].split()[0] if answered else "-"
        line = self._head(environ, body, started, code)
        error = ERROR_CODE.search(response[:2000]) if code[:1] in ("4", "5") else None
        if error:
            line += f"  {(error.group(1) or error.group(2)).decode(errors='replace')}"
        attempt = sdk_attempt(environ)
        if attempt > 1:
            replayed = ", answered again without running it" if environ.get(REPLAYED) else ""
            line += f"  (attempt {attempt}{replayed})"
        if code.startswith("5"):
            line += "\n    " + response[:600].decode(errors="replace").replace("\n", "\n    ")
        self._append(line)
        return [response]

    def _write(self, environ: dict[str, Any], body: bytes, started: float, code: str, detail: bytes) -> None:
        self._append(self._head(environ, body, started, code) + "\n    " + detail[:600].decode(errors="replace"))

    @staticmethod
    def _head(environ: dict[str, Any], body: bytes, started: float, code: str) -> str:
        return (
            f"{datetime.datetime.now().strftime('%H:%M:%S.%f')[:-3]} {code} "
            f"{round((time.monotonic() - started) * 1000):>5} ms  {requested(environ, body)}"
        )

    def _append(self, line: str) -> None:
        with self._lock, self.path.open("a") as handle:
            handle.write(line + "\n")


class AnsweredOnce:
    """WSGI middleware: an SDK's retry of a call the emulator already answered with success gets that same
    answer, instead of running the call a second time.

    Under load, a client on loopback sometimes sends a call again although the emulator ran it and
    answered 200 (seen as `AuthorizeSecurityGroupEgress` 200, then the same call's attempt 2 refused with
    `InvalidPermission.Duplicate` 110 ms later, which failed the deploy): the answer was lost between the
    two. AWS would have delivered it. The SDKs name each call (`amz-sdk-invocation-id`, the same on every
    attempt) and count its attempts (`amz-sdk-request: attempt=N`), so a later attempt of a call already
    answered is recognized and answered again; a new call with the same content still runs (and a real
    duplicate is still refused)."""

    KEPT = 1024

    def __init__(self, application: Any) -> None:
        self.application = application
        self._answers: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID", "")
        if invocation and sdk_attempt(environ) > 1:
            with self._lock:
                answered = self._answers.get(invocation)
            if answered is not None:
                environ[REPLAYED] = True
                start_response(answered[0], answered[1])
                return [answered[2]]
        status, response = run_to_the_end(self.application, environ, start_response)
        if invocation and status and status[0][0].startswith("2"):
            with self._lock:
                self._answers[invocation] = (status[0][0], status[0][1], response)
                while len(self._answers) > self.KEPT:
                    del self._answers[next(iter(self._answers))]
        return [response]


# Set in a request's environ when AnsweredOnce answered it again.
REPLAYED = "cdktf_fargate.answered_again"
# An error's code in the query protocols' XML or the JSON protocols' `__type`.
ERROR_CODE = re.compile(rb"<Code>([^<]+)</Code>|\"__type\":\s*\"(?:[^\"#]*#)?([^\"]+)\"")


def requested(environ: dict[str, Any], body: bytes) -> str:
    """`service Operation` as far as the request says it, else the method and path."""
    scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    service = scope.group(1) if scope else "-"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return f"{service} {target.rsplit('.', 1)[-1]}"
    form = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" not in form and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        form = urllib.parse.parse_qs(body.decode(errors="replace"))
    if "Action" in form:
        return f"{service} {form['Action'][0]}"
    return f"{service} {environ.get('REQUEST_METHOD', '?')} {environ.get('PATH_INFO', '')}"


def _server_type(record: Path | None, log: Path | None) -> type:
    """ThreadedMotoServer whose application answers an SDK's retry of a call it already answered
    (`AnsweredOnce`), first records role sessions' calls (iam_evidence.recorder) when ``record`` is set,
    and logs every request when ``log`` is."""
    from moto.moto_server import threaded_moto_server
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    def application() -> Any:
        wrapped: Any = threaded_moto_server.DomainDispatcherApplication(threaded_moto_server.create_backend_app)
        if record is not None:
            from .iam_evidence.model import authorize
            from .iam_evidence.moto_state import MotoState
            from .iam_evidence.recorder import RecordingApplication

            state = MotoState()
            wrapped = RecordingApplication(
                wrapped, record, authorize=lambda call: [a.to_json() for a in authorize(call, state)]
            )
        # Outside the recorder: a call answered again was run, and recorded, once.
        wrapped = AnsweredOnce(wrapped)
        if log is not None:
            wrapped = RequestLog(wrapped, log)
        return LayerDownloads(wrapped)

    class WrappedServer(ThreadedMotoServer):  # type: ignore[misc]
        def _server_entry(self) -> None:
            self._server = make_server(
                self._ip_address,
                self._port,
                application(),
                True,
                request_handler=threaded_moto_server.MotoRequestHandler,
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    return WrappedServer


def serve(port: int, domain: str, pid_file: Path | None) -> int:
    # Before the pid is published: a SIGTERM sent as soon as it is must stop the emulator cleanly.
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    emulator = LocalAws(port, domain).start()
    if pid_file is not None:
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        pid_file.write_text(str(os.getpid()))
    print(
        f"AWS emulator (moto) at {emulator.endpoint}; certificate for {domain}: {emulator.certificate_arn}", flush=True
    )
    stopped.wait()
    emulator.stop()
    if pid_file is not None and pid_file.exists():
        pid_file.unlink()
    return 0


def is_emulator(pid: int) -> bool:
    """Whether ``pid`` runs `cdktf-fargate emulator serve` (read from /proc, where the process's arguments are)."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(
        argument.endswith(b"cdktf-fargate") or argument.endswith(b"cdktf_fargate_cli") for argument in arguments
    ) and (b"emulator" in arguments and b"serve" in arguments)


def stop(pid_file: Path) -> int:
    if not pid_file.exists():
        print(f"no emulator running ({pid_file} does not exist)")
        return 0
    pid = int(pid_file.read_text())
    if not is_emulator(pid):
        # The emulator is gone and its pid was reused: signal nothing, forget the pid.
        print(f"pid {pid} from {pid_file} is not the emulator; nothing to stop")
        pid_file.unlink()
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink()
        return 0
    for _ in range(300):
        if not pid_file.exists():
            return 0
        if not is_emulator(pid):
            # It ended without removing its pid file.
            pid_file.unlink(missing_ok=True)
            return 0
        time.sleep(0.1)
    print(f"the emulator (pid {pid}) did not stop", file=sys.stderr)
    return 1
