# SPDX-License-Identifier: MIT
"""Unified Kernel Images on a fake machine: a UKI made with objcopy from Debian's systemd-stub
(systemd-boot-efi) around a synthetic bzImage; baton --dry-run shows the sections it uses, the
.cmdline is the default line (--command-line replaces it, --append extends it), kexec_file_load
(-s, or the fallback) gets the .linux and the joined initrd, a malformed UKI is one line."""

import json
import os
import shutil
import subprocess

import pytest

STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub'
EMBEDDED = 'console=ttyS0 uki=1'


def make_uki(m, path, stub=STUB, cmdline=EMBEDDED + '\n', ucode=b'070701' + bytes(250),
             initrd=b'070701' + bytes(4000)):
    """objcopy as systemd-stub(7) shows: the stub with each file added as a section at its own
    address past the stub's."""
    if not os.path.exists(stub):
        pytest.skip('%s missing (apt-get install systemd-boot-efi; scripts/install-deps.sh)'
                    % stub)
    if not shutil.which('objcopy'):
        pytest.skip('objcopy missing (binutils)')
    parts = [('.cmdline', cmdline.encode()), ('.ucode', ucode),
             ('.linux', open(m.kernel, 'rb').read()), ('.initrd', initrd)]
    args, vma = [], 0x100000
    for name, data in parts:
        if data is None:
            continue
        f = m.write('uki-parts/' + name[1:], data)
        args += ['--add-section', '%s=%s' % (name, f), '--change-section-vma',
                 '%s=0x%x' % (name, vma)]
        vma = (vma + len(data) + 0xffff) & ~0xffff
    subprocess.run(['objcopy'] + args + [stub, path], check=True)
    return path


@pytest.fixture
def uki(machine):
    machine.uki = make_uki(machine, os.path.join(machine.root, 'boot', 'uki.efi'))
    return machine


def plan(run, m, *args):
    p = run(m, '--dry-run', '--json', '-l', m.uki, *args)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_types_list_uki(run, machine):
    p = run(machine, '-t', 'help')
    assert p.returncode == 0 and '\n  uki\n' in p.stdout


def test_dry_run_shows_sections_and_the_embedded_line(run, uki):
    p = run(uki, '--dry-run', '-l', uki.uki)
    assert p.returncode == 0, p.stderr
    assert '(UKI: .linux boot protocol 2.15, .ucode, .initrd, .cmdline, 64-bit entry)' in p.stdout
    assert 'command line: "%s"' % EMBEDDED in p.stdout
    d = plan(run, uki)
    assert d['protocol'] == '2.15'
    assert d['uki_sections'] == [
        {'section': '.linux', 'bytes': os.path.getsize(uki.kernel), 'as': 'kernel'},
        {'section': '.ucode', 'bytes': 256, 'as': 'initrd'},
        {'section': '.initrd', 'bytes': 4006, 'as': 'initrd'},
        {'section': '.cmdline', 'bytes': len(EMBEDDED) + 1, 'as': 'cmdline'}]
    assert d['cmdline'] == EMBEDDED


def test_initrd_pieces_are_back_to_back(run, uki):
    d = plan(run, uki, '--initrd=' + uki.initrd)
    segs = {s['name']: s for s in d['segments']}
    order = [s['name'] for s in d['segments']]
    assert order[:4] == ['kernel', '.ucode', '.initrd', 'initrd'], order
    assert segs['.ucode']['bufsz'] == 256 and segs['.initrd']['bufsz'] == 4006
    assert segs['initrd']['bufsz'] == os.path.getsize(uki.initrd)
    assert segs['.ucode']['mem'] + segs['.ucode']['memsz'] == segs['.initrd']['mem']
    assert segs['.initrd']['mem'] + segs['.initrd']['memsz'] == segs['initrd']['mem']


@pytest.mark.parametrize('args,line', [
    ((), EMBEDDED),
    (('--append=quiet', '--append=x=1'), EMBEDDED + ' quiet x=1'),
    (('--command-line=root=/dev/sda',), 'root=/dev/sda'),
    (('--append=quiet', '--command-line=root=/dev/sda'), 'root=/dev/sda'),
    (('--command-line=root=/dev/sda', '--append=quiet'), 'root=/dev/sda quiet'),
    (('--reuse-cmdline', '--append=x'), 'root=/dev/vda1 ro quiet x'),
])
def test_cmdline_section_is_the_default(run, uki, args, line):
    assert plan(run, uki, *args)['cmdline'] == line


def test_type_uki_and_what_is_not_one(run, uki):
    assert plan(run, uki, '-t', 'uki')['cmdline'] == EMBEDDED
    p = run(uki, '--dry-run', '-t', 'uki', '-l', uki.kernel)
    assert p.returncode == 1
    assert p.stderr == 'baton: pe: %s: not a PE/COFF image (no MZ header)\n' % uki.kernel
    p = run(uki, '--dry-run', '-t', 'bzImage', '-l', uki.uki)
    assert p.returncode == 1 and 'bzimage: %s: not a Linux kernel image' % uki.uki in p.stderr


def test_malformed_uki_is_one_line_and_nothing_loaded(run, uki):
    data = open(uki.uki, 'rb').read()
    # the file ends inside .initrd (the last piece: the stub's trailing symbols go too)
    cut = uki.write('boot/cut.efi', data[:data.rfind(b'070701') + 100])
    p = run(uki, '-l', cut)
    assert p.returncode == 1
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith('baton: pe: %s: section ' % cut), p.stderr
    assert '(.initrd)' in lines[0] and 'run past the end of the file' in lines[0], p.stderr
    assert not [s for s in p.syscalls if s.startswith('kexec')], p.syscalls


def test_kernel_stub_without_linux_is_not_a_uki(run, uki):
    p = run(uki, '--dry-run', '-t', 'uki', '-l', STUB)
    assert p.returncode == 1
    assert p.stderr == ('baton: uki: %s: a PE image without a .linux section is not a UKI\n'
                        % STUB)


def test_kexec_file_load_gets_the_embedded_kernel_and_line(run, uki):
    p = run(uki, '-s', '-l', uki.uki, '--append=x=1', '--initrd=' + uki.initrd)
    assert p.returncode == 0, p.stderr
    calls = [s for s in p.syscalls if s.startswith('kexec')]
    assert len(calls) == 1 and calls[0].startswith('kexec_file_load('), calls
    assert '"%s x=1\\0"' % EMBEDDED in calls[0], calls


def test_lockdown_falls_back_with_the_same_line(run, uki):
    p = run(uki, '-l', uki.uki, '--append=x=1', answers={'kexec_load': 'error=EPERM'})
    assert p.returncode == 0, p.stderr
    assert 'falling back to kexec_file_load' in p.stderr
    calls = [s for s in p.syscalls if s.startswith('kexec')]
    assert calls[0].startswith('kexec_load(') and calls[1].startswith('kexec_file_load('), calls
    assert '"%s x=1\\0"' % EMBEDDED in calls[1], calls


def test_unsigned_linux_is_named_when_the_kernel_refuses_it(run, uki):
    p = run(uki, '-s', '-l', uki.uki, answers={'kexec_file_load': 'error=EKEYREJECTED'})
    assert p.returncode == 1
    assert p.stderr == ("baton: kexec_file_load: %s (.linux): the kernel's signature check "
                        "refused it (unsigned, or signed with a key the running kernel does not "
                        "trust)\n" % uki.uki)


def test_dry_run_for_the_kernels_loader_says_what_it_gets(run, uki):
    p = run(uki, '--dry-run', '-s', '-l', uki.uki, '--initrd=' + uki.initrd, '--append=x')
    assert p.returncode == 0, p.stderr
    assert p.stdout == ('kexec_file_load: kernel %s (.linux), initrd its .ucode and .initrd then '
                        '%s, command line "%s x"\n' % (uki.uki, uki.initrd, EMBEDDED))


def test_uki_as_a_crash_kernel(run, crash_machine):
    m = crash_machine
    m.uki = make_uki(m, os.path.join(m.root, 'boot', 'uki.efi'))
    p = run(m, '--dry-run', '--json', '-p', m.uki)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    start, end = m.crash
    for s in d['segments']:
        assert start <= s['mem'] and s['mem'] + s['memsz'] <= end, s
    assert d['cmdline'].startswith(EMBEDDED + ' elfcorehdr=0x'), d['cmdline']


def test_initrd_pieces_that_do_not_fit_are_one_line(run, uki):
    big = os.path.join(uki.root, 'boot/big.img')
    with open(big, 'wb') as f:
        f.truncate(1 << 30)
    p = run(uki, '-l', uki.uki, '--initrd', big)
    assert p.returncode == 1
    assert p.stderr.startswith('baton: .ucode: %s: no free RAM for ' % uki.uki), p.stderr
    assert "KiB (the initrd's pieces together) in 0x" in p.stderr, p.stderr
    assert len(p.stderr.splitlines()) == 1, p.stderr
    assert not [s for s in p.syscalls if s.startswith('kexec')], p.syscalls
