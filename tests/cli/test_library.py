# SPDX-License-Identifier: MIT
"""The installed library: make install into a staging root, then the example program built
against it through pkg-config plans a load (nothing is loaded: the library is only asked to plan)."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import REPO, build_dir

MULTIARCH = 'usr/lib/x86_64-linux-gnu'


@pytest.fixture(scope='module')
def staged(tmp_path_factory):
    dest = str(tmp_path_factory.mktemp('destdir'))
    r = subprocess.run(['make', '-s', 'install', 'BUILD=' + build_dir(), 'DESTDIR=' + dest,
                        'PREFIX=/usr', 'LIBDIR=/' + MULTIARCH, 'KEXEC_LINK=1'],
                       cwd=REPO, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return dest


def test_install_layout(staged):
    for rel in ('usr/sbin/baton', MULTIARCH + '/libbaton.so.0.1.0', MULTIARCH + '/libbaton.a',
                MULTIARCH + '/pkgconfig/baton.pc', 'usr/include/baton/baton.h',
                'usr/share/man/man8/baton.8', 'usr/share/bash-completion/completions/baton'):
        assert os.path.isfile(os.path.join(staged, rel)), rel
    # The loader <-> purgatory ABI is private: only the public API's header is installed.
    assert os.listdir(os.path.join(staged, 'usr/include/baton')) == ['baton.h']
    assert os.readlink(os.path.join(staged, 'usr/sbin/kexec')) == 'baton'
    assert os.readlink(os.path.join(staged, MULTIARCH, 'libbaton.so.0')) == 'libbaton.so.0.1.0'
    assert os.readlink(os.path.join(staged, MULTIARCH, 'libbaton.so')) == 'libbaton.so.0'
    r = subprocess.run([os.path.join(staged, 'usr/sbin/kexec'), '--version'],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith('kexec (baton) '), r.stdout
    assert os.readlink(os.path.join(staged, 'usr/sbin/vmcore-dmesg')) == 'baton'
    assert os.readlink(os.path.join(staged, 'usr/share/man/man8/vmcore-dmesg.8')) == 'baton.8'
    r = subprocess.run([os.path.join(staged, 'usr/sbin/vmcore-dmesg'), '--version'],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith('vmcore-dmesg (baton) '), r.stdout


def test_shared_library_exports_exactly_the_public_api(staged):
    with open(os.path.join(staged, 'usr/include/baton/baton.h')) as f:
        declared = set(re.findall(
            r'^(?:int|void|const char \*|const struct \w+ \*)\s*(baton_\w+)\(', f.read(), re.M))
    out = subprocess.run(['nm', '-D', '--defined-only',
                          os.path.join(staged, MULTIARCH, 'libbaton.so.0.1.0')],
                         capture_output=True, text=True, check=True).stdout
    exported = {l.split()[-1].split('@')[0] for l in out.splitlines() if ' T ' in l}
    assert declared and exported == declared
    soname = subprocess.run(['readelf', '-d', os.path.join(staged, MULTIARCH, 'libbaton.so.0.1.0')],
                            capture_output=True, text=True, check=True).stdout
    assert '[libbaton.so.0]' in soname


@pytest.fixture(scope='module')
def example(staged, tmp_path_factory):
    if not shutil.which('pkg-config'):
        pytest.skip('pkg-config is not installed')
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(staged, MULTIARCH, 'pkgconfig'),
               PKG_CONFIG_SYSROOT_DIR=staged)
    flags = subprocess.run(['pkg-config', '--cflags', '--libs', 'baton'], env=env,
                           capture_output=True, text=True, check=True).stdout.split()
    assert '-lbaton' in flags and any(f.startswith('-I' + staged) for f in flags), flags
    exe = str(tmp_path_factory.mktemp('example') / 'plan-kernel')
    subprocess.run(['cc', '-std=c11', '-Wall', '-Werror', '-o', exe,
                    os.path.join(REPO, 'examples', 'plan-kernel.c')] + flags, check=True)
    return exe, dict(os.environ, LD_LIBRARY_PATH=os.path.join(staged, MULTIARCH))


def test_example_plans_what_baton_would_load(example, machine, baton):
    exe, env = example
    env = dict(env, BATON_ROOT=machine.root)
    r = subprocess.run([exe, machine.kernel, machine.initrd, 'console=ttyS0'], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    ldd = subprocess.run(['ldd', exe], env=env, capture_output=True, text=True).stdout
    assert 'libbaton.so.0 => ' + env['LD_LIBRARY_PATH'] in ldd, ldd
    got = dict(re.findall(r'^segment (\S+)\s+at (0x[0-9a-f]+)', r.stdout, re.M))
    assert {'kernel', 'initrd', 'boot_params', 'purgatory'} <= set(got), r.stdout
    # The same plan as the CLI's dry run on the same machine (both are deterministic).
    dry = subprocess.run([baton, '--dry-run', '-l', machine.kernel, '--initrd=' + machine.initrd,
                          '--command-line=console=ttyS0', '--debug'],
                         env=env, capture_output=True, text=True, check=True)
    text = dry.stdout + dry.stderr
    for name, addr in got.items():
        assert re.search(r'\b%s\b.*0x0*%s' % (re.escape(name), addr[2:]), text), (name, addr)
    assert 'command line: "console=ttyS0"' in r.stdout


def test_example_reports_a_bad_kernel_in_one_line(example, machine):
    exe, env = example
    r = subprocess.run([exe, machine.root + '/missing'], env=dict(env, BATON_ROOT=machine.root),
                       capture_output=True, text=True)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and 'missing' in lines[0], r.stderr
