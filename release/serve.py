#!/usr/bin/env python3
"""Serves a release tree over HTTP on loopback, with Range requests (the CLI resumes downloads).

  python3 release/serve.py --root out/releases [--port 8765] [--bind 127.0.0.1] [--port-file F]

The port also comes from STIGMER_RELEASES_PORT; 0 picks a free port. The first line printed
on stdout is the base URL, e.g. `http://127.0.0.1:8765`; --port-file writes the port number
once the socket listens, for scripts and tests that start the server in the background.
"""
from __future__ import annotations

import argparse
import email.utils
import mimetypes
import os
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 1 << 16


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One `bytes=a-b` range -> inclusive (start, end); None when unsatisfiable.

    Multi-range and malformed headers raise ValueError: they are answered with the whole file.
    """
    match = _RANGE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        raise ValueError(header)
    first, last = match.group(1), match.group(2)
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return None
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end


class ReleaseHandler(BaseHTTPRequestHandler):
    server_version = "stigmer-release-server"
    root: Path = Path(".")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        sys.stderr.write("serve: %s %s\n" % (self.address_string(), format % args))

    def resolve(self) -> Path | None:
        rel = unquote(urlsplit(self.path).path).lstrip("/")
        candidate = (self.root / rel).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            return None  # outside the tree
        return candidate if candidate.is_file() else None

    def do_HEAD(self) -> None:  # noqa: N802 (stdlib naming)
        self.respond(send_body=False)

    def do_GET(self) -> None:  # noqa: N802
        self.respond(send_body=True)

    def respond(self, send_body: bool) -> None:
        path = self.resolve()
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND, "not found")
            return
        size = path.stat().st_size
        start, end, status = 0, size - 1, HTTPStatus.OK
        header = self.headers.get("Range")
        if header:
            try:
                span = parse_range(header, size)
            except ValueError:
                span = (0, size - 1)  # a form we do not support (e.g. multi-range): send it all
                header = None
            if span is None:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if header:
                start, end = span
                status = HTTPStatus.PARTIAL_CONTENT
        self.send_response(status)
        self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        self.send_header("Content-Length", str(end - start + 1 if size else 0))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", email.utils.formatdate(path.stat().st_mtime, usegmt=True))
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if send_body and size:
            with path.open("rb") as f:
                self.copy(f, start, end - start + 1)

    def copy(self, f: BinaryIO, start: int, length: int) -> None:
        f.seek(start)
        while length > 0:
            block = f.read(min(_CHUNK, length))
            if not block:
                break
            try:
                self.wfile.write(block)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client went away (e.g. it aborts an oversized download)
            length -= len(block)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path("out/releases"))
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("STIGMER_RELEASES_PORT", "8765")))
    parser.add_argument("--port-file", type=Path, help="write the listening port here")
    args = parser.parse_args()
    if not args.root.is_dir():
        print(f"serve: {args.root} is not a directory (run `make release-local` first)", file=sys.stderr)
        return 1
    ReleaseHandler.root = args.root.resolve()
    mimetypes.add_type("application/json", ".json")
    mimetypes.add_type("text/plain", ".minisig")
    server = ThreadingHTTPServer((args.bind, args.port), ReleaseHandler)
    server.daemon_threads = True
    port = server.server_address[1]
    host = f"[{args.bind}]" if ":" in args.bind else args.bind
    print(f"http://{host}:{port}", flush=True)
    print(f"serve: serving {args.root} at http://{host}:{port} (Ctrl-C stops)", file=sys.stderr, flush=True)
    if args.port_file:
        tmp = args.port_file.with_name(args.port_file.name + ".tmp")
        tmp.write_text(f"{port}\n")
        os.replace(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
