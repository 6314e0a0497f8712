# SPDX-License-Identifier: GPL-2.0-or-later
# dashboard_browser.py: the browser half of dashboard_browser.sh (not a test
# by itself).  Headless chromium on the dashboard of a real server role with
# bankd B1 (8 slots, server-load pid DASH_BANK_PID) and clients C0:0..C2:0;
# the REST token in DASH_TOKEN, remsim-ctl as DASH_CTL (a command line).
# Prints PASS:/FAIL: lines; exit status 1 if any failed.
import os
import shlex
import signal
import subprocess
import sys
import time

from selenium.webdriver.common.by import By

import dashboard as d

TOKEN = os.environ["DASH_TOKEN"]
CTL = shlex.split(os.environ["DASH_CTL"])


def ctl_maps():
    return subprocess.run(CTL + ["maps"], capture_output=True, text=True, timeout=10).stdout


def backend_maps():
    st, j = d.rest("GET", "/api/backend/v1/slotmaps", TOKEN)
    return j["slotmaps"] if st == 200 else None


def msg(drv):
    el = drv.find_element(By.ID, "msg")
    return (el.get_attribute("class"), el.text) if el.is_displayed() else ("", "")


def click(drv, css):
    drv.find_element(By.CSS_SELECTOR, css).click()


def tab(drv, name):
    click(drv, '#tabs a[data-tab="%s"]' % name)
    d.wait(lambda: d.visible(drv, "#panel-" + name), 5)


def confirm(drv, expect_text):
    ok = d.wait(lambda: d.visible(drv, "#confirm") and expect_text in d.text(drv, "#confirm-text"), 5)
    if ok:
        click(drv, "#confirm-yes")
    return ok


def map_state_on_page(drv, bank):
    rows = drv.find_elements(By.CSS_SELECTOR, '#maps tr[data-map="%s"] td.state' % bank)
    return rows[0].get_attribute("textContent") if rows else None


def main():
    drv = d.browser()
    try:
        run(drv)
    finally:
        drv.quit()
    return 1 if d.FAILS else 0


def run(drv):
    # --- no token yet: the page says so -------------------------------------
    drv.get(os.environ["DASH_URL"])
    d.report(d.wait(lambda: "needs a bearer token" in msg(drv)[1], 5),
             "without a token the page asks for one (401 shown)")
    d.report(d.visible(drv, "#token-form"), "... and shows the token form")
    d.shot(drv, "dashboard-token")

    # --- token entered once: bank and clients listed ---------------------------
    drv.find_element(By.ID, "token").send_keys(TOKEN)
    click(drv, "#token-use")
    d.report(d.wait(lambda: len(drv.find_elements(By.CSS_SELECTOR, '.bank[data-bankid="1"] .cell')) == 8, 5),
             "with the token: bank B1 shown as a grid of 8 slots")
    d.report(drv.execute_script("return sessionStorage.getItem('remsimToken')") == TOKEN,
             "... the token kept in sessionStorage")
    d.report("CONNECTED_BANKD" in d.text(drv, '.bank[data-bankid="1"] h3'), "... B1 CONNECTED_BANKD")
    tab(drv, "clients")
    d.report(d.wait(lambda: all(drv.find_elements(By.CSS_SELECTOR, '#clients tr[data-client="%d:0"]' % i)
                                for i in range(3)), 5), "clients C0:0, C1:0, C2:0 listed")
    d.report("CONNECTED_CLIENT" in d.text(drv, '#clients tr[data-client="1:0"]'), "... with their state")

    # --- live updates by polling at most once a second ----------------------------
    def state_gets():
        with open(os.environ["DASH_LOG"], errors="replace") as f:
            return sum("GET /api/remsim/v1/state " in l for l in f)
    n0 = state_gets()
    time.sleep(3)
    n = state_gets() - n0
    d.report(n <= 4, "the page polls /state at most once a second (%d requests in 3 s)" % n)

    # --- map through the page ----------------------------------------------------
    tab(drv, "banks")
    click(drv, '.cell[data-bank="1:3"]')
    d.report(drv.find_element(By.ID, "map-bank").get_attribute("value") == "B1:3",
             "clicking free slot B1:3 picks it")
    drv.find_element(By.ID, "map-client").send_keys("C1:0")
    click(drv, "#map-btn")
    d.report(not backend_maps(), "nothing mapped before the confirmation")
    d.report(confirm(drv, "Map client slot C1:0 to bank slot B1:3?"), "map asks for confirmation")
    d.report(d.wait(lambda: msg(drv)[0] == "msg ok" and "Mapped C1:0 → B1:3" in msg(drv)[1], 5),
             "map result shown: " + msg(drv)[1])
    d.report(d.wait(lambda: "st-ACTIVE" in drv.find_element(By.CSS_SELECTOR, '.cell[data-bank="1:3"]')
                    .get_attribute("class"), 5), "the grid shows B1:3 ACTIVE with its client")
    d.report("C1:0" in d.text(drv, '.cell[data-bank="1:3"]'), "... the cell names C1:0")
    bm = backend_maps()
    d.report(bm == [{"bank": {"bankId": 1, "slotNr": 3}, "client": {"clientId": 1, "slotNr": 0},
                     "state": "ACTIVE"}], "REST /api/backend/v1/slotmaps: C1:0 -> B1:3 ACTIVE")
    d.report(any(l.split() == ["C1:0", "B1:3", "ACTIVE"] for l in ctl_maps().splitlines()),
             "remsim-ctl maps: C1:0 B1:3 ACTIVE")
    d.shot(drv, "dashboard-banks")
    tab(drv, "clients")
    d.report(d.wait(lambda: "B1:3" in d.text(drv, '#clients tr[data-client="1:0"]'), 3),
             "clients list shows C1:0 on B1:3")
    d.shot(drv, "dashboard-clients")

    # --- a map that the mapstore refuses: error shown ---------------------------
    tab(drv, "banks")
    drv.find_element(By.ID, "map-client").clear()
    drv.find_element(By.ID, "map-client").send_keys("C2:0")
    drv.find_element(By.ID, "map-bank").clear()
    drv.find_element(By.ID, "map-bank").send_keys("B1:3")
    click(drv, "#map-btn")
    confirm(drv, "C2:0 to bank slot B1:3")
    d.report(d.wait(lambda: msg(drv)[0] == "msg error" and "already mapped" in msg(drv)[1], 5),
             "mapping a used bank slot: the error is shown (%s)" % msg(drv)[1])

    # --- unmap through the page ---------------------------------------------------
    tab(drv, "maps")
    d.report(d.wait(lambda: map_state_on_page(drv, "B1:3") == "ACTIVE", 3), "mappings table: B1:3 ACTIVE")
    d.shot(drv, "dashboard-maps")
    click(drv, '#maps button.unmap[data-slot="B1:3"]')
    click(drv, "#confirm-no")
    d.report(backend_maps() and "Cancelled" in msg(drv)[1], "unmap cancelled: map still there")
    click(drv, '#maps button.unmap[data-slot="B1:3"]')
    d.report(confirm(drv, "Unmap B1:3?"), "unmap asks for confirmation")
    d.report(d.wait(lambda: "Unmapped C1:0 → B1:3" in msg(drv)[1], 5), "unmap result shown: " + msg(drv)[1])
    d.report(d.wait(lambda: backend_maps() == [], 5), "REST: no slotmaps after unmap")
    d.report("C1:0" not in ctl_maps(), "remsim-ctl maps: C1:0 gone")
    d.report(d.wait(lambda: map_state_on_page(drv, "B1:3") is None, 3), "mappings table: B1:3 gone")

    # --- history: both events, filters ----------------------------------------------
    tab(drv, "history")
    drv.find_element(By.ID, "hist-client").send_keys("C1:0")
    click(drv, "#hist-apply")

    def events():
        return [r.find_elements(By.TAG_NAME, "td")[1].text
                for r in drv.find_elements(By.CSS_SELECTOR, "#history tbody tr")
                if len(r.find_elements(By.TAG_NAME, "td")) > 2]
    ev = d.wait(lambda: (lambda e: e if "created" in e and "deleted" in e else None)(events()), 5) or events()
    d.report("created" in ev and "delete_requested" in ev and "deleted" in ev,
             "history for C1:0 shows the map and the unmap (%s)" % " ".join(ev))
    d.report(ev and ev[0] in ("released", "deleted") and ev[-1] == "created", "... newest first")
    d.shot(drv, "dashboard-history")
    drv.find_element(By.ID, "hist-bank").send_keys("B1:4")
    click(drv, "#hist-apply")
    d.report(d.wait(lambda: "no events match" in d.text(drv, "#history tbody"), 5),
             "history filtered on another bank slot: no events")
    drv.find_element(By.ID, "hist-bank").clear()
    drv.execute_script("document.getElementById('hist-since').value = '2099-01-01T00:00:00';")
    click(drv, "#hist-apply")
    d.report(d.wait(lambda: "no events match" in d.text(drv, "#history tbody"), 5),
             "history from 2099 on: no events")
    drv.execute_script("document.getElementById('hist-since').value = '2001-01-01T00:00:00';")
    click(drv, "#hist-apply")
    d.report(d.wait(lambda: len(events()) == len(ev), 5), "history from 2001 on: the events of C1:0 again")
    click(drv, "#hist-clear")
    d.report(d.wait(lambda: len(events()) >= 8, 5), "history cleared of filters: every event again")

    # paging: more than a page (50) of events, made through the API
    for _ in range(30):
        st, h = d.rest("GET", "/api/remsim/v1/history?limit=60", TOKEN)
        if len(h["events"]) >= 60:
            break
        d.rest("POST", "/api/remsim/v1/slotmaps", TOKEN,
               {"bank": {"bankId": 1, "slotNr": 1}, "client": {"clientId": 0, "slotNr": 0}})
        d.wait(lambda: (backend_maps() or [{}])[0].get("state") == "ACTIVE", 3)
        d.rest("DELETE", "/api/remsim/v1/slotmaps/B1:1", TOKEN, {})
    click(drv, "#hist-apply")
    d.report(d.wait(lambda: len(events()) == 50 and "events 1–50" in d.text(drv, "#hist-page"), 5),
             "history: first page of 50, newest first")
    newest = events()
    click(drv, "#hist-older")
    d.report(d.wait(lambda: "events 51–" in d.text(drv, "#hist-page") and len(events()) >= 1, 5),
             "history: Older shows events from 51 on (%s)" % d.text(drv, "#hist-page"))
    d.report(drv.find_element(By.ID, "hist-newer").is_enabled(), "... and Newer is enabled")
    click(drv, "#hist-newer")
    d.report(d.wait(lambda: "events 1–50" in d.text(drv, "#hist-page"), 5) and events()[-1] == newest[-1],
             "history: Newer goes back to the first page")
    d.wait(lambda: backend_maps() == [], 5)

    # --- bankd gone: shown within 2 s -------------------------------------------------
    st, _ = d.rest("POST", "/api/remsim/v1/slotmaps", TOKEN,
                   {"bank": {"bankId": 1, "slotNr": 6}, "client": {"clientId": 2, "slotNr": 0}})
    tab(drv, "banks")
    d.wait(lambda: "st-ACTIVE" in drv.find_element(By.CSS_SELECTOR, '.cell[data-bank="1:6"]').get_attribute("class"), 5)
    t0 = time.monotonic()
    os.kill(int(os.environ["DASH_BANK_PID"]), signal.SIGKILL)
    down = d.wait(lambda: drv.find_elements(By.CSS_SELECTOR, '.bank.down[data-bankid="1"]'), 5)
    dt = time.monotonic() - t0
    d.report(down and dt <= 2.0, "bankd B1 killed: the page shows it DISCONNECTED after %.2f s (<= 2 s)" % dt)
    d.report(d.wait(lambda: "DISCONNECTED" in d.text(drv, '.bank[data-bankid="1"] h3'), 2), "... named DISCONNECTED")
    d.shot(drv, "dashboard-bankd-down")

    # --- wrong token: error, nothing changed ---------------------------------------------
    before = backend_maps()
    click(drv, "#token-btn")
    drv.find_element(By.ID, "token").send_keys("wrong-token")
    click(drv, "#token-use")
    d.report(d.wait(lambda: "rejected the token" in msg(drv)[1], 5), "wrong token: error shown (%s)" % msg(drv)[1])
    drv.find_element(By.ID, "map-client").clear()
    drv.find_element(By.ID, "map-client").send_keys("C0:0")
    drv.find_element(By.ID, "map-bank").clear()
    drv.find_element(By.ID, "map-bank").send_keys("B1:0")
    click(drv, "#map-btn")
    confirm(drv, "C0:0 to bank slot B1:0")
    d.report(d.wait(lambda: "Map C0:0 → B1:0 failed" in msg(drv)[1] and "401" in msg(drv)[1], 5),
             "map with the wrong token: the 401 is shown")
    d.shot(drv, "dashboard-wrong-token")
    d.report(backend_maps() == before, "... and nothing changed (REST)")

    # --- global reset behind a confirmation ---------------------------------------------
    drv.find_element(By.ID, "token").send_keys(TOKEN)
    click(drv, "#token-use")
    d.wait(lambda: msg(drv)[1] == "" or "rejected" not in msg(drv)[1], 5)
    click(drv, "#reset-btn")
    d.report(d.wait(lambda: "delete ALL 1 mapping(s)" in d.text(drv, "#confirm-text"), 3),
             "global reset asks for confirmation, naming the count")
    click(drv, "#confirm-no")
    d.report(len(backend_maps()) == 1, "... cancelled: nothing removed")
    click(drv, "#reset-btn")
    confirm(drv, "delete ALL")
    d.report(d.wait(lambda: "1 mapping(s) removed" in msg(drv)[1], 5), "global reset confirmed: result shown")
    d.report(backend_maps() == [], "... REST: no slotmaps")

    # --- the server gone: banner -------------------------------------------------------
    os.kill(int(os.environ["DASH_SERVER_PID"]), signal.SIGTERM)
    d.report(d.wait(lambda: d.visible(drv, "#banner") and "unreachable" in d.text(drv, "#banner"), 10),
             "server stopped: the unreachable banner shows")
    d.shot(drv, "dashboard-unreachable")


if __name__ == "__main__":
    sys.exit(main())
