# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/dashboard.sh: the operator dashboard in a real browser, shared by
# tests/integration/dashboard_browser.sh and tests/bench/dashboard_bench.sh.
# Source after tests/lib/common.sh and tests/integration/server_common.bash.
#   dashboard_deps            0 if chromium, chromedriver and a python3 with
#                             selenium exist (sets DASH_PY), else prints why
#   dashboard_server TOKEN    the server role on private ports, REST with the
#                             bearer TOKEN ("" = none); sets DASH_URL
#   dashboard_py SCRIPT ARGS  run a python driver with tests/lib on its path and
#                             DASH_URL, DASH_TMP, DASH_SHOTS (= $BUILD/dashboard)

dashboard_deps() {
	local p
	[ -x /usr/bin/chromium ] || { echo "chromium not installed (scripts/install-deps.sh)"; return 1; }
	[ -x /usr/bin/chromedriver ] || { echo "chromium-driver not installed (scripts/install-deps.sh)"; return 1; }
	DASH_PY=
	for p in python3 /usr/bin/python3; do
		if "$p" -c 'import selenium' 2>/dev/null; then DASH_PY=$p; break; fi
	done
	[ -n "$DASH_PY" ] || { echo "no python3 with selenium (python3-selenium)"; return 1; }
}

dashboard_server() {
	server_cfg "$T/server.cfg"
	REMSIM_REST_TOKEN=$1 server_start "$T/server.cfg" || return 1
	DASH_URL=http://127.0.0.1:$P_REST/
}

dashboard_py() {
	local shots=$TOP/$BUILD/dashboard
	case "$BUILD" in /*) shots=$BUILD/dashboard ;; esac
	PYTHONPATH=$TOP/tests/lib DASH_URL=$DASH_URL DASH_TMP=$T DASH_SHOTS=$shots \
		"$DASH_PY" "$@"
}
