"""A tiny Hugging Face Hub look-alike on 127.0.0.1, serving repos from local folders.

It implements just the endpoints `snapshot_download` uses: repo info, recursive tree listing, and
HEAD/GET on `resolve` URLs (with Range requests, so resumption is exercised).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class MockHub:
    def __init__(self, repos: dict[str, Path]) -> None:
        self.repos = repos
        self.requests: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_HEAD(self) -> None:
                hub._serve(self, head=True)

            def do_GET(self) -> None:
                hub._serve(self, head=False)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> MockHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _files(self, repo: str) -> list[Path]:
        root = self.repos[repo]
        return sorted(p for p in root.rglob("*") if p.is_file())

    def _json(self, h: BaseHTTPRequestHandler, payload: object, status: int = 200) -> None:
        body = json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _serve(self, h: BaseHTTPRequestHandler, head: bool) -> None:
        path = unquote(urlparse(h.path).path)
        self.requests.append(f"{'HEAD' if head else 'GET'} {path}")
        if m := re.fullmatch(r"/api/models/(.+)/revision/([^/]+)", path):
            repo = m.group(1)
            if repo not in self.repos:
                return self._json(h, {"error": "Repository not found"}, 404)
            root = self.repos[repo]
            siblings = [{"rfilename": p.relative_to(root).as_posix()} for p in self._files(repo)]
            return self._json(h, {"id": repo, "modelId": repo, "sha": COMMIT, "siblings": siblings})
        if m := re.fullmatch(r"/api/models/(.+)/tree/([^/]+)", path):
            repo = m.group(1)
            root = self.repos[repo]
            items = [
                {
                    "type": "file",
                    "path": p.relative_to(root).as_posix(),
                    "size": p.stat().st_size,
                    "oid": hashlib.sha1(p.read_bytes()).hexdigest(),
                }
                for p in self._files(repo)
            ]
            return self._json(h, items)
        if m := re.fullmatch(r"/(.+)/resolve/([^/]+)/(.+)", path):
            repo, _rev, name = m.groups()
            file = self.repos.get(repo, Path("/nonexistent")) / name
            if not file.is_file():
                return self._json(h, {"error": "Entry not found"}, 404)
            data = file.read_bytes()
            start = 0
            rng = h.headers.get("Range")
            if rng and (rm := re.fullmatch(r"bytes=(\d+)-", rng.strip())):
                start = int(rm.group(1))
            h.send_response(206 if start else 200)
            h.send_header("X-Repo-Commit", COMMIT)
            h.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
            h.send_header("Content-Length", str(len(data) - start))
            h.send_header("Accept-Ranges", "bytes")
            h.end_headers()
            if not head:
                h.wfile.write(data[start:])
            return None
        return self._json(h, {"error": "not found"}, 404)
