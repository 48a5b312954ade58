# SPDX-License-Identifier: MIT
"""The Debian packages (debian/, `make deb`): what each of baton, libbaton0, libbaton-dev and
baton-kexec holds, and their control fields. Packages are only built and inspected
(dpkg-deb -c/-f/-x), never installed: baton-kexec would replace this machine's kexec."""

import glob
import os
import re
import shutil
import subprocess

import pytest

from conftest import REPO

MULTIARCH = 'usr/lib/x86_64-linux-gnu'


def makefile_version():
    with open(os.path.join(REPO, 'Makefile')) as f:
        return re.search(r'^VERSION\s*:?=\s*(\S+)', f.read(), re.M).group(1)


VERSION = makefile_version()


@pytest.fixture(scope='session')
def debs(tmp_path_factory):
    """make deb, once per session: {package name: path of its .deb}. Built in a directory of its
    own: $BUILD/deb holds the packages the Debian-system VM image was made from."""
    if not shutil.which('dpkg-buildpackage'):
        pytest.skip('dpkg-buildpackage is not installed (Debian package dpkg-dev)')
    build = str(tmp_path_factory.mktemp('deb-build'))
    env = dict(os.environ)
    for var in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL'):
        env.pop(var, None)
    p = subprocess.run(['make', 'deb', 'BUILD=' + build], cwd=REPO, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1200)
    assert p.returncode == 0, 'make deb failed:\n' + p.stdout[-6000:]
    found = {}
    for path in glob.glob(os.path.join(build, 'deb', '*.deb')):
        name = os.path.basename(path).split('_')[0]
        assert name not in found, (found[name], path)
        found[name] = path
    assert set(found) == {'baton', 'libbaton0', 'libbaton-dev', 'baton-kexec'}, found
    return found


def contents(deb):
    """{path: (mode string, link target or None)} of dpkg-deb -c, paths without './'."""
    out = subprocess.run(['dpkg-deb', '-c', deb], capture_output=True, text=True,
                         check=True).stdout
    files = {}
    for line in out.splitlines():
        mode, owner, _size, _date, _time, rest = line.split(None, 5)
        assert owner == 'root/root', line
        if mode.startswith('d'):
            continue
        path, _, target = rest.partition(' -> ')
        path = path[2:] if path.startswith('./') else path
        files[path] = (mode, target or None)
    return files


def field(deb, name):
    return subprocess.run(['dpkg-deb', '-f', deb, name], capture_output=True, text=True,
                          check=True).stdout.strip()


def relations(deb, name):
    return [r.strip() for r in field(deb, name).split(',') if r.strip()]


def extract(deb, into):
    subprocess.run(['dpkg-deb', '-x', deb, str(into)], check=True)
    return into


def own_files(files, package):
    """The files apart from the package's documentation (changelog, copyright)."""
    return {p for p in files if not p.startswith('usr/share/doc/' + package + '/')}


def test_baton(debs, tmp_path):
    deb = debs['baton']
    assert os.path.basename(deb) == 'baton_%s_amd64.deb' % VERSION
    assert field(deb, 'Version') == VERSION
    assert field(deb, 'Architecture') == 'amd64'
    files = contents(deb)
    assert own_files(files, 'baton') == {
        'usr/sbin/baton', 'usr/share/man/man8/baton.8.gz',
        'usr/share/bash-completion/completions/baton'}
    assert files['usr/sbin/baton'][0] == '-rwxr-xr-x'
    assert 'usr/share/doc/baton/copyright' in files
    depends = relations(deb, 'Depends')
    assert any(d.startswith('libc6 ') for d in depends), depends
    # libxenctrl is dlopened in Xen's dom0 only: suggested, never required.
    assert not [d for d in depends if 'xen' in d], depends
    assert [s for s in relations(deb, 'Suggests') if s.startswith('libxenmisc')]

    root = extract(deb, tmp_path)
    if 'libbaton0' in debs:
        extract(debs['libbaton0'], tmp_path)
    env = dict(os.environ, LD_LIBRARY_PATH=str(tmp_path / MULTIARCH))
    p = subprocess.run([str(root / 'usr/sbin/baton'), '--version'], env=env,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and p.stdout == 'baton %s\n' % VERSION, (p.stdout, p.stderr)
    with open(root / 'usr/share/bash-completion/completions/baton') as f, \
            open(os.path.join(REPO, 'completion', 'baton.bash')) as g:
        assert f.read() == g.read()
    man = subprocess.run(['gzip', '-dc', str(root / 'usr/share/man/man8/baton.8.gz')],
                         capture_output=True, text=True, check=True).stdout
    with open(os.path.join(REPO, 'docs', 'baton.8')) as g:
        assert man == g.read()


def test_libbaton0(debs, tmp_path):
    deb = debs['libbaton0']
    assert field(deb, 'Section') == 'libs'
    assert field(deb, 'Multi-Arch') == 'same'
    files = contents(deb)
    real = '%s/libbaton.so.%s' % (MULTIARCH, VERSION)
    assert own_files(files, 'libbaton0') == {real, MULTIARCH + '/libbaton.so.0'}
    assert files[MULTIARCH + '/libbaton.so.0'][1] == 'libbaton.so.%s' % VERSION
    assert files[real][0].startswith('-') and files[real][1] is None
    extract(deb, tmp_path)
    dyn = subprocess.run(['readelf', '-d', str(tmp_path / real)], capture_output=True,
                         text=True, check=True).stdout
    assert re.search(r'\(SONAME\)\s+Library soname: \[libbaton\.so\.0\]', dyn), dyn
    shlibs = subprocess.run(['dpkg-deb', '-I', deb, 'shlibs'], capture_output=True, text=True,
                            check=True).stdout
    assert re.match(r'libbaton 0 libbaton0 \(>= %s\)' % re.escape(VERSION), shlibs), shlibs


def test_libbaton_dev(debs, tmp_path):
    deb = debs['libbaton-dev']
    files = contents(deb)
    assert own_files(files, 'libbaton-dev') == {
        'usr/include/baton/baton.h',
        MULTIARCH + '/libbaton.so', MULTIARCH + '/libbaton.a', MULTIARCH + '/pkgconfig/baton.pc'}
    assert files[MULTIARCH + '/libbaton.so'][1] in ('libbaton.so.0', 'libbaton.so.' + VERSION)
    assert 'libbaton0 (= %s)' % VERSION in relations(deb, 'Depends')
    extract(deb, tmp_path)
    with open(tmp_path / MULTIARCH / 'pkgconfig' / 'baton.pc') as f:
        pc = f.read()
    assert re.search(r'^Version: %s$' % re.escape(VERSION), pc, re.M), pc
    assert re.search(r'^Libs:.*-lbaton', pc, re.M), pc
    assert '/usr/lib/x86_64-linux-gnu' in pc, pc
    ar = subprocess.run(['ar', 't', str(tmp_path / MULTIARCH / 'libbaton.a')],
                        capture_output=True, text=True, check=True).stdout.split()
    assert ar, 'libbaton.a is empty'


def test_baton_kexec(debs):
    deb = debs['baton-kexec']
    assert os.path.basename(deb) == 'baton-kexec_%s_all.deb' % VERSION
    assert field(deb, 'Architecture') == 'all'
    for name in ('Provides', 'Conflicts', 'Replaces'):
        assert relations(deb, name) == ['kexec-tools'], (name, field(deb, name))
    assert 'baton (= %s)' % VERSION in relations(deb, 'Depends')
    files = contents(deb)
    assert own_files(files, 'baton-kexec') == {
        'usr/sbin/kexec', 'usr/share/man/man8/kexec.8.gz',
        'usr/share/bash-completion/completions/kexec',
        'usr/sbin/vmcore-dmesg', 'usr/share/man/man8/vmcore-dmesg.8.gz',
        'usr/share/bash-completion/completions/vmcore-dmesg'}
    assert files['usr/sbin/kexec'] == ('lrwxrwxrwx', 'baton')
    assert files['usr/sbin/vmcore-dmesg'] == ('lrwxrwxrwx', 'baton')
    assert files['usr/share/man/man8/vmcore-dmesg.8.gz'] == ('lrwxrwxrwx', 'baton.8.gz')
    assert files['usr/share/bash-completion/completions/vmcore-dmesg'] == ('lrwxrwxrwx', 'baton')
    assert files['usr/share/man/man8/kexec.8.gz'] == ('lrwxrwxrwx', 'baton.8.gz')
    assert files['usr/share/bash-completion/completions/kexec'] == ('lrwxrwxrwx', 'baton')
