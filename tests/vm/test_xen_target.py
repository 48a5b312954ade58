# SPDX-License-Identifier: MIT
"""Xen as the new kernel (issue 14): a loader hands the machine to Xen 4.17 with a PV dom0.

Per loader (baton, Debian's kexec-tools 2.0.25 as the reference) and case:

- mb2: Linux (SeaBIOS) -> Xen through multiboot2 (`-t multiboot2-x86`);
- mb2-no-real-mode: the same with Xen's `no-real-mode`: Xen takes its memory map from the
  loader's MMAP tag ("Multiboot-e820 RAM map") instead of asking the BIOS ("Xen-e820");
- mb1: Linux -> Xen through multiboot v1 (`-t multiboot-x86`);
- gz: Linux -> Xen as Debian ships it (`/boot/xen-4.17-amd64.gz`, multiboot2);
- efi-no-real-mode: Linux on OVMF (UEFI, q35) -> Xen with `no-real-mode`: Xen boots with ACPI
  (its log shows the RSDP, the MADT and the CPU) and starts its dom0, told acpi_rsdp= (what
  baton's load warns a user of; a PV dom0 has no other way to the tables there);
- xen: Xen (PV dom0 running the loader, from the hypervisor) -> Xen.

Every case runs the same load: `LOADER -l -t TYPE IMAGE --command-line="XEN-ARGS"
--module="/boot/dom0-vmlinuz DOM0-ARGS" --module="/boot/dom0-initrd.img"`, then `LOADER -e`.
Xen drops the first word of its command line and of each module string (its loader is not
"GRUB 2"), so each must start with its file's name: the loader passes the module strings as
given and puts IMAGE's name in front of XEN-ARGS itself (kexec-tools does, for both multiboot
versions, as GRUB does). The new Xen must print exactly XEN-ARGS as its
"(XEN) Command line:", and its dom0 (guest/xen-target-dom0.init) must report exactly DOM0-ARGS
as /proc/cmdline, `control_d` in /proc/xen/capabilities and `xen` in /sys/hypervisor/type, then
power the machine off.

Every case must pass but for KNOWN_FAILURES (strict expected failures). On OVMF, baton's
purgatory writes the BIOS data area and an EBDA holding the RSDP (UEFI leaves none; Xen's
multiboot entry reads them regardless): the new Xen must find its RSDP there, in the EBDA.

Times under TCG on a shared 2-core host: see tests/vm/README.md.
"""

import os
import re
import uuid

import pytest

import console as con
from conftest import baton_state, require
from loaders import loaders, need_loader

# Under /boot in xen-target-host-initrd.img and xen-target-xen-initrd.img (tests/vm/assets.mk).
XEN = '/boot/xen'
XEN_GZ = '/boot/xen-4.17-amd64.gz'
DOM0_KERNEL = '/boot/dom0-vmlinuz'
DOM0_INITRD = '/boot/dom0-initrd.img'

MB2 = 'multiboot2-x86'
MB1 = 'multiboot-x86'

# The new Xen's own arguments: small dom0, its log on com1 (= ttyS0, the transcript).
XEN_ARGS = 'console=com1 com1=115200 dom0_mem=256M,max:256M loglvl=all guest_loglvl=all'
DOM0_ARGS = 'console=hvc0 earlyprintk=xen'
# The first Xen (case xen): room in its dom0 for the loader and the 14 MB initrd.
OLD_XEN_ARGS = 'console=com1 com1=115200 dom0_mem=512M loglvl=all guest_loglvl=all'

# case: (first machine, image, -t, extra Xen arguments)
CASES = {
    'mb2': ('bios', XEN, MB2, ''),
    'mb2-no-real-mode': ('bios', XEN, MB2, 'no-real-mode'),
    'mb1': ('bios', XEN, MB1, ''),
    'gz': ('bios', XEN_GZ, MB2, ''),
    'efi-no-real-mode': ('efi', XEN, MB2, 'no-real-mode'),
    'xen': ('xen', XEN, MB2, ''),
}

# (loader, case): why it fails, for the cases that fail with that loader for a known reason.
SKIPS = {
    ('kexec-tools', 'gz'):
        'Debian\'s kexec-tools 2.0.25 is built without zlib (no libz among its libraries): '
        '"Cannot determine the file type of /boot/xen-4.17-amd64.gz"',
    ('kexec-tools', 'mb1'):
        'Debian\'s kexec-tools 2.0.25 through multiboot v1: Xen prints nothing and the machine '
        'triple-faults about 90 s after `kexec -e` (QEMU -d int: #GP error 0x38 at 0x3dd8fe in '
        'Xen\'s image, paging off, ESP 0xfffffff8, then #DF, then the triple fault)',
}
KNOWN_FAILURES = {
    ('kexec-tools', 'efi-no-real-mode'):
        'kexec-tools 2.0.25 under OVMF: Xen prints nothing and QEMU exits about 1 s after '
        '`kexec -e` (the triple fault issue 14 reports; -no-reboot); it also gives Xen no ACPI '
        'RSDP or EFI tag',
}

LOADERS = loaders(baton={}, kexec_tools={})

LOAD_TIMEOUT = 120
HANDOVER_TIMEOUT = 240
EXIT_TIMEOUT = 60

RE_XEN_CMDLINE = re.compile(r'\(XEN\) Command line: (.*?)\r?\n')
RE_XEN_DOM0 = re.compile(r'BATON-XEN2-DOM0: caps=(\S*) hyp=(\S*) cmdline=(.*?)\r?\n')
RE_XEN2_ERROR = re.compile(r'BATON-XEN2-ERROR: (.*?)\r?\n')
RE_XEN_KEXEC = re.compile(r'\(XEN\) Executing kexec image on cpu\d+')
# xen/arch/x86/setup.c: where the memory map came from
RE_XEN_MAP_SOURCE = re.compile(r'\(XEN\) (\S+)-e820 RAM map:')
# What Xen's log shows of ACPI: the RSDP, the MADT (signature APIC) and what it read from it.
RE_XEN_RSDP = re.compile(r'\(XEN\) ACPI: RSDP ([0-9A-F]+)')
# baton's purgatory, on OVMF: the BIOS data area it writes before the 32-bit exit
RE_BIOS_AREA = re.compile(r'baton: purgatory: BIOS data area written: EBDA at 0x([0-9a-f]+) '
                          r'with the RSDP')
RE_XEN_MADT = re.compile(r'\(XEN\) ACPI: APIC [0-9A-F]+')
RE_XEN_LAPIC = re.compile(r'\(XEN\) ACPI: Local APIC address 0x[0-9a-f]+')
RE_XEN_CPUS = re.compile(r'\(XEN\) Brought up (\d+) CPUs')

HOST_INITRD = 'xen-target-host-initrd.img'
XEN_INITRD = 'xen-target-xen-initrd.img'


# --- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope='session')
def xen_target_assets(xen_assets):
    require(xen_assets, (HOST_INITRD, XEN_INITRD, 'xen-target-dom0-initrd.img'),
            'run scripts/assets.sh; BATON_XEN_ASSETS=0 skips it')
    return xen_assets


@pytest.fixture(params=[(ld, case) for ld in sorted(LOADERS) for case in CASES],
                ids=lambda p: '%s-%s' % p)
def load_case(request, build, xen_target_assets):
    """(loader entry, case name); marks the case as the loader is expected to do."""
    name, case = request.param
    if (name, case) in SKIPS:
        pytest.skip(SKIPS[(name, case)])
    machine = CASES[case][0]
    image = os.path.join(xen_target_assets, XEN_INITRD if machine == 'xen' else HOST_INITRD)
    entry = need_loader(LOADERS, name, xen_target_assets, baton_state(build, image))
    if (name, case) in KNOWN_FAILURES:
        request.applymarker(pytest.mark.xfail(strict=True, raises=con.ConsoleError,
                                              reason=KNOWN_FAILURES[(name, case)]))
    return entry, case


@pytest.fixture
def efi_any_console(request, build, xen_target_assets):
    """A factory like conftest's efi_console, without test_efi.py's assets: OVMF only."""
    from conftest import consoles
    from console import EfiConsole, OVMF_CODE, OVMF_VARS
    require('/', (OVMF_CODE, OVMF_VARS), 'apt-get install ovmf', what='')
    yield from consoles(request, build, EfiConsole, xen_target_assets)


# --- helpers --------------------------------------------------------------------------------
def load_command(loader, xtype, image, xen_args, dom0_args):
    """The load, the same for both loaders."""
    return ' '.join(x for x in (
        loader['bin'], '-l', '-t', xtype, image,
        '--command-line="%s"' % xen_args,
        '--module="%s %s"' % (DOM0_KERNEL, dom0_args),
        '--module="%s"' % DOM0_INITRD,
        loader['load_extra']) if x)


def first_machine(request, machine, assets):
    """Boots the machine the loader runs on (only its console factory is instantiated: the
    factory keeps the transcripts a failed test's report shows)."""
    if machine == 'xen':
        c = request.getfixturevalue('xen_console')(
            mem=1024, append=OLD_XEN_ARGS, dom0_initrd=os.path.join(assets, XEN_INITRD))
        assert c.dom0_caps == 'control_d', 'first dom0 capabilities: %r' % c.dom0_caps
        return c
    factory = request.getfixturevalue('efi_any_console' if machine == 'efi' else 'console')
    c = factory(mem=1024, cpu='Haswell-noTSX', initrd=os.path.join(assets, HOST_INITRD))
    c.bad_patterns.update(con.XEN_BAD_PATTERNS)
    return c


# --- the test -------------------------------------------------------------------------------
def test_xen_target(request, load_case, xen_target_assets):
    loader, case = load_case
    machine, image, xtype, extra = CASES[case]
    c = first_machine(request, machine, xen_target_assets)
    c.bad_patterns['xen2-error'] = RE_XEN2_ERROR
    c.note('first machine up (%s)' % machine)

    xen_args = ' '.join(x for x in (XEN_ARGS, extra) if x)
    dom0_args = '%s baton.xen2=%s baton.token=%s' % (DOM0_ARGS, case, uuid.uuid4().hex[:12])
    if machine == 'efi':
        # A PV dom0 finds ACPI on a UEFI machine only through acpi_rsdp= (docs/handover.md)
        dom0_args += ' acpi_rsdp=%s' % c.run_command(
            "sed -n 's/^ACPI20=//p' /sys/firmware/efi/systab", 30).strip().splitlines()[-1]
    cmd = load_command(loader, xtype, image, xen_args, dom0_args)
    if loader['debug_log']:
        cmd = cmd.replace(' -l ', ' -d -l ', 1) + ' >%s 2>&1' % loader['debug_log']
    out, rc = c.run_command_rc(cmd, LOAD_TIMEOUT)
    if loader['debug_log']:
        out = c.run_command('cat %s' % loader['debug_log'], 60)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    c.note('Xen loaded')

    c.run_command('%s -e' % loader['bin'], wait_for_prompt=False)
    if machine == 'xen':
        c.wait_for(RE_XEN_KEXEC, HANDOVER_TIMEOUT)
    handed = c.pos
    if loader['entry_re']:
        c.wait_for(loader['entry_re'], HANDOVER_TIMEOUT)
    got_xen = c.wait_for(RE_XEN_CMDLINE, HANDOVER_TIMEOUT).group(1)
    c.note('the new Xen runs')
    caps, hyp, got_dom0 = c.wait_for(RE_XEN_DOM0, HANDOVER_TIMEOUT).groups()
    c.note('its dom0 reported')
    c.wait_exit(EXIT_TIMEOUT)
    c.note('powered off')
    log = c.transcript[handed:]

    assert got_xen == xen_args, 'the new Xen got another command line:\n%r\nnot\n%r' % (
        got_xen, xen_args)
    assert got_dom0 == dom0_args, 'the new dom0 got another command line:\n%r\nnot\n%r' % (
        got_dom0, dom0_args)
    assert hyp == 'xen', '/sys/hypervisor/type in the new dom0: %r' % hyp
    assert caps == 'control_d', '/proc/xen/capabilities in the new dom0: %r' % caps

    source = RE_XEN_MAP_SOURCE.findall(log)
    if 'no-real-mode' in extra:
        # the loader's MMAP tag, not the BIOS (under OVMF there is no BIOS to ask)
        assert source == ['Multiboot'], 'the new Xen\'s memory map came from %s' % source
    elif machine != 'efi':
        assert source == ['Xen'], 'the new Xen\'s memory map came from %s' % source
    if machine == 'efi':
        for what, regex in (('the RSDP', RE_XEN_RSDP), ('the MADT', RE_XEN_MADT),
                            ('the local APIC', RE_XEN_LAPIC)):
            assert regex.search(log), 'the new Xen\'s log shows no %s' % what
        m = RE_XEN_CPUS.search(log)
        assert m and int(m.group(1)) == 1, 'the new Xen brought up no CPU'
    if machine == 'efi' and loader['name'] == 'baton':
        assert 'warning' not in out, 'the load warned:\n%s' % out
        area = RE_BIOS_AREA.search(log)
        assert area, 'the purgatory wrote no BIOS data area with the RSDP'
        ebda = int(area.group(1), 16)
        rsdp = int(RE_XEN_RSDP.search(log).group(1), 16)
        assert rsdp == ebda + 0x10, 'the new Xen found its RSDP at 0x%x, not in the EBDA ' \
            'at 0x%x' % (rsdp, ebda)
