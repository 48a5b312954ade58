# SPDX-License-Identifier: MIT
"""--real-mode on the host: the plan's two low segments, the real-mode kernel as it will be
loaded (its setup header filled in as a boot loader does), and every refusal in one line."""

import os
import re
import struct

from conftest import FIXTURES, bzimage
from test_multiboot import mbimage

RE_SEG = re.compile(r'^(\w+) +0x([0-9a-f]{16}) +0x([0-9a-f]+) +0x([0-9a-f]+) +[0-9a-f]{64}$', re.M)


def segments(out):
    return {m.group(1): (int(m.group(2), 16), int(m.group(3), 16), int(m.group(4), 16))
            for m in RE_SEG.finditer(out)}


def one_error_line(p, *needles):
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    assert not [l for l in p.syscalls if 'kexec_load(' in l or 'kexec_file_load(' in l]
    return lines[0]


def test_dry_run_places_two_segments_below_640k(machine, run):
    p = run(machine, '--dry-run', '-l', machine.kernel, '--initrd=' + machine.initrd,
            '--real-mode', '--command-line=console=ttyS0 quiet')
    assert p.returncode == 0, p.stderr
    segs = segments(p.stdout)
    assert 'boot_params' not in segs, p.stdout
    real, tramp = segs['realmode'], segs['trampoline']
    # The real-mode kernel: setup sectors, heap and stack to 0xe000, then the command line;
    # highest first below the EBDA (0x9fc00: the page holding it is not free).
    assert real[0] + real[2] <= 0x9f000 and real[0] >= 0x10000 and real[0] % 0x1000 == 0
    assert real[1] == real[2] and real[1] >= 0xe000 + len('console=ttyS0 quiet') + 1
    assert 0x10000 <= tramp[0] and tramp[0] + tramp[2] <= 0x9f000, (tramp, real)
    assert tramp[0] + tramp[2] <= real[0] or real[0] + real[2] <= tramp[0], (tramp, real)
    assert 0 < tramp[1] <= 256 and tramp[2] == 0x1000
    # The kernel and the initrd below 4 GiB, the kernel entered at its setup code.
    assert segs['kernel'][0] == 0x1000000
    assert segs['initrd'][0] + segs['initrd'][2] <= 0x80000000
    assert 'real-mode entry' in p.stdout
    m = re.search(r'^entry: 0x[0-9a-f]+ \(purgatory\), kernel entry 0x([0-9a-f]+)$', p.stdout, re.M)
    assert m and int(m.group(1), 16) == real[0] + 0x200, p.stdout
    # The picture shows them: L for the trampoline, B for the real-mode kernel.
    assert re.search(r'L trampoline +0x0000000[0-9a-f]{5}-', p.stdout), p.stdout
    assert re.search(r'B realmode +0x0000000[0-9a-f]{5}-', p.stdout), p.stdout


def test_kexec_load_gets_the_low_segments(machine, run):
    """kexec_load (answered by strace) gets both low segments with the rest; the header's
    bytes are checked in tests/unit/image-test.c."""
    p = run(machine, '-l', machine.kernel, '--initrd=' + machine.initrd, '--real-mode',
            '-c', '--command-line=console=ttyS0 rm=1', '-d')
    assert p.returncode == 0, p.stderr
    segs = segments(p.stderr)
    base = segs['realmode'][0]
    loads = [l for l in p.syscalls if 'kexec_load(' in l]
    assert len(loads) == 1, p.syscalls
    # Every segment of the load is in the call, the low two among them.
    for name in ('realmode', 'trampoline'):
        assert '0x%x' % segs[name][0] in loads[0], (name, loads[0])
    assert base + 0x200 == int(re.search(r'kernel entry 0x([0-9a-f]+)', p.stderr).group(1), 16)


def test_refused_under_uefi(machine, run):
    """OVMF-booted: the running kernel's zero page carries the EFI stub's efi_info."""
    with open(os.path.join(FIXTURES, 'efi', 'boot_params'), 'rb') as f:
        machine.write('sys/kernel/boot_params/data', f.read())
    p = run(machine, '--dry-run', '-l', machine.kernel, '--real-mode')
    one_error_line(p, machine.kernel, '--real-mode needs a BIOS', 'booted through UEFI')
    # Nothing falls back to kexec_file_load: it has no real-mode entry.
    p = run(machine, '-l', machine.kernel, '--real-mode')
    one_error_line(p, '--real-mode needs a BIOS')


def test_refused_with_a_crash_kernel_32bit_entry_or_kexec_file_load(crash_machine, run):
    m = crash_machine
    one_error_line(run(m, '--dry-run', '-p', m.kernel, '--real-mode'),
                   '--real-mode is not for -p', 'crash region')
    one_error_line(run(m, '--dry-run', '-l', m.kernel, '--real-mode', '--entry-32bit'),
                   '--real-mode and --entry-32bit')
    one_error_line(run(m, '-l', m.kernel, '--real-mode', '-s'),
                   'kexec_file_load', 'no real-mode entry')


def test_refused_without_room_below_640k(machine, run, tmp_path):
    low = tmp_path / 'low.memmap'
    low.write_text('0x0 0x17fff System RAM\n0x18000 0x9ffff Reserved\n'
                   '0x100000 0x3ffdffff System RAM\n')
    machine.write_memmap(str(low))
    p = run(machine, '--dry-run', '-l', machine.kernel, '--real-mode')
    one_error_line(p, 'no free RAM', 'below 640 KiB', 'real-mode entry')


def test_refused_for_a_setup_larger_than_32k_and_for_multiboot(machine, run):
    big = bytearray(bzimage())
    big[0x1f1] = 64                                  # (64 + 1) * 512 bytes of setup
    big += bytes(65 * 512)
    path = machine.write('boot/big', bytes(big))
    one_error_line(run(machine, '--dry-run', '-l', path, '--real-mode'),
                   'real-mode code', '32768')
    xen = machine.write('boot/xen', mbimage())
    one_error_line(run(machine, '--dry-run', '-l', xen, '--real-mode'),
                   'multiboot2-x86', 'no 16-bit entry', 'for bzImages')


def test_lockdown_does_not_fall_back_to_the_kernels_loader(machine, run):
    """kexec_load refused (lockdown): the kernel's own loader has no real-mode entry, so the
    refusal stands, said once, instead of a 64-bit boot nobody asked for."""
    p = run(machine, '-l', machine.kernel, '--real-mode', answers={'kexec_load': 'error=EPERM'})
    assert p.returncode == 1, p.stderr
    assert not [l for l in p.syscalls if 'kexec_file_load(' in l], p.syscalls
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and 'not permitted' in lines[0] and \
        '--real-mode has no kexec_file_load fallback' in lines[0], p.stderr


def test_json_says_real_mode_only_when_asked(machine, run):
    on = run(machine, '--dry-run', '--json', '-l', machine.kernel, '--real-mode').stdout
    off = run(machine, '--dry-run', '--json', '-l', machine.kernel).stdout
    assert '"real_mode": true' in on and '"real_mode"' not in off
