"""A fault-injecting stand-in for the Sockt API (docs/faults.md).

It answers the few routes the fault matrix drives — sandbox status, exec start, execution polls,
files write — like a well-behaved server (sockt serve's shapes, docs/protocol.md §2), except that
the next requests of a route can be given faults to answer with instead (``plan``). It counts
every request per route, so a test can prove that a request which may have started something was
not sent twice.

An execution started here prints ``hello\\n`` then ``bye\\n``: the first poll finds the first
chunk with status ``running``, the next one the second chunk and ``completed`` (exit 0). Chunks
carry ``seq`` and polls honour ``since`` when the replay extension is advertised
(docs/protocol.md §4.5); otherwise polls are destructive (§4.3).
"""

from __future__ import annotations

import collections
import json
import re
import socket
import socketserver
import struct
import threading
from typing import Any, Callable

SANDBOX_ID = "sbx-faults"
EXEC_ID = "exec_faults"
CHUNKS = [(1, "stdout", "hello\n"), (2, "stdout", "bye\n")]

ROUTES = [
    ("create", "POST", re.compile(r"^/v1/sandboxes$")),
    ("status", "GET", re.compile(r"^/v1/sandboxes/[^/]+$")),
    ("exec", "POST", re.compile(r"^/v1/sandboxes/[^/]+/exec$")),
    ("poll", "GET", re.compile(r"^/v1/executions/[^/]+$")),
    ("write", "POST", re.compile(r"^/v1/sandboxes/[^/]+/files/write$")),
]


class Request:
    def __init__(self, method: str, target: str, headers: dict[str, str]):
        self.method = method
        self.target = target
        self.path, _, query = target.partition("?")
        self.query = dict(p.partition("=")[::2] for p in query.split("&") if p)
        self.headers = headers
        self.route = next(
            (name for name, m, rx in ROUTES if m == method and rx.match(self.path)), "other"
        )


def response(status: int, body: bytes, headers: dict[str, str] | None = None,
             reason: str = "Status") -> bytes:
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\n"
    for k, v in (headers or {}).items():
        head += f"{k}: {v}\r\n"
    return head.encode() + b"\r\n" + body


def json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> bytes:
    return response(status, json.dumps(obj).encode(),
                    {"Content-Type": "application/json", **(headers or {})})


def reset(conn: socket.socket) -> None:
    """Closes with a TCP reset (SO_LINGER 0) instead of a FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class Closed(Exception):
    """The fault ended the connection."""


class FaultServer:
    def __init__(self, extensions: str = "replay"):
        self.extensions = extensions
        self.counts: collections.Counter[str] = collections.Counter()
        self.requests: list[tuple[str, str]] = []
        self._plans: dict[str, list[Callable[..., bytes | None]]] = collections.defaultdict(list)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.ticks = 0        # polls of the execution so far (served or lost)
        self.delivered = 0    # destructive pointer for polls without `since`
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._serve_connection(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def plan(self, route: str, *faults: Callable[..., bytes | None]) -> None:
        """The next len(faults) requests of `route` get these answers, in order."""
        with self._lock:
            self._plans[route].extend(faults)

    # --- the connection loop -------------------------------------------------------------
    def _serve_connection(self, conn: socket.socket) -> None:
        buf = b""
        try:
            while not self._stop.is_set():
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, _, buf = buf.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    k, _, v = line.partition(":")
                    headers[k.strip().lower()] = v.strip()
                req = Request(method, target, headers)
                with self._lock:
                    self.counts[req.route] += 1
                    self.requests.append((method, target))
                    fault = self._plans[req.route].pop(0) if self._plans[req.route] else None
                length = int(headers.get("content-length", "0"))
                if fault is early_413:  # answers before reading the body
                    conn.sendall(early_413(self, req))
                    conn.close()  # unread body in the buffer: the kernel sends a reset
                    return
                left = length - len(buf)  # the body is read and dropped
                buf = buf[length:]
                while left > 0:
                    data = conn.recv(min(left, 1 << 20))
                    if not data:
                        return
                    left -= len(data)
                answer = fault(self, req, conn) if fault else self._normal(req)
                if answer is None:
                    return  # the fault dealt with the connection
                conn.sendall(answer)
        except (Closed, OSError):
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass

    # --- a well-behaved server -----------------------------------------------------------
    def headers(self) -> dict[str, str]:
        return {"Sockt-Extensions": self.extensions} if self.extensions else {}

    def _normal(self, req: Request) -> bytes:
        if req.route == "status":
            return json_response(200, status_body(), self.headers())
        if req.route == "create":
            return json_response(201, {**status_body(), "sandbox_token": "sbx_faults"},
                                 self.headers())
        if req.route == "exec":
            return json_response(200, {"execution_id": EXEC_ID, "sandbox_id": SANDBOX_ID,
                                       "status": "running", "command": "echo hi"}, self.headers())
        if req.route == "poll":
            return json_response(200, self.poll_body(req), self.headers())
        if req.route == "write":
            return json_response(200, {"path": "/home/sandbox/big.txt", "bytes_written": 1},
                                 self.headers())
        return json_response(404, {"code": "not_found", "message": "no such route here"})

    def poll_body(self, req: Request) -> dict[str, Any]:
        """One poll of the execution (advances it, whether or not the answer arrives)."""
        with self._lock:
            self.ticks += 1
            available = CHUNKS[: min(self.ticks, len(CHUNKS))]
            replay = "replay" in self.extensions
            if replay and "since" in req.query:
                since = int(req.query["since"] or 0)
                chunks = [c for c in available if c[0] > since]
            else:
                chunks = available[self.delivered:]
                self.delivered = len(available)
        done = self.ticks >= len(CHUNKS)
        output = [{"stream": s, "chunk": t, **({"seq": n} if replay else {})} for n, s, t in chunks]
        return {"execution_id": EXEC_ID, "status": "completed" if done else "running",
                "exit_code": 0 if done else None, "error": None, "output": output}


def status_body() -> dict[str, Any]:
    return {"sandbox_id": SANDBOX_ID, "status": "running", "tier": "nano", "runtime": "local",
            "billing_method": "credits"}


# --- faults: each takes (server, request, connection) and returns bytes to send, or None when it
# --- has ended the connection itself ---------------------------------------------------------
def answer(status: int, obj: Any, headers: dict[str, str] | None = None) -> Callable[..., bytes]:
    return lambda srv, req, conn: json_response(status, obj, {**srv.headers(), **(headers or {})})


def pod_starting(srv: FaultServer, req: Request, conn: socket.socket) -> bytes:
    return json_response(503, {"code": "pod_starting", "message": "sandbox pod is starting"})


def html_502(srv: FaultServer, req: Request, conn: socket.socket) -> bytes:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>"
    return response(502, page, {"Content-Type": "text/html"}, "Bad Gateway")


def served_then_502(srv: FaultServer, req: Request, conn: socket.socket) -> bytes:
    """The upstream started the request, then the gateway in front failed."""
    return html_502(srv, req, conn)


def reset_before_body(srv: FaultServer, req: Request, conn: socket.socket) -> None:
    reset(conn)


def reset_mid_body(srv: FaultServer, req: Request, conn: socket.socket) -> None:
    body = json.dumps(status_body()).encode()
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[: len(body) // 2])
    reset(conn)


def poll_served_then_reset(srv: FaultServer, req: Request, conn: socket.socket) -> None:
    """The server handed out the poll's chunks, the answer was lost on the way."""
    srv.poll_body(req)
    reset(conn)


def stall(srv: FaultServer, req: Request, conn: socket.socket) -> None:
    srv._stop.wait(60)
    raise Closed()


def truncated_json(srv: FaultServer, req: Request, conn: socket.socket) -> bytes:
    return response(200, b'{"sandbox_id":"sbx-faults","status":"runn',
                    {"Content-Type": "application/json"})


def wrong_content_length(srv: FaultServer, req: Request, conn: socket.socket) -> None:
    body = json.dumps(status_body()).encode()
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 + f"Content-Length: {len(body) + 100}\r\n\r\n".encode() + body)
    conn.shutdown(socket.SHUT_WR)
    raise Closed()


def endless_chunked(srv: FaultServer, req: Request, conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    piece = b"%x\r\n" % (1 << 20) + b"[" * (1 << 20) + b"\r\n"
    while not srv._stop.is_set():
        conn.sendall(piece)  # ends with an OSError once the client gives up
    raise Closed()


def huge_header(srv: FaultServer, req: Request, conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: ")
    piece = b"a" * (1 << 20)
    for _ in range(10):
        conn.sendall(piece)
    conn.sendall(b"\r\nContent-Length: 2\r\n\r\n{}")
    raise Closed()


def wrong_types(srv: FaultServer, req: Request, conn: socket.socket) -> bytes:
    return json_response(200, {"execution_id": EXEC_ID, "status": 5, "exit_code": "zero",
                               "output": "hello"}, srv.headers())


def redirect(srv: FaultServer, req: Request, conn: socket.socket) -> bytes:
    return response(307, b"{}", {"Location": "http://127.0.0.1:9/elsewhere",
                                 "Content-Type": "application/json"}, "Temporary Redirect")


def early_413(srv: FaultServer, req: Request, conn: socket.socket | None = None) -> bytes:
    return json_response(413, {"code": "payload_too_large", "message": "payload too large"},
                         {"Connection": "close"})
