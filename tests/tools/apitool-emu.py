#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""apitool-emu.py: does what osmo-remsim-apitool does (docs/rest.md
section 8) with python3-requests, so the REST tests can check that operators'
apitool calls keep working: json= bodies, "<path>: <repr>" lines for GETs,
"post failed" / "delete failed" / "REST GET failed".  Unlike apitool it takes
several actions in one run, in order:

usage: apitool-emu.py PORT ACTION...
  -m BANK_ID BANK_SLOT CLIENT_ID CLIENT_SLOT   POST /slotmaps
  -d BANK_ID BANK_SLOT                         DELETE /slotmaps/BANK_ID*65536+BANK_SLOT
  -a                                           GET /clients, /banks, /slotmaps
  -b ID | -c ID                                GET /banks/ID | /clients/ID
  -s                                           GET /slotmaps
  -r                                           POST /global-reset
"""
import sys

import requests


def main(argv):
    base = "http://127.0.0.1:%s/api/backend/v1" % argv[0]

    def get(path):
        try:
            r = requests.get(base + path)
            if r.ok:
                try:
                    print("%s: %s" % (path, r.json()))
                except ValueError:
                    pass
        except Exception:
            print("REST GET failed")

    def post(path, js=None):
        if not requests.post(base + path, json=js).ok:
            print("post failed")

    def delete(path):
        if not requests.delete(base + path).ok:
            print("delete failed")

    a, i = argv[1:], 0
    while i < len(a):
        op = a[i]
        if op == "-m":
            b, bs, c, cs = (int(x) for x in a[i + 1:i + 5])
            post("/slotmaps", {"bank": {"bankId": b, "slotNr": bs}, "client": {"clientId": c, "slotNr": cs}})
            i += 5
        elif op == "-d":
            delete("/slotmaps/%d" % (int(a[i + 1]) * 65536 + int(a[i + 2])))
            i += 3
        elif op == "-a":
            for p in ("/clients", "/banks", "/slotmaps"):
                get(p)
            i += 1
        elif op in ("-b", "-c"):
            get(("/banks/" if op == "-b" else "/clients/") + a[i + 1])
            i += 2
        elif op == "-s":
            get("/slotmaps")
            i += 1
        elif op == "-r":
            post("/global-reset")
            i += 1
        else:
            sys.exit("apitool-emu: unknown action " + op)


if __name__ == "__main__":
    main(sys.argv[1:])
