# SPDX-License-Identifier: MIT
"""Load benchmark: `baton -l` against kexec-tools' `kexec -l` and `openssl dgst -sha256` on the
same kernel and a large random initrd. Not a test: run by `make bench`; see docs/performance.md.

    /usr/bin/python3 bench/load.py [--build build] [--runs 9] [--initrd-mib 200] [--keep]

Both loaders run for real (not --dry-run) under strace with kexec_load, kexec_file_load and reboot
answered by strace (`-e inject=...:retval=0`): the kernel never sees them. With --seccomp-bpf the
filter is inherited by every child and, should strace die, turns those calls into ENOSYS.
Each strace log must show the injected kexec_load, or the run counts as failed.

Time: the median wall time of N runs after one warm-up run each (files in the page cache).
Memory: separate runs in which strace also holds the tracee for 0.3 s at the entry of kexec_load
(the moment every segment is built and referenced) while a sampler reads /proc/PID/status every
millisecond for the whole run (openssl: the same sampling, no strace). Reported: the largest
RssAnon seen (private anonymous memory: heap, stack, anonymous mappings; what the tool itself
allocates) and VmHWM (the kernel's peak resident set, which also counts page-cache pages mapped
from files, such as baton's MAP_POPULATE mappings of the kernel and initrd: shared, not private).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CMDLINE = 'console=ttyS0'
DELAY_US = 300000
SAMPLE_S = 0.001

STRACE = ['strace', '-f', '--seccomp-bpf', '-qq',
          '-e', 'trace=kexec_load,kexec_file_load,reboot',
          '-e', 'inject=kexec_file_load:retval=0',
          '-e', 'inject=reboot:retval=0']


def strace_cmd(log, delay_us=0):
    inject = 'inject=kexec_load:retval=0'
    if delay_us:
        inject += ':delay_enter=%d' % delay_us
    return STRACE + ['-e', inject, '-o', log, '--']


def status_kib(pid):
    """{field: KiB} for the Rss*/Vm* lines of /proc/PID/status; {} once the process is gone."""
    out = {}
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                key, _, rest = line.partition(':')
                if key in ('RssAnon', 'RssFile', 'VmHWM', 'VmRSS'):
                    out[key] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return out


def children(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def descendants(pid):
    todo, seen = [pid], []
    while todo:
        for c in children(todo.pop()):
            seen.append(c)
            todo.append(c)
    return seen


class Sampler(threading.Thread):
    """Polls the tool and its descendants; under strace, the descendants of strace only."""

    def __init__(self, root, traced):
        super().__init__(daemon=True)
        self.root = root
        self.traced = traced
        self.peak = {'RssAnon': 0, 'RssFile': 0, 'VmHWM': 0}
        self.samples = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            for pid in descendants(self.root) + ([] if self.traced else [self.root]):
                st = status_kib(pid)
                if not st:
                    continue
                self.samples += 1
                for k in self.peak:
                    self.peak[k] = max(self.peak[k], st.get(k, 0))
            time.sleep(SAMPLE_S)


def injected(log):
    with open(log) as f:
        text = f.read()
    return any('kexec_load(' in line and '(INJECTED)' in line for line in text.splitlines())


def run_timed(cmd, log=None):
    """Wall seconds, user+sys seconds (of the process and its waited-for descendants)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors='replace')
    p.stderr.close()
    if status != 0:
        sys.exit('bench: %s failed (status %#x): %s' % (' '.join(cmd), status, err.strip()))
    if log and not injected(log):
        sys.exit('bench: %s: no injected kexec_load in the strace log' % ' '.join(cmd))
    return wall, ru.ru_utime + ru.ru_stime


def run_sampled(cmd, log=None):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    s = Sampler(p.pid, log is not None)
    s.start()
    rc = p.wait()
    s.stop.set()
    s.join()
    if rc != 0 or (log and not injected(log)):
        sys.exit('bench: %s failed (rc %d) or made no injected kexec_load' % (' '.join(cmd), rc))
    if s.samples < 10:
        sys.exit('bench: %s: only %d memory samples' % (' '.join(cmd), s.samples))
    return s.peak


def make_initrd(path, mib):
    if os.path.exists(path) and os.path.getsize(path) == mib << 20:
        return
    with open(path + '.tmp', 'wb') as f:
        for _ in range(mib):
            f.write(os.urandom(1 << 20))
    os.rename(path + '.tmp', path)


def fmt_mib(kib):
    return '%.1f MiB' % (kib / 1024)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default='build')
    ap.add_argument('--runs', type=int, default=9)
    ap.add_argument('--mem-runs', type=int, default=3)
    ap.add_argument('--initrd-mib', type=int, default=200)
    ap.add_argument('--keep', action='store_true', help='keep the random initrd in /tmp')
    args = ap.parse_args()

    build = os.path.abspath(os.path.join(REPO, args.build))
    assets = os.path.join(build, 'assets')
    baton = os.path.join(build, 'baton')
    kexec_root = os.path.join(assets, 'kexec-root')
    kernel = os.path.join(assets, 'vmlinuz')
    if not os.path.exists(baton):
        sys.exit('bench: %s missing (make)' % baton)
    if not (os.path.exists(kernel) and os.path.exists(os.path.join(kexec_root, 'sbin/kexec'))):
        subprocess.run([os.path.join(REPO, 'scripts', 'assets.sh'), build], check=True)
    initrd = os.path.join(tempfile.gettempdir(), 'baton-bench-initrd-%dM.img' % args.initrd_mib)
    make_initrd(initrd, args.initrd_mib)

    # Debian's kexec-tools, never installed: run through its own dynamic loader and libraries.
    kexec = [os.path.join(kexec_root, 'lib64/ld-linux-x86-64.so.2'),
             '--library-path', os.path.join(kexec_root, 'lib/x86_64-linux-gnu'),
             os.path.join(kexec_root, 'sbin/kexec')]
    load_args = ['-l', kernel, '--initrd=' + initrd, '--command-line=' + CMDLINE]
    tools = [
        ('baton -l', [baton] + load_args, True),
        ('kexec-tools kexec -l', kexec + load_args, True),
        ('openssl dgst -sha256', ['openssl', 'dgst', '-sha256', kernel, initrd], False),
    ]
    total = os.path.getsize(kernel) + os.path.getsize(initrd)
    print('load benchmark: kernel %s (%.1f MB), initrd %s (%.1f MB), %d runs, median'
          % (kernel, os.path.getsize(kernel) / 1e6, initrd, os.path.getsize(initrd) / 1e6,
             args.runs))

    results = {}
    with tempfile.TemporaryDirectory(prefix='baton-bench-') as tmp:
        log = os.path.join(tmp, 'strace.log')
        for name, cmd, traced in tools:
            full = strace_cmd(log) + cmd if traced else cmd
            run_timed(full, log if traced else None)   # warm-up: page cache, dynamic loader
            walls, cpus = [], []
            for _ in range(args.runs):
                w, c = run_timed(full, log if traced else None)
                walls.append(w)
                cpus.append(c)
            results[name] = {'wall': statistics.median(walls), 'cpu': statistics.median(cpus),
                             'min': min(walls), 'max': max(walls)}
        for name, cmd, traced in tools:
            peaks = []
            for _ in range(args.mem_runs):
                if traced:
                    peaks.append(run_sampled(strace_cmd(log, DELAY_US) + cmd, log))
                else:
                    peaks.append(run_sampled(cmd))
            results[name]['mem'] = {k: max(p[k] for p in peaks) for k in peaks[0]}

    print('%-22s %9s %9s %9s %9s %12s %12s' % ('', 'wall', 'min', 'max', 'user+sys',
                                               'RssAnon pk', 'VmHWM'))
    for name, _, _ in tools:
        r = results[name]
        print('%-22s %8.3fs %8.3fs %8.3fs %8.3fs %12s %12s' % (
            name, r['wall'], r['min'], r['max'], r['cpu'], fmt_mib(r['mem']['RssAnon']),
            fmt_mib(r['mem']['VmHWM'])))
    b, k, o = (results[n] for n, _, _ in tools)
    print('baton / kexec-tools: %.2f (target <= 0.25)   baton / openssl: %.2f (target <= 1.3)   '
          'baton RssAnon peak: %s (target <= 16 MiB)   %.0f MB/s end to end'
          % (b['wall'] / k['wall'], b['wall'] / o['wall'], fmt_mib(b['mem']['RssAnon']),
             total / b['wall'] / 1e6))
    if not args.keep:
        os.unlink(initrd)


if __name__ == '__main__':
    main()
