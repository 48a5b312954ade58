# SPDX-License-Identifier: MIT
"""Crash hotplug on Debian's 6.12: CPUs and memory added after `baton -p` are in the dump.

The first kernel is Debian 12's 6.12 cloud kernel (vmlinuz-6.12) with crashkernel=256M on a
machine with room to grow: `-smp 1,maxcpus=2` and `-m 1G,slots=2,maxmem=4G`. Under TCG, 6.12
offers hotplug CPUs only under a hypervisor it recognises: `-cpu max,-hypervisor -machine
pc,vmport=on -smbios type=1,serial=VMware-x` makes it detect VMware. baton loads the 6.1
capture kernel with -p (hotplug on by default, or --no-hotplug); then, through QMP, a CPU
(`device_add` of the free socket query-hotpluggable-cpus offers, onlined in sysfs) and 1 GiB
(`object-add` memory-backend-ram + `device_add pc-dimm`, onlined by the kernel or in sysfs) are
added, and the first kernel panics. In the capture kernel:

- hotplug: /proc/vmcore has an NT_PRSTATUS note per online CPU (2; the capture kernel merges the
  PT_NOTEs into one) and its PT_LOADs cover the added memory; the kernel wrote this header
  itself (after each hotplug event it rebuilds it into baton's elfcorehdr segment), so low
  memory is not in it: Linux leaves the first 1 MiB out of its own headers (x86
  elf_header_exclude_ranges: "always reserved"), and baton's backup PT_LOAD is gone with the
  rest of baton's header (docs/handover.md);
- --no-hotplug: baton's header as loaded: one CPU note, no PT_LOAD over the added memory, the
  low 640 KiB read from the purgatory's backup.

Both recover the marker with makedumpfile --dump-dmesg. A third case scribbles on the ELF core
header through the gdbstub after the load: the purgatory, which cannot digest that segment,
checks its shape, names it and resets.
"""

import os
import re
import time
import uuid

import pytest

import console as con
from loaders import RE_PURGATORY_ENTRY
from machine import check_reset_log
from vmcore import (PT_LOAD, PT_NOTE, check_prstatus, covered, elf_notes, fmt, read_b64,
                    read_core_header, wait_capture_kernel)

KERNEL_612 = 'vmlinuz-6.12'
KERNEL = '/boot/vmlinuz'          # the capture kernel: Debian 12's 6.1
CAPTURE_INITRD = '/boot/capture-initrd.img'
CRASHKERNEL = 'crashkernel=256M'
HOTPLUG_MACHINE = {'mem': '1G,slots=2,maxmem=4G', 'smp': '1,maxcpus=2', 'cpu': 'max,-hypervisor'}
VMWARE = ['-machine', 'pc,vmport=on', '-smbios', 'type=1,serial=VMware-x']
DIMM_SIZE = 1 << 30
ONE_MIB = 1 << 20

RE_HOTPLUG_PLAN = re.compile(r'^hotplug: the kernel rewrites elfcorehdr \(0x([0-9a-f]+) bytes '
                             r'at 0x([0-9a-f]+)\)', re.M)
RE_ELFCORE_CHECKED = re.compile(r'baton: purgatory: elfcorehdr checked \(hotplug: not digested\)')
RE_ELFCORE_BAD = re.compile(r'baton: purgatory: elfcorehdr at 0x([0-9a-f]+): (.*?)\r?\n')
RE_ELFCORE_REFUSED = re.compile(
    r'baton: purgatory: refusing a corrupt ELF core header; resetting\r?\n')

LOAD_TIMEOUT = 60
PANIC_TIMEOUT = 60
CAPTURE_TIMEOUT = 180
HOTPLUG_TIMEOUT = 60


@pytest.fixture
def kernel_612(crash_assets):
    path = os.path.join(crash_assets, KERNEL_612)
    if not os.path.exists(path):
        pytest.skip('asset %s missing (make -f tests/vm/assets.mk %s)' % (KERNEL_612, path))
    return path


@pytest.fixture
def hotplug_machine(machine, console, kernel_612, baton):
    """A factory: the 6.12 first kernel on a machine that can take a CPU and memory."""
    def vmware_console(extra_args=(), **opts):
        return console(extra_args=list(extra_args) + VMWARE, **opts)

    def make():
        m = machine(factory=vmware_console, kernel=kernel_612, append=CRASHKERNEL,
                    **HOTPLUG_MACHINE)
        m.c.note('first kernel up: %s' % m.c.kernel_release)
        assert m.c.kernel_release.startswith('6.12.'), m.c.kernel_release
        return m
    return make


# --- helpers --------------------------------------------------------------------------------
def system_ram(c):
    """Top-level System RAM ranges of /proc/iomem, [start, end)."""
    ram = []
    for m in re.finditer(r'^([0-9a-f]+)-([0-9a-f]+) : System RAM$',
                         c.run_command('cat /proc/iomem'), re.M):
        ram.append((int(m.group(1), 16), int(m.group(2), 16) + 1))
    return ram


def crash_load(c, extra=''):
    cmdline = 'console=ttyS0 panic=-1 nr_cpus=1 baton.crash=hotplug'
    cmd = ('/sbin/baton -p %s --initrd=%s --command-line="%s" --console-serial -d %s'
           % (KERNEL, CAPTURE_INITRD, cmdline, extra)).strip()
    out, rc = c.run_command_rc(cmd, LOAD_TIMEOUT)
    assert rc == 0, 'crash load failed (%d):\n%s' % (rc, out)
    assert c.run_command('cat /sys/kernel/kexec_crash_loaded') == '1'
    return out


def wait_until(c, cmd, want, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        got = c.run_command(cmd)
        if got == want:
            return
        assert time.monotonic() < deadline, '%s: `%s` says %r, not %r' % (what, cmd, got, want)
        time.sleep(1)


def add_cpu(m):
    """device_add the free CPU slot QEMU offers, online it; 0-1 online then."""
    q, c = m.monitor(), m.c
    free = [x for x in q.command('query-hotpluggable-cpus') if 'qom-path' not in x]
    assert free, 'QEMU offers no free CPU slot (-smp 1,maxcpus=2)'
    q.command('device_add', driver=free[0]['type'], id='cpu1', **free[0]['props'])
    wait_until(c, 'test -e /sys/devices/system/cpu/cpu1/online && echo yes', 'yes',
               HOTPLUG_TIMEOUT, 'hot-added CPU')
    if c.run_command('cat /sys/devices/system/cpu/cpu1/online') != '1':
        c.run_command('echo 1 > /sys/devices/system/cpu/cpu1/online')
    wait_until(c, 'cat /sys/devices/system/cpu/online', '0-1', HOTPLUG_TIMEOUT, 'CPU 1 online')
    c.note('CPU 1 added and online')


def add_memory(m, ram_before):
    """object-add + device_add pc-dimm 1 GiB, every block online; returns the new RAM ranges."""
    q, c = m.monitor(), m.c
    q.command('object-add', **{'qom-type': 'memory-backend-ram', 'id': 'mem1',
                               'size': DIMM_SIZE})
    q.command('device_add', driver='pc-dimm', id='dimm1', memdev='mem1')
    deadline = time.monotonic() + HOTPLUG_TIMEOUT
    while True:
        c.run_command('for f in /sys/devices/system/memory/memory*/state; do '
                      'grep -q offline $f && echo online > $f; done; true')
        added = [r for r in system_ram(c) if not covered(ram_before, *r)]
        offline = c.run_command('cat /sys/devices/system/memory/memory*/state | grep -vc "^online$"')
        if sum(e - s for s, e in added) >= DIMM_SIZE and offline == '0':
            break
        assert time.monotonic() < deadline, 'the DIMM is not System RAM: %s' % fmt(added)
        time.sleep(1)
    # Each block's MEM_ONLINE rewrote the header with the kexec lock held and the crash image
    # briefly unset: a panic then would find no crash image (the kernel's rule, whatever the
    # loader). Reading crash_hotplug takes the same locks: past it, the last rewrite is done.
    c.run_command('cat /sys/devices/system/memory/crash_hotplug')
    c.note('1 GiB added and online: %s' % fmt(added))
    return added


def panic_and_capture(c, marker, entry_re):
    c.run_command('echo %s > /dev/kmsg' % marker)
    c.disable_bad_pattern('panic')
    c.run_command('echo c > /proc/sysrq-trigger', wait_for_prompt=False)
    why = c.wait_for(con.RE_KERNEL_PANIC, PANIC_TIMEOUT).group(1)
    c.enable_bad_pattern('panic')
    assert why.strip() == 'sysrq triggered crash'
    c.note('panic')
    if entry_re is not None:
        c.wait_for(entry_re, CAPTURE_TIMEOUT)
    wait_capture_kernel(c, RE_PURGATORY_ENTRY, CAPTURE_TIMEOUT)


# --- tests ----------------------------------------------------------------------------------
@pytest.mark.parametrize('mode', ['hotplug', 'no-hotplug'])
def test_hotplug(hotplug_machine, mode):
    m = hotplug_machine()
    c = m.c
    size = c.run_command('cat /sys/kernel/crash_elfcorehdr_size')
    assert size.isdigit() and int(size) > 0, 'no crash hotplug in 6.12: %r' % size
    ram_before = system_ram(c)

    out = crash_load(c, '--no-hotplug' if mode == 'no-hotplug' else '')
    plan = RE_HOTPLUG_PLAN.search(out)
    want = '1' if mode == 'hotplug' else '0'
    if mode == 'hotplug':
        assert plan, 'baton -p -d does not say hotplug:\n%s' % out
        assert int(plan.group(1), 16) >= 64 + int(size), \
            'elfcorehdr segment of %s bytes < crash_elfcorehdr_size %s' % (plan.group(1), size)
    else:
        assert not plan, '--no-hotplug, and still hotplug:\n%s' % out
    # the kernel's own word: does the loaded image take hotplug updates
    for what in ('cpu', 'memory'):
        got = c.run_command('cat /sys/devices/system/%s/crash_hotplug' % what)
        assert got == want, '%s/crash_hotplug is %s after a %s load' % (what, got, mode)

    add_cpu(m)
    added = add_memory(m, ram_before)

    marker = 'BATON-HOTPLUG-MARKER-' + uuid.uuid4().hex[:12]
    panic_and_capture(c, marker, RE_ELFCORE_CHECKED if mode == 'hotplug' else None)
    if mode == 'no-hotplug':
        assert not RE_ELFCORE_CHECKED.search(c.transcript)

    head, phdrs = read_core_header(c, 16384)
    notes_ph = [p for p in phdrs if p[0] == PT_NOTE]
    assert len(notes_ph) == 1, '/proc/vmcore has %d PT_NOTEs' % len(notes_ph)
    _, off, _, filesz, _ = notes_ph[0]
    if off + filesz > len(head):
        head = read_b64(c, 'head -c %d /proc/vmcore' % (off + filesz))
    notes = elf_notes(head[off:off + filesz])
    loads = [(paddr, paddr + sz) for t, _, paddr, sz, _ in phdrs if t == PT_LOAD]
    c.note('vmcore PT_LOADs: %s' % fmt(loads))
    low = [r for r in loads if r[0] < ONE_MIB]
    if mode == 'hotplug':
        check_prstatus(notes, 2)
        missing = [r for r in added if not covered(loads, *r)]
        assert not missing, 'the dump lacks the added memory %s' % fmt(missing)
        # the kernel's header: its own low-memory rule, not baton's backup
        assert not low, 'the rewritten header dumps low memory: %s' % fmt(low)
    else:
        check_prstatus(notes, 1)
        overlap = [r for r in loads for s, e in added if r[0] < e and s < r[1]]
        assert not overlap, '--no-hotplug, and the dump covers added memory: %s' % fmt(overlap)
        assert low and low[0][0] < 0xa0000, 'baton\'s header lost its low PT_LOAD'

    out, rc = c.run_command_rc('makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.txt', 120)
    assert rc == 0, 'makedumpfile failed (%d):\n%s' % (rc, out)
    assert c.run_command('grep -o "BATON-HOTPLUG-MARKER-[0-9a-f]*" /tmp/dmesg.txt') == marker
    c.run_command('poweroff -f', wait_for_prompt=False)
    c.wait_exit(30)


def test_hotplug_corrupt_header_resets(hotplug_machine):
    """The one segment without a digest: scribbled on after a hotplug rewrite, it still resets."""
    m = hotplug_machine()
    c = m.c
    out = crash_load(c)
    plan = RE_HOTPLUG_PLAN.search(out)
    assert plan, 'baton -p -d does not say hotplug:\n%s' % out
    hdr = int(plan.group(2), 16)
    add_cpu(m)                      # the kernel rewrites the header once

    gdb = m.connect()               # stops the machine
    gdb.set_phys_mode(True)
    ident = gdb.read_memory(hdr, 20)
    assert ident[:4] == b'\x7fELF' and ident[18] == 62, 'no x86-64 ELF header at %#x: %r' % (
        hdr, ident)
    gdb.write_memory(hdr + 18, b'\x03')    # e_machine EM_386: not a header for this machine
    assert gdb.read_memory(hdr + 18, 1) == b'\x03'
    gdb.set_phys_mode(False)
    gdb.cont()
    c.note('e_machine at %#x scribbled on' % (hdr + 18))

    c.disable_bad_pattern('panic')
    c.disable_bad_pattern('purgatory')
    c.run_command('echo c > /proc/sysrq-trigger', wait_for_prompt=False)
    c.wait_for(con.RE_KERNEL_PANIC, PANIC_TIMEOUT)
    bad = c.wait_for(RE_ELFCORE_BAD, CAPTURE_TIMEOUT)
    assert int(bad.group(1), 16) == hdr
    assert bad.group(2) == 'not an ELF64 x86-64 core header'
    c.wait_for(RE_ELFCORE_REFUSED, 10)
    status = c.wait_exit(30)
    assert status == 0, 'QEMU exit status %s (-no-reboot turns a guest reset into exit 0)' % status
    after = c.transcript[bad.start():]
    assert not con.RE_LINUX_BANNER.search(after), 'a kernel booted after the refusal'
    assert not RE_PURGATORY_ENTRY.search(after), 'the purgatory entered the kernel'
    c.note('gdbstub at exit: W status %r' % m.gdb.wait_exit(10))
    check_reset_log(m)
