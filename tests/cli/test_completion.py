# SPDX-License-Identifier: MIT
"""Bash completion (completion/baton.bash): every option of the CLI is offered, file names for
KERNEL and --initrd/--ramdisk, nothing after --help or --version."""

import os
import re
import shlex
import subprocess

import pytest

from conftest import REPO

SCRIPT = os.path.join(REPO, 'completion', 'baton.bash')
BASH_COMPLETION = '/usr/share/bash-completion/bash_completion'


def complete(words, cwd=None, bash_completion=False, command='baton'):
    """COMPREPLY of _baton for the command line `words` (the last one is completed, '' for a
    new word), as bash would call it."""
    words = [command] + list(words)
    script = ''
    if bash_completion:
        script += '. %s\n' % shlex.quote(BASH_COMPLETION)
    script += ('. %s\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\nCOMP_LINE=%s\nCOMP_POINT=${#COMP_LINE}\n'
               '_baton %s\nprintf "%%s\\n" "${COMPREPLY[@]}"\n') % (
        shlex.quote(SCRIPT), ' '.join(shlex.quote(w) for w in words), len(words) - 1,
        shlex.quote(' '.join(words)), command)
    p = subprocess.run(['bash', '--norc', '--noprofile', '-c', script], cwd=cwd,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert not p.stderr, p.stderr
    return [l for l in p.stdout.split('\n') if l]


def help_options(baton):
    text = subprocess.run([baton, '--help'], capture_output=True, text=True, check=True).stdout
    longs = set(re.findall(r'(?<![\w-])(--[a-z0-9][a-z0-9-]*=?)', text))
    shorts = set(re.findall(r'^\s+(-[a-zA-Z]),', text, re.M))
    return longs, shorts


def table_options():
    """The long options of cli/options.c's getopt table and the short ones of its optstring."""
    with open(os.path.join(REPO, 'cli', 'options.c')) as f:
        src = f.read()
    longs = set()
    for name, arg, val in re.findall(r'\{\s*"([a-z0-9-]+)",\s*(\w+),\s*\w+,\s*([^\s}]+)', src):
        # kexec-tools options that baton refuses by name are not offered.
        if val not in ('OPT_UNSUPPORTED', 'OPT_KEXEC_JUMP'):
            longs.add('--' + name + ('=' if arg == 'required_argument' else ''))
    optstring = re.search(r'getopt_long\([^"]*"([^"]+)"', src).group(1)
    shorts = {'-' + c for c in optstring if c.isalnum()}
    return longs, shorts


def test_every_help_option_is_offered(baton):
    longs, shorts = help_options(baton)
    assert len(longs) > 20 and len(shorts) > 8
    offered = set(complete(['--']))
    for opt in longs:
        # --help shows "--initrd=FILE": offered as "--initrd=" (so is its alias "--ramdisk").
        assert opt in offered or opt + '=' in offered, \
            '%s is in baton --help but not offered by completion/baton.bash' % opt
    offered = set(complete(['-']))
    for opt in shorts | longs:
        assert opt in offered or opt + '=' in offered, \
            '%s is in baton --help but not offered by completion/baton.bash' % opt


def test_offers_exactly_the_option_table():
    longs, shorts = table_options()
    assert set(complete(['--'])) == longs
    assert set(complete(['-'])) == longs | shorts


def test_prefix_and_arguments():
    assert complete(['--in']) == ['--initrd=']
    assert complete(['--dry']) == ['--dry-run']
    assert set(complete(['--kexec-s'])) == {'--kexec-syscall', '--kexec-syscall-auto'}
    assert complete(['--serial-baud', '=', '96']) == ['9600']
    assert complete(['--command-line', '=', '']) == []
    assert complete(['--append', '']) == []
    assert complete(['-t', 'bz']) == ['bzImage', 'bzImage64']
    assert complete(['--type', '=', 'bzImage6']) == ['bzImage64']
    assert complete(['--type=bzImage6']) == ['--type=bzImage64']
    assert set(complete(['--mem-m'])) == {'--mem-min=', '--mem-max='}
    assert complete(['--load-pres']) == []
    assert complete(['-t', 'elf']) == ['elf-x86_64']
    assert complete(['--entry', '=', '']) == []
    assert set(complete(['--args-'])) == {'--args-linux', '--args-elf', '--args-none'}


@pytest.fixture
def tree(tmp_path):
    for rel in ('boot/vmlinuz-6.1', 'boot/initrd.img-6.1', 'boot/with space', 'other'):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b'')
    return tmp_path


FILES = {'boot/vmlinuz-6.1', 'boot/initrd.img-6.1', 'boot/with space'}


@pytest.mark.parametrize('bash_completion', [False, True], ids=['plain', 'bash-completion'])
def test_file_completion(tree, bash_completion):
    if bash_completion and not os.path.exists(BASH_COMPLETION):
        pytest.skip('the bash-completion package is not installed')

    def files(words):
        return set(complete(words, cwd=str(tree), bash_completion=bash_completion))

    # KERNEL, as the first argument and after options.
    assert files(['boot/']) == FILES
    assert files(['-l', 'boot/v']) == {'boot/vmlinuz-6.1'}
    assert files(['--dry-run', '-l', '--initrd', '=', 'boot/initrd.img-6.1', 'boot/v']) == \
        {'boot/vmlinuz-6.1'}
    # --initrd=FILE as bash splits it at '=' (COMP_WORDBREAKS): "--initrd" "=" "FILE".
    assert files(['-l', '--initrd', '=', 'boot/i']) == {'boot/initrd.img-6.1'}
    assert files(['--ramdisk', '=', 'boot/']) == FILES
    assert 'boot' in files(['--initrd', '='])
    # --initrd FILE.
    assert files(['--initrd', 'boot/i']) == {'boot/initrd.img-6.1'}
    assert files(['--ramdisk', 'boot/v']) == {'boot/vmlinuz-6.1'}
    # One word "--initrd=FILE" (a COMP_WORDBREAKS without '='): the option stays in front.
    assert files(['--initrd=boot/i']) == {'--initrd=boot/initrd.img-6.1'}
    assert files(['--ramdisk=boot/with']) == {'--ramdisk=boot/with\\ space'}
    # One KERNEL only.
    assert files(['-l', 'boot/vmlinuz-6.1', 'boot/']) == set()
    assert files(['--initrd', 'boot/initrd.img-6.1', '-l', 'boot/vmlinuz-6.1', '']) == set()
    # --vmcore-dmesg's FILE, and vmcore-dmesg's one argument (no options there).
    assert files(['--vmcore-dmesg', 'boot/v']) == {'boot/vmlinuz-6.1'}
    assert set(complete(['boot/i'], cwd=str(tree), bash_completion=bash_completion,
                        command='vmcore-dmesg')) == {'boot/initrd.img-6.1'}
    assert complete(['--'], cwd=str(tree), command='vmcore-dmesg') == []
    assert complete(['boot/vmlinuz-6.1', 'boot/'], cwd=str(tree),
                    command='/usr/sbin/vmcore-dmesg') == []


@pytest.mark.parametrize('words', [['--help', ''], ['--help', '-'], ['--version', '--'],
                                   ['-h', ''], ['-v', '-'], ['-lh', '']])
def test_nothing_after_help_or_version(tree, words):
    assert complete(words, cwd=str(tree)) == []


def test_registered_for_baton_kexec_and_vmcore_dmesg():
    p = subprocess.run(['bash', '--norc', '--noprofile', '-c',
                        '. %s && complete -p baton kexec vmcore-dmesg' % shlex.quote(SCRIPT)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split('\n')[:3] == ['complete -F _baton baton', 'complete -F _baton kexec',
                                        'complete -F _baton vmcore-dmesg']
    assert complete(['--in'], command='kexec') == ['--initrd=']


def test_types_are_the_format_table(baton):
    """-t offers exactly the kernel types of the library's format table (`baton -t help`)."""
    text = subprocess.run([baton, '-t', 'help'], capture_output=True, text=True,
                          check=True).stdout
    names = set()
    for line in text.splitlines()[1:]:
        m = re.match(r'^\s+(\S+)(?: \(also (.*)\))?$', line)
        assert m, 'unexpected line in -t help: %r' % line
        names.add(m.group(1))
        if m.group(2):
            names.update(n.strip() for n in m.group(2).split(','))
    assert names and set(complete(['-t', ''])) == names
