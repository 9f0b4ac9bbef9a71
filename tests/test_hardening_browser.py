"""The pages run under their Content Security Policy: a real browser (chromium) loads each kind of
page, runs its scripts, and reports no violation of the policy and no script error."""

from __future__ import annotations

import pytest

PAGES = ["/", "/queries", "/explore", "/explore/map", "/id/division/141182", "/browse/",
         "/search?q=%E6%B1%BE%E9%98%B3", "/def/", "/dataset", "/dumps/"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_run_under_their_content_security_policy(browser, live_server, path):
    context = browser.new_context(locale="zh-CN")   # no bypass: the policy is enforced
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        response = page.goto(live_server.url + path, wait_until="networkidle")
        assert response.status == 200, path
        assert "Content-Security-Policy" in response.headers or "content-security-policy" in response.headers
        page.wait_for_timeout(300)   # late scripts
    finally:
        context.close()
    violations = [p for p in problems if "Content Security Policy" in p or "Refused to" in p]
    assert not violations, f"{path}: {violations}"
    assert not problems, f"{path}: {problems}"
