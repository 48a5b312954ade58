# SPDX-License-Identifier: MIT
"""ELF images (elf-x86_64) on a fake machine: baton --dry-run draws a vmlinux at its PT_LOADs'
addresses with boot_params, ELF boot notes or nothing; -t, --args-* and --entry as kexec-tools has
them; what baton cannot do is refused in one line; kexec_load gets exactly the plan's segments."""

import json
import struct

import pytest


def elf64(loads=((0x1000000, 0x3000, 0x5000), (0x1400000, 0x2000, 0x2000)), entry=0x1000000,
          linux=True):
    """An ELF64 x86-64 executable with these (paddr, filesz, memsz) PT_LOADs, linked as a
    vmlinux is (vaddr 0xffffffff80000000 + paddr), and a PT_NOTE with Linux's build salt note
    (or a GNU one only)."""
    data, note_off = 0x1000, 0x800
    nph = len(loads) + 1
    b = bytearray(data + sum(f for _, f, _ in loads))
    b[0:7] = b'\x7fELF\x02\x01\x01'
    struct.pack_into('<HHIQQQIHHHHHH', b, 16, 2, 62, 1, entry, 64, 0, 0, 64, 56, nph, 0, 0, 0)
    off = data
    for i, (paddr, filesz, memsz) in enumerate(loads):
        struct.pack_into('<IIQQQQQQ', b, 64 + 56 * i, 1, 7, off, 0xffffffff80000000 + paddr,
                         paddr, filesz, memsz, 0x200000)
        for j in range(filesz):
            b[off + j] = (j * 29 + i) & 0xff
        off += filesz
    owner = b'Linux\0\0\0' if linux else b'GNU\0'
    note = struct.pack('<III', len(owner.rstrip(b'\0')) + 1, 4, 0x100) + owner + b'6.1\0'
    b[note_off:note_off + len(note)] = note
    struct.pack_into('<IIQQQQQQ', b, 64 + 56 * len(loads), 4, 4, note_off, 0, 0, len(note),
                     len(note), 4)
    return bytes(b)


@pytest.fixture
def elf(machine):
    machine.vmlinux = machine.write('boot/vmlinux', elf64())
    machine.other = machine.write('boot/kernel.elf', elf64(linux=False))
    return machine


def test_types_list_elf(run, machine):
    p = run(machine, '-t', 'help')
    assert p.returncode == 0
    assert '  elf-x86_64\n' in p.stdout


def test_dry_run_draws_a_vmlinux(run, elf):
    p = run(elf, '--dry-run', '-d', '-l', elf.vmlinux, '--initrd=%s' % elf.initrd,
            '--command-line=console=ttyS0 quiet')
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert 'kernel: %s (ELF64 vmlinux, 2 PT_LOADs at their addresses, Linux boot_params ' \
        '(64-bit boot protocol), 64-bit entry)' % elf.vmlinux in out
    assert '\nkernel       0x0000000001000000 0x3000       0x400000   ' in out   # to the next
    assert '\nkernel.1     0x0000000001400000 0x2000       0x2000     ' in out
    assert '\nboot_params  0x' in out and '\ninitrd       0x' in out
    assert 'kernel entry 0x1000000' in out
    assert 'K kernel.1' in out


def test_json_says_elf(run, elf):
    p = run(elf, '--dry-run', '--json', '-l', elf.vmlinux, '--initrd=%s' % elf.initrd,
            '--command-line=quiet')
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc['protocol'] == 'ELF64 Linux'
    assert doc['kernel_entry'] == 0x1000000
    assert doc['cmdline'] == 'quiet'
    segs = {s['name']: s for s in doc['segments']}
    assert segs['kernel']['mem'] == 0x1000000 and segs['kernel.1']['mem'] == 0x1400000
    assert 'boot_params' in segs and 'initrd' in segs


def test_argument_styles_and_entry(run, elf):
    p = run(elf, '--dry-run', '-l', elf.other, '--command-line=hello')
    assert p.returncode == 0, p.stderr
    assert '(ELF64, 2 PT_LOADs at their addresses, ELF boot notes, 64-bit entry)' in p.stdout
    assert '\nelf_notes    0x' in p.stdout
    p = run(elf, '--dry-run', '-l', '--args-elf', elf.vmlinux, '--entry=0x1000040')
    assert p.returncode == 0, p.stderr
    assert 'ELF boot notes' in p.stdout and 'kernel entry 0x1000040' in p.stdout
    p = run(elf, '--dry-run', '-l', '-t', 'elf-x86_64', '--args-none', elf.vmlinux)
    assert p.returncode == 0, p.stderr
    assert ', no arguments, 64-bit entry)' in p.stdout
    assert 'boot_params' not in p.stdout and 'elf_notes' not in p.stdout
    p = run(elf, '--dry-run', '-l', '--args-linux', elf.other)
    assert p.returncode == 0, p.stderr
    assert 'Linux boot_params' in p.stdout


def test_what_baton_cannot_do_is_refused(run, elf):
    def refused(*args):
        p = run(elf, '--dry-run', *args)
        assert p.returncode == 1, p.stdout
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr
        return p.stderr

    assert 'elf-x86_64: %s: not as a crash kernel (-p)' % elf.vmlinux in \
        refused('-p', elf.vmlinux)
    assert '--args-elf passes no initrd' in \
        refused('-l', '--args-elf', elf.vmlinux, '--initrd=%s' % elf.initrd)
    assert '--args-none passes no command line' in \
        refused('-l', '--args-none', elf.vmlinux, '--command-line=x')
    assert "--entry 0x2000000 is in no PT_LOAD's physical range" in \
        refused('-l', elf.vmlinux, '--entry=0x2000000')
    assert '--entry-32bit is a bzImage' in refused('-l', elf.vmlinux, '--entry-32bit')
    assert 'bzImage: %s: --entry and --args-* are for ELF images' % elf.kernel in \
        refused('-l', elf.kernel, '--args-linux')
    assert 'takes no --module' in refused('-l', elf.vmlinux, '--module=%s' % elf.initrd)
    assert 'kexec_file_load: %s: the kernel\'s loader takes no --entry or --args-*' % \
        elf.vmlinux in refused('-s', '-l', elf.vmlinux, '--args-none')
    p = run(elf, '--dry-run', '-l', elf.vmlinux, '--entry=0x1zz')
    assert p.returncode == 2 and "--entry: '0x1zz' is not an address" in p.stderr


def test_kexec_load_gets_the_plan(run, elf):
    """Loaded for real (strace answers kexec_load): the segments of the dry run, and a refusal
    by the kernel does not fall back to kexec_file_load, which takes bzImages only."""
    args = ('-l', elf.vmlinux, '--initrd=%s' % elf.initrd, '--command-line=quiet')
    plan = json.loads(run(elf, '--dry-run', '--json', *args).stdout)
    purgatory = [s['mem'] for s in plan['segments'] if s['name'] == 'purgatory'][0]
    p = run(elf, *args)
    assert p.returncode == 0, p.stderr
    calls = [s for s in p.syscalls if s.startswith('kexec_load')]
    # two loads, the initrd, boot_params, page tables, purgatory; entered at the purgatory
    assert len(calls) == 1 and calls[0].startswith('kexec_load(%#x, 6, [{' % purgatory), \
        p.syscalls
    assert 'mem=0x1000000, memsz=4194304}' in calls[0]
    p = run(elf, '-l', elf.vmlinux, answers={'kexec_load': 'error=EPERM'})
    assert p.returncode == 1
    assert not any(s.startswith('kexec_file_load') for s in p.syscalls), p.syscalls
    assert 'no kexec_file_load fallback' in p.stderr
