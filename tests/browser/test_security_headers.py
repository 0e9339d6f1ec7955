"""The Content-Security-Policy in a real browser: Chromium refuses an inline script and an inline
style the page did not give a nonce, and reports it on the console, which every other browser test
(tests/browser/conftest.py's csp_violations) counts as a failure."""

from playwright.sync_api import Page


def test_chromium_refuses_inline_script_and_style_without_the_nonce(browser, live_server, directory) -> None:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    refused: list[str] = []
    context.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    page: Page = context.new_page()
    try:
        page.goto("/")
        page.evaluate("""() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true;';
            document.body.appendChild(script);
            const banner = document.querySelector('main');
            banner.setAttribute('style', 'outline: 9px solid red');
        }""")
        page.wait_for_timeout(200)
        assert page.evaluate("() => window.injected === undefined"), "the inline script ran"
        assert page.evaluate("() => getComputedStyle(document.querySelector('main')).outlineWidth") != "9px"
        assert any("script" in text for text in refused) and any("style" in text for text in refused), refused
    finally:
        context.close()
