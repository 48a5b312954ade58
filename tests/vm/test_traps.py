# SPDX-License-Identifier: MIT
"""The purgatory never dies silently: an NMI is survived, any other exception is named and resets.

NMI: the host injects one as soon as the purgatory's first serial line appears, i.e. while it
verifies the segments (a fifth of a second or more under TCG): for `-l`/`-e` and for `-p` + panic
under Linux through QMP `inject-nmi` (what the HMP monitor's `nmi` does: LINT1, which Linux leaves
set up as NMI in virtual-wire mode for the next kernel), and for `-l`/`-e` with Xen as the old
kernel (Xen unblocks NMIs on purpose before it jumps) as an NMI message on the APIC bus, as
another CPU's NMI IPI arrives: Xen leaves its local APIC software-disabled, so LINT1 is masked and
the monitor's NMI never reaches the CPU there. The purgatory says it took and survived one,
the new kernel gets exactly the requested command line, and its timing record counts 1 NMI
(`baton --report` in the target; the capture kernel's record read raw from sysfs). The control
runs, without an NMI, are test_handover.py (whose report check wants 0 NMIs), test_crash.py and
test_xen.py. Before the purgatory had an IDT of its own, each of these NMIs reset the machine.

Exceptions: a gdbstub breakpoint at the purgatory's baton_verify_regions (its offset from
$BUILD/purgatory/purgatory.elf) stops the machine after the parameter block is verified; the
host points the function's argument (RDI, the parameter block) at an unmapped or a non-canonical
address and lets it go. The purgatory must print one line naming the exception (vector, name,
error code, RIP inside the purgatory, CR2 for #PF, and the step), then reset through 0xCF9; no
kernel runs.
"""

import json
import os
import re
import struct
import uuid

import pytest

import console as con
import gdbstub
from machine import check_reset_log, elf_symbol

KERNEL = '/boot/vmlinuz'
INITRD = '/boot/initrd.img'
CAPTURE_INITRD = '/boot/capture-initrd.img'
CRASHKERNEL = 'crashkernel=256M'
MEM = 1024

RE_VERIFYING = re.compile(r'baton: purgatory: verifying')
RE_SURVIVED = re.compile(r'baton: purgatory: (\d+) NMIs? taken and survived')
RE_ENTERING = re.compile(r'baton: purgatory: entering kernel at 0x[0-9a-f]+ \((32|64)-bit\)')
RE_EXCEPTION = re.compile(r'baton: purgatory: exception (\d+) \(([^)]*)\) error (0x[0-9a-f]+) '
                          r'rip (0x[0-9a-f]+)(?: cr2 (0x[0-9a-f]+))? while ([a-z ]+); resetting')
RE_PLAN_ENTRY = re.compile(r'^entry: 0x([0-9a-f]+) \(purgatory\)', re.M)
RE_XEN_KEXEC = re.compile(r'\(XEN\) .*[Kk]exec')

# include/baton/abi.h
BATON_SETUP_TIMING = 0x4e4f5442
TIMING_MAGIC = 0x474e494d4954424b
TIMING_FORMAT = '<QQQQQIIII'            # struct baton_timing, 0x38 bytes
PARAMS_SIZE = 0x500

MSI_ADDRESS = 0xfee00000                # the local APIC's message window, destination 0
MSI_DELIVERY_NMI = 4 << 8

UNMAPPED = 0x7ffffffff000               # the last page below 128 TiB: no RAM, no mapping
NON_CANONICAL = 0x8000000000000000

LOAD_TIMEOUT = 60
PANIC_TIMEOUT = 60
VERIFY_TIMEOUT = 60
BOOT_TIMEOUT = 120


def load(c, opt, initrd, cmdline, extra=''):
    cmd = '/sbin/baton %s %s --initrd=%s --command-line="%s" --console-serial %s' % (
        opt, KERNEL, initrd, cmdline, extra)
    out, rc = c.run_command_rc(cmd.strip(), LOAD_TIMEOUT)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    return out


def inject_nmi_lint1(m):
    """QEMU's monitor NMI: it arrives through the local APIC's LINT1 line, as a board's NMI
    button, a BMC or the chipset raises one."""
    m.monitor().command('inject-nmi')
    m.c.note('NMI injected (QMP inject-nmi: LINT1)')


def inject_nmi_message(m):
    """An NMI sent as a message on the APIC bus, as another CPU's NMI IPI or a device's NMI MSI
    arrives: a 4-byte write of delivery mode NMI (0x400) to 0xFEE00000 (destination APIC 0),
    through the gdbstub in physical mode. Xen masks LINT1 before it jumps (its local APIC is
    left software-disabled), so the monitor's NMI never reaches the CPU there; this one does."""
    gdb = m.gdb or m.connect()          # stops the machine
    gdb.set_phys_mode(True)
    gdb.write_memory(MSI_ADDRESS, struct.pack('<I', MSI_DELIVERY_NMI))
    gdb.set_phys_mode(False)
    gdb.cont()
    m.c.note('NMI injected (APIC message to CPU 0)')


def nmi_while_verifying(m, inject=inject_nmi_lint1):
    """Waits for the purgatory's first line, injects one NMI, and expects it survived."""
    m.c.wait_for(RE_VERIFYING, VERIFY_TIMEOUT)
    inject(m)
    n = int(m.c.wait_for(RE_SURVIVED, VERIFY_TIMEOUT).group(1))
    assert n == 1, 'the purgatory counted %d NMIs, one was injected' % n
    m.c.wait_for(RE_ENTERING, VERIFY_TIMEOUT)


def target_report(c):
    """The target initrd's `baton --report --json` line, parsed."""
    report = c.wait_for(re.compile(r'BATON-TARGET-REPORT: ([^\r\n]*)\r?\n'), 30).group(1)
    return json.loads(report)


def raw_timing_record(c):
    """struct baton_timing from this kernel's setup_data in sysfs (no baton needed), as a dict."""
    out = c.run_command(
        'for d in /sys/kernel/boot_params/setup_data/*; do '
        '[ "$(cat $d/type)" = "0x%x" ] && od -An -v -tx1 $d/data; done' % BATON_SETUP_TIMING)
    data = bytes.fromhex(''.join(out.split()))
    assert len(data) == struct.calcsize(TIMING_FORMAT), 'timing record: %r' % out
    names = ('magic', 'tsc_entry', 'tsc_verified', 'tsc_jump', 'bytes_hashed', 'regions',
             'flags', 'nmis', 'reserved')
    record = dict(zip(names, struct.unpack(TIMING_FORMAT, data)))
    assert record['magic'] == TIMING_MAGIC, record
    return record


# --- NMIs -----------------------------------------------------------------------------------
def exec_with_nmi(m, tag, inject, expected_sha256):
    """-l, then -e with one NMI while the purgatory verifies; the target counts it."""
    c = m.c
    cmdline = 'console=ttyS0 baton.nmi=%s baton.token=%s' % (tag, uuid.uuid4().hex[:12])
    load(c, '-l', INITRD, cmdline)
    c.run_command('/sbin/baton -e', wait_for_prompt=False)
    nmi_while_verifying(m, inject)
    assert c.wait_for(con.RE_TARGET_CMDLINE, BOOT_TIMEOUT).group(1) == cmdline
    assert c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1) == expected_sha256
    r = target_report(c)
    assert r['nmis'] == 1, r
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)
    check_reset_log(m)


def test_nmi_exec(machine, baton, expected_sha256):
    exec_with_nmi(machine(mem=MEM), 'exec', inject_nmi_lint1, expected_sha256)


def test_nmi_crash(machine, baton, crash_assets):
    m = machine(mem=MEM, append=CRASHKERNEL)
    c = m.c
    cmdline = 'console=ttyS0 panic=-1 nr_cpus=1 baton.nmi=crash baton.token=%s' % (
        uuid.uuid4().hex[:12])
    load(c, '-p', CAPTURE_INITRD, cmdline)
    c.disable_bad_pattern('panic')
    c.run_command('echo c > /proc/sysrq-trigger', wait_for_prompt=False)
    c.wait_for(con.RE_KERNEL_PANIC, PANIC_TIMEOUT)
    nmi_while_verifying(m)
    got = c.wait_for(con.RE_CAPTURE_CMDLINE, BOOT_TIMEOUT).group(1)
    c.enable_bad_pattern('panic')
    assert re.fullmatch(re.escape(cmdline) + r' elfcorehdr=0x[0-9a-f]+', got), got
    c.wait_for(con.RE_CAPTURE_READY, 30)
    c.set_prompt(con.CAPTURE_PROMPT)
    c.wait_for(con.RE_CAPTURE_PROMPT, 30)
    record = raw_timing_record(c)
    assert record['nmis'] == 1, record
    c.run_command('poweroff -f', wait_for_prompt=False)
    c.wait_exit(30)


def test_nmi_xen_exec(machine, xen_console, baton, expected_sha256):
    exec_with_nmi(machine(factory=xen_console), 'xen', inject_nmi_message, expected_sha256)


# --- exceptions -----------------------------------------------------------------------------
FAULTS = {
    # RDI -> what the purgatory must say
    'page-fault': (UNMAPPED, 14, '#PF page fault'),
    'general-protection': (NON_CANONICAL, 13, '#GP general protection'),
}


@pytest.mark.parametrize('fault', sorted(FAULTS))
def test_exception_is_named(machine, build, baton, fault):
    elf = os.path.join(build, 'purgatory', 'purgatory.elf')
    offset = elf_symbol(elf, 'baton_verify_regions') if os.path.exists(elf) else None
    image_size = os.path.getsize(os.path.join(build, 'purgatory', 'purgatory.bin'))
    if offset is None:
        pytest.skip('no baton_verify_regions symbol in %s' % elf)
    rdi, vector, name = FAULTS[fault]

    m = machine(mem=MEM)
    c = m.c
    out = load(c, '-l', INITRD, 'console=ttyS0 baton.fault=%s' % fault, extra='-d 2>&1')
    entry = int(RE_PLAN_ENTRY.search(out).group(1), 16)
    gdb = m.connect()               # stops the machine
    gdb.insert_breakpoint(entry + offset, kind=1)
    gdb.cont()
    c.disable_bad_pattern('purgatory')
    c.run_command('/sbin/baton -e', wait_for_prompt=False)
    gdb.wait_stop(VERIFY_TIMEOUT)
    assert gdb.rip() == entry + offset, 'stopped at %#x, not in baton_verify_regions' % gdb.rip()
    gdb.remove_breakpoint(entry + offset, kind=1)
    gdb.write_register(gdbstub.X86_64_RDI, rdi)
    c.note('RDI := %#x at baton_verify_regions' % rdi)
    gdb.cont()

    e = c.wait_for(RE_EXCEPTION, VERIFY_TIMEOUT)
    status = c.wait_exit(30)
    assert int(e.group(1)) == vector and e.group(2) == name, e.group(0)
    assert e.group(3) == '0x0', 'error code %s' % e.group(3)
    rip = int(e.group(4), 16)
    assert entry <= rip < entry + image_size, 'RIP %#x is not in the purgatory' % rip
    if vector == 14:
        cr2 = int(e.group(5), 16)
        assert rdi <= cr2 < rdi + PARAMS_SIZE, 'CR2 %#x is not in the bad block' % cr2
    else:
        assert e.group(5) is None, 'CR2 reported for #%d' % vector
    assert e.group(6) == 'verifying the segments', e.group(6)
    after = c.transcript[e.end():]
    assert not con.RE_LINUX_BANNER.search(after), 'a kernel booted after the exception'
    assert not RE_ENTERING.search(c.transcript), 'the purgatory entered the kernel'
    assert status == 0, 'QEMU exit status %s (-no-reboot turns a guest reset into exit 0)' % status
    check_reset_log(m)

