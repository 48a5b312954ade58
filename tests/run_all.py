# SPDX-License-Identifier: MIT
"""Runs every test suite (unit binaries, CLI tests, VM tests) and ends with one 'N passed, N failed' line.

    /usr/bin/python3 tests/run_all.py --build build [--no-vm]
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RE_CMOCKA_PASSED = re.compile(r'^\[  PASSED  \] (\d+) test\(s\)\.', re.M)
RE_CMOCKA_FAILED = re.compile(r'^\[  FAILED  \] (\d+) test\(s\)', re.M)
RE_LEAKS = re.compile(r'ERROR: LeakSanitizer: detected memory leaks')
RE_PYTEST_COUNT = re.compile(r'(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)')
RE_PYTEST_SUMMARY = re.compile(r'^=*\s*(?:no tests ran|\d+ (?:passed|failed|errors?|skipped|'
                               r'xfailed|xpassed|deselected|warnings?)).* in [0-9.]+s', re.M)

UNIT_TIMEOUT = 300
PYTEST_EXIT_NO_TESTS = 5


class Result:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.xfailed = 0
        self.note = ''
        self.seconds = 0.0

    def line(self):
        extra = ''
        if self.skipped:
            extra += ', %d skipped' % self.skipped
        if self.xfailed:
            extra += ', %d xfailed' % self.xfailed
        if self.note:
            extra += ' (%s)' % self.note
        return '%-28s %d passed, %d failed%s  [%.1fs]' % (
            self.name, self.passed, self.failed, extra, self.seconds)


def run_stream(cmd, env=None, timeout=None):
    """Runs cmd with output shown as it comes; returns (exit status, output)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors='replace')
    out = []
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        out.append(line)
        if timeout and time.monotonic() - start > timeout:
            proc.kill()
            out.append('\n(killed after %d s)\n' % timeout)
            break
    proc.wait()
    return proc.returncode, ''.join(out)


def run_assets(build):
    r = Result('assets')
    start = time.monotonic()
    rc, _ = run_stream([os.path.join(REPO, 'scripts', 'assets.sh'), build])
    r.seconds = time.monotonic() - start
    if rc == 0:
        r.note = 'built'
    else:
        r.failed = 1
        r.note = 'scripts/assets.sh exited %d' % rc
    return r


def run_unit(path, label='unit', sanitized=False):
    r = Result(label + ' ' + os.path.basename(path))
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT='STDOUT')
    if sanitized:
        # LeakSanitizer on whatever the caller's environment says (the later option wins), and a
        # leak fails the run: a test binary that leaks exits non-zero.
        env['ASAN_OPTIONS'] = ':'.join(filter(None, [os.environ.get('ASAN_OPTIONS'),
                                                     'detect_leaks=1', 'exitcode=1']))
    print('--- %s' % path, flush=True)
    start = time.monotonic()
    try:
        p = subprocess.run([path], cwd=REPO, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors='replace',
                           timeout=UNIT_TIMEOUT)
        out, rc = p.stdout, p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode(errors='replace') if isinstance(e.stdout, bytes) \
            else (e.stdout or '')
        rc = None
    r.seconds = time.monotonic() - start
    sys.stdout.write(out)
    r.passed = sum(int(n) for n in RE_CMOCKA_PASSED.findall(out))
    r.failed = sum(int(n) for n in RE_CMOCKA_FAILED.findall(out))
    if rc is None:
        r.failed += 1
        r.note = 'timed out after %d s' % UNIT_TIMEOUT
    elif rc < 0:
        r.failed += 1
        r.note = 'crashed (signal %d)' % -rc
    elif rc != 0 and r.failed == 0:
        r.failed = 1
        r.note = 'exit status %d' % rc
    elif rc == 0 and r.passed == 0 and r.failed == 0:
        r.note = 'no cmocka summary'
    if RE_LEAKS.search(out):
        r.failed = max(r.failed, 1)
        r.note = 'LeakSanitizer found leaks'
    return r


def run_pytest(name, directory, build, skip_assets):
    r = Result(name)
    env = dict(os.environ, BATON_BUILD=build, PYTHONDONTWRITEBYTECODE='1')
    if skip_assets:
        env['BATON_SKIP_ASSETS'] = '1'
    print('--- pytest %s' % directory, flush=True)
    start = time.monotonic()
    rc, out = run_stream([sys.executable, '-m', 'pytest', '-q', '-rs', '-p', 'no:cacheprovider',
                          directory], env=env)
    r.seconds = time.monotonic() - start
    summary = RE_PYTEST_SUMMARY.findall(out)
    counts = {}
    if summary:
        for n, kind in RE_PYTEST_COUNT.findall(summary[-1]):
            kind = 'errors' if kind.startswith('error') else kind
            counts[kind] = counts.get(kind, 0) + int(n)
    r.passed = counts.get('passed', 0) + counts.get('xpassed', 0)
    r.failed = counts.get('failed', 0) + counts.get('errors', 0)
    r.skipped = counts.get('skipped', 0)
    r.xfailed = counts.get('xfailed', 0)
    if rc == PYTEST_EXIT_NO_TESTS:
        r.note = 'no tests'
    elif rc != 0 and r.failed == 0:
        r.failed = 1
        r.note = 'pytest exit status %d' % rc
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default='build')
    ap.add_argument('--no-vm', action='store_true', help='skip the assets and the QEMU tests')
    ap.add_argument('--sanitized', metavar='BUILD',
                    help='also run the unit tests built with ASan and UBSan in this directory')
    args = ap.parse_args()
    build = os.path.abspath(os.path.join(REPO, args.build))

    results = []
    assets_ok = False
    if not args.no_vm:
        results.append(run_assets(build))
        assets_ok = results[-1].failed == 0

    for path in sorted(glob.glob(os.path.join(build, 'tests', 'unit', '*-test'))):
        if os.access(path, os.X_OK):
            results.append(run_unit(path))
    if args.sanitized:
        san = os.path.abspath(os.path.join(REPO, args.sanitized))
        for path in sorted(glob.glob(os.path.join(san, 'tests', 'unit', '*-test'))):
            if os.access(path, os.X_OK):
                results.append(run_unit(path, 'asan+ubsan', sanitized=True))

    if os.path.isdir(os.path.join(REPO, 'tests', 'cli')):
        results.append(run_pytest('pytest tests/cli', 'tests/cli', build, True))
    if not args.no_vm:
        if assets_ok:
            results.append(run_pytest('pytest tests/vm', 'tests/vm', build, True))
        else:
            r = Result('pytest tests/vm')
            r.note = 'not run: assets missing'
            r.failed = 1
            results.append(r)

    print()
    print('=== summary')
    for r in results:
        print(r.line())
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    skipped = sum(r.skipped for r in results)
    xfailed = sum(r.xfailed for r in results)
    if skipped or xfailed:
        print('%d skipped, %d xfailed' % (skipped, xfailed))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
