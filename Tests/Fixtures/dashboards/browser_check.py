"""Opens Lantaarn's public pages in headless Chromium (Debian's chromium + chromium-driver,
selenium and axe-selenium-python from .venv) and checks, for every page at 1280 px and 375 px:

- axe-core with the WCAG 2.0/2.1 A and AA tags finds no violation, with every <details> closed
  and again with every one open (tables included);
- the page loads no resource from any origin but the server's own (Resource Timing, plus every
  src/href/url() the DOM holds);
- keyboard only (at 1280 px, with the tables open and again closed): pressing Tab reaches every
  link, summary and scrollable table region in order, each with a visible focus indicator
  (an outline of at least 2 px or a box-shadow while focused);
- at 320 px nothing is wider than the screen (no horizontal scrolling of the page itself).

The staff console is checked the same way after signing in with the keyboard, and then a
change is approved with the keyboard only.

Usage:
  browser_check.py check BASE_URL PATH...            prints one JSON line per page, exits 1 on any failure
  browser_check.py console BASE_URL TOKEN_FILE CHANGE_ID PATH...   the same for console pages, then a keyboard approval
  browser_check.py selftest                          exits 1 unless a page with known faults is caught
  browser_check.py screenshots BASE_URL OUT_DIR NAME...  full-page PNGs NAME-1280.png and NAME-375.png
"""
import json
import os
import sys
from urllib.parse import urlparse

import selenium_axe_python
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "TestSupport"))
from tools import tool  # noqa: E402

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe-selenium-python drives axe-core, but bundles axe-core 3.1.1 (2018), which has no WCAG 2.1
# tags; selenium-axe-python (its maintained fork) bundles axe-core 4.x, which is injected instead.
AXE_CORE = os.path.join(os.path.dirname(selenium_axe_python.__file__), "axe-core", "axe.min.js")


def browser(width, height=900):
    options = webdriver.ChromeOptions()
    options.binary_location = tool("chromium")
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--force-device-scale-factor=1", "--lang=nl-NL", f"--window-size={width},{height}"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(tool("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    return driver


def axe_violations(driver):
    axe = Axe(driver, script_url=AXE_CORE)
    axe.inject()
    result = axe.run(options=json.dumps({"runOnly": {"type": "tag", "values": TAGS}}))
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def foreign_resources(driver, origin):
    urls = driver.execute_script("""
        const out = performance.getEntriesByType('resource').map(e => e.name);
        for (const el of document.querySelectorAll('[src],[href],[srcset],[poster]')) {
          for (const a of ['src', 'href', 'srcset', 'poster']) { const v = el.getAttribute(a); if (v) out.push(v); }
        }
        for (const s of document.styleSheets) {
          try { for (const r of s.cssRules) { const m = r.cssText.match(/url\\(([^)]*)\\)/g); if (m) out.push(...m); } } catch (e) { out.push('unreadable stylesheet ' + s.href); }
        }
        return out;""")
    bad = []
    for u in urls:
        u = u.strip()
        if u.startswith("url("):
            inner = u[4:-1].strip("'\"")
            if inner.startswith("#") or inner.startswith("data:"):
                continue
            u = inner
        if u.startswith("mailto:") or u.startswith("#"):
            continue
        parsed = urlparse(u)
        if parsed.scheme in ("", ) and not u.startswith("//"):
            continue  # relative: same origin
        if f"{parsed.scheme}://{parsed.netloc}" != origin:
            bad.append(u)
    return sorted(set(bad))


def keyboard(driver):
    """Tabs through the page; returns (unreached focusables, focus stops without a visible indicator)."""
    focusables = driver.execute_script("""
        const els = [...document.querySelectorAll('a[href], summary, [tabindex="0"], button, input, select, textarea')]
          .filter(e => e.getClientRects().length > 0)
          .filter(e => !(e.parentElement.closest('details:not([open])') && !(e.tagName === 'SUMMARY' && e.parentElement.tagName === 'DETAILS')));
        els.forEach((e, i) => e.setAttribute('data-kb', String(i)));
        return els.length;""")
    body = driver.find_element(By.TAG_NAME, "body")
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    seen, invisible = set(), []
    for _ in range(focusables + 5):
        driver.switch_to.active_element.send_keys(Keys.TAB) if seen else body.send_keys(Keys.TAB)
        info = driver.execute_script("""
            const e = document.activeElement;
            if (!e || e === document.body) return null;
            const s = getComputedStyle(e);
            const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== 'none');
            return {kb: e.getAttribute('data-kb'), visible: visible, tag: e.tagName, text: (e.textContent || '').trim().slice(0, 40)};""")
        if info is None or info["kb"] is None:
            continue
        if info["kb"] in seen:
            break
        seen.add(info["kb"])
        if not info["visible"]:
            invisible.append(f"{info['tag']} '{info['text']}'")
    unreached = [str(i) for i in range(focusables) if str(i) not in seen]
    return focusables, unreached, invisible


def overflow(driver):
    return driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")


def check(base, paths, sign_in=None):
    """`sign_in(driver)`, when given, runs first in every browser (the staff console)."""
    origin = "{0.scheme}://{0.netloc}".format(urlparse(base))
    failed = False
    for width in (1280, 375):
        driver = browser(width)
        try:
            if sign_in:
                sign_in(driver)
            for path in paths:
                driver.get(base + path)
                closed = axe_violations(driver)
                driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true);")
                opened = axe_violations(driver)
                foreign = foreign_resources(driver, origin)
                count, unreached, invisible = keyboard(driver) if width == 1280 else (0, [], [])
                driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = false);")
                if width == 1280:
                    closed_count, closed_unreached, closed_invisible = keyboard(driver)
                    count, unreached, invisible = count + closed_count, unreached + closed_unreached, invisible + closed_invisible
                record = {"path": path, "width": width, "violations": closed + opened, "foreign": foreign,
                          "focusable": count, "unreached": unreached, "focus_invisible": invisible}
                if closed or opened or foreign or unreached or invisible:
                    failed = True
                print(json.dumps(record), flush=True)
        finally:
            driver.quit()
    narrow = browser(320)
    try:
        if sign_in:
            sign_in(narrow)
        for path in paths:
            narrow.get(base + path)
            extra = overflow(narrow)
            print(json.dumps({"path": path, "width": 320, "overflow_px": extra}), flush=True)
            if extra > 0:
                failed = True
    finally:
        narrow.quit()
    return 1 if failed else 0


def tab_to(driver, predicate_js, limit=200):
    """Presses Tab until the focused element satisfies `predicate_js` (a JS expression over `e`)."""
    body = driver.find_element(By.TAG_NAME, "body")
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    body.send_keys(Keys.TAB)
    for _ in range(limit):
        if driver.execute_script(f"const e = document.activeElement; return !!e && ({predicate_js});"):
            return driver.switch_to.active_element
        driver.switch_to.active_element.send_keys(Keys.TAB)
    raise AssertionError(f"Tab never reached {predicate_js}")


def console_sign_in(base, token):
    """Signs in to the staff console with the keyboard only: Tab to the token field, type, Enter."""
    def sign_in(driver):
        driver.get(base + "/beheer/inloggen")
        field = tab_to(driver, "e.id === 'token'")
        field.send_keys(token)
        field.send_keys(Keys.ENTER)
        heading = driver.find_element(By.TAG_NAME, "h1").text
        if heading != "Overzicht":
            raise AssertionError(f"signing in did not reach the overview: {heading}")
    return sign_in


def console(base, token_file, change, paths):
    """The console's pages signed in (axe at 1280 and 375 px, same origin, keyboard), then
    approving change `change` with the keyboard only."""
    with open(token_file) as f:
        token = f.read().strip()
    sign_in = console_sign_in(base, token)
    failed = check(base, paths, sign_in)
    driver = browser(1280)
    try:
        sign_in(driver)
        driver.get(f"{base}/beheer/wijzigingen/{change}")
        tab_to(driver, "e.id === 'reden'").send_keys("Voorbeeld en verschil bekeken met alleen het toetsenbord.")
        tab_to(driver, "e.tagName === 'BUTTON' && e.value === 'goedkeuren'").send_keys(Keys.ENTER)
        heading = driver.find_element(By.TAG_NAME, "h1").text
        print(json.dumps({"keyboard_approval": heading}), flush=True)
        if heading != "Goedgekeurd":
            failed = 1
    finally:
        driver.quit()
    return failed


def selftest():
    """The checks must be able to fail: a page with known faults has to be caught."""
    driver = browser(1280)
    try:
        driver.get("data:text/html,<html><body><img src='http://tracker.invalid/pixel.gif'>"
                   "<a href='https://cdn.invalid/x'></a><div style='color:%23aaa;background:%23fff'>grijs</div></body></html>")
        ids = {v["id"] for v in axe_violations(driver)}
        foreign = foreign_resources(driver, "http://127.0.0.1:1")
        print(json.dumps({"selftest_violations": sorted(ids), "selftest_foreign": foreign}), flush=True)
        expected = {"image-alt", "html-has-lang", "link-name", "color-contrast"}
        return 0 if expected <= ids and len(foreign) == 2 else 1
    finally:
        driver.quit()


def screenshots(base, out, names):
    for width in (1280, 375):
        driver = browser(width)
        try:
            for name in names:
                driver.get(f"{base}/dashboards/{name}")
                height = driver.execute_script("return document.documentElement.scrollHeight")
                driver.set_window_size(width, height)
                driver.save_screenshot(f"{out}/{name}-{width}.png")
                driver.set_window_size(width, 900)
                print(f"{out}/{name}-{width}.png", flush=True)
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "check":
        sys.exit(check(sys.argv[2].rstrip("/"), sys.argv[3:]))
    if mode == "selftest":
        sys.exit(selftest())
    if mode == "console":
        sys.exit(console(sys.argv[2].rstrip("/"), sys.argv[3], sys.argv[4], sys.argv[5:]))
    if mode == "screenshots":
        sys.exit(screenshots(sys.argv[2].rstrip("/"), sys.argv[3], sys.argv[4:]))
    sys.exit("usage: browser_check.py check BASE PATH... | screenshots BASE OUT NAME...")
