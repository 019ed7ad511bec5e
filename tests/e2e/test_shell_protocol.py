"""The server side of the shell WebSocket (docs/protocol.md §6), spoken with a minimal raw client."""
import base64
import json
import os
import socket
import struct
import time
import urllib.parse
import urllib.request


def shell_url(server, sid):
    req = urllib.request.Request(f"{server.url}/v1/sandboxes/{sid}/shell-url",
                                 headers={"Authorization": f"Bearer {server.key}"})
    return json.loads(urllib.request.urlopen(req).read())["url"]


class RawWs:
    def __init__(self, url, headers=()):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {u.path}?{u.query} HTTP/1.1", f"Host: {u.netloc}", "Connection: Upgrade",
                 "Upgrade: websocket", "Sec-WebSocket-Version: 13", f"Sec-WebSocket-Key: {key}",
                 *headers]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ")[1])
        self.head = head.decode()

    def send(self, opcode, payload: bytes):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            hdr = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload)) if n < 70000 else \
            (int.from_bytes(payload, "big") ^ int.from_bytes((mask * (n // 4 + 1))[:n], "big")).to_bytes(n, "big")
        self.sock.sendall(hdr + mask + masked)

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk

    def recv(self):
        self._need(2)
        b0, b1 = self.buf[0], self.buf[1]
        n, pos = b1 & 0x7F, 2
        if n == 126:
            self._need(4)
            n, pos = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10)
            n, pos = struct.unpack("!Q", self.buf[2:10])[0], 10
        self._need(pos + n)
        payload, self.buf = self.buf[pos:pos + n], self.buf[pos + n:]
        return b0 & 0x0F, payload

    def read_stdout_until(self, needle: str, timeout=30):
        out = ""
        deadline = time.monotonic() + timeout
        while needle not in out and time.monotonic() < deadline:
            op, payload = self.recv()
            if op == 1:
                frame = json.loads(payload)
                assert isinstance(frame["data"], str)
                if frame["type"] == "stdout":
                    out += frame["data"]
        return out


def test_ticket_is_single_use_and_upgrade_refusals_are_json(server, sandbox):
    url = shell_url(server, sandbox)
    ws = RawWs(url)
    assert ws.status == 101
    assert "x-request-id" in ws.head.lower()
    ws.sock.close()
    again = RawWs(url)
    assert again.status == 401
    body = json.loads(again.buf.decode() or "{}") if again.buf else {}
    assert body.get("code") == "unauthorized"
    # A plain GET (no upgrade) with valid credentials is a client error, not a 500.
    req = urllib.request.Request(f"{server.url}/v1/sandboxes/{sandbox}/shell",
                                 headers={"Authorization": f"Bearer {server.key}"})
    try:
        urllib.request.urlopen(req)
        raise AssertionError("plain GET upgraded")
    except urllib.error.HTTPError as e:
        assert e.code == 400
        assert json.loads(e.read())["code"] == "invalid_params"


def test_frames_binary_input_junk_and_exit(server, sandbox):
    ws = RawWs(shell_url(server, sandbox))
    assert ws.status == 101
    ws.send(1, b"not json")
    ws.send(1, b"[1,2,3]")
    ws.send(1, json.dumps({"type": "bogus", "data": "x"}).encode())
    ws.send(1, json.dumps({"cols": 120, "rows": 40, "type": "resize"}).encode())
    ws.send(2, b"stty size; echo bin-$((3*3))\n")
    out = ws.read_stdout_until("bin-9\r\n")
    assert "40 120\r\n" in out
    ws.send(1, json.dumps({"type": "input", "data": "exit 7\n"}).encode())
    frames = []
    while True:
        op, payload = ws.recv()
        if op == 8:
            code = struct.unpack("!H", payload[:2])[0]
            break
        if op == 1:
            frames.append(json.loads(payload))
    assert frames[-1] == {"type": "exit", "data": "", "code": 7}
    assert code == 1000


def test_oversized_frame_closes_with_1009(server, sandbox):
    ws = RawWs(shell_url(server, sandbox))
    assert ws.status == 101
    try:
        ws.send(2, b"x" * (1024 * 1024 + 10))
    except (BrokenPipeError, ConnectionResetError):
        pass
    code = None
    try:
        while True:
            op, payload = ws.recv()
            if op == 8:
                code = struct.unpack("!H", payload[:2])[0]
                break
    except (EOFError, ConnectionResetError):
        pass
    assert code == 1009
