# SPDX-License-Identifier: MIT
"""Captures what a Xen backend in baton needs to know, from Xen 4.17 + a PV dom0 under QEMU.

    /usr/bin/python3 tests/vm/capture_xen_fixtures.py [--build build] [--out tests/fixtures/xen]

Writes (OUT):
  xen-boot.log        Xen's own console lines ("(XEN) ...") up to dom0's start
  xen-e820.txt        Xen's "Xen-e820 RAM map:" (machine addresses) and its "Kdump:" line
  dom0-iomem          dom0's /proc/iomem (pseudo-physical)
  dom0-memmap         dom0's /sys/firmware/memmap as "0x<start> 0x<end-inclusive> <type>"
  dom0-hypervisor.txt /proc/xen/capabilities, /sys/hypervisor/**, /sys/kernel/kexec_*, /dev/xen/*
  dom0-cpuinfo-flags  dom0's /proc/cpuinfo flags line
  kexec-tools-d.log   `kexec -d -l` (and `kexec -d -p`) output under Xen
  xen-crash.kexec-tools.vmcore-head  the first 16 KiB of /proc/vmcore after a dom0 panic
  info.txt            QEMU, Xen and dom0 command lines, package versions
"""

import argparse
import base64
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console import (CAPTURE_PROMPT, RE_CAPTURE_CMDLINE, RE_CAPTURE_PROMPT,  # noqa: E402
                     RE_CAPTURE_READY, RE_XEN_DOM0_CRASHED, XenConsole)

MEMMAP_CMD = ('for d in $(ls /sys/firmware/memmap | sort -n); do '
              'echo "$(cat /sys/firmware/memmap/$d/start) $(cat /sys/firmware/memmap/$d/end) '
              '$(cat /sys/firmware/memmap/$d/type)"; done')
# every readable file under /sys/hypervisor, one "path: value" line each
HYPERVISOR_CMD = ('find /sys/hypervisor -type f | sort | while read -r f; do case $f in '
                  '*/buildid) echo "$f: $(xxd -p $f | tr -d \'\\n\')" ;; '
                  '*) echo "$f: $(cat $f 2>&1 | head -n 3 | tr \'\\n\' \' \')" ;; esac; done')


NOTES = [
    'notes:',
    '- /sys/kernel/kexec_loaded and kexec_crash_loaded stay 0 in dom0 after a load: Xen holds the',
    '  image (kexec -S asks Xen: KEXEC_CMD_kexec_status). dom0\'s /proc/iomem has no "Crash',
    '  kernel"; the crash area comes from Xen (xc_kexec_get_range KEXEC_RANGE_MA_CRASH; Xen\'s',
    '  boot log: "Kdump: 256MB (262144kB) at 0x40000000").',
    "- kexec-tools' MEMORY RANGES under Xen are the machine map (xc_get_machine_memory_map), not",
    "  dom0's pseudo-physical /sys/firmware/memmap (compare dom0-memmap: 0x0-0x9efff vs",
    "  0x400-0x9fbff); the machine map also lists the IOAPIC and LAPIC pages as reserved, Xen's",
    '  boot e820 does not.',
    "- segment[0] (0x30 bytes at the lowest free page: 0x100000, or the crash area's start) is",
    "  its setup_data (the target's e820 shows a usable range split after 16 bytes there);",
    '  kexec-tools does the same without Xen. -d does not show the map-only segment that',
    '  xen_kexec_load adds (buf NULL, dest 0, size 1 MiB; newer kexec-tools split it around low',
    '  segments).',
    '- its purgatory appends " kexec_jump_back_entry=0x%016lx" (0(%rsp) at entry: garbage from',
    '  Xen) to the command line of both the normal and the crash image.',
    "- the crash dump's PT_NOTE: CORE/NT_PRSTATUS per CPU, Xen/0x1000002 (CRASH_REGS),",
    "  Xen/0x1000001 (CRASH_INFO), VMCOREINFO_XEN (Xen's, so makedumpfile --dump-dmesg cannot",
    "  find dom0's log); the PT_LOADs cover the machine's RAM outside the crash area (vaddr =",
    "  dom0's direct map base + paddr, meaningless for machine memory).",
]


def phdr_table(data):
    """The program headers of an ELF64 core, one line each."""
    e_phoff, = struct.unpack_from('<Q', data, 32)
    e_phentsize, e_phnum = struct.unpack_from('<HH', data, 54)
    names = {1: 'LOAD', 4: 'NOTE'}
    lines = ['type  flags      offset             vaddr              paddr              '
             'filesz             memsz']
    for i in range(e_phnum):
        t, fl, off, va, pa, fsz, msz, _ = struct.unpack_from('<IIQQQQQQ', data,
                                                             e_phoff + i * e_phentsize)
        lines.append('%-5s %-10s 0x%016x 0x%016x 0x%016x 0x%016x 0x%016x'
                     % (names.get(t, t), hex(fl), off, va, pa, fsz, msz))
    return lines


def read(path):
    with open(path) as f:
        return f.read().strip()


def write(out, name, text):
    with open(os.path.join(out, name), 'w') as f:
        f.write(text.rstrip('\n') + '\n')


def capture(build, out):
    assets = os.path.join(build, 'assets')
    log = os.path.join(build, 'vm-logs', 'capture-xen.log')
    with XenConsole(assets, log) as c:
        c.start()
        boot = c.transcript
        # Xen's part: every "(XEN)" line before dom0's kernel starts
        dom0_start = boot.find('Linux version')
        # (the first one follows the firmware's terminal reset, ESC c, on the same line)
        xen_lines = [ln[ln.find('(XEN)'):] for ln in boot[:dom0_start].splitlines()
                     if '(XEN)' in ln]
        write(out, 'xen-boot.log', '\n'.join(xen_lines))
        e820, on = [], False
        for ln in xen_lines:
            if 'Xen-e820 RAM map:' in ln:
                on = True
            elif on and not re.match(r'\(XEN\)\s+\[', ln):
                on = False
            if on or re.search(r'Kdump|crash area|kexec', ln, re.I):
                e820.append(ln)
        write(out, 'xen-e820.txt', '\n'.join(e820))

        write(out, 'dom0-iomem', c.run_command('cat /proc/iomem'))
        write(out, 'dom0-memmap', c.run_command(MEMMAP_CMD))
        hyp = ['# /proc/xen/capabilities', c.run_command('cat /proc/xen/capabilities'),
               '# ls -l /proc/xen', c.run_command('ls -l /proc/xen'),
               '# ls -l /dev/xen', c.run_command('ls -l /dev/xen'),
               '# /sys/hypervisor', c.run_command(HYPERVISOR_CMD, 60),
               '# /sys/kernel/kexec_*', c.run_command(
                   'for f in /sys/kernel/kexec_*; do echo "$f: $(cat $f)"; done'),
               '# lsmod', c.run_command('lsmod'),
               '# dom0 dmesg: Xen, kexec, crash, e820 lines',
               c.run_command("dmesg | grep -i -E 'xen|kexec|crash|e820|BIOS-provided' "
                             "| head -n 80")]
        write(out, 'dom0-hypervisor.txt', '\n'.join(hyp))
        write(out, 'dom0-cpuinfo-flags', c.run_command("grep -m1 '^flags' /proc/cpuinfo"))

        kd = []
        cmdline = 'console=ttyS0 baton.fixture=xen'
        for opt, initrd in (('-l', '/boot/initrd.img'), ('-p', '/boot/capture-initrd.img')):
            cmd = ('/sbin/kexec -d %s /boot/vmlinuz --initrd=%s --command-line="%s"'
                   % (opt, initrd, cmdline))
            out_, rc = c.run_command_rc(cmd + ' >/tmp/kexec-d.log 2>&1', 120)
            text = c.run_command('cat /tmp/kexec-d.log', 60)
            kd.append('# %s\n# exit status %d\n%s' % (cmd, rc, text))
            kd.append('# after: ' + c.run_command(
                'for f in /sys/kernel/kexec_*; do echo -n "$(basename $f)=$(cat $f) "; done'))
        write(out, 'kexec-tools-d.log', '\n'.join(kd))
        dom0_cmdline = c.run_command('cat /proc/cmdline')
        kexec_version = c.run_command('/sbin/kexec --version 2>&1')
        libs = c.run_command('ls /lib/x86_64-linux-gnu | tr "\\n" " "')

        # dom0 panics; Xen runs kexec-tools' crash image (loaded above)
        c.disable_bad_pattern('panic')
        c.run_command('echo c > /proc/sysrq-trigger', wait_for_prompt=False)
        c.wait_for(RE_XEN_DOM0_CRASHED, 90)
        handed = c.pos
        capture_cmdline = c.wait_for(RE_CAPTURE_CMDLINE, 180).group(1)
        c.wait_for(RE_CAPTURE_READY, 60)
        c.set_prompt(CAPTURE_PROMPT)
        c.wait_for(RE_CAPTURE_PROMPT, 30)
        head = base64.b64decode(''.join(
            c.run_command('head -c 16384 /proc/vmcore | base64', 90).split()))
        with open(os.path.join(out, 'xen-crash.kexec-tools.vmcore-head'), 'wb') as f:
            f.write(head)
        capture_e820 = re.findall(r'BIOS-e820: .*', c.transcript[handed:])
        c.run_command('poweroff -f', wait_for_prompt=False)
        c.wait_exit(30)

        info = [
            'qemu: ' + ' '.join(c.qemu_command()),
            'xen command line: ' + c.append,
            'xen version: ' + c.xen_version,
            'xen package: ' + read(os.path.join(assets, 'xen.package')),
            'dom0 kernel: %s (%s)' % (c.kernel_release,
                                      read(os.path.join(assets, 'xen-dom0.package'))),
            'dom0 command line: ' + dom0_cmdline,
            'dom0 capabilities: ' + c.dom0_caps,
            'target kernel: ' + read(os.path.join(assets, 'vmlinuz.package')),
            'kexec-tools: ' + kexec_version,
            'libraries in the dom0 initrd (/lib/x86_64-linux-gnu): ' + libs,
            'dom0 boot: %.1f s from QEMU start to the dom0 prompt (TCG)' % c.dom0_up,
            'kexec-tools crash image after a dom0 panic (echo c > /proc/sysrq-trigger):',
            '  capture kernel command line: ' + capture_cmdline,
            '  capture kernel e820 (from kexec-tools):',
        ] + ['    ' + ln for ln in capture_e820] + [
            '  /proc/vmcore program headers (xen-crash.kexec-tools.vmcore-head holds its first '
            '16 KiB):',
        ] + ['    ' + ln for ln in phdr_table(head)] + NOTES
        write(out, 'info.txt', '\n'.join(info))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--out', default='tests/fixtures/xen')
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    os.makedirs(args.out, exist_ok=True)
    capture(build, args.out)


if __name__ == '__main__':
    main()
