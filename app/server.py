"""The sample service the deploy workflow builds by default: a tiny HTTP server that does what an image
must do to run on the stack's defaults (docs/deploying.md#what-an-image-needs).

- listens on $PORT (the container port, 8080 by default) on every interface;
- answers the load balancer's health check on /health (`service.health_check.path`);
- writes nothing but to /tmp (the root filesystem is read-only; /tmp is the task's scratch volume);
- logs one JSON line per request to stdout (CloudWatch Logs through the awslogs driver);
- stops cleanly on SIGTERM (ECS sends it, then SIGKILL after `stop_timeout_seconds`).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEALTH_PATH = os.environ.get("HEALTH_PATH", "/health")


class Handler(BaseHTTPRequestHandler):
    server_version = "sample"

    def do_GET(self) -> None:
        if self.path == HEALTH_PATH:
            self._answer(200, {"status": "ok"})
        elif self.path == "/":
            self._answer(200, {"service": os.environ.get("SERVICE_NAME", "sample"), "time": time.time()})
        else:
            self._answer(404, {"error": "not found"})

    def _answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # the base class names it `format`
        print(json.dumps({"request": self.requestline, "status": args[1] if len(args) > 1 else None}), flush=True)


def main() -> int:
    server = ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Handler)
    # SIGTERM ends serve_forever from another thread (it cannot be stopped from its own).
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(json.dumps({"listening": server.server_address[1]}), flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
