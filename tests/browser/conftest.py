"""Browser tests: the pages served by a real uvicorn on 127.0.0.1, driven in Debian's headless Chromium.

Every page a test visits is kept as a screenshot under test-artifacts/screenshots/<test>/ (the README
names the folder), and a test fails if the browser logs an error (a refused script or style: the CSP).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, Response, ViewportSize, async_playwright

from storage.engine import Database
from tests.browser.server import WebServer, serve

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("CAMKET_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
PHONE: ViewportSize = {"width": 390, "height": 844}


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "Debian's Chromium is needed for the browser tests: apt-get install -y chromium chromium-driver "
            "(.ci/run installs it when missing)"
        )
    return found


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        await launched.close()


@pytest.fixture
async def web(database: Database) -> AsyncIterator[WebServer]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    async with serve(database, listener) as server:
        yield server


class Visitor:
    """One person's browser tab: every page it lands on is kept as a numbered screenshot."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.count = 0
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        # A page answered with 4xx on purpose (a refusal) is logged as a failed load too: those are judged
        # by _response, which knows a page from what it loads.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.errors.append(f"{response.status} for {response.url}")

    async def shot(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path

    async def goto(self, url: str, name: str) -> None:
        await self.page.goto(url)
        await self.shot(name)


@pytest.fixture
async def visitors(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Visitors]:
    folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    made = Visitors(browser, folder)
    yield made
    await made.close()
    errors = [error for visitor in made.opened for error in visitor.errors]
    assert not errors, f"the browser reported errors: {errors}"


class Visitors:
    def __init__(self, browser: Browser, folder: Path) -> None:
        self.browser = browser
        self.folder = folder
        self.opened: list[Visitor] = []
        self._contexts: list[object] = []

    async def new(self, who: str, *, viewport: ViewportSize | None = None) -> Visitor:
        context = await self.browser.new_context(
            viewport=viewport or PHONE, locale="vi-VN", accept_downloads=True
        )
        self._contexts.append(context)
        visitor = Visitor(await context.new_page(), self.folder / who)
        visitor.folder.mkdir(parents=True, exist_ok=True)
        self.opened.append(visitor)
        return visitor

    async def close(self) -> None:
        for context in self._contexts:
            await context.close()  # type: ignore[attr-defined]
