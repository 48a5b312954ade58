# SPDX-License-Identifier: MIT
"""The 16-bit real-mode entry (--real-mode, issue 15): from a Linux booted by SeaBIOS (QEMU's
default firmware) to the same Debian kernel entered through its real-mode setup code, which asks
the BIOS for the memory map itself; with baton and with kexec-tools as the reference, and with
Xen as the old kernel (baton in dom0). Under OVMF (UEFI, no BIOS) baton refuses it in one line
and loads nothing.

The second kernel runs target-initrd.img (tests/vm/guest/target.init): its command line, the
payload's digest, its paging mode and `baton --report` on serial, then it powers off."""

import json
import re
import uuid

import pytest

import console as con
from loaders import RE_PURGATORY_ENTRY, loaders, need_loader

KERNEL = '/boot/vmlinuz'
INITRD = '/boot/initrd.img'

# baton's purgatory says how it leaves (--console-serial); kexec-tools -d says where it put the
# real-mode code ("Loaded real mode ..." is not printed by every version: the boot is the proof).
RE_REAL_ENTRY = re.compile(r'baton: purgatory: entering kernel at 0x([0-9a-f]+) \(real mode\)')
RE_XEN_KEXEC = re.compile(r'\(XEN\) .*[Kk]exec')   # Xen hands over (test_traps.py)
RE_TARGET_REPORT = re.compile(r'BATON-TARGET-REPORT: ([^\r\n]*)\r?\n')
# The setup code's own words, written through the BIOS (int 10h, which SeaBIOS copies to serial
# under -nographic): only a kernel entered in real mode says this; a 64-bit or 32-bit entry
# skips the setup code.
RE_SETUP_RAN = re.compile(r'Probing EDD \(edd=off to disable\)\.\.\.')

LOADERS = loaders(
    kexec_tools={'load_extra': '-t bzImage'})   # kexec-tools' real-mode entry is its bzImage32

# Known defects of a loader: strict xfail with what the transcript shows.
KNOWN_DEFECTS = {
    'kexec-tools': 'kexec-tools 2.0.25 --real-mode (real-mode code at 0x3000, kernel at 0x200000): '
                   'the setup code runs ("Probing EDD") and the machine resets before the kernel '
                   'prints anything',
}

LOAD_TIMEOUT = 60
HANDOVER_TIMEOUT = 120


@pytest.fixture(params=sorted(LOADERS))
def loader(request, assets, baton_static):
    return need_loader(LOADERS, request.param, assets, baton_static)


def test_real_mode_handover(request, console, loader, expected_sha256):
    if loader['name'] in KNOWN_DEFECTS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[loader['name']]))
    c = console(mem=1024)
    token = 'baton.token=%s' % uuid.uuid4().hex[:12]
    cmdline = 'console=ttyS0 baton.case=real-mode %s' % token
    cmd = ' '.join(x for x in (loader['bin'], '-l', KERNEL, '--initrd=' + INITRD,
                               '--command-line="%s"' % cmdline, '--real-mode',
                               loader['load_extra']) if x)
    log = loader['debug_log']
    if log:
        cmd = cmd.replace(' -l ', ' -d -l ', 1) + ' >%s 2>&1' % log
    out, rc = c.run_command_rc(cmd, LOAD_TIMEOUT)
    if log:
        out = c.run_command('cat %s' % log, 60)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    assert c.run_command('cat /sys/kernel/kexec_loaded') == '1'
    c.run_command('%s -e' % loader['bin'], wait_for_prompt=False)
    if loader['name'] == 'baton':
        entry = int(c.wait_for(RE_REAL_ENTRY, HANDOVER_TIMEOUT).group(1), 16)
        assert 0x10000 < entry < 0xa0000, 'real-mode entry 0x%x outside low memory' % entry
    c.wait_for(RE_SETUP_RAN, HANDOVER_TIMEOUT)
    got = c.wait_for(con.RE_TARGET_CMDLINE, HANDOVER_TIMEOUT).group(1)
    payload = c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1)
    expected = c.wait_for(con.RE_TARGET_EXPECTED, 30).group(1)
    report = c.wait_for(RE_TARGET_REPORT, 30).group(1)
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)

    assert got == cmdline, 'second kernel got a different command line'
    assert expected == expected_sha256, 'target initrd is stale (rerun scripts/assets.sh)'
    assert payload == expected_sha256, 'payload in the second kernel is corrupt'
    if loader['name'] != 'baton':
        assert 'not started by baton' in report, report
        return
    r = json.loads(report)
    # kernel, initrd, trampoline, the real-mode kernel, page tables, purgatory
    assert r['regions'] == 6, r
    assert r['entry'] == 'real-mode', r
    assert r['tsc_entry'] < r['tsc_verified'] <= r['tsc_jump'], r


def test_real_mode_refused_under_uefi(efi_console, baton):
    """OVMF: no BIOS answers the setup code. One line, nothing loaded, no fallback."""
    c = efi_console()
    out, rc = c.run_command_rc('/sbin/baton -l %s --initrd=%s --real-mode '
                               '--command-line=console=ttyS0' % (KERNEL, INITRD), LOAD_TIMEOUT)
    assert rc == 1, out
    lines = [l for l in out.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith('baton: bzimage: '), out
    assert '--real-mode needs a BIOS' in lines[0] and 'booted through UEFI' in lines[0], out
    assert c.run_command('cat /sys/kernel/kexec_loaded') == '0'


def test_real_mode_from_xen_dom0(xen_console, xen_assets, expected_sha256):
    """Xen as the old kernel (baton loads through the hypervisor, with the machine's memory map):
    Xen's kexec jumps to the purgatory in long mode, which goes on to real mode as from Linux."""
    c = xen_console()
    assert c.dom0_caps == 'control_d', 'dom0 capabilities: %r' % c.dom0_caps
    cmdline = 'console=ttyS0 baton.case=real-mode-xen baton.token=%s' % uuid.uuid4().hex[:12]
    out, rc = c.run_command_rc('/sbin/baton -l %s --initrd=%s --command-line="%s" --real-mode '
                               '--console-serial' % (KERNEL, INITRD, cmdline), LOAD_TIMEOUT)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    c.run_command('/sbin/baton -e', wait_for_prompt=False)
    c.wait_for(RE_XEN_KEXEC, HANDOVER_TIMEOUT)
    c.wait_for(RE_REAL_ENTRY, HANDOVER_TIMEOUT)
    c.wait_for(RE_SETUP_RAN, HANDOVER_TIMEOUT)
    got = c.wait_for(con.RE_TARGET_CMDLINE, HANDOVER_TIMEOUT).group(1)
    payload = c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1)
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)
    assert got == cmdline, 'second kernel got a different command line'
    assert payload == expected_sha256, 'payload in the second kernel is corrupt'
