# SPDX-License-Identifier: MIT
"""Under Xen: load from dom0 (PV, control_d), then hand the machine over (-e) or crash dom0 (-p).

QEMU boots Xen 4.17 (Debian) with a PV dom0 (the full amd64 kernel); the dom0 initramfs
(tests/vm/guest/xen-dom0.init) holds kexec-tools with libxenctrl, baton-static, the cloud kernel
and the target and capture initrds. The loader must go through the hypervisor (Xen is the old
kernel: dom0's /sys/kernel/kexec_* stay 0) and use the machine memory map, not dom0's
pseudo-physical one. Per loader (baton, kexec-tools):

- exec: `LOADER -l` then `LOADER -e`; Xen says "Executing kexec image", the target kernel prints
  its command line and the payload digest. baton: the command line is exactly the requested one.
  kexec-tools 2.0.25: the requested one plus ` kexec_jump_back_entry=0x...`: its purgatory
  reads 0(%rsp) at entry, which under Linux is 0 and under Xen is whatever is on Xen's stack
  (HANDOVER-NOTES section 4). The target's e820 is the machine's RAM as Xen saw it.
- crash: `LOADER -p` with the capture initrd, `echo c > /proc/sysrq-trigger` in dom0; Xen runs
  the crash image ("Hardware Dom0 crashed"); the capture kernel's command line is the requested
  one plus `elfcorehdr=` (an address inside Xen's crash area, "Kdump: ... at"), its RAM lies in
  the crash area and below 640 KiB, and /proc/vmcore is an x86-64 ET_CORE whose PT_NOTE holds
  Xen's per-CPU crash notes (NT_PRSTATUS, Xen's CRASH_INFO) and VMCOREINFO_XEN, with PT_LOADs
  covering the machine's RAM outside the crash area (Xen's e820, not dom0's map).
  (makedumpfile --dump-dmesg cannot find dom0's log there: the VMCOREINFO is Xen's.)

Times under TCG on a shared 2-core host: Xen -> dom0 prompt 18-35 s, a case about 30-60 s.
"""

import os
import re
import uuid

import pytest

import console as con
from conftest import baton_state
from loaders import loaders, need_loader
from vmcore import (PT_NOTE, check_capture_cmdline, check_last_page_readable, check_prstatus,
                    check_pt_loads, check_vmcore_size, covered, elf_notes, fmt, read_core_header,
                    single_note, subtract, wait_capture_kernel)

KERNEL = '/boot/vmlinuz'
INITRD = '/boot/initrd.img'
CAPTURE_INITRD = '/boot/capture-initrd.img'

# kexec-tools -d shows the segments and the (machine) memory ranges it used.
LOADERS = loaders(
    baton={
        # what the loader adds to the requested command line
        'exec_added_re': re.compile(r'^$'),
        'crash_added_re': re.compile(r'^ elfcorehdr=(0x[0-9a-f]+|[0-9]+[KMG]?)$'),
    },
    kexec_tools={
        # Its purgatory appends " kexec_jump_back_entry=0x%016lx" when 0(%rsp) at entry is not 0:
        # never under Linux, always under Xen (garbage from Xen's stack). Under Xen it adds no
        # acpi_rsdp= to a crash command line (it does under Linux).
        'exec_added_re': re.compile(r'^ kexec_jump_back_entry=0x[0-9a-f]{16}$'),
        'crash_added_re': re.compile(
            r'^ elfcorehdr=([0-9]+K) kexec_jump_back_entry=0x[0-9a-f]{16}$'),
    })

LOAD_TIMEOUT = 120
HANDOVER_TIMEOUT = 180
PANIC_TIMEOUT = 90
CAPTURE_TIMEOUT = 180

XEN_ELFNOTE_CRASH_INFO = 0x1000001
LOW_1M = 1 << 20

RE_XEN_E820 = re.compile(r'^\(XEN\)\s+\[([0-9a-f]+), ([0-9a-f]+)\] \((\w+)\)', re.M)
RE_XEN_KDUMP = re.compile(r'\(XEN\) Kdump: (\d+)MB \(\d+kB\) at (0x[0-9a-f]+)')
RE_XEN_KEXEC = re.compile(r'\(XEN\) Executing kexec image on cpu\d+')
RE_BIOS_E820 = re.compile(r'BIOS-e820: \[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\] usable')


# --- fixtures -------------------------------------------------------------------------------
def baton_has_xen(binary):
    """Whether baton knows Xen: its help text says so (read from the file, not run here)."""
    with open(binary, 'rb') as f:
        return b'Xen' in f.read()


@pytest.fixture(scope='session')
def xen_baton(build, xen_assets):
    """conftest's baton_state for the dom0 initrd."""
    return baton_state(build, os.path.join(xen_assets, 'xen-dom0-initrd.img'))


@pytest.fixture(params=sorted(LOADERS))
def loader(request, build, xen_assets, xen_baton):
    entry = need_loader(LOADERS, request.param, xen_assets, xen_baton)
    if entry['name'] == 'baton' and not baton_has_xen(os.path.join(build, 'baton')):
        request.applymarker(pytest.mark.xfail(strict=False, reason='baton Xen backend not landed'))
    return entry


# --- helpers --------------------------------------------------------------------------------
def xen_memory(c):
    """(usable RAM ranges [start, end), crash area [start, end)) from Xen's boot log."""
    ram = [(int(s, 16), int(e, 16) + 1) for s, e, t in RE_XEN_E820.findall(c.transcript)
           if t == 'usable']
    m = RE_XEN_KDUMP.search(c.transcript)
    crash = (int(m.group(2), 16), int(m.group(2), 16) + (int(m.group(1)) << 20)) if m else None
    return ram, crash


def e820_usable(text):
    """The usable ranges a kernel printed ("BIOS-e820: [mem A-B] usable"), [start, end)."""
    return [(int(s, 16), int(e, 16) + 1) for s, e in RE_BIOS_E820.findall(text)]


def boot_dom0(xen_console):
    c = xen_console()
    assert c.dom0_caps == 'control_d', 'dom0 capabilities: %r' % c.dom0_caps
    assert c.run_command('cat /sys/hypervisor/type') == 'xen'
    ram, crash = xen_memory(c)
    assert ram, 'no "Xen-e820 RAM map" in Xen\'s boot log'
    assert crash, 'no "Kdump: ... at" in Xen\'s boot log (crashkernel= in %r)' % c.append
    return c, ram, crash


def load(c, loader, opt, initrd, cmdline):
    cmd = ' '.join(x for x in (
        loader['bin'], opt, KERNEL, '--initrd=' + initrd, '--command-line="%s"' % cmdline,
        loader['load_extra']) if x)
    log = loader['debug_log']
    if log:
        cmd = cmd.replace(' %s ' % opt, ' -d %s ' % opt, 1) + ' >%s 2>&1' % log
    out, rc = c.run_command_rc(cmd, LOAD_TIMEOUT)
    if log:
        out = c.run_command('cat %s' % log, 60)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    # Xen holds the image: dom0's kernel knows nothing of it.
    for f in ('kexec_loaded', 'kexec_crash_loaded'):
        assert c.run_command('cat /sys/kernel/%s' % f) == '0', \
            '%s went through dom0\'s kernel (/sys/kernel/%s is not 0)' % (loader['name'], f)
    return out


def expect_status(c, loader, which, want, when):
    """`LOADER [-l] -S` exits 1 when the image is loaded (in Xen), 0 when not."""
    cmd = '%s %s-S' % (loader['bin'], '-l ' if which == 'exec' else '')
    _, rc = c.run_command_rc(cmd)
    assert rc == want, '%s: `%s` exited %d, expected %d' % (when, cmd, rc, want)


# --- tests ----------------------------------------------------------------------------------
def test_xen_exec(xen_console, loader, expected_sha256):
    c, ram, _ = boot_dom0(xen_console)
    expect_status(c, loader, 'exec', 0, 'before load')

    cmdline = 'console=ttyS0 baton.xen=exec baton.token=%s' % uuid.uuid4().hex[:12]
    load(c, loader, '-l', INITRD, cmdline)
    expect_status(c, loader, 'exec', 1, 'after -l')
    c.note('image loaded')

    c.run_command('%s -e' % loader['bin'], wait_for_prompt=False)
    c.wait_for(RE_XEN_KEXEC, HANDOVER_TIMEOUT)
    handed = c.pos
    if loader['entry_re']:
        c.wait_for(loader['entry_re'], HANDOVER_TIMEOUT)
    got = c.wait_for(con.RE_TARGET_CMDLINE, HANDOVER_TIMEOUT).group(1)
    payload = c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1)
    expected = c.wait_for(con.RE_TARGET_EXPECTED, 30).group(1)
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)
    c.note('target done')

    assert got.startswith(cmdline), 'the target got another command line:\n%s' % got
    added = got[len(cmdline):]
    assert loader['exec_added_re'].match(added), \
        '%s added %r to the command line' % (loader['name'], added)
    assert expected == expected_sha256, 'target initrd is stale (rerun scripts/assets.sh)'
    assert payload == expected_sha256, 'payload in the target kernel is corrupt'

    # The target got the machine's memory (Xen's e820), not dom0's pseudo-physical map.
    usable = e820_usable(c.transcript[handed:])
    assert usable, 'the target printed no BIOS-e820 usable ranges'
    stray = [r for r in usable if not covered(ram, *r)]
    assert not stray, 'target RAM outside Xen\'s e820 RAM: %s' % fmt(stray)
    missing = [r for r in ram if r[0] >= LOW_1M and not covered(usable, *r)]
    assert not missing, 'machine RAM the target was not given: %s' % fmt(missing)


def test_xen_crash(xen_console, loader, xen_assets):
    if not os.path.exists(os.path.join(xen_assets, 'capture-initrd.img')):
        pytest.skip('asset capture-initrd.img missing (scripts/assets.sh builds it with the '
                    'crash tests\' section)')
    c, ram, crash = boot_dom0(xen_console)
    assert c.run_command('ls %s' % CAPTURE_INITRD) == CAPTURE_INITRD, \
        'the dom0 initrd has no capture initrd: rerun scripts/assets.sh'
    expect_status(c, loader, 'crash', 0, 'before load')

    cmdline = 'console=ttyS0 panic=-1 nr_cpus=1 baton.xen=crash baton.token=%s' % (
        uuid.uuid4().hex[:12])
    load(c, loader, '-p', CAPTURE_INITRD, cmdline)
    expect_status(c, loader, 'crash', 1, 'after -p')
    expect_status(c, loader, 'exec', 0, 'after -p (the normal image)')
    c.note('crash image loaded')

    c.disable_bad_pattern('panic')
    c.run_command('echo c > /proc/sysrq-trigger', wait_for_prompt=False)
    why = c.wait_for(con.RE_KERNEL_PANIC, PANIC_TIMEOUT).group(1)
    c.wait_for(con.RE_XEN_DOM0_CRASHED, PANIC_TIMEOUT)
    handed = c.pos
    c.enable_bad_pattern('panic')       # from here on a panic is the capture kernel's: a failure
    c.note('dom0 panic, Xen runs the crash image')
    assert why.strip() == 'sysrq triggered crash'
    got, _, vmcore_size = wait_capture_kernel(c, loader['entry_re'], CAPTURE_TIMEOUT)

    check_capture_cmdline(got, cmdline, loader['crash_added_re'], loader['name'], crash,
                          'Xen\'s crash area')
    check_vmcore_size(vmcore_size)

    # The capture kernel runs in the crash area (and the low 640 KiB the purgatory saved).
    usable = e820_usable(c.transcript[handed:])
    assert usable, 'the capture kernel printed no BIOS-e820 usable ranges'
    stray = [r for r in usable if not covered([(0, 0xa0000), crash], *r)]
    assert not stray, 'capture kernel RAM outside the crash area and low memory: %s' % fmt(stray)

    # The ELF core header: Xen's crash notes, and the machine's RAM outside the crash area.
    head, phdrs = read_core_header(c, 65536, 90)
    notes_ph = [p for p in phdrs if p[0] == PT_NOTE]
    assert notes_ph, '/proc/vmcore has no PT_NOTE'
    notes = []
    for _, off, _, filesz, _ in notes_ph:
        assert off + filesz <= len(head), 'PT_NOTE beyond the first 64 KiB'
        notes += elf_notes(head[off:off + filesz])
    c.note('vmcore notes: %s' % [(n, hex(t), len(d)) for n, t, d in notes])
    check_prstatus(notes, 1)
    assert [n for n in notes if n[:2] == ('Xen', XEN_ELFNOTE_CRASH_INFO)], \
        'no Xen CRASH_INFO note: the per-CPU notes are not Xen\'s'
    assert b'SYMBOL(domain_list)=' in single_note(notes, 'VMCOREINFO_XEN'), \
        'VMCOREINFO_XEN is not Xen\'s'

    want = subtract(ram, crash)
    check_pt_loads(c, phdrs, want, want, 'machine RAM', 'machine RAM or inside the crash area')
    # and the capture kernel reads it: the last page of machine RAM
    check_last_page_readable(c, phdrs, want)

    c.run_command('poweroff -f', wait_for_prompt=False)
    c.wait_exit(30)
    c.note('done')
