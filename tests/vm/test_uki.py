# SPDX-License-Identifier: MIT
"""Unified Kernel Images: baton loads uki.efi (tests/vm/assets.mk: systemd-stub from Debian's
systemd-boot-efi, the cloud kernel as .linux, target-initrd.img plus a marker as .initrd, a
marker cpio as .ucode, .cmdline, .uname, .osrel; made with objcopy) from a first kernel booted
by QEMU's BIOS and by OVMF, and the second kernel reports:

- its command line: exactly the .cmdline, the .cmdline and --append, or --command-line alone;
- its initrd: the payload intact (from .initrd), and the pieces unpacked in order, microcode
  first: target.init prints which markers it found and which piece was unpacked last (.ucode,
  then .initrd, then --initrd);
- through kexec_file_load (-s) the kernel's own loader gets the .linux and the joined initrd;
- under Secure Boot (shim, grub, the Debian-signed kernel, lockdown), kexec_load is refused and
  baton falls back to kexec_file_load, which checks the .linux's own signature: the UKI around
  the signed kernel boots, the one around the same kernel without its signature is refused.

kexec-tools 2.0.25 (Debian 12's, the reference here) cannot load a UKI: 2.0.30 added it, for
kexec_file_load only, and takes neither .cmdline nor .ucode; its cases skip and say so.
"""

import json
import os
import re
import uuid

import pytest

import console as con
from conftest import baton_state, need_baton
from loaders import loaders, need_loader

UKI = '/boot/uki.efi'
EXTRA = '/boot/uki-extra.img'
EMBEDDED = 'console=ttyS0 baton.uki=embedded'      # tests/vm/assets.mk: uki/cmdline

LOADERS = loaders()
KEXEC_TOOLS_SKIP = ('kexec-tools 2.0.25 cannot load a UKI (support came in 2.0.30, through '
                    'kexec_file_load only, without .cmdline or .ucode)')

RE_PARTS = re.compile(r'BATON-TARGET-PARTS: (.*?)\r?\n')
RE_REPORT = re.compile(r'BATON-TARGET-REPORT: ([^\r\n]*)\r?\n')

# case: (loader options, the command line the target must see, the pieces it must find)
TOKEN = 'baton.token=%s' % uuid.uuid4().hex[:12]
CASES = {
    'embedded': ('', EMBEDDED, 'initrd ucode last=initrd'),
    'append': ('--append="baton.case=append %s" --initrd=%s' % (TOKEN, EXTRA),
               '%s baton.case=append %s' % (EMBEDDED, TOKEN), 'extra initrd ucode last=extra'),
    'replace': ('--command-line="console=ttyS0 baton.case=replace %s"' % TOKEN,
                'console=ttyS0 baton.case=replace %s' % TOKEN, 'initrd ucode last=initrd'),
    # the kernel's own loader: the same pieces, joined in a memfd by baton
    'file-load': ('-s --append=baton.case=file-load --initrd=%s' % EXTRA,
                  '%s baton.case=file-load' % EMBEDDED, 'extra initrd ucode last=extra'),
}

LOAD_TIMEOUT = 90
HANDOVER_TIMEOUT = 120


@pytest.fixture(scope='session')
def uki_initrd(assets):
    path = os.path.join(assets, 'uki-host-initrd.img')
    if not os.path.exists(path):
        pytest.skip('asset uki-host-initrd.img missing (run scripts/assets.sh; '
                    'BATON_UKI_ASSETS=0 skips it)')
    return path


@pytest.fixture(scope='session')
def baton_in_uki_initrd(build, uki_initrd):
    return baton_state(build, uki_initrd)


@pytest.fixture(params=sorted(LOADERS))
def loader(request, assets, uki_initrd, baton_in_uki_initrd):
    entry = need_loader(LOADERS, request.param, assets, baton_in_uki_initrd)
    if entry['name'] == 'kexec-tools':
        pytest.skip(KEXEC_TOOLS_SKIP)
    return entry


def hand_over(c, loader, opts):
    """Loads the UKI with opts, execs, returns what the second kernel printed."""
    cmd = '%s -l %s %s %s' % (loader['bin'], UKI, opts, loader['load_extra'])
    out, rc = c.run_command_rc(cmd, LOAD_TIMEOUT)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    assert c.run_command('cat /sys/kernel/kexec_loaded') == '1'
    c.run_command('%s -e' % loader['bin'], wait_for_prompt=False)
    got = {'cmdline': c.wait_for(con.RE_TARGET_CMDLINE, HANDOVER_TIMEOUT).group(1),
           'payload': c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1),
           'expected': c.wait_for(con.RE_TARGET_EXPECTED, 30).group(1),
           'parts': c.wait_for(RE_PARTS, 30).group(1).strip(),
           'report': c.wait_for(RE_REPORT, 30).group(1)}
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)
    return got


def check(got, case, expected_sha256):
    _, cmdline, parts = CASES[case]
    assert got['cmdline'] == cmdline, 'second kernel got a different command line'
    assert got['expected'] == expected_sha256, 'target initrd is stale (rerun scripts/assets.sh)'
    assert got['payload'] == expected_sha256, 'payload in the second kernel is corrupt'
    assert got['parts'] == parts, 'initrd pieces: unpacked %r, expected %r' % (got['parts'], parts)
    if case == 'file-load':
        assert 'not started by baton' in got['report'], got['report']
        return
    r = json.loads(got['report'])
    pieces = 3 if '--initrd' in CASES[case][0] else 2          # .ucode, .initrd, --initrd
    assert r['regions'] == 4 + pieces, r      # kernel, the pieces, zero page, tables, purgatory
    assert r['entry'] == '64-bit', r


@pytest.mark.parametrize('case', sorted(CASES))
def test_uki_bios(console, loader, uki_initrd, case, expected_sha256):
    c = console(initrd=uki_initrd)
    check(hand_over(c, loader, CASES[case][0]), case, expected_sha256)


@pytest.mark.parametrize('case', ['append'])
def test_uki_ovmf(efi_console, loader, uki_initrd, case, expected_sha256):
    c = efi_console(initrd=uki_initrd)
    assert c.run_command('[ -d /sys/firmware/efi ] && echo yes') == 'yes', \
        'OVMF did not boot the first kernel through EFI'
    check(hand_over(c, loader, CASES[case][0]), case, expected_sha256)


def test_uki_dry_run_names_its_sections(console, loader, uki_initrd):
    """The plan as JSON: the sections used and what each became, and the joined initrd."""
    c = console(initrd=uki_initrd)
    out = c.run_command('%s --dry-run --json -l %s --initrd=%s' % (loader['bin'], UKI, EXTRA), 60)
    plan = json.loads(out)
    used = {s['section']: s['as'] for s in plan['uki_sections']}
    assert used == {'.linux': 'kernel', '.ucode': 'initrd', '.initrd': 'initrd',
                    '.cmdline': 'cmdline', '.uname': 'informational'}, used
    assert plan['cmdline'] == EMBEDDED
    segs = [s for s in plan['segments'] if s['name'] in ('.ucode', '.initrd', 'initrd')]
    assert [s['name'] for s in segs] == ['.ucode', '.initrd', 'initrd'], plan['segments']
    for a, b in zip(segs, segs[1:]):
        assert a['mem'] + a['memsz'] == b['mem'], 'initrd pieces are not back to back'


def test_uki_under_secure_boot(sb_console, build, sb_assets, expected_sha256):
    """Lockdown refuses kexec_load; the fallback hands kexec_file_load the .linux, whose own
    signature the kernel checks: the signed one boots with the UKI's line and initrd, the
    unsigned one is refused in one line and nothing is loaded."""
    need_baton(baton_state(build, os.path.join(sb_assets, 'sb', 'initrd.img')))
    c = sb_console()
    assert c.run_command('[ -f /boot/uki-unsigned.efi ] && echo yes') == 'yes', \
        'sb/initrd.img holds no UKIs (rerun scripts/assets.sh; BATON_UKI_ASSETS=0 leaves them out)'
    out, rc = c.run_command_rc('/sbin/baton -l /boot/uki-unsigned.efi 2>&1', LOAD_TIMEOUT)
    assert rc == 1, 'an unsigned .linux was loaded under Secure Boot:\n' + out
    assert 'falling back to kexec_file_load' in out, out
    assert '/boot/uki-unsigned.efi (.linux): the kernel\'s signature check refused it' in out, out
    assert c.run_command('cat /sys/kernel/kexec_loaded') == '0'
    out, rc = c.run_command_rc('/sbin/baton -l %s --append=baton.case=secureboot 2>&1' % UKI,
                               LOAD_TIMEOUT)
    assert rc == 0, 'the signed UKI was not loaded:\n' + out
    assert 'falling back to kexec_file_load' in out, out
    assert c.run_command('cat /sys/kernel/kexec_loaded') == '1'
    c.run_command('/sbin/baton -e', wait_for_prompt=False)
    assert c.wait_for(con.RE_TARGET_CMDLINE, HANDOVER_TIMEOUT).group(1) == \
        EMBEDDED + ' baton.case=secureboot'
    assert c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1) == expected_sha256
    assert c.wait_for(RE_PARTS, 30).group(1).strip() == 'initrd ucode last=initrd'
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)
