# SPDX-License-Identifier: MIT
"""An ELF vmlinux (elf-x86_64, issue 15): the Debian cloud kernel's own vmlinux, unpacked from its
bzImage (scripts/extract-vmlinux.py), loaded at its PT_LOADs' physical addresses and entered at
its physical entry through the 64-bit boot protocol, from Linux and from Xen's dom0, by baton and
by kexec-tools (-t elf-x86_64 --args-linux) as the reference. The second kernel must get exactly
the command line and an intact initrd. The bzImage of the same kernel, loaded the same way, is
the control for docs/performance.md's figures: from the purgatory's last line to the new
kernel's banner."""

import json
import os
import re
import time
import uuid

import pytest

import console as con
from loaders import loaders, need_loader

VMLINUX = '/boot/vmlinux'
BZIMAGE = '/boot/vmlinuz'
INITRD = '/boot/initrd.img'

LOADERS = loaders(
    baton={'elf_opts': ''},
    # kexec-tools' x86-64 ELF loader defaults to --args-elf: Linux needs --args-linux. (Its
    # bzImage loader appends kexec_jump_back_entry= under Xen, test_xen.py; its ELF loader not.)
    kexec_tools={'elf_opts': '-t elf-x86_64 --args-linux'})

LOAD_TIMEOUT = 120
HANDOVER_TIMEOUT = 120
ELF_ASSETS = ('vmlinux', 'elf-host-initrd.img')
XEN_ELF_ASSETS = ('vmlinux', 'xen-elf-dom0-initrd.img')

RE_TARGET_REPORT = re.compile(r'BATON-TARGET-REPORT: ([^\r\n]*)\r?\n')
TICK = os.sysconf('SC_CLK_TCK')


def qemu_cpu(c):
    """QEMU's CPU seconds so far (user + system, all threads): under TCG the guest's own work,
    which other jobs on the host delay but hardly inflate (bench/roundtrip.py has the same)."""
    with open('/proc/%d/stat' % c.proc.pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


@pytest.fixture(scope='module')
def elf_assets(assets):
    missing = [a for a in ELF_ASSETS if not os.path.exists(os.path.join(assets, a))]
    if missing:
        pytest.skip('assets %s missing (run scripts/assets.sh)' % ', '.join(missing))
    return assets


@pytest.fixture(params=sorted(LOADERS))
def loader(request, assets, baton_static):
    return need_loader(LOADERS, request.param, assets, baton_static)


def load_command(loader, kernel, cmdline):
    opts = loader['elf_opts'] if kernel == VMLINUX else ''
    return ' '.join(x for x in (
        loader['bin'], '-l', opts, kernel, '--initrd=' + INITRD, '--command-line="%s"' % cmdline,
        loader['load_extra']) if x)


def hand_over(c, loader, kernel, timeout=HANDOVER_TIMEOUT):
    """Loads kernel with the target initrd, runs it and checks what the second kernel got;
    returns ((wall, QEMU CPU) seconds from the purgatory's last line to the new kernel's banner
    (baton; None for kexec-tools, whose purgatory is silent), baton's --report or None)."""
    token = 'baton.token=%s' % uuid.uuid4().hex[:12]
    cmdline = 'console=ttyS0 baton.elf=%s %s' % (os.path.basename(kernel), token)
    out, rc = c.run_command_rc(load_command(loader, kernel, cmdline), LOAD_TIMEOUT)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    # Under Xen the hypervisor holds the image: -l -S says so (exit 1), dom0's sysfs does not.
    _, rc = c.run_command_rc('%s -l -S' % loader['bin'])
    assert rc == 1, 'the image is not loaded (-l -S exited %d)' % rc
    c.run_command('%s -e' % loader['bin'], wait_for_prompt=False)
    start = None
    if loader['entry_re']:
        c.wait_for(loader['entry_re'], timeout)
        start = (time.monotonic(), qemu_cpu(c))
    c.wait_for(con.RE_LINUX_BANNER, timeout)
    banner = (time.monotonic() - start[0], qemu_cpu(c) - start[1]) if start else None
    got = c.wait_for(con.RE_TARGET_CMDLINE, timeout).group(1)
    payload = c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1)
    expected = c.wait_for(con.RE_TARGET_EXPECTED, 30).group(1)
    report = c.wait_for(RE_TARGET_REPORT, 30).group(1)
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)
    assert got == cmdline, 'second kernel got a different command line'
    assert payload == expected, 'payload in the second kernel is corrupt'
    return banner, (json.loads(report) if loader['name'] == 'baton' else None)


def test_vmlinux_from_linux(console, loader, elf_assets, expected_sha256):
    c = console(initrd=os.path.join(elf_assets, 'elf-host-initrd.img'))
    banner, report = hand_over(c, loader, VMLINUX)
    if report:
        # four PT_LOADs, the initrd, boot_params, page tables, purgatory
        assert report['regions'] == 8, report
        assert report['entry'] == '64-bit', report
        assert report['bytes_hashed'] > 40 << 20, report     # the whole vmlinux
        print('\nbaton vmlinux: purgatory -> banner %.2f s (QEMU CPU %.2f s)' % banner)


@pytest.mark.parametrize('kernel', ['vmlinux', 'vmlinuz'])
def test_direct_entry_time(console, elf_assets, assets, baton_static, kernel):
    """The figures of docs/performance.md: the same kernel as vmlinux (entered directly) and as
    bzImage (through its decompressor), each loaded by baton; the timing record says how long the
    purgatory took, the transcript how long from its last line to the new kernel's first (the
    decompressor's time, for the bzImage; the serial console's wall clock under TCG)."""
    loader = need_loader(LOADERS, 'baton', assets, baton_static)
    c = console(initrd=os.path.join(elf_assets, 'elf-host-initrd.img'))
    banner, report = hand_over(c, loader, '/boot/' + kernel)
    print('\nbaton %s: purgatory -> banner %.2f s (QEMU CPU %.2f s), purgatory %.1f ms for %d '
          'MiB' % (kernel, banner[0], banner[1], report['total_ms'], report['bytes_hashed'] >> 20))


@pytest.fixture(scope='module')
def xen_elf_assets(assets):
    missing = [a for a in XEN_ELF_ASSETS + ('xen', 'xen-dom0-vmlinuz')
               if not os.path.exists(os.path.join(assets, a))]
    if missing:
        pytest.skip('assets %s missing (run scripts/assets.sh; BATON_XEN_ASSETS=0 skips them)'
                    % ', '.join(missing))
    return assets


def test_vmlinux_from_xen(xen_console, loader, xen_elf_assets):
    """Xen's PV dom0 loads the vmlinux through the hypervisor; Xen runs it."""
    c = xen_console(dom0_initrd=os.path.join(xen_elf_assets, 'xen-elf-dom0-initrd.img'))
    banner, report = hand_over(c, loader, VMLINUX, timeout=240)
    if report:
        assert report['regions'] == 8 and report['entry'] == '64-bit', report
