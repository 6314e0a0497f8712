#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-all.sh: the README's test command.  Installs what the build and the
# tests need, builds, runs the whole test suite, then runs it again under
# ASan+UBSan (make asan).  The last line of each run is "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
JOBS=$(nproc 2>/dev/null || echo 2)
make -j"$JOBS"
make test
make -j"$JOBS" asan
