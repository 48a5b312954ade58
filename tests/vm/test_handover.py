# SPDX-License-Identifier: MIT
"""Hand over from a first Linux kernel to a second one under QEMU, with baton and with kexec-tools."""

import json
import os
import re
import struct
import uuid

import pytest

import console as con
from loaders import loaders, need_loader

KERNEL = '/boot/vmlinuz'
INITRD = '/boot/initrd.img'

# How each loader is driven. -S checks the crash image unless -l is given, and exits 1 when
# loaded (kexec-tools' convention, which baton keeps for drop-in use).
LOADERS = loaders(
    baton={'status': '/sbin/baton -l -S', 'status_loaded': 1, 'status_unloaded': 0},
    kexec_tools={
        # kexec-tools -d says which of its loaders it used: bzImage64 or the 32-bit bzImage one
        'entry_re': re.compile(r'Loaded (32|64)bit kernel at'),
        'status': '/sbin/kexec -l -S',
        'status_loaded': 1,
        'status_unloaded': 0,
    })

# QEMU and first-kernel options per case, and the loader options it adds.
CASES = {
    'la57': {'mem': 1024, 'append': '', 'load_opts': ''},
    '4level': {'mem': 1024, 'append': 'no5lvl', 'load_opts': ''},
    'highmem': {'mem': 6144, 'append': '', 'load_opts': ''},
    'entry32': {'mem': 1024, 'append': '', 'load_opts': '--entry-32bit'},
}

# Known defects of a loader, by (loader, case): strict xfail with the reason seen in transcripts.
KNOWN_DEFECTS = {}

LOAD_TIMEOUT = 60
HANDOVER_TIMEOUT = 90


@pytest.fixture(params=sorted(LOADERS))
def loader(request, assets, baton_static):
    return need_loader(LOADERS, request.param, assets, baton_static)


def load_command(loader, cmdline, opts=''):
    return ' '.join(x for x in (
        loader['bin'], '-l', KERNEL, '--initrd=' + INITRD, '--command-line="%s"' % cmdline,
        opts, loader['load_extra']) if x)


def check_first_kernel(c, case):
    """Asserts the first kernel runs in the paging mode and memory layout the case is about."""
    flags = c.run_command('grep -o -w la57 /proc/cpuinfo | head -n1')
    if case == '4level':
        assert flags == '', 'no5lvl: first kernel still reports la57'
    else:
        assert flags == 'la57', 'first kernel does not run with 5-level paging (-cpu max)'
    if case == 'highmem':
        high = c.run_command("grep -c '^1[0-9a-f]\\{8\\}-.* : System RAM' /proc/iomem")
        assert int(high or '0') >= 1, 'no System RAM above 4 GiB'


@pytest.mark.parametrize('case', sorted(CASES))
def test_handover(request, console, loader, case, expected_sha256):
    defect = KNOWN_DEFECTS.get((loader['name'], case))
    if defect:
        request.applymarker(pytest.mark.xfail(strict=True, reason=defect))
    opts = CASES[case]
    c = console(mem=opts['mem'], append=opts['append'])
    check_first_kernel(c, case)

    token = 'baton.token=%s' % uuid.uuid4().hex[:12]
    cmdline = 'console=ttyS0 baton.case=%s %s' % (case, token)
    cmd = load_command(loader, cmdline, opts['load_opts'])
    log = loader['debug_log']
    if log:
        cmd = cmd.replace(' -l ', ' -d -l ', 1) + ' >%s 2>&1' % log
    out, rc = c.run_command_rc(cmd, LOAD_TIMEOUT)
    if log:
        out = c.run_command('cat %s' % log)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    assert c.run_command('cat /sys/kernel/kexec_loaded') == '1'

    if log:
        m = loader['entry_re'].search(out)
        assert m, 'kexec -d did not say which entry it set up:\n' + out
    c.run_command('%s -e' % loader['bin'], wait_for_prompt=False)
    if not log:
        m = c.wait_for(loader['entry_re'], HANDOVER_TIMEOUT)
    entry = m.group(1)
    got = c.wait_for(con.RE_TARGET_CMDLINE, HANDOVER_TIMEOUT).group(1)
    payload = c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1)
    expected = c.wait_for(con.RE_TARGET_EXPECTED, 30).group(1)
    paging = c.wait_for(con.RE_TARGET_PAGING, 30).group(1)
    report = c.wait_for(RE_TARGET_REPORT, 30).group(1)
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)

    assert got == cmdline, 'second kernel got a different command line'
    assert expected == expected_sha256, 'target initrd is stale (rerun scripts/assets.sh)'
    assert payload == expected_sha256, 'payload in the second kernel is corrupt'
    # -cpu max offers LA57 and the new command line has no no5lvl: the second kernel runs 5-level
    # whatever the first one did (from 4-level it switches through its 32-bit trampoline).
    assert paging == 'la57', 'second kernel runs 4-level paging'
    assert entry == ('32' if '--entry-32bit' in opts['load_opts'] else '64'), \
        'the kernel was entered through the wrong boot protocol'
    check_report(loader['name'], case, report)


RE_TARGET_REPORT = re.compile(r'BATON-TARGET-REPORT: ([^\r\n]*)\r?\n')


def check_report(loader, case, report):
    """baton --report in the new kernel: the purgatory's timing record is there after baton, and
    only after baton."""
    if loader != 'baton':
        assert 'not started by baton' in report, report
        return
    r = json.loads(report)
    assert r['regions'] == 5, r                      # kernel, initrd, zero page, tables, purgatory
    assert r['bytes_hashed'] > 10 << 20, r           # the kernel and initrd at least
    assert r['tsc_entry'] < r['tsc_verified'] <= r['tsc_jump'], r
    assert r['entry'] == ('32-bit' if case == 'entry32' else '64-bit'), r
    # the purgatory runs in the old kernel's paging mode
    assert r['paging_levels'] == (4 if case == '4level' else 5), r
    # the control for test_traps.py's NMI cases: nothing injected, nothing counted
    assert r['nmis'] == 0, r


def test_status(console, loader):
    """-l then -S reports loaded; -u then -S reports unloaded."""
    c = console()

    def expect_status(state, when):
        _, rc = c.run_command_rc(loader['status'])
        want = loader['status_' + state]
        assert rc == want, '%s: `%s` exited %d, expected %d (%s)' % (
            when, loader['status'], rc, want, state)

    expect_status('unloaded', 'before load')
    out, rc = c.run_command_rc(load_command(loader, 'console=ttyS0 baton.case=status'),
                               LOAD_TIMEOUT)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    assert c.run_command('cat /sys/kernel/kexec_loaded') == '1'
    expect_status('loaded', 'after load')

    out, rc = c.run_command_rc('%s -u' % loader['bin'])
    assert rc == 0, 'unload failed (%d):\n%s' % (rc, out)
    assert c.run_command('cat /sys/kernel/kexec_loaded') == '0'
    expect_status('unloaded', 'after unload')


def empty_fdt():
    """A valid flattened device tree with an empty root node (version 17, 72 bytes)."""
    struct_block = struct.pack('>I4sII', 1, b'', 2, 9)      # BEGIN_NODE "", END_NODE, END
    total = 40 + 16 + len(struct_block)
    return struct.pack('>10I', 0xd00dfeed, total, 56, total, 40, 17, 16, 0, 0,
                       len(struct_block)) + bytes(16) + struct_block


RE_TARGET_SETUP_DATA = re.compile(r'BATON-TARGET-SETUP-DATA:([^\r\n]*)\r?\n')


def test_dtb_reaches_the_new_kernel(console, assets, baton_static):
    """baton -l --dtb (issue 16): the new kernel lists a SETUP_DTB node holding the blob."""
    loader = need_loader(LOADERS, 'baton', assets, baton_static)
    c = console(mem=1024, append='')
    blob = empty_fdt()
    c.run_command("printf '%s' > /tmp/board.dtb" % ''.join('\\%03o' % b for b in blob))
    assert c.run_command('wc -c < /tmp/board.dtb') == str(len(blob))
    cmdline = 'console=ttyS0 baton.case=dtb baton.token=%s' % uuid.uuid4().hex[:12]
    out, rc = c.run_command_rc(load_command(loader, cmdline, '--dtb=/tmp/board.dtb'),
                               LOAD_TIMEOUT)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    c.run_command('%s -e' % loader['bin'], wait_for_prompt=False)
    assert c.wait_for(con.RE_TARGET_CMDLINE, HANDOVER_TIMEOUT).group(1) == cmdline
    nodes = c.wait_for(RE_TARGET_SETUP_DATA, 30).group(1).split()
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)
    assert '0x2:%s' % blob[:8].hex() in nodes, nodes


def test_mem_bounds_hold_on_a_real_kernel(console, assets, baton_static, expected_sha256):
    """baton -l --mem-min --mem-max (issue 16): every segment inside the bounds (both
    inclusive), and the new kernel boots from there with its initrd intact."""
    loader = need_loader(LOADERS, 'baton', assets, baton_static)
    lo, hi = 0x10000000, 0x2fffffff
    c = console(mem=1024, append='')
    cmdline = 'console=ttyS0 baton.case=bounds baton.token=%s' % uuid.uuid4().hex[:12]
    opts = '--mem-min=%#x --mem-max=%#x' % (lo, hi)
    plan = c.run_command(load_command(loader, cmdline, '--dry-run ' + opts), LOAD_TIMEOUT)
    segs = re.findall(r'^(\w+) +0x([0-9a-f]{16}) +0x([0-9a-f]+) +0x([0-9a-f]+) ', plan, re.M)
    assert {s[0] for s in segs} >= {'kernel', 'initrd', 'boot_params', 'page_tables',
                                    'purgatory'}, plan
    for name, mem, _, memsz in segs:
        start, size = int(mem, 16), int(memsz, 16)
        assert lo <= start and start + size - 1 <= hi, (name, hex(start), hex(size))
    out, rc = c.run_command_rc(load_command(loader, cmdline, opts), LOAD_TIMEOUT)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    c.run_command('%s -e' % loader['bin'], wait_for_prompt=False)
    assert c.wait_for(con.RE_TARGET_CMDLINE, HANDOVER_TIMEOUT).group(1) == cmdline
    assert c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1) == expected_sha256
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)


def test_reuse_initrd_on_a_kernel_that_does_not_show_it(console, assets, baton_static):
    """baton -l --reuse-initrd (issue 16) on Debian's 6.1, booted with retain_initrd: Linux
    keeps the initrd but exposes it as /sys/firmware/initrd only from 6.10 on, so baton refuses
    in one line that says so, and nothing is loaded. (On 6.10 and later the file is read: it does
    not map, file-test covers that read; api-test and test_options.py the load.)"""
    loader = need_loader(LOADERS, 'baton', assets, baton_static)
    c = console(mem=1024, append='retain_initrd')
    release = c.run_command('uname -r')
    if tuple(int(x) for x in re.match(r'(\d+)\.(\d+)', release).groups()) >= (6, 10):
        pytest.skip('%s shows the retained initrd: this case is about older kernels' % release)
    cmd = '%s -l %s --reuse-initrd --command-line=console=ttyS0' % (loader['bin'], KERNEL)
    out, rc = c.run_command_rc(cmd, LOAD_TIMEOUT)
    assert rc == 1, out
    assert out.strip() == ('baton: initrd: /sys/firmware/initrd: the running kernel kept its '
                           'initrd (retain_initrd) but shows it there only from Linux 6.10 on'), out
    assert c.run_command('cat /sys/kernel/kexec_loaded') == '0'
    c.run_command('poweroff -f', wait_for_prompt=False)
    c.wait_exit(30)
