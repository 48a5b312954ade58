# SPDX-License-Identifier: MIT
"""Multiboot kernels (Xen) on a fake machine: baton --dry-run draws the image, its modules and the
MBI; -t picks the multiboot version; what baton cannot do is refused in one line."""

import json
import os
import struct

import pytest

from conftest import FIXTURES

MB2_MAGIC = 0xe85250d6
MB1_MAGIC = 0x1badb002


def mbimage(paddr=0x200000, filesz=0x5000, memsz=0x9000, mb1=True, mb2=True):
    """An ELF32 executable with one PT_LOAD and Xen's headers: multiboot v1 and multiboot2 with
    module-align and relocatable (2 MiB up, 2 MiB aligned) tags."""
    data = 0x1000
    b = bytearray(data + filesz)
    b[0:7] = b'\x7fELF\x01\x01\x01'
    struct.pack_into('<HHIIIIIHHHHHH', b, 16, 2, 3, 1, paddr + 0x10, 52, 0, 0, 52, 32, 1, 0, 0,
                     0)
    struct.pack_into('<8I', b, 52, 1, data, paddr, paddr, filesz, memsz, 7, 0x1000)
    if mb1:
        struct.pack_into('<3I', b, 0x100, MB1_MAGIC, 3, (-(MB1_MAGIC + 3)) & 0xffffffff)
    if mb2:
        tags = struct.pack('<HHI', 6, 1, 8) + \
            struct.pack('<HHIIIII', 10, 1, 24, 0x200000, 0xfffff000, 0x200000, 1) + \
            struct.pack('<HHI', 0, 0, 8)
        length = 16 + len(tags)
        struct.pack_into('<4I', b, 0x200, MB2_MAGIC, 0, length,
                         (-(MB2_MAGIC + length)) & 0xffffffff)
        b[0x210:0x210 + len(tags)] = tags
    for i in range(filesz):
        b[data + i] = (i * 13 + 5) & 0xff
    return bytes(b)


@pytest.fixture
def xen(machine):
    machine.xen = machine.write('boot/xen', mbimage())
    machine.dom0 = machine.write('boot/dom0-vmlinuz', bytes(range(256)) * 300)
    machine.dom0_initrd = machine.write('boot/dom0-initrd.img', b'\x5a' * 70000)
    return machine


def load_args(m, *extra):
    return ['-l', *extra, m.xen, '--command-line=console=com1 dom0_mem=512M',
            '--module=%s console=hvc0 root=/dev/ram0' % m.dom0, '--module=%s' % m.dom0_initrd]


def test_types_list_both_multiboot_versions(run, machine):
    p = run(machine, '-t', 'help')
    assert p.returncode == 0
    assert 'multiboot2-x86' in p.stdout and 'multiboot-x86' in p.stdout


def test_dry_run_draws_modules_and_mbi(run, xen):
    p = run(xen, '--dry-run', '-d', *load_args(xen))
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert 'kernel: %s (multiboot2-x86, ELF32 at its own address 0x200000, 32-bit entry)' % \
        xen.xen in out
    assert 'module 0: "%s console=hvc0 root=/dev/ram0"' % xen.dom0 in out
    for name in ('module.0', 'module.1', 'mbi'):
        assert '\n%-12s 0x' % name in out
    assert 'M module.0' in out and 'B mbi' in out
    # -d (on stderr while loading; in the dry run's summary too) lists the MBI's tags
    assert 'command line' in out and '"xen console=com1 dom0_mem=512M"' in out
    assert 'image load base address' in out and ': 0x200000' in out
    assert 'tag  3 module' in out and 'tag  6 memory map' in out


def test_json_has_the_modules_and_the_mbi(run, xen):
    p = run(xen, '--dry-run', '--json', *load_args(xen))
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc['protocol'] == 'multiboot2'
    assert doc['modules'] == ['%s console=hvc0 root=/dev/ram0' % xen.dom0, xen.dom0_initrd]
    names = [s['name'] for s in doc['segments']]
    assert names[:3] == ['kernel', 'module.0', 'module.1']
    assert 'mbi' in names
    segs = {s['name']: s for s in doc['segments']}
    assert segs['module.0']['mem'] % 4096 == 0
    assert segs['module.1']['mem'] + segs['module.1']['memsz'] <= 1 << 32
    assert segs['kernel']['mem'] == 0x200000


def test_type_forces_multiboot_v1(run, xen):
    p = run(xen, '--dry-run', '-d', *load_args(xen, '-t', 'multiboot-x86'))
    assert p.returncode == 0, p.stderr
    assert '(multiboot-x86, ELF32' in p.stdout
    assert 'mbi (multiboot v1 info)' in p.stdout


def test_what_baton_cannot_do_is_refused(run, xen):
    p = run(xen, '--dry-run', '-p', xen.xen)
    assert p.returncode != 0
    assert 'multiboot2-x86: %s: not as a crash kernel (-p)' % xen.xen in p.stderr
    p = run(xen, '--dry-run', '-l', '-t', 'bzImage', xen.xen)
    assert p.returncode != 0 and 'bzimage: ' in p.stderr
    p = run(xen, '--dry-run', '-l', xen.kernel, '--module=%s' % xen.dom0)
    assert p.returncode != 0 and 'takes no --module' in p.stderr


def rsdp_v2(rsdt=0x3f77c074, xsdt=0x3f77c0e8):
    """An ACPI 2.0 RSDP as OVMF makes one, checksums right."""
    b = bytearray(36)
    b[0:8] = b'RSD PTR '
    b[9:15] = b'BOCHS '
    b[15] = 2
    struct.pack_into('<IIQ', b, 16, rsdt, 36, xsdt)
    b[8] = (-sum(b[0:20])) & 0xff
    b[32] = (-sum(b)) & 0xff
    return bytes(b)


@pytest.fixture
def efi_xen(xen):
    """The Xen machine as Linux on OVMF shows it: the EFI stub's zero page, the firmware's memory
    map (RAM 0-0x9ffff), the system table's ACPI20= and /dev/mem with the RSDP there."""
    efi = os.path.join(FIXTURES, 'efi')
    xen.write_memmap(os.path.join(efi, 'memmap'))
    with open(os.path.join(efi, 'iomem')) as f:
        xen.write('proc/iomem', f.read())
    with open(os.path.join(efi, 'boot_params'), 'rb') as f:
        xen.write('sys/kernel/boot_params/data', f.read())
    with open(os.path.join(efi, 'systab')) as f:
        xen.write('sys/firmware/efi/systab', f.read())
    xen.rsdp = rsdp_v2()
    xen.devmem = xen.write('dev/mem', b'')
    with open(xen.devmem, 'r+b') as f:
        f.seek(0x3f77d014)
        f.write(xen.rsdp)
    return xen


def mmap_tag(mbi):
    """multiboot2 MMAP entries (addr, len, type) from an MBI's bytes."""
    at = 8
    while at + 8 <= len(mbi):
        kind, size = struct.unpack_from('<II', mbi, at)
        if kind == 6:
            esize = struct.unpack_from('<I', mbi, at + 8)[0]
            return [struct.unpack_from('<QQI', mbi, o) for o in range(at + 16, at + size, esize)]
        if kind == 0:
            break
        at += (size + 7) & ~7
    return None


def test_uefi_gets_a_bios_area_with_the_rsdp(run, efi_xen):
    m = efi_xen
    dom0 = '--module=%s console=hvc0 acpi_rsdp=0x3f77d014' % m.dom0
    p = run(m, '--dry-run', '-d', '-l', m.xen, '--command-line=console=com1 no-real-mode', dom0)
    assert p.returncode == 0, p.stderr
    assert 'warning' not in p.stderr
    assert ('bios area: EBDA at 0x9fc00 (1 KiB, reserved in the new kernel\'s map) with the RSDP '
            'copied from 0x3f77d014, BDA base memory 639 KiB') in p.stdout
    assert 'tag 15 ACPI new RSDP' in p.stdout
    p = run(m, '--dry-run', '--json', '-l', m.xen, '--command-line=console=com1 no-real-mode',
            dom0)
    doc = json.loads(p.stdout)
    assert doc['bios_area'] == {'ebda': 0x9fc00, 'ebda_kib': 1, 'base_kib': 639,
                                'rsdp': 0x3f77d014}
    low = [r for r in doc['boot_memory_map'] if r['start'] < 0xa0000]
    assert [(r['start'], r['end'], r['kind']) for r in low] == \
        [(0, 0x9fc00, 'ram'), (0x9fc00, 0xa0000, 'reserved')]
    assert 'warnings' not in doc


def test_uefi_needs_are_warned_not_edited(run, efi_xen):
    m = efi_xen
    p = run(m, '--dry-run', '-d', '-l', m.xen, '--command-line=console=com1',
            '--module=%s console=hvc0' % m.dom0)
    assert p.returncode == 0, p.stderr
    warnings = [l for l in p.stderr.splitlines() if l.startswith('baton: warning: ')]
    assert len(warnings) == 2, p.stderr
    assert 'booted through UEFI' in warnings[0] and 'Xen needs no-real-mode' in warnings[0]
    assert 'dom0 (the first module) finds ACPI only with acpi_rsdp=0x3f77d014' in warnings[1]
    assert 'command line: "console=com1"' in p.stdout
    assert 'module 0: "%s console=hvc0"' % m.dom0 in p.stdout


def test_uefi_with_dev_mem_closed_the_purgatory_copies_the_rsdp(run, efi_xen):
    """Debian's kernels keep /dev/mem closed over the ACPI tables: the address is enough for the
    EBDA's copy (made at exec time); only the MBI's ACPI tag, built now, goes without."""
    m = efi_xen
    os.unlink(m.devmem)
    p = run(m, '--dry-run', '-d', '-l', m.xen, '--command-line=no-real-mode',
            '--module=%s acpi_rsdp=0x3f77d014' % m.dom0)
    assert p.returncode == 0, p.stderr
    assert 'warning' not in p.stderr
    assert 'EBDA at 0x9fc00' in p.stdout and 'with the RSDP copied from 0x3f77d014' in p.stdout
    assert 'RSDP' not in p.stdout.split('mbi (multiboot2)')[1]


def test_uefi_with_a_bad_rsdp_warns(run, efi_xen):
    m = efi_xen
    with open(m.devmem, 'r+b') as f:
        f.seek(0x3f77d014 + 30)
        f.write(b'\xff')
    p = run(m, '--dry-run', '-d', '-l', m.xen, '--command-line=no-real-mode',
            '--module=%s' % m.dom0)
    assert p.returncode == 0, p.stderr
    assert p.stderr.count('warning') == 1
    assert 'no valid RSDP at 0x3f77d014' in p.stderr and 'may find no ACPI tables' in p.stderr
    assert 'EBDA at 0x9fc00' in p.stdout and 'without an RSDP' in p.stdout


def test_bios_machine_gets_no_bios_area(run, xen):
    p = run(xen, '--dry-run', '--json', *load_args(xen))
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert 'bios_area' not in doc and 'warnings' not in doc and p.stderr == ''
