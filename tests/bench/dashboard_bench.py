# SPDX-License-Identifier: GPL-2.0-or-later
# dashboard_bench.py: the browser half of dashboard_bench.sh (numbers only,
# no assertions).  Maps every client slot Ci:0 -> B(i/NSLOT+1):(i%NSLOT)
# through the REST API, waits until all are ACTIVE, loads the dashboard and
# reads the Performance API (first render and first painted frame since
# navigation start, each view's build time); then churns 32 maps to time the live updates.
# Writes "KEY VALUE" lines to DASH_NEW (tests/lib/bench.sh).
import os
import statistics
import sys
import time

from selenium.webdriver.common.by import By

import dashboard as d

NB, NS, NC = (int(os.environ[k]) for k in ("DASH_NBANK", "DASH_NSLOT", "DASH_NCLI"))
ROUNDS = 5


def mapreq(i):
    return {"bank": {"bankId": i // NS + 1, "slotNr": i % NS}, "client": {"clientId": i, "slotNr": 0}}


def all_active():
    st, j = d.rest("GET", "/api/remsim/v1/state")
    return st == 200 and sum(m["state"] == "ACTIVE" for m in j["slotmaps"]) == NC


def main():
    out = {}
    t0 = time.monotonic()
    for i in range(NC):
        st, _ = d.rest("POST", "/api/remsim/v1/slotmaps", body=mapreq(i))
        if st != 201:
            print("map %d: HTTP %d" % (i, st), file=sys.stderr)
    if not d.wait(all_active, 60, 0.2):
        print("not every map ACTIVE", file=sys.stderr)
    out["map_all_via_rest_s"] = "%.2f" % (time.monotonic() - t0)

    drv = d.browser()
    try:
        if not d.open_page(drv, secs=30):
            print("page did not render", file=sys.stderr)
            return 1
        cells = len(drv.find_elements(By.CSS_SELECTOR, "#banks .cell"))
        d.wait(lambda: d.perf(drv)["frame"], 5)
        p = d.perf(drv)
        out["cells_rendered"] = cells
        out["first_frame_ms"] = "%.0f" % (p["frame"] or -1)
        out["first_render_ms"] = "%.0f" % p["first"]
        out["first_render_build_ms"] = "%.1f" % p["renders"][0]
        d.shot(drv, "dashboard-bench-32x32")
        for tab in ("clients", "maps"):
            drv.find_element(By.CSS_SELECTOR, '#tabs a[data-tab="%s"]' % tab).click()
            d.wait(lambda: drv.execute_script(
                "return performance.getEntriesByName('dashboard-tab-render').length") > (tab == "maps"), 10)
            tr = drv.execute_script("return performance.getEntriesByName('dashboard-tab-render').map(m => m.duration)")
            out["%s_tab_render_ms" % tab] = "%.1f" % tr[-1]
        rows = len(drv.find_elements(By.CSS_SELECTOR, "#clients tbody tr[data-client]"))
        out["client_rows_rendered"] = rows
        drv.find_element(By.CSS_SELECTOR, '#tabs a[data-tab="banks"]').click()

        drv.execute_script("""
            window.__lt = [];
            new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push(e.duration); })
                .observe({ type: 'longtask' });""")
        n0 = len(p["renders"])
        for r in range(ROUNDS):
            for i in range(32):
                d.rest("DELETE", "/api/remsim/v1/slotmaps/C%d:0" % i, body={})
            time.sleep(1.2)
            for i in range(32):
                d.rest("POST", "/api/remsim/v1/slotmaps", body=mapreq(i))
            time.sleep(1.2)
        d.wait(all_active, 20, 0.2)
        time.sleep(1.5)
        p = d.perf(drv)
        upd = p["renders"][n0:]
        lt = drv.execute_script("return window.__lt")
        out["update_renders"] = len(upd)
        out["update_render_median_ms"] = "%.1f" % (statistics.median(upd) if upd else 0)
        out["update_render_max_ms"] = "%.1f" % (max(upd) if upd else 0)
        out["long_tasks_over_50ms"] = len(lt)
        out["long_task_max_ms"] = "%.0f" % (max(lt) if lt else 0)
    finally:
        drv.quit()
    with open(os.environ["DASH_NEW"], "a") as f:
        for k, v in out.items():
            f.write("%s %s\n" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
