# SPDX-License-Identifier: MIT
"""Captures what an ELF core header generator needs from a first kernel booted with crashkernel=.

    /usr/bin/python3 tests/vm/capture_crash_fixtures.py [--build build] [--out tests/fixtures]

Writes, for QEMU -smp 2 -m 2048 (2g) and -smp 2 -m 6144 (6g), both with crashkernel=256M:
  crash-<n>.iomem        /proc/iomem (shows the "Crash kernel" range)
  crash-<n>.memmap       /sys/firmware/memmap as "start end type"
  crash-<n>.kcore-head   the first 64 KiB of /proc/kcore (its ELF header and program headers)
  crash-<n>.info         QEMU command, kernel, cmdline, cpu/possible, each cpu's crash_notes
                         (physical address) and crash_notes_size, /sys/kernel/vmcoreinfo
                         (physical address and size), /proc/kcore program headers decoded
and, as a reference from the same boot, what Debian's kexec-tools does with these inputs:
  crash-<n>.kexec-tools-d.log        `kexec -d -p` (memory ranges, backup segment, every program
                                     header of the ELF core header it writes, segments)
  crash-<n>.kexec-tools.vmcore-head  the first 16 KiB of /proc/vmcore in the capture kernel after
                                     `echo c > /proc/sysrq-trigger` (ELF header, program headers
                                     as the capture kernel rewrote them, the merged PT_NOTE)
  crash-<n>.info (end)               the capture kernel's command line, its e820 map, the vmcore
                                     program headers decoded
"""

import argparse
import base64
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console as con  # noqa: E402
from console import Console  # noqa: E402

MEMMAP_CMD = ('for d in $(ls /sys/firmware/memmap | sort -n); do '
              'echo "$(cat /sys/firmware/memmap/$d/start) $(cat /sys/firmware/memmap/$d/end) '
              '$(cat /sys/firmware/memmap/$d/type)"; done')
NOTES_CMD = ('for d in /sys/devices/system/cpu/cpu[0-9]*; do '
             'echo "$(basename $d) crash_notes=$(cat $d/crash_notes) '
             'crash_notes_size=$(cat $d/crash_notes_size)"; done')

PT_NAMES = {0: 'NULL', 1: 'LOAD', 4: 'NOTE'}


def elf_phdrs(data):
    """(e_type, [(p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align)])."""
    assert data[:4] == b'\x7fELF' and data[4] == 2 and data[5] == 1, 'not an ELF64 LSB file'
    e_type, = struct.unpack_from('<H', data, 16)
    e_phoff, = struct.unpack_from('<Q', data, 32)
    e_phentsize, e_phnum = struct.unpack_from('<HH', data, 54)
    out = []
    for i in range(e_phnum):
        out.append(struct.unpack_from('<IIQQQQQQ', data, e_phoff + i * e_phentsize))
    return e_type, out


def format_phdrs(phdrs):
    lines = ['  %-5s %-10s %-18s %-18s %-18s %-18s %-18s' % (
        'type', 'flags', 'offset', 'vaddr', 'paddr', 'filesz', 'memsz')]
    for p_type, p_flags, off, vaddr, paddr, filesz, memsz, _ in phdrs:
        lines.append('  %-5s 0x%-8x 0x%016x 0x%016x 0x%016x 0x%016x 0x%016x' % (
            PT_NAMES.get(p_type, hex(p_type)), p_flags, off, vaddr, paddr, filesz, memsz))
    return '\n'.join(lines)


def capture(build, out, name, mem):
    assets = os.path.join(build, 'assets')
    log = os.path.join(build, 'vm-logs', 'capture-crash-%s.log' % name)
    with Console(assets, log, mem=mem, smp=2, append='crashkernel=256M') as c:
        c.start()
        iomem = c.run_command('cat /proc/iomem')
        memmap = c.run_command(MEMMAP_CMD)
        possible = c.run_command('cat /sys/devices/system/cpu/possible')
        present = c.run_command('cat /sys/devices/system/cpu/present')
        notes = c.run_command(NOTES_CMD)
        vmcoreinfo = c.run_command('cat /sys/kernel/vmcoreinfo')
        cmdline = c.run_command('cat /proc/cmdline')
        b64 = c.run_command('head -c 65536 /proc/kcore | base64', timeout=60)
        kcore = base64.b64decode(''.join(b64.split()))
        assert len(kcore) == 65536, len(kcore)
        _, phdrs = elf_phdrs(kcore)
        for suffix, text in (('iomem', iomem), ('memmap', memmap)):
            with open(os.path.join(out, 'crash-%s.%s' % (name, suffix)), 'w') as f:
                f.write(text.rstrip() + '\n')
        with open(os.path.join(out, 'crash-%s.kcore-head' % name), 'wb') as f:
            f.write(kcore)
        with open(os.path.join(out, 'crash-%s.info' % name), 'w') as f:
            f.write('qemu: %s\nkernel: %s\ncmdline: %s\n'
                    % (' '.join(c.qemu_command()), c.kernel_release, cmdline.strip()))
            f.write('cpu/possible: %s\ncpu/present: %s\n' % (possible.strip(), present.strip()))
            f.write('crash notes (physical address, size; from /sys/devices/system/cpu/cpuN):\n')
            for line in notes.strip().splitlines():
                f.write('  %s\n' % line.strip())
            f.write('vmcoreinfo (physical address, size; /sys/kernel/vmcoreinfo): %s\n'
                    % vmcoreinfo.strip())
            f.write('crash kernel (/proc/iomem): %s\n' % '; '.join(
                ln.strip() for ln in iomem.splitlines() if 'Crash kernel' in ln))
            f.write('units: crash_notes is a hex physical address without 0x, crash_notes_size is '
                    'decimal bytes (sizeof(note_buf_t)); vmcoreinfo is "%pa %x": a physical address '
                    'and the note size in HEX (0x1024 = 4132 bytes). KASLR is on: the kernel image, '
                    'crash_notes, vmcoreinfo and the Crash kernel range (seen at 0x5d000000, '
                    '0x6e000000, 0x6f000000 with -m 2048) change from boot to boot.\n')
            f.write('/proc/kcore program headers (crash-%s.kcore-head holds its first 64 KiB):\n'
                    % name)
            f.write(format_phdrs(phdrs) + '\n')
        if os.path.exists(os.path.join(assets, 'kexec-root', 'sbin', 'kexec')):
            kexec_tools_reference(c, out, name)


def kexec_tools_reference(c, out, name):
    """Loads the capture kernel with kexec-tools, panics, and keeps what it made of this boot."""
    cmdline = 'console=ttyS0 panic=-1 nr_cpus=1 baton.fixture=%s' % name
    c.run_command('/sbin/kexec -d -p /boot/vmlinuz --initrd=/boot/capture-initrd.img '
                  '--command-line="%s" >/tmp/kexec-d.log 2>&1' % cmdline, 60)
    log = c.run_command('cat /tmp/kexec-d.log')
    with open(os.path.join(out, 'crash-%s.kexec-tools-d.log' % name), 'w') as f:
        f.write(log.rstrip() + '\n')
    c.disable_bad_pattern('panic')
    c.run_command('echo c > /proc/sysrq-trigger', wait_for_prompt=False)
    c.wait_for(con.RE_KERNEL_PANIC, 60)
    c.enable_bad_pattern('panic')
    start = len(c.transcript)
    got = c.wait_for(con.RE_CAPTURE_CMDLINE, 120).group(1)
    e820 = [ln.split('] ', 1)[-1] for ln in c.transcript[start:].splitlines() if 'BIOS-e820:' in ln]
    c.wait_for(con.RE_CAPTURE_READY, 30)
    c.set_prompt(con.CAPTURE_PROMPT)
    c.wait_for(con.RE_CAPTURE_PROMPT, 30)
    b64 = c.run_command('head -c 16384 /proc/vmcore | base64', 60)
    head = base64.b64decode(''.join(b64.split()))
    with open(os.path.join(out, 'crash-%s.kexec-tools.vmcore-head' % name), 'wb') as f:
        f.write(head)
    _, phdrs = elf_phdrs(head)
    with open(os.path.join(out, 'crash-%s.info' % name), 'a') as f:
        f.write('kexec-tools reference (same boot; crash-%s.kexec-tools-d.log):\n' % name)
        f.write('  requested command line: %s\n' % cmdline)
        f.write('  capture kernel command line: %s\n' % got)
        f.write('  capture kernel e820 (from kexec-tools):\n')
        for ln in e820:
            f.write('    %s\n' % ln)
        f.write('  /proc/vmcore program headers in the capture kernel (p_offset: file offsets; '
                'crash-%s.kexec-tools.vmcore-head holds its first 16 KiB):\n' % name)
        f.write('\n'.join('  ' + ln for ln in format_phdrs(phdrs).splitlines()) + '\n')
    c.run_command('poweroff -f', wait_for_prompt=False)
    c.wait_exit(30)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--out', default='tests/fixtures')
    ap.add_argument('--only', choices=('2g', '6g'))
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    os.makedirs(args.out, exist_ok=True)
    if args.only in (None, '2g'):
        capture(build, args.out, '2g', 2048)
    if args.only in (None, '6g'):
        capture(build, args.out, '6g', 6144)


if __name__ == '__main__':
    main()
