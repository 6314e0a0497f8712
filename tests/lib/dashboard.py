# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/dashboard.py: drives the operator dashboard in a real headless
# Debian chromium through chromedriver (python3-selenium), for
# tests/integration/dashboard_browser.sh and tests/bench/dashboard_bench.sh.
# Environment: DASH_URL (http://127.0.0.1:PORT/), DASH_TMP (the test's temp
# dir: chromium's profile goes there), DASH_SHOTS (where screenshots go).
import json
import os
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

FAILS = 0


def report(ok, name):
    global FAILS
    print(("PASS: " if ok else "FAIL: ") + name, flush=True)
    if not ok:
        FAILS += 1
    return ok


def browser(width=1400, height=900):
    tmp = os.environ["DASH_TMP"]
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--user-data-dir=" + os.path.join(tmp, "chromium-profile"),
              "--window-size=%d,%d" % (width, height)):
        opts.add_argument(a)
    svc = Service(executable_path="/usr/bin/chromedriver",
                  log_path=os.path.join(tmp, "chromedriver.log"))
    return webdriver.Chrome(service=svc, options=opts)


def wait(fn, secs=10.0, step=0.05):
    """fn() until truthy (returned) or secs passed (None); exceptions = not yet."""
    end = time.monotonic() + secs
    while True:
        try:
            v = fn()
            if v:
                return v
        except Exception:  # element not there yet, stale, ...
            pass
        if time.monotonic() > end:
            return None
        time.sleep(step)


def text(drv, css):
    return drv.find_element(By.CSS_SELECTOR, css).text


def visible(drv, css):
    els = drv.find_elements(By.CSS_SELECTOR, css)
    return bool(els) and els[0].is_displayed()


def shot(drv, name):
    d = os.environ.get("DASH_SHOTS")
    if d:
        os.makedirs(d, exist_ok=True)
        drv.save_screenshot(os.path.join(d, name + ".png"))


def rest(method, path, token=None, body=None, ctype="application/json"):
    """(status, parsed JSON or None) of a request to the REST actor."""
    url = os.environ["DASH_URL"].rstrip("/") + path
    data = json.dumps(body).encode() if body is not None else None
    rq = urllib.request.Request(url, data=data, method=method)
    if token:
        rq.add_header("Authorization", "Bearer " + token)
    if data is not None:
        rq.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(rq, timeout=10) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, (json.loads(raw) if raw else None)
        except ValueError:
            return e.code, None


def perf(drv):
    """Performance API figures of the page: first render and its painted
    frame (ms since navigation start), every render's duration."""
    return drv.execute_script("""
        const f = performance.getEntriesByName('dashboard-first-render')[0];
        const p = performance.getEntriesByName('dashboard-first-frame')[0];
        return { first: f ? f.startTime : null, frame: p ? p.startTime : null,
                 renders: performance.getEntriesByName('dashboard-render').map(m => m.duration) };""")


def open_page(drv, token=None, secs=10.0):
    """Load the page (token put in sessionStorage first) and wait for a render."""
    drv.get(os.environ["DASH_URL"])
    if token is not None:
        drv.execute_script("sessionStorage.setItem('remsimToken', arguments[0]);", token)
        drv.get(os.environ["DASH_URL"])
    return wait(lambda: drv.execute_script("return performance.getEntriesByName('dashboard-first-render').length"), secs)
