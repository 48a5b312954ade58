# SPDX-License-Identifier: MIT
"""Fixtures for the VM tests: assets built once per session, one Console per test, transcripts kept.

Environment:
  BATON_BUILD          build directory (default: build, relative to the repository)
  BATON_SKIP_ASSETS=1  do not run scripts/assets.sh (the caller already did)
"""

import hashlib
import os
import re
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console import Console  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def build_dir():
    return os.path.abspath(os.path.join(REPO, os.environ.get('BATON_BUILD', 'build')))


@pytest.fixture(scope='session')
def build():
    return build_dir()


def require(base, names, hint, what='asset '):
    """Skips the test unless every one of names exists under base, saying how to get it."""
    for name in names:
        if not os.path.exists(os.path.join(base, name)):
            pytest.skip('%s%s missing (%s)' % (what, name, hint))


@pytest.fixture(scope='session')
def assets(build):
    """The asset directory; scripts/assets.sh runs once per session unless told not to."""
    if os.environ.get('BATON_SKIP_ASSETS') != '1':
        r = subprocess.run([os.path.join(REPO, 'scripts', 'assets.sh'), build],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            pytest.fail('scripts/assets.sh failed:\n' + r.stdout)
    path = os.path.join(build, 'assets')
    require(path, ('vmlinuz', 'host-initrd.img', 'target-initrd.img', 'payload.sha256'),
            'run scripts/assets.sh')
    return path


@pytest.fixture(scope='session')
def expected_sha256(assets):
    with open(os.path.join(assets, 'payload.sha256')) as f:
        return f.read().strip()


def baton_state(build, image):
    """(state, why, path) for $BUILD/baton-static in image (an initrd under assets): 'skip' if it
    is not built, 'fail' if image holds another one or none (rerun scripts/assets.sh), else 'ok'.
    tests/vm/assets.mk writes the sha256 of the baton it packs into <image>.has-baton."""
    binary = os.path.join(build, 'baton-static')
    if not os.path.exists(binary):
        return 'skip', '%s not built' % binary, binary
    try:
        with open(os.path.splitext(image)[0] + '.has-baton') as f:
            packed = f.read().strip()
    except FileNotFoundError:
        packed = None
    with open(binary, 'rb') as f:
        current = hashlib.sha256(f.read()).hexdigest()
    if packed != current:
        return ('fail', '%s lacks the current baton-static: rerun scripts/assets.sh'
                % os.path.basename(image), binary)
    return 'ok', '', binary


def need_baton(state):
    """Skips or fails the test as a baton_state result says; returns the binary's path."""
    verdict, why, binary = state
    if verdict == 'skip':
        pytest.skip(why)
    if verdict == 'fail':
        pytest.fail(why)
    return binary


@pytest.fixture(scope='session')
def baton_static(build, assets):
    """baton_state for host-initrd.img, checked once per session: a baton-static rebuilt during
    the session does not spoil the run."""
    return baton_state(build, os.path.join(assets, 'host-initrd.img'))


def _log_name(nodeid):
    name = nodeid.split('::')[-1]
    return re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-') + '.log'


def consoles(request, build, cls, assets, ready_timeout=None, **defaults):
    """The body of a console factory fixture: yields make(**opts), which boots a cls machine
    (defaults, then opts) and returns it at its prompt within ready_timeout (None: the class's). Every machine
    is killed at teardown; transcripts go to $BUILD/vm-logs/<test>[-N].log and are attached to a
    failed test's report."""
    made = []
    request.node.baton_consoles = made

    def make(ready_timeout=ready_timeout, **opts):
        name = _log_name(request.node.nodeid)
        if made:
            name = name[:-4] + '-%d.log' % len(made)
        c = cls(assets, os.path.join(build, 'vm-logs', name), **dict(defaults, **opts))
        made.append(c)
        return c.start() if ready_timeout is None else c.start(ready_timeout)

    yield make
    for c in made:
        c.close()


@pytest.fixture
def console(request, build, assets):
    """A factory: console(mem=1024, cpu='max', append='') boots a machine and returns its Console."""
    yield from consoles(request, build, Console, assets)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when != 'call' or not rep.failed:
        return
    for c in getattr(item, 'baton_consoles', []):
        rep.sections.append(('console transcript (%s)' % c.log_path, c.transcript))


# --- Xen (tests/vm/test_xen.py) -------------------------------------------------------------
XEN_ASSETS = ('xen', 'xen-dom0-vmlinuz', 'xen-dom0-initrd.img')


@pytest.fixture(scope='session')
def xen_assets(assets):
    """The asset directory, with Xen, dom0's kernel and dom0's initrd (scripts/assets.sh)."""
    require(assets, XEN_ASSETS, 'run scripts/assets.sh; BATON_XEN_ASSETS=0 skips it')
    return assets


@pytest.fixture
def xen_console(request, build, xen_assets):
    """A factory: xen_console(mem=2048, append=XEN_DEFAULT_APPEND, dom0_append=...) boots Xen and
    dom0 and returns its XenConsole at dom0's prompt. Killed at teardown; transcripts as for
    console."""
    from console import XenConsole
    yield from consoles(request, build, XenConsole, xen_assets)


# --- UEFI (tests/vm/test_efi.py) ------------------------------------------------------------
EFI_ASSETS = ('efi-host-initrd.img', 'target-efi-initrd.img')


@pytest.fixture(scope='session')
def efi_assets(assets):
    """The asset directory, with the UEFI initrds (tests/vm/assets.mk) and OVMF."""
    from console import OVMF_CODE, OVMF_VARS
    require('/', (OVMF_CODE, OVMF_VARS), 'apt-get install ovmf', what='')
    require(assets, EFI_ASSETS, 'run scripts/assets.sh; BATON_EFI_ASSETS=0 skips it')
    return assets


@pytest.fixture
def efi_console(request, build, efi_assets):
    """A factory: efi_console(mem=1024, append='') boots the cloud kernel under OVMF (its EFI stub)
    with efi-host-initrd.img and returns its EfiConsole at the prompt. Killed at teardown (the
    copy of the variable store goes with it); transcripts as for console."""
    from console import EfiConsole
    yield from consoles(request, build, EfiConsole, efi_assets,
                        initrd=os.path.join(efi_assets, 'efi-host-initrd.img'))


# --- State (tests/vm/test_state.py) -----------------------------------------------------------
STATE_ASSETS = ('state-host-initrd.img', 'state-target-initrd.img', 'state-modules/order')


@pytest.fixture(scope='session')
def state_assets(assets):
    """The asset directory, with the virtio-disk initrds (tests/vm/assets.mk)."""
    require(assets, STATE_ASSETS, 'run scripts/assets.sh; BATON_STATE_ASSETS=0 skips it')
    return assets


# --- Secure Boot (tests/vm/test_secureboot.py) ----------------------------------------------
SB_ASSETS = ('sb/esp.img', 'sb/initrd.img', 'sb/vmlinuz-unsigned')


@pytest.fixture(scope='session')
def sb_assets(assets):
    """The asset directory, with the Secure Boot ESP (tests/vm/assets.mk) and
    the secboot OVMF with Microsoft's keys."""
    from console import OVMF_CODE_SECBOOT, OVMF_VARS_MS
    require('/', (OVMF_CODE_SECBOOT, OVMF_VARS_MS), 'apt-get install ovmf', what='')
    require(assets, SB_ASSETS, 'run scripts/assets.sh with mtools, dosfstools and sbsigntool; '
            'BATON_SB_ASSETS=0 skips it')
    return assets


@pytest.fixture
def sb_console(request, build, sb_assets):
    """A factory: sb_console(mem=1024) boots shim -> grub -> the signed kernel under Secure Boot
    and returns its SecureBootConsole at the prompt. Killed at teardown; transcripts as for
    console."""
    from console import SecureBootConsole
    yield from consoles(request, build, SecureBootConsole, sb_assets, ready_timeout=240)


# --- Debian system image (tests/vm/test_debian.py) ------------------------------------------
DEBIAN_ASSETS = ('debian-vmlinuz', 'debian-initrd.img', 'debian.release', 'debian-kexec-tools.img')


@pytest.fixture(scope='session')
def debian_assets(assets):
    """The asset directory, with the Debian system images (scripts/assets.sh runs
    scripts/debian-image.sh): debian-kexec-tools.img always, debian.img (baton as /sbin/kexec)
    when $BUILD/deb holds baton's packages."""
    require(assets, DEBIAN_ASSETS, 'run scripts/assets.sh; BATON_DEBIAN_ASSETS=0 skips it, and '
            'it is not built where debootstrap or root is missing')
    return assets


# --- machines reached from outside (tests/vm/test_corrupt.py, test_traps.py) ---------------
@pytest.fixture
def baton(assets, baton_static):
    """The baton-static the host initrd carries (skips or fails as baton_static says)."""
    return need_baton(baton_static)


@pytest.fixture
def crash_assets(assets):
    """The asset directory, with the capture initrd inside the host initrd."""
    img = os.path.join(assets, 'capture-initrd.img')
    if not os.path.exists(img):
        pytest.skip('asset capture-initrd.img missing (run scripts/assets.sh)')
    if os.path.getmtime(os.path.join(assets, 'host-initrd.img')) < os.path.getmtime(img):
        pytest.fail('host-initrd.img lacks the current capture-initrd.img: rerun scripts/assets.sh')
    return assets


@pytest.fixture
def machine(request, console, build):
    """A factory: machine(factory=console, **opts) boots a Machine (tests/vm/machine.py: gdbstub,
    QMP, QEMU debug log) through the given console fixture (xen_console for Xen); closed at
    teardown, after which the console fixture kills QEMU."""
    from machine import Machine
    made = []

    def make(factory=None, **opts):
        m = Machine(factory or console, build, request, **opts)
        made.append(m)
        return m

    yield make
    for m in made:
        m.close()
