#!/bin/sh
# SPDX-License-Identifier: MIT
# Demo: boots kernel 1 under QEMU, shows baton's plan, loads kernel 2 with baton and hands over.
#   scripts/demo.sh [BUILD] [demo.py options, e.g. --loader kexec-tools]
# The whole serial transcript goes to stdout; exits non-zero if the second kernel did not come up.
set -eu
BUILD=${1:-build}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.."
# The demo needs the kernels and initrds, not the Debian system image of the ecosystem tests.
BATON_DEBIAN_ASSETS=0 scripts/assets.sh "$BUILD"
exec /usr/bin/python3 tests/vm/demo.py --build "$BUILD" "$@"
