"""Fixtures for the VM tests: assets built once per session, one Console per test, transcripts kept.

Environment:
  BATON_BUILD          build directory (default: build, relative to the repository)
  BATON_SKIP_ASSETS=1  do not run scripts/assets.sh (the caller already did)
"""

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


@pytest.fixture(scope='session')
def assets(build):
    """The asset directory; scripts/assets.sh runs once per session unless told not to."""
    if os.environ.get('BATON_SKIP_ASSETS') != '1':
        r = subprocess.run([os.path.join(REPO, 'scripts', 'assets.sh'), build],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            pytest.fail('scripts/assets.sh failed:\n' + r.stdout)
    path = os.path.join(build, 'assets')
    for name in ('vmlinuz', 'host-initrd.img', 'target-initrd.img', 'payload.sha256'):
        if not os.path.exists(os.path.join(path, name)):
            pytest.skip('asset %s missing (run scripts/assets.sh)' % name)
    return path


@pytest.fixture(scope='session')
def expected_sha256(assets):
    with open(os.path.join(assets, 'payload.sha256')) as f:
        return f.read().strip()


@pytest.fixture(scope='session')
def baton_static(build, assets):
    """(state, why, path) for $BUILD/baton-static: 'skip' if not built, 'fail' if the host initrd
    holds an older one (rerun scripts/assets.sh), else 'ok'. Checked once per session."""
    binary = os.path.join(build, 'baton-static')
    if not os.path.exists(binary):
        return 'skip', '%s not built' % binary, binary
    initrd = os.path.join(assets, 'host-initrd.img')
    if (not os.path.exists(os.path.join(assets, 'host-initrd.has-baton'))
            or os.path.getmtime(initrd) < os.path.getmtime(binary)):
        return 'fail', 'host-initrd.img lacks the current baton-static: rerun scripts/assets.sh', binary
    return 'ok', '', binary


def _log_name(nodeid):
    name = nodeid.split('::')[-1]
    return re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-') + '.log'


@pytest.fixture
def console(request, build, assets):
    """A factory: console(mem=1024, cpu='max', append='') boots a machine and returns its Console.

    Every machine is killed at teardown; transcripts go to $BUILD/vm-logs/<test>.log.
    """
    made = []
    request.node.baton_consoles = made

    def make(**opts):
        name = _log_name(request.node.nodeid)
        if made:
            name = name[:-4] + '-%d.log' % len(made)
        c = Console(assets, os.path.join(build, 'vm-logs', name), **opts)
        made.append(c)
        return c.start()

    yield make
    for c in made:
        c.close()


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
    for name in XEN_ASSETS:
        if not os.path.exists(os.path.join(assets, name)):
            pytest.skip('asset %s missing (run scripts/assets.sh; BATON_XEN_ASSETS=0 skips it)'
                        % name)
    return assets


@pytest.fixture
def xen_console(request, build, xen_assets):
    """A factory: xen_console(mem=2048, append=XEN_DEFAULT_APPEND, dom0_append=...) boots Xen and
    dom0 and returns its XenConsole at dom0's prompt. Killed at teardown; transcripts as for
    console."""
    from console import XenConsole
    made = []
    request.node.baton_consoles = made

    def make(**opts):
        name = _log_name(request.node.nodeid)
        if made:
            name = name[:-4] + '-%d.log' % len(made)
        c = XenConsole(xen_assets, os.path.join(build, 'vm-logs', name), **opts)
        made.append(c)
        return c.start()

    yield make
    for c in made:
        c.close()


# --- UEFI (tests/vm/test_efi.py) ------------------------------------------------------------
EFI_ASSETS = ('efi-host-initrd.img', 'target-efi-initrd.img')


@pytest.fixture(scope='session')
def efi_assets(assets):
    """The asset directory, with the UEFI initrds (scripts/assets.sh efi_assets) and OVMF."""
    from console import OVMF_CODE, OVMF_VARS
    for path in (OVMF_CODE, OVMF_VARS):
        if not os.path.exists(path):
            pytest.skip('%s missing (apt-get install ovmf)' % path)
    for name in EFI_ASSETS:
        if not os.path.exists(os.path.join(assets, name)):
            pytest.skip('asset %s missing (run scripts/assets.sh; BATON_EFI_ASSETS=0 skips it)'
                        % name)
    return assets


@pytest.fixture
def efi_console(request, build, efi_assets):
    """A factory: efi_console(mem=1024, append='') boots the cloud kernel under OVMF (its EFI stub)
    with efi-host-initrd.img and returns its EfiConsole at the prompt. Killed at teardown (the
    copy of the variable store goes with it); transcripts as for console."""
    from console import EfiConsole
    made = []
    request.node.baton_consoles = made

    def make(**opts):
        name = _log_name(request.node.nodeid)
        if made:
            name = name[:-4] + '-%d.log' % len(made)
        opts.setdefault('initrd', os.path.join(efi_assets, 'efi-host-initrd.img'))
        c = EfiConsole(efi_assets, os.path.join(build, 'vm-logs', name), **opts)
        made.append(c)
        return c.start()

    yield make
    for c in made:
        c.close()


# --- State (tests/vm/test_state.py) -----------------------------------------------------------
STATE_ASSETS = ('state-host-initrd.img', 'state-target-initrd.img', 'state-modules/order')


@pytest.fixture(scope='session')
def state_assets(assets):
    """The asset directory, with the virtio-disk initrds (scripts/assets.sh state_initrd)."""
    for name in STATE_ASSETS:
        if not os.path.exists(os.path.join(assets, name)):
            pytest.skip('asset %s missing (run scripts/assets.sh; BATON_STATE_ASSETS=0 skips it)'
                        % name)
    return assets


# --- Secure Boot (tests/vm/test_secureboot.py) ----------------------------------------------
SB_ASSETS = ('sb/esp.img', 'sb/initrd.img', 'sb/vmlinuz-unsigned')


@pytest.fixture(scope='session')
def sb_assets(assets):
    """The asset directory, with the Secure Boot ESP (scripts/assets.sh secureboot_assets) and
    the secboot OVMF with Microsoft's keys."""
    from console import OVMF_CODE_SECBOOT, OVMF_VARS_MS
    for path in (OVMF_CODE_SECBOOT, OVMF_VARS_MS):
        if not os.path.exists(path):
            pytest.skip('%s missing (apt-get install ovmf)' % path)
    for name in SB_ASSETS:
        if not os.path.exists(os.path.join(assets, name)):
            pytest.skip('asset %s missing (run scripts/assets.sh with mtools, dosfstools and '
                        'sbsigntool; BATON_SB_ASSETS=0 skips it)' % name)
    return assets


@pytest.fixture
def sb_console(request, build, sb_assets):
    """A factory: sb_console(mem=1024) boots shim -> grub -> the signed kernel under Secure Boot
    and returns its SecureBootConsole at the prompt. Killed at teardown; transcripts as for
    console."""
    from console import SecureBootConsole
    made = []
    request.node.baton_consoles = made

    def make(ready_timeout=240, **opts):
        name = _log_name(request.node.nodeid)
        if made:
            name = name[:-4] + '-%d.log' % len(made)
        c = SecureBootConsole(sb_assets, os.path.join(build, 'vm-logs', name), **opts)
        made.append(c)
        return c.start(ready_timeout)

    yield make
    for c in made:
        c.close()


# --- Debian system image (tests/vm/test_debian.py) ------------------------------------------
DEBIAN_ASSETS = ('debian-vmlinuz', 'debian-initrd.img', 'debian.release', 'debian-kexec-tools.img')
DEBIAN_MISSING_TOOL = 77     # scripts/debian-image.sh: a tool (or root) this machine lacks


@pytest.fixture(scope='session')
def debian_assets(build):
    """The asset directory, with the Debian system images of scripts/debian-image.sh (run once per
    session unless BATON_SKIP_ASSETS=1): debian-kexec-tools.img always, debian.img (baton as
    /sbin/kexec) when $BUILD/deb holds baton's packages."""
    script = os.path.join(REPO, 'scripts', 'debian-image.sh')
    if os.environ.get('BATON_SKIP_ASSETS') != '1':
        r = subprocess.run([script, build], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        if r.returncode == DEBIAN_MISSING_TOOL:
            pytest.skip('Debian image not built: ' + r.stdout.strip().splitlines()[-1])
        if r.returncode != 0:
            pytest.fail('scripts/debian-image.sh failed:\n' + r.stdout)
    path = os.path.join(build, 'assets')
    for name in DEBIAN_ASSETS:
        if not os.path.exists(os.path.join(path, name)):
            pytest.skip('asset %s missing (run scripts/assets.sh; BATON_DEBIAN_ASSETS=0 skips '
                        'it)' % name)
    return path
