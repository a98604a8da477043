"""Driving the web UI in tests: a Flask test client over HTTPS with real CSRF tokens, and a real
`antifraud serve` process with a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

PASSWORD = "correct-horse-9"
CHROMIUM = os.environ.get("ANTIFRAUD_CHROMIUM", "/usr/bin/chromium")
# As root in a container, with the machine's closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


class Web:
    """The Flask app for a test config, with users made through the accounts service."""

    def __init__(self, config_path: Path):
        from antifraud.app import App
        from antifraud.web import create_app

        self.app = App(config_path)
        self.flask = create_app(self.app)

    def add_user(self, username: str, role: str, person: str | None = None, station: str | None = None) -> None:
        from antifraud.accounts.service import add_user

        with self.app.db.session() as session:
            add_user(session, self.app.settings, username, role, PASSWORD, "test", station, person)

    def client(self, username: str | None = None, role: str = "clerk", person: str | None = None):
        """A test client (over https, so the Secure session cookie travels), logged in when a user is named."""
        client = self.flask.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
        if username:
            self.add_user(username, role, person)
            page = client.get("/login", base_url="https://localhost")
            response = client.post(
                "/login",
                data={"csrf_token": csrf_token(page.text), "username": username, "password": PASSWORD},
                base_url="https://localhost",
            )
            assert response.status_code == 302, response.text
        return client

    def post(self, client, path: str, data: dict | None = None, form_page: str | None = None, **kwargs):
        """POST with the CSRF token of `form_page` (default: `path` itself), as a browser would."""
        page = client.get(form_page or path, base_url="https://localhost")
        return client.post(
            path, data={"csrf_token": csrf_token(page.text), **(data or {})}, base_url="https://localhost", **kwargs
        )

    def get(self, client, path: str, **kwargs):
        return client.get(path, base_url="https://localhost", **kwargs)


class Server:
    """`antifraud serve --port 0` as its own process; ready when it prints the address it listens on."""

    def __init__(self, config_path: Path, env: dict | None = None):
        self.config_path = config_path
        self.env = {**os.environ, **(env or {})}
        self.process = None
        self.url = None

    def __enter__(self):
        command = [sys.executable, "-m", "antifraud", "serve", "--port", "0", "--config", str(self.config_path)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env,
            cwd=self.config_path.parent,
        )  # fmt: skip
        for line in self.process.stdout:  # blocks until the readiness line (or the process ends)
            if line.startswith("serving on "):
                self.url = line.split()[-1]
                break
        if self.url is None:
            raise RuntimeError(f"antifraud serve did not start: {self.process.stderr.read()}")
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def launch_chromium(playwright):
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium package")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def log_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
