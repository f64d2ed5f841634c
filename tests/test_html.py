"""The HTML reports in a real headless Chromium: rendered offline, no console errors, key
elements present with and without JavaScript, tables sortable when scripts run.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON
messages separated by NUL on file descriptors 3 and 4), so no driver package is needed.
Install it with ``apt-get install -y --no-install-recommends chromium fonts-dejavu-core``.
``ENVAUDIT_UPDATE_SCREENSHOT=1`` rewrites ``docs/fleet-report.png`` from the fleet test.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from envaudit.cli import main
from tests.fleet.synthetic import write_planted_fleet

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "fleet-report.png"
TIMEOUT_S = 30.0

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless browser test: /usr/bin/chromium is absent (Debian package `chromium`; "
    "`apt-get install -y --no-install-recommends chromium fonts-dejavu-core`)",
)


class Browser:
    """One headless Chromium with one page, over the DevTools protocol on a pipe."""

    def __init__(self, profile: Path) -> None:
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire_pipes() -> None:  # in the child: fd 3 = commands in, fd 4 = replies out
            commands = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)
            replies = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
            os.dup2(commands, 3, inheritable=True)
            os.dup2(replies, 4, inheritable=True)

        self.process = subprocess.Popen(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--proxy-server=127.0.0.1:9",  # nothing may reach the network
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--window-size=1280,900",
                "about:blank",
            ],
            pass_fds=(3, 4),
            preexec_fn=wire_pipes,  # noqa: PLW1509 - the test process runs no threads here
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(left, 0))
            if not ready:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise ConnectionError("Chromium closed the pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        decoded: dict[str, Any] = json.loads(message)
        return decoded

    def call(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        request: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            request["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(request).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            message = self._read_message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_for(self, event: str) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while not any(e.get("method") == event for e in self.events):
            self.events.append(self._read_message(deadline))

    def open(self, path: Path, *, javascript: bool = True) -> None:
        self.call("Emulation.setScriptExecutionDisabled", session=True, value=not javascript)
        self.events.clear()
        self.call("Page.navigate", session=True, url=path.as_uri())
        self.wait_for("Page.loadEventFired")
        self.evaluate("1")  # flush the events the load produced

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self) -> bytes:
        shot = self.call(
            "Page.captureScreenshot", session=True, format="png", captureBeyondViewport=False
        )
        return base64.b64decode(shot["data"])

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, error log entries and non-local requests."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"log: {params['entry'].get('text')}")
            elif method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if not url.startswith(("file:", "data:", "about:")):
                    found.append(f"network request: {url}")
        return found

    def close(self) -> None:
        with contextlib.suppress(ConnectionError, TimeoutError, OSError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield chromium
    finally:
        chromium.close()


def _fleet_html(tmp_path: Path) -> Path:
    captures = tmp_path / "caps"
    write_planted_fleet(captures)
    out = tmp_path / "fleet.html"
    main(["fleet", str(captures), "--format", "html", "-o", str(out), "--fail-on", "never"])
    return out


def test_fleet_report_renders_offline_with_heatmap_and_sortable_tables(
    browser: Browser, tmp_path: Path
) -> None:
    page = _fleet_html(tmp_path)
    browser.open(page)
    assert browser.problems() == []
    shot = browser.screenshot()
    assert shot.startswith(b"\x89PNG") and len(shot) > 10_000
    (tmp_path / "fleet.png").write_bytes(shot)
    if os.environ.get("ENVAUDIT_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.write_bytes(shot)
    assert browser.evaluate("document.title") == "envaudit fleet"
    assert browser.evaluate("document.querySelectorAll('svg.heatmap rect.outlier').length") == 4
    rows = browser.evaluate(
        "Array.from(document.querySelectorAll('svg.heatmap text.row')).map(t => t.textContent)"
    )
    assert rows == ["baseline · 47 machines", "node-23", "node-41", "node-07"]
    facts = (
        "Array.from(document.querySelectorAll('#fields tbody tr td:first-child'))"
        ".map(td => td.textContent)"
    )
    before = browser.evaluate(facts)
    assert sorted(before) == [
        "cudnn.wheel", "gpu.driver", "pypi:nvidia-cudnn-cu12", "pypi:xformers"
    ]  # fmt: skip
    browser.evaluate("document.querySelector('#fields th button').click(); 1")
    browser.evaluate("document.querySelector('#fields th button').click(); 1")
    assert browser.evaluate(facts) == sorted(before, reverse=True)
    assert "EA403" in browser.evaluate("document.querySelector('#findings').textContent")


def test_fleet_report_reads_without_javascript(browser: Browser, tmp_path: Path) -> None:
    page = _fleet_html(tmp_path)
    browser.open(page, javascript=False)
    try:
        assert browser.problems() == []
        # evaluate still runs (DevTools), the page's own script did not: no sort buttons
        assert browser.evaluate("document.querySelectorAll('th button').length") == 0
        text = browser.evaluate("document.body.innerText")
        assert "node-07" in text and "535.104.05" in text and "EA403" in text
    finally:
        browser.call("Emulation.setScriptExecutionDisabled", session=True, value=False)


def _log_html(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "ci@example.com")
    git("config", "user.name", "CI")
    for index, lines in enumerate(
        (["numpy==1.26.0"], ["numpy==1.26.4", "torch==2.1.0+cu118"], ["numpy==1.26.4", "torch"])
    ):
        (repo / "requirements.txt").write_text("\n".join(lines) + "\n")
        git("add", "requirements.txt")
        git("commit", "-q", "-m", f"step {index}")
    out = tmp_path / "log.html"
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        assert main(["log", "requirements.txt", "--format", "html", "-o", str(out)]) == 0
    finally:
        os.chdir(cwd)
    return out


def test_log_timeline_renders(browser: Browser, tmp_path: Path) -> None:
    browser.open(_log_html(tmp_path))
    assert browser.problems() == []
    assert browser.evaluate("document.querySelectorAll('svg.timeline g.commit').length") == 3
    assert browser.evaluate("document.querySelectorAll('#commits tbody tr').length") == 3
    # a newly triggered rule (unpinned torch: EA101) is marked on the timeline
    assert browser.evaluate("document.querySelectorAll('svg.timeline path').length") >= 1


def test_diff_report_renders(
    browser: Browser, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("numpy==1.26.0\ntorch==2.1.0+cu118\n")
    new.write_text("numpy==1.26.4\ntorch==2.1.0+cu121\nrequests\n")
    out = tmp_path / "diff.html"
    main(["diff", str(old), str(new), "--format", "html", "--fail-on", "never"])
    out.write_text(capsys.readouterr().out, encoding="utf-8")
    browser.open(out)
    assert browser.problems() == []
    kinds = browser.evaluate(
        "Array.from(document.querySelectorAll('#changes tbody tr td:first-child'))"
        ".map(td => td.textContent)"
    )
    assert sorted(kinds) == ["added", "build-changed", "upgraded"]


def test_committed_screenshot_exists() -> None:
    assert SCREENSHOT.exists(), "run ENVAUDIT_UPDATE_SCREENSHOT=1 pytest tests/test_html.py"
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")
