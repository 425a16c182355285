#!/usr/bin/env python3
"""A static HTTP server for a stigmer release tree, with fault injection (test infrastructure).

Serves files under --root with single-range support and keeps a log of requests. Faults are
queued per path through a control endpoint; each queued fault applies to one request:

  POST /_control/fault   {"path": "/1.0.0/linux-amd64/agent-runner", "mode": "status:500"}
  GET  /_control/log     [{"path": ..., "range": ..., "status": ..., "proxied": ...}, ...]
  POST /_control/reset   clears faults and the log

Modes: status:<code>, drop:<bytes> (send that many body bytes then close), stall (send headers,
then nothing), ignore-range (answer 200 with the whole file), redirect:<path> (302),
throttle:<bytes-per-second> (serve slowly). Requests whose target is an absolute URL are treated as
proxy requests (logged with "proxied": true) and served from the same tree; CONNECT requests
(https through a proxy) are logged with "connect": "<host:port>" and refused with 502.
"""
import argparse
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = {}
LOG = []
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = "."

    def log_message(self, *args):  # keep test output quiet
        pass

    def _json(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/_control/fault":
            with LOCK:
                FAULTS.setdefault(payload["path"], []).append(payload["mode"])
            return self._json(200, {"ok": True})
        if self.path == "/_control/reset":
            with LOCK:
                FAULTS.clear()
                LOG.clear()
            return self._json(200, {"ok": True})
        return self._json(404, {"error": "unknown control"})

    def do_CONNECT(self):
        # A forward proxy for https:// would tunnel here; the test server only records the
        # attempt (proving the client used the proxy) and refuses it.
        with LOCK:
            LOG.append({"path": None, "connect": self.path, "range": None, "proxied": True,
                        "mode": None, "status": 502})
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        target = self.path
        proxied = False
        if target.startswith("http://") or target.startswith("https://"):
            proxied = True
            target = urllib.parse.urlsplit(target).path or "/"
        if target == "/_control/log":
            with LOCK:
                return self._json(200, list(LOG))
        path = urllib.parse.unquote(urllib.parse.urlsplit(target).path)
        with LOCK:
            queue = FAULTS.get(path) or []
            mode = queue.pop(0) if queue else None
        entry = {"path": path, "range": self.headers.get("Range"), "proxied": proxied,
                 "mode": mode, "status": None}
        with LOCK:
            LOG.append(entry)
        entry["status"] = self._serve(path, mode)

    def _serve(self, path, mode):
        if mode and mode.startswith("status:"):
            code = int(mode.split(":", 1)[1])
            self._json(code, {"error": "injected"})
            return code
        if mode and mode.startswith("redirect:"):
            self.send_response(302)
            self.send_header("Location", mode.split(":", 1)[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return 302
        file_path = os.path.realpath(os.path.join(self.root, path.lstrip("/")))
        if not file_path.startswith(os.path.realpath(self.root) + os.sep) or not os.path.isfile(file_path):
            self._json(404, {"error": "not found"})
            return 404
        size = os.path.getsize(file_path)
        start, status = 0, 200
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if match and mode != "ignore-range":
            start = int(match.group(1))
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return 416
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size - start))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if mode == "stall":
            time.sleep(30)
            self.close_connection = True
            return status
        limit = None
        if mode and mode.startswith("drop:"):
            limit = int(mode.split(":", 1)[1])
        rate = int(mode.split(":", 1)[1]) if mode and mode.startswith("throttle:") else None
        sent = 0
        with open(file_path, "rb") as f:
            f.seek(start)
            while True:
                chunk_size = 256 * 1024 if rate is None else max(1, rate // 20)
                if limit is not None:
                    chunk_size = min(chunk_size, limit - sent)
                chunk = f.read(chunk_size) if chunk_size > 0 else b""
                if not chunk:
                    break
                try:
                    self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    return status
                sent += len(chunk)
                if rate is not None:
                    time.sleep(0.05)
        if limit is not None:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        return status


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="write the bound port here once listening")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="private key of --tls-cert (PEM)")
    args = parser.parse_args()
    Handler.root = args.root
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    if args.tls_cert:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    else:
        print(port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
