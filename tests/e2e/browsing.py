"""Browsing the live app: every page reached is audited with axe-core.

`visit(page, url)` opens a page, `submit(page, button)` sends a form and lands on the next one;
both audit what they land on. `audit(page)` fails the test on any serious or critical
accessibility violation and records the page in test-artifacts/axe-pages.txt.
"""

import re
import weakref
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AUDIT_LOG = ARTIFACTS / "axe-pages.txt"
SCREENSHOTS = ARTIFACTS / "screenshots"
BLOCKING_IMPACTS = ("serious", "critical")

_axe = Axe()
_console_errors: "weakref.WeakKeyDictionary[object, list[str]]" = weakref.WeakKeyDictionary()


_expected_refusals: "weakref.WeakKeyDictionary[object, list[str]]" = weakref.WeakKeyDictionary()


def expect_refusals(page, path: str) -> None:
    """4xx answers of `path` are part of the test (an API that refuses a forged code),
    not a broken page: `audit` does not count them. A 5xx still fails."""
    _expected_refusals.setdefault(page, []).append(path)


def watch_console(page) -> None:
    """Collect script errors, console errors (a CSP refusal shows there) and failed loads of
    images, styles and scripts; the page's own HTTP status is checked by `visit`/`follow`."""
    errors = _console_errors.setdefault(page, [])

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            if any(
                path in (message.location or {}).get("url", "")
                for path in _expected_refusals.get(page, [])
            ):
                return
            errors.append(f"console: {message.text}")

    def on_response(response):
        expected = any(path in response.url for path in _expected_refusals.get(page, []))
        if expected and response.status < 500:
            return
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"HTTP {response.status}: {response.url}")

    def on_request_failed(request):
        # A fetch cancelled because the page went away (a poll in flight when the test
        # navigates) is the browser's doing, not a broken page; a failed load still counts.
        cancelled = request.resource_type in ("fetch", "xhr") and request.failure == (
            "net::ERR_ABORTED"
        )
        if request.resource_type != "document" and not cancelled:
            errors.append(f"failed: {request.url} ({request.failure})")

    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on("console", on_console)
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)


def page_name(url: str) -> str:
    """The URL's path with tokens and ids replaced, e.g. /mon-inscription/<token>/billet."""
    path = urlsplit(url).path
    path = re.sub(r"/[A-Za-z0-9_-]{20,}(?=/|$)", "/<token>", path)
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


def audit(page) -> None:
    """Run axe-core on the page as it is; fail on serious or critical violations."""
    results = _axe.run(page).response
    violations = results["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    others = ", ".join(f"{v['id']} ({v['impact']})" for v in violations if v not in blocking)
    width = page.viewport_size["width"] if page.viewport_size else 0
    with AUDIT_LOG.open("a", encoding="utf-8") as log:
        log.write(
            f"{page_name(page.url)}\t{width}px\t{page.title()}\t"
            f"{len(blocking)} blocking{'; also ' + others if others else ''}\n"
        )
    errors = _console_errors.get(page, [])
    assert not errors, f"{page.url}: {errors}"
    if blocking:
        lines = [f"axe-core: {len(blocking)} serious/critical violation(s) on {page.url}"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.append(f"  {violation['helpUrl']}")
            for node in violation["nodes"][:10]:
                lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
        pytest.fail("\n".join(lines), pytrace=False)


def visit(page, url: str, status: int = 200):
    """Open `url`, check the HTTP status, audit the page; return the response."""
    response = page.goto(url)
    assert response is not None and response.status == status, (
        f"{url}: HTTP {response.status if response else None}, expected {status}"
    )
    audit(page)
    return response


def follow(page, link, status: int = 200):
    """Click a link (or a button) that leads to another page; audit that page."""
    with page.expect_navigation() as navigation:
        link.click()
    response = navigation.value
    assert response is not None and response.status == status, (
        f"{page.url}: HTTP {response.status if response else None}, expected {status}"
    )
    audit(page)
    return response


submit = follow


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/<name>-<width>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def tap(page, target, status: int = 200):
    """Tap (touch screen) a link or a button that leads to another page; audit that page."""
    with page.expect_navigation() as navigation:
        target.tap()
    response = navigation.value
    assert response is not None and response.status == status, (
        f"{page.url}: HTTP {response.status if response else None}, expected {status}"
    )
    audit(page)
    return response


#: The innermost elements that stick out past the right edge of the viewport.
_TOO_WIDE = """width => [...document.body.querySelectorAll("*")]
    .filter(e => e.getBoundingClientRect().right > width
        && ![...e.children].some(c => c.getBoundingClientRect().right > width))
    .map(e => `<${e.tagName.toLowerCase()} class="${e.className}">`
        + ` ${Math.round(e.getBoundingClientRect().right)}px`)"""


def screenshots(page, name: str, widths: tuple[int, ...] = (390, 1280)) -> list[Path]:
    """Screenshots of the page at a phone's and an office screen's widths (see `screenshot`),
    audited at each width, where the page must not scroll sideways (wide tables scroll in
    their own box); the page's viewport is put back afterwards."""
    viewport = page.viewport_size
    paths = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": viewport["height"]})
        audit(page)
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= width, (
            f"{page.url} scrolls sideways at {width}px ({page_width}px): "
            + ", ".join(page.evaluate(_TOO_WIDE, width)[:5])
        )
        paths.append(screenshot(page, name))
    page.set_viewport_size(viewport)
    return paths
