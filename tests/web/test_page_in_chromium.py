"""The page in a real browser: headless Chromium loads a collective's page from the running server on
127.0.0.1, the rendered DOM (``--dump-dom``) has the tallies, every reason, the balance and the chart, a
member's text with a script and HTML in it is shown as text, and a phone-sized screenshot is kept in
``test-artifacts/page-phone.png`` (ignored by git; also in the test's tmp_path)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.web.chromium import chromium
from tests.web.conftest import HOSTILE, link
from tests.web.test_page_links import parsed

pytestmark = pytest.mark.slow  # installs Debian's chromium package where it is missing
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> str:
    found, why_not = chromium()
    if found is None:
        pytest.skip(f"no headless Chromium: {why_not}")
    return found


async def run_chromium(browser: str, profile: Path, *arguments: str) -> str:
    process = await asyncio.create_subprocess_exec(
        browser,
        "--headless",
        "--no-sandbox",  # as root in a container there is no user namespace for its sandbox
        "--disable-gpu",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()[-2000:]
    return out.decode()


async def test_chromium_renders_the_tallies_every_reason_the_balance_and_the_chart_on_a_phone(
    world, served, browser, tmp_path
):
    url = served + link(world.direct("Ann", "/page"), "/p/")
    dom = await run_chromium(browser, tmp_path / "profile", "--dump-dom", url)
    elements = parsed(dom)
    text = " ".join(" ".join(elements.text).split())
    assert "agree 1 stand aside 0 object 1 block 0 2 of 3 responded" in text
    for reason in (
        "Ann agrees",
        "Bob stands aside: we rarely drive",
        "Cleo objects: the insurance costs too much",
        "Ann blocks: against our principles",
        f"Cleo objects: {HOSTILE}",
    ):
        assert reason in text, reason
    assert "The pool holds €245.50" in text
    assert "svg" in elements.tags and "polyline" in elements.tags and "polygon" in elements.tags
    # The member's script and HTML are text: no element came of them, no script ran (the title stays).
    assert {"script", "img", "b"}.isdisjoint(elements.tags)
    assert "".join(elements.text).count(HOSTILE) == 2
    assert "<title>The collective's record</title>" in dom

    shot = tmp_path / "page-phone.png"
    await run_chromium(
        browser, tmp_path / "profile", f"--screenshot={shot}", "--window-size=390,844", "--hide-scrollbars", url
    )
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "page-phone.png")
