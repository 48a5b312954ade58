# SPDX-License-Identifier: MIT
"""QEMU round trip: `LOADER -e` in a first kernel to the second kernel's init, with a 200 MiB
initrd, baton against Debian's kexec-tools. Not a test: run by `make bench`; see
docs/performance.md.

    /usr/bin/python3 bench/roundtrip.py [--build build] [--runs 5] [--mem 3072]
        [--media ext4|raw|initrd] [--compare-media] [--trace] [--baton PATH] [--skip-assets]

Each run boots a fresh QEMU machine (TCG, -cpu max, one vCPU) on the Debian cloud kernel, makes
the 200 MiB target initrd ready in it (--media), loads the same kernel with it (`time -p LOADER
-l`, timed by the guest), then sends `LOADER -e` and waits for the target initrd's first line
(BATON-TARGET-CMDLINE). The round trip is measured on this side: from writing `-e` to the serial
console to reading that line; each chunk QEMU writes is stamped with the time it was read and
with QEMU's CPU time then (under TCG, the guest's work, which a busy host delays but does not
inflate the way it does wall time). The loaders alternate (baton, kexec-tools, baton, ...);
the figures are the median, min and max. After baton, the target's `baton --report --json`
gives the purgatory's own timing record.

Assets (build/assets/bench/, made from the test assets of scripts/assets.sh, never touching them):
  initrd-200M.img   the test target initrd (prints BATON-TARGET-*, runs baton --report), then an
                    uncompressed cpio with /bench-random.bin (random bytes, so nothing compresses),
                    zero-padded to exactly 200 MiB: the second kernel unpacks all of it
  modules/          virtio_ring, virtio, virtio_pci(_legacy_dev, _modern_dev), virtio_blk from
                    the cloud kernel's package (it has ext4 built in but virtio only as modules)
  host-disk.img     media=ext4 and raw: the test host initrd + an uncompressed cpio with the
                    modules under /bench
  ext4.img          media=ext4 (the default): an ext4 file system holding initrd-200M.img as
                    /initrd.img, attached read-only as a virtio disk, mounted on /mnt and read
                    once (page cache) before loading
                    media=raw: initrd-200M.img itself is the virtio disk, copied with dd to /tmp
  host-initrd.img   media=initrd: the test host initrd + an uncompressed cpio holding
                    initrd-200M.img as /tmp/bench-initrd.img (the first kernel unpacks it)
"""

import argparse
import bisect
import json
import os
import re
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'tests', 'vm'))
import console as con  # noqa: E402

MIB = 1 << 20
INITRD_BYTES = 200 * MIB
# How the 200 MiB initrd reaches the first kernel, and where it is found there.
MEDIA = {
    'ext4': '/mnt/initrd.img',
    'raw': '/tmp/bench-initrd.img',
    'initrd': '/tmp/bench-initrd.img',
}
MODULES = ('virtio_ring', 'virtio', 'virtio_pci_legacy_dev', 'virtio_pci_modern_dev',
           'virtio_pci', 'virtio_blk')          # in dependency order (their .modinfo depends=)
LOADERS = {
    'baton': '/sbin/baton',
    'kexec-tools': '/sbin/kexec',
}
RE_TIME_REAL = re.compile(r'^real ([0-9.]+)$', re.M)
RE_TARGET_REPORT = re.compile(r'BATON-TARGET-REPORT: ([^\r\n]*)\r?\n')
# What the serial console shows between -e and init, in order (--trace adds the first two, the
# purgatories' --console-serial lines, and earlyprintk=serial: the kernel's log from its start).
MILESTONES = (
    ('purgatory', re.compile(r"I'm in purgatory|baton: purgatory: verifying")),
    ('verified', re.compile(r'baton: purgatory: \d+ segments verified')),
    ('banner', re.compile(r'Linux version \S+')),
)
RE_RUN_INIT = re.compile(r'\[\s*([0-9.]+)\] Run /init as init process')
BOOT_TIMEOUT = 180
STEP_TIMEOUT = 180


# --- assets ------------------------------------------------------------------------------------
def newc(entries):
    """An uncompressed newc cpio archive, in pieces: entries are (name, mode, data), data being
    bytes or (path, size) (a file to copy, yielded as is)."""
    for ino, (name, mode, data) in enumerate(entries + [('TRAILER!!!', 0, b'')], 1):
        size = data[1] if isinstance(data, tuple) else len(data)
        nlink = 2 if mode & 0o040000 else 1
        fields = (ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name) + 1, 0)
        head = b'070701' + b''.join(b'%08X' % v for v in fields) + name.encode() + b'\0'
        yield head + b'\0' * (-len(head) % 4)
        yield data
        yield b'\0' * (-size % 4)


def align(f, n):
    """Zero-pads f to a multiple of 4 bytes. The kernel looks for a cpio header after a
    compressed archive only at such an offset (init/initramfs.c unpack_to_rootfs) and skips
    zeros between archives."""
    pad = -n % 4
    f.write(b'\0' * pad)
    return n + pad


def write_cpio(f, entries):
    """Writes newc(entries) to f, copying (path, size) files in 1 MiB pieces; returns bytes."""
    n = 0
    for piece in newc(entries):
        if isinstance(piece, tuple):
            with open(piece[0], 'rb') as src:
                left = piece[1]
                while left:
                    buf = src.read(min(MIB, left))
                    if not buf:
                        sys.exit('bench: %s shorter than expected' % piece[0])
                    f.write(buf)
                    left -= len(buf)
                    n += len(buf)
        else:
            f.write(piece)
            n += len(piece)
    return n


def stale(target, *sources):
    return not os.path.exists(target) or any(
        os.path.getmtime(s) > os.path.getmtime(target) for s in sources)


def build_assets(build, skip, media):
    """Makes what the media need (a list of MEDIA keys); returns a dict of paths."""
    assets = os.path.join(build, 'assets')
    if not skip:
        env = dict(os.environ, BATON_XEN_ASSETS='0')
        r = subprocess.run([os.path.join(REPO, 'scripts', 'assets.sh'), build], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode:
            sys.exit('bench: scripts/assets.sh failed:\n' + r.stdout)
    for name in ('vmlinuz', 'vmlinuz.package', 'host-initrd.img', 'target-initrd.img',
                 'host-initrd.has-baton', 'kexec-root/sbin/kexec'):
        if not os.path.exists(os.path.join(assets, name)):
            sys.exit('bench: %s/%s missing (scripts/assets.sh %s)' % (assets, name, build))
    static = os.path.join(build, 'baton-static')
    if not os.path.exists(static):
        sys.exit('bench: %s missing (make)' % static)
    if os.path.getmtime(os.path.join(assets, 'host-initrd.img')) < os.path.getmtime(static):
        sys.exit('bench: %s/host-initrd.img lacks the current baton-static (scripts/assets.sh %s)'
                 % (assets, build))
    out = os.path.join(assets, 'bench')
    os.makedirs(out, exist_ok=True)
    a = {'dir': out, 'vmlinuz': os.path.join(assets, 'vmlinuz')}
    target = os.path.join(assets, 'target-initrd.img')
    host = os.path.join(assets, 'host-initrd.img')

    # The target initrd, with a random file that fills it up to 200 MiB.
    big = a['initrd'] = os.path.join(out, 'initrd-200M.img')
    if stale(big, target) or os.path.getsize(big) != INITRD_BYTES:
        rnd = os.path.join(out, 'random.bin')
        base = os.path.getsize(target)
        name = 'bench-random.bin'
        # alignment; header (110) + name + NUL, padded; data padded; trailer, padded
        overhead = 3 + 110 + len(name) + 1 + 3 + 3 + 110 + 11 + 3
        size = (INITRD_BYTES - base - overhead) & ~3
        with open(rnd, 'wb') as f:
            left = size
            while left:
                f.write(os.urandom(min(MIB, left)))
                left -= min(MIB, left)
        with open(big + '.tmp', 'wb') as f:
            with open(target, 'rb') as t:
                f.write(t.read())
            n = align(f, base)
            n += write_cpio(f, [(name, 0o100644, (rnd, size))])
            if n > INITRD_BYTES:
                sys.exit('bench: initrd is %d bytes, over 200 MiB' % n)
            f.write(b'\0' * (INITRD_BYTES - n))    # the kernel skips zeros between archives
        os.unlink(rnd)
        os.rename(big + '.tmp', big)
        print('bench: built %s' % big, file=sys.stderr)

    # virtio modules from the cloud kernel package (its .deb is kept in assets/dl).
    pkg = open(os.path.join(assets, 'vmlinuz.package')).read().strip()
    debs = [d for d in os.listdir(os.path.join(assets, 'dl')) if d.startswith(pkg + '_')]
    mods = os.path.join(out, 'modules')
    stamp = os.path.join(mods, 'package')
    if not (all(os.path.exists(os.path.join(mods, m + '.ko')) for m in MODULES)
            and os.path.exists(stamp) and open(stamp).read().strip() == pkg):
        if not debs:
            sys.exit('bench: %s/dl has no %s .deb (rm %s/vmlinuz.package; scripts/assets.sh)'
                     % (assets, pkg, assets))
        os.makedirs(mods, exist_ok=True)
        tar = subprocess.run('dpkg-deb --fsys-tarfile %s | tar -t' % os.path.join(
            assets, 'dl', debs[0]), shell=True, check=True, stdout=subprocess.PIPE,
            text=True).stdout.split('\n')
        for m in MODULES:
            member = [t for t in tar if t.endswith('/' + m + '.ko')]
            if len(member) != 1:
                sys.exit('bench: %s has no single %s.ko' % (pkg, m))
            with open(os.path.join(mods, m + '.ko'), 'wb') as f:
                subprocess.run('dpkg-deb --fsys-tarfile %s | tar -xO %s' % (
                    os.path.join(assets, 'dl', debs[0]), member[0]), shell=True, check=True,
                    stdout=f)
        with open(stamp, 'w') as f:
            f.write(pkg + '\n')
    a['modules'] = mods

    # media=ext4 and raw: host initrd + the virtio modules.
    hd = a['host-disk'] = os.path.join(out, 'host-disk.img')
    if stale(hd, host, *(os.path.join(mods, m + '.ko') for m in MODULES)):
        with open(hd + '.tmp', 'wb') as f:
            with open(host, 'rb') as h:
                n = f.write(h.read())
            align(f, n)
            entries = [('bench', 0o040755, b'')]
            for m in MODULES:
                with open(os.path.join(mods, m + '.ko'), 'rb') as k:
                    entries.append(('bench/%s.ko' % m, 0o100644, k.read()))
            write_cpio(f, entries)
        os.rename(hd + '.tmp', hd)
    # media=ext4: a file system holding the 200 MiB initrd as /initrd.img (ext4 is built in).
    fs = a['ext4'] = os.path.join(out, 'ext4.img')
    if 'ext4' in media and stale(fs, big):
        root = os.path.join(out, 'ext4-root')
        if os.path.exists(root):
            for n in os.listdir(root):
                os.unlink(os.path.join(root, n))
        else:
            os.mkdir(root)
        os.link(big, os.path.join(root, 'initrd.img'))
        if os.path.exists(fs + '.tmp'):
            os.unlink(fs + '.tmp')
        subprocess.run(['mke2fs', '-q', '-t', 'ext4', '-O', '^has_journal', '-m', '0', '-N', '16',
                        '-E', 'root_owner=0:0', '-d', root, fs + '.tmp',
                        '%dM' % (INITRD_BYTES // MIB + 16)], check=True,
                       stdout=subprocess.DEVNULL)
        os.unlink(os.path.join(root, 'initrd.img'))
        os.rmdir(root)
        os.rename(fs + '.tmp', fs)
    # media=initrd: host initrd + the 200 MiB initrd as a file.
    hi = a['host-initrd'] = os.path.join(out, 'host-initrd.img')
    if 'initrd' in media and stale(hi, host, big):
        with open(hi + '.tmp', 'wb') as f:
            with open(host, 'rb') as h:
                n = f.write(h.read())
            align(f, n)
            write_cpio(f, [(MEDIA['initrd'].lstrip('/'), 0o100644, (big, INITRD_BYTES))])
        os.rename(hi + '.tmp', hi)
    return a


def with_baton(a, baton, keys):
    """Points the first kernels' initrds at copies that carry another baton as /sbin/baton (a
    later cpio entry replaces an earlier file of the same name)."""
    with open(baton, 'rb') as f:
        blob = f.read()
    for key in keys:
        out = a[key][:-4] + '+baton.img'
        with open(out + '.tmp', 'wb') as f:
            with open(a[key], 'rb') as h:
                n = 0
                while True:
                    buf = h.read(MIB)
                    if not buf:
                        break
                    n += f.write(buf)
            align(f, n)
            write_cpio(f, [('sbin/baton', 0o100755, blob)])
        os.rename(out + '.tmp', out)
        a[key] = out


# --- the machine -------------------------------------------------------------------------------
class TimedConsole(con.Console):
    """A Console that remembers when each piece of the transcript arrived: time.monotonic() and
    the CPU time QEMU had used by then (user + system, all its threads). Under TCG the guest's
    work is QEMU's CPU time, which other jobs on the host do not inflate the way they do wall
    time (they only take the CPU away)."""

    TICK = os.sysconf('SC_CLK_TCK')

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.ends = []      # transcript length after each read
        self.times = []     # ... when that read returned
        self.cpus = []      # ... QEMU's CPU seconds then

    def qemu_cpu(self):
        try:
            with open('/proc/%d/stat' % self.proc.pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / self.TICK     # utime, stime
        except (AttributeError, OSError, IndexError, ValueError):
            return float('nan')

    def _feed(self, data):
        now, cpu = time.monotonic(), self.qemu_cpu()
        super()._feed(data)
        self.ends.append(len(self.transcript))
        self.times.append(now)
        self.cpus.append(cpu)

    def arrival(self, m):
        """(when, QEMU CPU seconds) as the last character of match m was read."""
        i = min(bisect.bisect_left(self.ends, m.end()), len(self.times) - 1)
        return self.times[i], self.cpus[i]


def boot(a, media, mem, log):
    """Boots the first kernel and makes MEDIA[media] ready in it (in the page cache for ext4)."""
    disk = {'ext4': a['ext4'], 'raw': a['initrd']}.get(media)
    c = TimedConsole(os.path.dirname(a['vmlinuz']), log, mem=mem,
                     initrd=a['host-initrd'] if media == 'initrd' else a['host-disk'],
                     extra_args=['-drive', 'file=%s,format=raw,if=virtio,readonly=on' % disk]
                     if disk else [])
    try:
        t0 = time.monotonic()
        c.start(BOOT_TIMEOUT)
        booted = time.monotonic() - t0
        path = MEDIA[media]
        if disk:
            step(c, 'for m in %s; do insmod /bench/$m.ko || exit 1; done; test -b /dev/vda'
                 % ' '.join(MODULES))
        if media == 'ext4':
            # mounted read-only, read once: both loaders then find it in the page cache
            step(c, 'mkdir -p /mnt && mount -t ext4 -o ro /dev/vda /mnt && cat %s >/dev/null'
                 % path)
        elif media == 'raw':
            step(c, 'dd if=/dev/vda of=%s bs=1M 2>&1' % path)
        size = c.run_command('stat -c %%s %s' % path)
        if size.strip() != str(INITRD_BYTES):
            raise con.ConsoleError('%s in the guest is %r bytes' % (path, size))
        ready = time.monotonic() - t0
        c.ready_cpu = c.qemu_cpu()
        return c, booted, ready
    except BaseException:
        c.close()
        raise


def step(c, cmd):
    out, rc = c.run_command_rc(cmd, STEP_TIMEOUT)
    if rc:
        raise con.ConsoleError('`%s` failed (%d): %s' % (cmd, rc, out))
    return out


def roundtrip(a, loader, media, mem, log, trace=False):
    """One machine, one handover; returns a dict of figures (seconds unless said otherwise)."""
    c, booted, ready = boot(a, media, mem, log)
    try:
        r = {'loader': loader, 'boot': booted, 'ready': ready}
        cmdline = 'console=ttyS0 panic=-1 baton.bench=%s' % loader
        if trace:
            cmdline += ' earlyprintk=serial'
        cmd = '%s -l /boot/vmlinuz --initrd=%s --command-line="%s"%s' % (
            LOADERS[loader], MEDIA[media], cmdline, ' --console-serial' if trace else '')
        t0, cpu0 = time.monotonic(), c.qemu_cpu()
        out, rc = c.run_command_rc('time -p ' + cmd, STEP_TIMEOUT)
        r['load_host'] = time.monotonic() - t0
        r['load_cpu'] = c.qemu_cpu() - cpu0
        m = RE_TIME_REAL.search(out)
        if rc or not m:
            raise con.ConsoleError('load failed (%d): %s' % (rc, out))
        r['load'] = float(m.group(1))
        if c.run_command('cat /sys/kernel/kexec_loaded') != '1':
            raise con.ConsoleError('nothing loaded after: ' + cmd)
        c.note('bench: %s -e' % loader)
        pos = len(c.transcript)
        t0, cpu0 = time.monotonic(), c.qemu_cpu()
        c.run_command('%s -e' % LOADERS[loader], wait_for_prompt=False)
        m = c.wait_for(con.RE_TARGET_CMDLINE, STEP_TIMEOUT)
        t, cpu = c.arrival(m)
        r['roundtrip'], r['roundtrip_cpu'] = t - t0, cpu - cpu0
        if m.group(1) != cmdline:
            raise con.ConsoleError('second kernel got %r' % m.group(1))
        rep = c.wait_for(RE_TARGET_REPORT, STEP_TIMEOUT).group(1)
        c.wait_for(con.RE_TARGET_DONE, 60)
        c.wait_exit(60)
        # when the milestones between -e and init reached this side (those that were printed)
        for name, regex in MILESTONES:
            m = regex.search(c.transcript, pos)
            if m:
                t, cpu = c.arrival(m)
                r[name], r[name + '_cpu'] = t - t0, cpu - cpu0
        m = RE_RUN_INIT.search(c.transcript, pos)
        r['kernel_init_clock'] = float(m.group(1)) if m else float('nan')
        if loader == 'baton':
            j = json.loads(rep)
            r.update({k: j[k] for k in ('verify_ms', 'total_ms', 'hash_mb_per_s',
                                        'bytes_hashed', 'sha256')})
        elif 'not started by baton' not in rep:
            raise con.ConsoleError('unexpected report after kexec-tools: ' + rep)
        return r
    finally:
        c.close()


# --- main --------------------------------------------------------------------------------------
def spread(xs, fmt='%.2f'):
    return (fmt + ' (' + fmt + '-' + fmt + ')') % (statistics.median(xs), min(xs), max(xs))


def loadavg():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


def column(rs, key, fmt='%.2f'):
    xs = [r[key] for r in rs if key in r]
    return spread(xs, fmt) if xs else '-'


def main():
    ap = argparse.ArgumentParser(description=' '.join(__doc__.split('\n\n')[0].split()))
    ap.add_argument('--build', default='build')
    ap.add_argument('--runs', type=int, default=5, help='handovers per loader (default 5)')
    ap.add_argument('--mem', type=int, default=3072, help='guest RAM, MiB (default 3072)')
    ap.add_argument('--media', choices=sorted(MEDIA), default='ext4',
                    help='how the 200 MiB initrd reaches the first kernel (default ext4)')
    ap.add_argument('--compare-media', action='store_true',
                    help='first boot one machine per medium: time until the initrd is ready')
    ap.add_argument('--trace', action='store_true',
                    help='both purgatories and the new kernel write early to the serial '
                    'console (--console-serial, earlyprintk=serial): where the time goes, at '
                    'some cost; not the figures of record')
    ap.add_argument('--baton', metavar='PATH',
                    help='the (static) baton to run in the first kernel instead of '
                    'BUILD/baton-static, e.g. one built with other flags')
    ap.add_argument('--skip-assets', action='store_true', help='do not run scripts/assets.sh')
    args = ap.parse_args()

    build = os.path.abspath(os.path.join(REPO, args.build))
    media = sorted(MEDIA) if args.compare_media else [args.media]
    a = build_assets(build, args.skip_assets, media)
    if args.baton:
        with_baton(a, args.baton, {'host-initrd' if m == 'initrd' else 'host-disk'
                                   for m in media})
        print('bench: /sbin/baton in the first kernel is %s' % os.path.abspath(args.baton))
    logs = os.path.join(build, 'vm-logs')
    started = time.monotonic()
    print('round trip: kernel %s, initrd %s (%.1f MB), -m %d, media=%s, %d runs per loader%s; '
          'load average %s' % (a['vmlinuz'], a['initrd'], INITRD_BYTES / 1e6, args.mem,
                               args.media, args.runs, ', trace' if args.trace else '',
                               loadavg()), flush=True)

    if args.compare_media:
        for media in ('initrd', 'raw', 'ext4'):
            c, booted, ready = boot(a, media, args.mem,
                                    os.path.join(logs, 'bench-media-%s.log' % media))
            c.close()
            print('media=%-6s  first kernel at its prompt %.1f s, %s ready %.1f s '
                  '(QEMU CPU %.1f s; load average %s)' % (media, booted, MEDIA[media], ready,
                                                          c.ready_cpu, loadavg()), flush=True)

    results = {name: [] for name in LOADERS}
    for i in range(args.runs):
        for loader in LOADERS:
            log = os.path.join(logs, 'bench-roundtrip-%s-%d.log' % (loader, i + 1))
            r = roundtrip(a, loader, args.media, args.mem, log, args.trace)
            r['loadavg'] = loadavg()
            results[loader].append(r)
            marks = ''.join(', %s %.2f' % (name, r[name]) for name, _ in MILESTONES
                            if name in r)
            extra = ''
            if loader == 'baton':
                extra = '; purgatory: verify %.0f ms, total %.0f ms, %.1f MB/s (%s)' % (
                    r['verify_ms'], r['total_ms'], r['hash_mb_per_s'], r['sha256'])
            print('run %d %-11s  -e -> init %.2f s (QEMU CPU %.2f s%s; kernel clock at /init '
                  '%.2f); -l %.2f s (CPU %.2f); first boot %.1f s, ready %.1f s; load avg %s%s'
                  % (i + 1, loader, r['roundtrip'], r['roundtrip_cpu'], marks,
                     r['kernel_init_clock'], r['load'], r['load_cpu'], r['boot'], r['ready'],
                     r['loadavg'], extra), flush=True)

    if not args.runs:
        return
    rows = [('roundtrip', '-e -> init', 'roundtrip_cpu')]
    rows += [(n, '-e -> ' + n, n + '_cpu') for n, _ in MILESTONES]
    rows += [('kernel_init_clock', 'kernel clock @/init', None),
             ('load', '-l (time -p, guest)', 'load_cpu')]
    rows = [row for row in rows if any(row[0] in r for rs in results.values() for r in rs)]
    print()
    print('seconds, median (min-max) of %d runs each; wall: on this side (the guest\'s own '
          'clock for -l), CPU: QEMU\'s CPU time' % args.runs)
    print('%-20s' % '' + ''.join('%19s wall %20s CPU' % (name, name) for name in results))
    for key, title, cpu in rows:
        line = '%-20s' % title
        for rs in results.values():
            line += '%24s%24s' % (column(rs, key), column(rs, cpu) if cpu else '')
        print(line)
    b = results['baton']
    print('baton purgatory (baton --report): verify %s ms, total %s ms, %s MB/s, %d bytes, %s' % (
        column(b, 'verify_ms', '%.0f'), column(b, 'total_ms', '%.0f'),
        column(b, 'hash_mb_per_s', '%.1f'), b[0]['bytes_hashed'], b[0]['sha256']))
    for key, what in (('roundtrip', 'wall'), ('roundtrip_cpu', 'QEMU CPU')):
        mb = statistics.median(r[key] for r in b)
        mk = statistics.median(r[key] for r in results['kexec-tools'])
        print('-e -> init, baton / kexec-tools (%s, medians): %.3f (target <= 1: %s)'
              % (what, mb / mk, 'met' if mb <= mk else 'NOT met'))
    print('%.0f s in all, load average %s' % (time.monotonic() - started, loadavg()))


if __name__ == '__main__':
    main()
