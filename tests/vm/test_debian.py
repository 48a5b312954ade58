# SPDX-License-Identifier: MIT
"""A real Debian system as the ecosystem baton drops into (issue #8): systemd and kdump-tools.

The image (scripts/debian-image.sh) is Debian bookworm from debootstrap: systemd as init, the cloud
kernel, kdump-tools and makedumpfile; root logs in on ttyS0 by itself. Per loader it comes as
debian.img, where baton's packages (`make deb`) replaced kexec-tools and /sbin/kexec is baton, and
as debian-kexec-tools.img, with Debian's kexec-tools, the reference. QEMU boots the image's kernel
and initrd (-kernel/-initrd, root=/dev/vda) on a private sparse copy of the disk, 2 GiB, 2 CPUs.

- test_systemctl_kexec: `kexec -l` the image's kernel with `--reuse-cmdline --append=MARKER`, then
  `systemctl kexec`: systemd stops everything, systemd-shutdown runs `/sbin/kexec -e`, and the new
  kernel boots the same system: its /proc/cmdline holds the marker exactly once and, for baton,
  `baton --report` shows the purgatory's record of the handover.
- test_kdump_tools: booted with crashkernel=384M, `kdump-config load` (which runs
  `/sbin/kexec -p --command-line="..." --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz`)
  loads the capture kernel; a marker goes to /dev/kmsg and `echo c > /proc/sysrq-trigger` panics.
  The capture kernel gets exactly the command line kdump-config asked for plus what the loader adds
  (baton: ` elfcorehdr=`), boots the system's root with systemd.unit=kdump-tools-dump.service,
  `kdump-config savecore` writes /var/crash/<stamp>/dump.<stamp> (makedumpfile, flattened) and
  dmesg.<stamp>, and reboots (QEMU exits: -no-reboot). The disk is then read on this machine with
  e2fsck (journal replay only) and debugfs, no mount: the dump is a makedumpfile dump of the dead
  kernel and its dmesg holds the marker.

Transcripts: $BUILD/vm-logs/test_<name>-<loader>.log. BATON_KEEP_DISK=1 keeps the disk copies.
"""

import os
import re
import subprocess
import time
import uuid

import pytest

import console as con

PROMPT = 'baton-debian# '
RE_DEBIAN_READY = re.compile(r'BATON-DEBIAN-READY: (\S+) (.*?)\r?\n')
# systemd-shutdown (src/shutdown/shutdown.c), just before it execs `kexec -e`
RE_SYSTEMD_KEXEC = re.compile(r'Rebooting with kexec')
# kernel/kexec_core.c kernel_kexec()
RE_STARTING_NEW_KERNEL = re.compile(r'kexec_core: Starting new kernel')
RE_BANNER = re.compile(r'Linux version (\S+) ')   # whole: the release is followed by a space
RE_KERNEL_CMDLINE = re.compile(r'Kernel command line: (.*?)\r?\n')
# /etc/init.d/kdump-tools start in the capture kernel, through kdump-config savecore
RE_SAVED_VMCORE = re.compile(r'saved vmcore in (/\S+?)\.?\r?\n')   # the whole line

MEM = 2048
SMP = 2
CRASHKERNEL = 'crashkernel=384M'
BOOT_TIMEOUT = 300          # measured: about 35 s to the prompt under TCG on 2 host CPUs
CMD_TIMEOUT = 60
KEXEC_TIMEOUT = 300         # systemctl kexec: shutdown, handover, boot, login
PANIC_TIMEOUT = 60
CAPTURE_TIMEOUT = 600       # capture kernel boot, makedumpfile, reboot

LOADERS = {
    'baton': {
        'image': 'debian.img',
        'kexec_file': 'debian.kexec',
        'kexec_real': '/usr/sbin/baton',
        'version_re': re.compile(r'baton'),
        # exactly the requested command line plus this
        'added_re': re.compile(r'^ elfcorehdr=(0x[0-9a-f]+|[0-9]+[KMG]?)$'),
    },
    'kexec-tools': {
        'image': 'debian-kexec-tools.img',
        'kexec_file': 'debian-kexec-tools.kexec',
        'kexec_real': '/usr/sbin/kexec',
        'version_re': re.compile(r'^kexec-tools 2\.', re.M),
        # 2.0.25 appends the RSDP it found and the ELF core header's address in KiB
        'added_re': re.compile(r'^ acpi_rsdp=0x[0-9a-f]+ elfcorehdr=([0-9]+K)$'),
    },
}


class DebianConsole(con.Console):
    """The Debian system image on a virtio disk: the image's kernel and initrd, root=/dev/vda, a
    bash login shell on ttyS0 with the prompt 'baton-debian# ' that announces itself with a
    BATON-DEBIAN-READY line (kernel release, command line)."""

    def __init__(self, assets, log_path, disk, mem=MEM, smp=SMP, append='', **opts):
        super().__init__(assets, log_path, mem=mem, smp=smp,
                         kernel=os.path.join(assets, 'debian-vmlinuz'),
                         initrd=os.path.join(assets, 'debian-initrd.img'),
                         append=('root=/dev/vda rw ' + append).strip(), **opts)
        self.disk = disk
        self.set_prompt(PROMPT)
        self.cmdline = None
        self.system_state = None

    def qemu_command(self):
        return super().qemu_command() + ['-drive', 'file=%s,if=virtio,format=raw' % self.disk]

    def start(self, ready_timeout=BOOT_TIMEOUT):
        self.launch()
        self.wait_ready(ready_timeout)
        return self

    def wait_ready(self, timeout=BOOT_TIMEOUT):
        """Waits for a (new) login: the ready line, then the prompt; then keeps the kernel's
        messages off the console (they would land in the middle of command output; `dmesg -n 7`
        brings them back) and waits for systemd to finish the boot (system_state: 'running' if
        no unit failed)."""
        m = self.wait_for(RE_DEBIAN_READY, timeout)
        self.kernel_release, self.cmdline = m.group(1), m.group(2)
        self.wait_for(self.prompt, 60)
        self.note('logged in: %s' % self.kernel_release)
        self.run_command('dmesg -n 1')
        out = self.run_command('systemctl is-system-running --wait', timeout)
        self.system_state = out.strip().splitlines()[-1] if out.strip() else ''
        self.note('system %s' % self.system_state)
        return m

    def check(self, cmd, timeout=CMD_TIMEOUT):
        """Runs cmd; its output, which must come with exit status 0."""
        out, rc = self.run_command_rc(cmd, timeout)
        assert rc == 0, '%r exited %d:\n%s' % (cmd, rc, out)
        return out


# --- fixtures -------------------------------------------------------------------------------
@pytest.fixture(params=sorted(LOADERS))
def loader(request, build, debian_assets):
    name = request.param
    spec = LOADERS[name]
    img = os.path.join(debian_assets, spec['image'])
    if name == 'baton':
        debs = [os.path.join(build, 'deb', f) for f in sorted(os.listdir(os.path.join(build, 'deb')))
                if re.match(r'(baton|baton-kexec|libbaton0)_.*\.deb$', f)] \
            if os.path.isdir(os.path.join(build, 'deb')) else []
        if not debs:
            pytest.skip('no baton packages in %s/deb (make deb, then scripts/debian-image.sh)'
                        % build)
        if not os.path.exists(img):
            pytest.fail('%s missing although %s/deb has baton packages: rerun '
                        'scripts/debian-image.sh' % (img, build))
        stale = [d for d in debs if os.path.getmtime(d) > os.path.getmtime(img)]
        if stale:
            pytest.fail('%s is older than %s: rerun scripts/debian-image.sh'
                        % (img, ', '.join(os.path.basename(d) for d in stale)))
    with open(os.path.join(debian_assets, spec['kexec_file'])) as f:
        what = f.read().strip()
    return dict(spec, name=name, path=img, what=what)


@pytest.fixture
def debian_console(request, build, debian_assets, tmp_path):
    """A factory: debian_console(loader, append='') boots a private copy of the loader's image
    and returns its DebianConsole at the prompt. Killed at teardown, the copy removed (kept with
    BATON_KEEP_DISK=1, in pytest's tmp_path); transcripts as for console."""
    made = []
    request.node.baton_consoles = made

    def make(loader, **opts):
        name = re.sub(r'[^A-Za-z0-9_.-]+', '-', request.node.nodeid.split('::')[-1]).strip('-')
        if made:
            name += '-%d' % len(made)
        disk = str(tmp_path / 'disk.img')
        subprocess.run(['cp', '--sparse=always', loader['path'], disk], check=True)
        c = DebianConsole(debian_assets, os.path.join(build, 'vm-logs', name + '.log'), disk,
                          **opts)
        made.append(c)
        c.note('image %s: /sbin/kexec is %s' % (loader['path'], loader['what']))
        return c.start()

    yield make
    for c in made:
        c.close()
        if os.environ.get('BATON_KEEP_DISK') != '1' and os.path.exists(c.disk):
            os.unlink(c.disk)


# --- helpers --------------------------------------------------------------------------------
def check_kexec_is(c, loader):
    """/sbin/kexec in the guest is the loader under test."""
    real = c.check('readlink -f /sbin/kexec')
    assert real == loader['kexec_real'], '/sbin/kexec is %s, not %s' % (real, loader['kexec_real'])
    version = c.check('kexec --version')
    assert loader['version_re'].search(version), \
        '`kexec --version` does not name %s:\n%s' % (loader['name'], version)
    if loader['name'] == 'baton':
        out, rc = c.run_command_rc('dpkg-query -W -f=\'${Status}\\n\' kexec-tools')
        assert 'install ok installed' not in out, 'kexec-tools is installed next to baton'


def debugfs(img, request):
    r = subprocess.run(['debugfs', '-R', request, img], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    assert r.returncode == 0, 'debugfs -R %r failed: %s' % (request, r.stderr.decode())
    return r.stdout


def debugfs_ls(img, path):
    """{name: (mode, size)} of a directory of the ext4 image (debugfs ls -p)."""
    entries = {}
    for line in debugfs(img, 'ls -p ' + path).decode(errors='replace').splitlines():
        f = line.split('/')
        # /inode/mode/uid/gid/name/size/
        if len(f) >= 7 and f[5] not in ('.', '..'):
            entries[f[5]] = (int(f[2], 8), int(f[6]) if f[6] else 0)
    return entries


# --- tests ----------------------------------------------------------------------------------
def test_systemctl_kexec(loader, debian_console):
    c = debian_console(loader)
    boot_s = c.elapsed()
    assert c.system_state == 'running', c.run_command('systemctl --failed')
    check_kexec_is(c, loader)
    rel = c.kernel_release
    marker = 'baton.marker=' + uuid.uuid4().hex[:16]
    c.check('kexec -l /boot/vmlinuz-%s --initrd=/boot/initrd.img-%s --reuse-cmdline --append=%s'
            % (rel, rel, marker), CMD_TIMEOUT)
    assert c.check('cat /sys/kernel/kexec_loaded') == '1'

    c.check('dmesg -n 7')     # systemd-shutdown's and the kernel's last words on the console
    c.note('systemctl kexec')
    t0 = time.monotonic()
    c.run_command('systemctl kexec', wait_for_prompt=False)
    c.wait_for(RE_SYSTEMD_KEXEC, KEXEC_TIMEOUT)
    shutdown_s = time.monotonic() - t0
    c.wait_for(RE_STARTING_NEW_KERNEL, 60)
    banner = c.wait_for(RE_BANNER, 60)
    assert banner.group(1) == rel
    c.wait_ready(KEXEC_TIMEOUT)
    c.note('new kernel up %.1f s after systemctl kexec (shutdown %.1f s; first boot %.1f s)'
           % (time.monotonic() - t0, shutdown_s, boot_s))
    assert c.system_state == 'running', c.run_command('systemctl --failed')

    cmdline = c.check('cat /proc/cmdline')
    assert cmdline.split().count(marker) == 1, \
        'the marker %s is not in the new kernel\'s command line once: %r' % (marker, cmdline)
    assert c.cmdline.split().count(marker) == 1
    assert 'root=/dev/vda' in cmdline.split()
    if loader['name'] == 'baton':
        report = c.check('baton --report')
        assert re.search(r'^purgatory:', report, re.M), \
            '`baton --report` has no purgatory line:\n%s' % report


def test_kdump_tools(loader, debian_console):
    c = debian_console(loader, append=CRASHKERNEL)
    assert c.system_state == 'running', c.run_command('systemctl --failed')
    check_kexec_is(c, loader)
    assert CRASHKERNEL in c.cmdline.split()

    c.check('kdump-config show')
    out = c.check('kdump-config load', CMD_TIMEOUT)
    assert 'loaded kdump kernel' in out, out
    assert c.check('cat /sys/kernel/kexec_crash_loaded') == '1'
    status = c.check('kdump-config status')
    assert 'ready to kdump' in status and 'Not ready' not in status, status
    # What kdump-config ran (it records the command in $KDUMP_COREDIR/kexec_cmd).
    kexec_cmd = c.check('cat /var/crash/kexec_cmd')
    m = re.search(r'^/sbin/kexec -p (?:.* )?--command-line="(.*?)"', kexec_cmd, re.M)
    assert m, 'unexpected kexec command recorded by kdump-config: %r' % kexec_cmd
    requested = m.group(1)
    assert 'systemd.unit=kdump-tools-dump.service' in requested.split()

    marker = 'BATON-KDUMP-MARKER-' + uuid.uuid4().hex[:16]
    c.check('echo %s > /dev/kmsg' % marker)
    c.check('sync')
    c.check('dmesg -n 7')
    c.disable_bad_pattern('panic')
    c.note('panic')
    t0 = time.monotonic()
    c.run_command('echo c > /proc/sysrq-trigger', wait_for_prompt=False)
    why = c.wait_for(con.RE_KERNEL_PANIC, PANIC_TIMEOUT).group(1)
    assert 'sysrq' in why, why
    c.enable_bad_pattern('panic')       # from here on a panic is the capture kernel's: a failure
    c.wait_for(RE_BANNER, 60)
    got = c.wait_for(RE_KERNEL_CMDLINE, 60).group(1)
    assert got.startswith(requested), \
        'capture kernel command line %r does not start with the requested %r' % (got, requested)
    added = got[len(requested):]
    assert loader['added_re'].match(added), \
        'the loader added %r to the capture kernel\'s command line' % added
    saved = c.wait_for(RE_SAVED_VMCORE, CAPTURE_TIMEOUT).group(1)
    status = c.wait_exit(CAPTURE_TIMEOUT)
    c.note('capture kernel saved %s and rebooted %.1f s after the panic (QEMU exit status %s)'
           % (saved, time.monotonic() - t0, status))
    assert status == 0

    # The disk, on this machine: replay the journal (the capture kernel rebooted without
    # unmounting), then read /var/crash through debugfs.
    img = c.disk
    r = subprocess.run(['e2fsck', '-y', '-E', 'journal_only', img], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    assert r.returncode in (0, 1), 'e2fsck -E journal_only: %s' % r.stdout.decode()
    stamps = [n for n in debugfs_ls(img, '/var/crash') if re.match(r'^\d{12}$', n)]
    assert len(stamps) == 1, 'expected one dump directory in /var/crash: %r' % stamps
    stamp = stamps[0]
    assert saved.rstrip('/') == '/var/crash/' + stamp
    files = debugfs_ls(img, '/var/crash/' + stamp)
    dump, dmesg = 'dump.' + stamp, 'dmesg.' + stamp
    assert dump in files, 'no %s in /var/crash/%s: %r' % (dump, stamp, files)
    assert files[dump][1] > 1 << 20, '%s is only %d bytes' % (dump, files[dump][1])
    head = debugfs(img, 'cat /var/crash/%s/%s' % (stamp, dump))[:8192]
    # makedumpfile -F: a flattened dump, its first data record the kdump header
    assert head.startswith(b'makedumpfile'), 'not a flattened makedumpfile dump: %r' % head[:32]
    assert b'KDUMP   ' in head, 'no kdump header in the dump\'s first records'
    assert dmesg in files, 'no %s in /var/crash/%s: %r' % (dmesg, stamp, files)
    c.note('/var/crash/%s: %s' % (stamp, ', '.join('%s %d bytes' % (n, files[n][1])
                                                   for n in sorted(files))))
    log = debugfs(img, 'cat /var/crash/%s/%s' % (stamp, dmesg)).decode(errors='replace')
    assert marker in log, 'the dead kernel\'s dmesg lacks the marker %s' % marker
    assert 'sysrq triggered crash' in log
