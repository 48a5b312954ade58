# SPDX-License-Identifier: MIT
"""baton under UEFI Secure Boot: OVMF's secboot firmware with Microsoft's keys boots shim ->
grub -> the Debian-signed cloud kernel (tests/vm/assets.mk), which locks itself
down and trusts Debian's Secure Boot CA for kexec_file_load.

- lockdown is on; kexec_load is refused for baton -c and for kexec-tools' kexec -l. Note: with
  Debian's kernel under Secure Boot the refusal is EACCES, not EPERM: IMA's hook
  (security_kernel_load_data, "ima: impossible to appraise a kernel image without a file
  descriptor") runs before the lockdown check in kexec_load_check();
- baton -c fails with one line naming kexec_load and lockdown (or Secure Boot), nothing loaded;
- an unsigned kernel (the signed one with its PE signature removed by sbattach) is refused by
  kexec_file_load, with a message about the signature, for baton's default mode and -s (the
  kernel enforces the signature: "Enforced kernel signature verification failed (-61)", ENODATA);
- kexec-tools' kexec -s -l (kexec_file_load) loads the signed kernel, kexec -s -u unloads it;
- baton -u unloads an image that kexec_file_load put there;
- exec: baton's default mode falls back to kexec_file_load (said once on stderr) and kexec-tools
  -s both hand over to the signed kernel with exactly the requested command line.

The checks that do not exec share one boot (module-scoped machine, run in file order).
"""

import os
import re

import pytest

from conftest import baton_state, need_baton
from console import RE_TARGET_CMDLINE, RE_TARGET_DONE, RE_TARGET_EXPECTED, RE_TARGET_PAYLOAD

KERNEL = '/boot/vmlinuz'                    # the Debian-signed cloud kernel
UNSIGNED = '/boot/vmlinuz-unsigned'         # the same without its PE signature
INITRD = '/boot/initrd.img'                 # target-initrd.img
BATON = '/sbin/baton'
KEXEC = '/sbin/kexec'
ERR = '/tmp/err'

RE_LOCKDOWN = re.compile(r'\[(integrity|confidentiality)\]')
RE_FALLBACK = re.compile(r'falling back to kexec_file_load')
RE_WHY = re.compile(r'lockdown|secure ?boot', re.I)     # what a refusal of kexec_load must name
# the kernel's word on an unsigned image: enforced signature check (Debian under Secure Boot), or
# lockdown's when the signature check is not enforced
RE_KLOG_UNSIGNED = re.compile(r'Enforced kernel signature verification failed|'
                              r'kexec of unsigned images is restricted')
# kexec_load refused: EACCES from IMA's Secure Boot policy, EPERM from lockdown
RE_REFUSED = re.compile(r'Permission denied|Operation not permitted')

BOOT_TIMEOUT = 240
LOAD_TIMEOUT = 120
HANDOVER_TIMEOUT = 120


def load_cmd(binary, flags, kernel, cmdline):
    return '%s %s -l %s --initrd=%s --command-line="%s"' % (binary, flags, kernel, INITRD, cmdline)


def run_split(c, cmd, timeout=LOAD_TIMEOUT):
    """Runs cmd with stderr to a file; returns (stdout, stderr lines, exit status)."""
    out, rc = c.run_command_rc('%s 2>%s' % (cmd, ERR), timeout)
    err = c.run_command('cat %s' % ERR)
    return out, [ln for ln in err.splitlines() if ln.strip()], rc


def loaded(c):
    return c.run_command('cat /sys/kernel/kexec_loaded').strip()


def kernel_log(c, since_lines):
    return c.run_command('dmesg | tail -n +%d' % (since_lines + 1), 60)


def dmesg_lines(c):
    return int(c.run_command('dmesg | wc -l').strip())


@pytest.fixture(scope='module')
def baton_ok(build, sb_assets):
    need_baton(baton_state(build, os.path.join(sb_assets, 'sb', 'initrd.img')))
    return True


@pytest.fixture(scope='module')
def machine(build, sb_assets, baton_ok):
    """One Secure Boot machine for the checks that do not exec (they leave nothing loaded)."""
    from console import SecureBootConsole
    c = SecureBootConsole(sb_assets, os.path.join(build, 'vm-logs', 'secureboot-shared.log'))
    try:
        c.start(BOOT_TIMEOUT)
    except Exception:
        c.close()
        raise
    c.note('up after %.1f s' % c.elapsed())
    yield c
    c.close()


@pytest.fixture
def sb(request, machine):
    request.node.baton_consoles = [machine]
    assert loaded(machine) == '0', 'an earlier check left an image loaded'
    yield machine
    if loaded(machine) != '0':     # leave the shared machine clean for the next check
        machine.run_command('%s -s -u' % KEXEC, LOAD_TIMEOUT)


def test_secure_boot_and_lockdown(record_property, sb):
    from console import RE_SB_EFI_STUB, RE_SB_LOCKED
    record_property('boot-seconds', '%.1f' % sb.elapsed())
    assert RE_SB_EFI_STUB.search(sb.transcript), 'the EFI stub did not see Secure Boot enabled'
    assert RE_SB_LOCKED.search(sb.transcript), 'the kernel did not lock down from Secure Boot'
    sb.run_command('mountpoint -q /sys/kernel/security || '
                   'mount -t securityfs securityfs /sys/kernel/security')
    state = sb.run_command('cat /sys/kernel/security/lockdown').strip()
    record_property('lockdown', state)
    assert RE_LOCKDOWN.search(state), 'lockdown is %r' % state
    keys = sb.run_command("dmesg | grep 'Loaded X.509 cert'")
    assert 'Debian Secure Boot CA' in keys, 'Debian CA not loaded:\n' + keys


def test_baton_kexec_syscall_refused(sb):
    """(b) -c: kexec_load only; lockdown refuses it: one clear line, exit 1, nothing loaded."""
    out, err, rc = run_split(sb, load_cmd(BATON, '-c', KERNEL, 'console=ttyS0 baton.case=c'))
    assert rc == 1, 'baton -c exited %d under lockdown:\n%s\n%s' % (rc, out, '\n'.join(err))
    assert len(err) == 1, 'expected one line on stderr:\n' + '\n'.join(err)
    assert 'kexec_load' in err[0] and RE_WHY.search(err[0]), err[0]
    assert not RE_FALLBACK.search(err[0]), '-c must not fall back: ' + err[0]
    assert loaded(sb) == '0'


@pytest.mark.parametrize('flags', ['', '-s'], ids=['auto', 'file'])
def test_baton_unsigned_refused(sb, flags):
    """(c) the unsigned kernel: kexec_file_load's signature check refuses it."""
    assert sb.run_command('[ -f %s ] && echo yes' % UNSIGNED) == 'yes'
    before = dmesg_lines(sb)
    out, err, rc = run_split(sb, load_cmd(BATON, flags, UNSIGNED, 'console=ttyS0 baton.case=u'))
    klog = kernel_log(sb, before)
    assert rc == 1, 'baton %s -l unsigned exited %d:\n%s\n%s' % (flags, rc, out, '\n'.join(err))
    fallback = [ln for ln in err if RE_FALLBACK.search(ln)]
    assert len(fallback) == (1 if flags == '' else 0), '\n'.join(err)
    final = [ln for ln in err if not RE_FALLBACK.search(ln)]
    assert len(final) == 1, 'expected one error line:\n' + '\n'.join(err)
    assert 'kexec_file_load' in final[0] and UNSIGNED in final[0], final[0]
    assert re.search(r'sign', final[0]), 'the message does not name the signature: ' + final[0]
    # security/lockdown: what the kernel says about it
    assert RE_KLOG_UNSIGNED.search(klog), klog
    assert loaded(sb) == '0'


def test_kexec_tools_reference(sb):
    """(d) kexec-tools: kexec -l (kexec_load) is refused; kexec -s -l loads the signed kernel."""
    out, err, rc = run_split(sb, load_cmd(KEXEC, '', KERNEL, 'console=ttyS0'))
    assert rc != 0, 'kexec -l succeeded under lockdown'
    assert RE_REFUSED.search('\n'.join(err + [out])), '\n'.join(err + [out])
    assert loaded(sb) == '0'
    out, err, rc = run_split(sb, load_cmd(KEXEC, '-s', KERNEL, 'console=ttyS0'))
    assert rc == 0, 'kexec -s -l failed (%d):\n%s\n%s' % (rc, out, '\n'.join(err))
    assert loaded(sb) == '1'
    out, err, rc = run_split(sb, '%s -s -u' % KEXEC)
    assert rc == 0 and loaded(sb) == '0', 'kexec -s -u: %d %s' % (rc, '\n'.join(err))


def test_baton_load_then_unload(sb):
    """baton -l (falls back to kexec_file_load) then baton -u: the image goes away again."""
    out, err, rc = run_split(sb, load_cmd(BATON, '', KERNEL, 'console=ttyS0 baton.case=u'))
    assert rc == 0, 'baton -l failed (%d):\n%s\n%s' % (rc, out, '\n'.join(err))
    assert loaded(sb) == '1'
    out, err, rc = run_split(sb, '%s -u' % BATON)
    assert rc == 0 and loaded(sb) == '0', \
        'baton -u did not unload a kexec_file_load image under lockdown (exit %d, loaded %s):\n%s' \
        % (rc, loaded(sb), '\n'.join(err))


LOADERS = {
    # (binary, load flags): baton's default mode must fall back by itself; kexec-tools needs -s
    'baton': (BATON, ''),
    'kexec-tools': (KEXEC, '-s'),
}


@pytest.mark.parametrize('name', sorted(LOADERS))
def test_secureboot_exec(request, record_property, sb_console, name):
    """(a) load the signed kernel under lockdown and run it: exactly the requested command line."""
    binary, flags = LOADERS[name]
    if name == 'baton':
        request.getfixturevalue('baton_ok')
    c = sb_console()
    record_property('boot-seconds', '%.1f' % c.elapsed())
    c.run_command('mount -t securityfs securityfs /sys/kernel/security')
    assert RE_LOCKDOWN.search(c.run_command('cat /sys/kernel/security/lockdown'))
    cmdline = 'console=ttyS0 panic=-1 baton.case=secureboot-%s' % name
    t0 = c.elapsed()
    out, err, rc = run_split(c, load_cmd(binary, flags, KERNEL, cmdline))
    record_property('load-seconds', '%.1f' % (c.elapsed() - t0))
    assert rc == 0, 'load failed (%d):\n%s\n%s' % (rc, out, '\n'.join(err))
    if name == 'baton':
        fallback = [ln for ln in err if RE_FALLBACK.search(ln)]
        assert len(fallback) == 1, 'expected the fallback said once:\n' + '\n'.join(err)
        assert 'kexec_load' in fallback[0] and RE_WHY.search(fallback[0]), fallback[0]
        assert len(err) == 1, 'more on stderr than the fallback line:\n' + '\n'.join(err)
    assert c.run_command('cat /sys/kernel/kexec_loaded') == '1'
    c.note('loaded; exec')
    t0 = c.elapsed()
    c.run_command('%s -e' % binary, wait_for_prompt=False)
    got = c.wait_for(RE_TARGET_CMDLINE, HANDOVER_TIMEOUT).group(1).strip()
    payload = c.wait_for(RE_TARGET_PAYLOAD, 30).group(1)
    expected = c.wait_for(RE_TARGET_EXPECTED, 30).group(1)
    c.wait_for(RE_TARGET_DONE, 30)
    record_property('exec-seconds', '%.1f' % (c.elapsed() - t0))
    c.wait_exit(30)
    assert got == cmdline, 'the new kernel got %r' % got
    assert payload == expected, 'the initrd arrived damaged'
