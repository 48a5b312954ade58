# SPDX-License-Identifier: MIT
"""The baton CLI on the host: plans, refusals, and what reaches the (strace-answered) syscalls."""

import json
import os
import re
import struct

import pytest

from conftest import REPO, bzimage

KEXEC_ARCH_X86_64 = 0x3e0000


def kexec_loads(p):
    return [l for l in p.syscalls if 'kexec_load(' in l]


def one_error_line(p, *needles):
    assert p.returncode == 1, (p.returncode, p.stderr)
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith('baton: '), lines[0]
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def test_help_and_version(machine, run):
    p = run(machine, '--help')
    assert p.returncode == 0 and p.stdout.startswith('Usage: baton')
    p = run(machine, '-v')
    assert p.returncode == 0 and re.match(r'baton \d+\.\d+\.\d+\n$', p.stdout)


def test_help_matches_man_page(machine, run):
    help_text = run(machine, '--help').stdout
    with open(os.path.join(REPO, 'docs', 'baton.8')) as f:
        man = f.read().replace('\\-', '-')
    opts = set(re.findall(r'(?<![\w-])(--[a-z0-9-]+|-[a-zA-Z])\b', help_text))
    assert len(opts) > 20
    for opt in opts:
        assert opt in man, '%s is in --help but not in docs/baton.8' % opt
    for opt in set(re.findall(r'\.B (--?[a-z0-9-]+)', man)):
        assert opt in help_text, '%s is in docs/baton.8 but not in --help' % opt


def test_dry_run_prints_the_plan(machine, run):
    p = run(machine, '--dry-run', '-l', machine.kernel, '--initrd=' + machine.initrd,
            '--command-line=console=ttyS0 quiet')
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert 'command line: "console=ttyS0 quiet"' in out
    for seg in ('kernel', 'initrd', 'boot_params', 'page_tables', 'purgatory'):
        assert re.search(r'^%s +0x[0-9a-f]{16} +0x[0-9a-f]+ +0x[0-9a-f]+ +[0-9a-f]{64}$' % seg,
                         out, re.M), out
    assert re.search(r'^entry: 0x[0-9a-f]+ \(purgatory\), kernel entry 0x1000200$', out, re.M)
    assert re.search(r'identity map: \d+ table pages', out)
    assert re.search(r'1G pages: \d+ write-back, \d+ uncached', out)
    assert re.search(r'4K pages: \d+ write-back, \d+ uncached', out)


def test_dry_run_is_deterministic(machine, run):
    """The same plan every time; only the zero page's digest changes: it carries a fresh seed
    for the new kernel's RNG (SETUP_RNG_SEED)."""
    args = ('--dry-run', '-l', machine.kernel, '--initrd', machine.initrd, '--append=a')
    a, b = run(machine, *args).stdout, run(machine, *args).stdout
    seed = re.compile(r'^(boot_params .*) [0-9a-f]{64}$', re.M)
    assert seed.sub(r'\1', a) == seed.sub(r'\1', b)
    assert seed.search(a).group(0) != seed.search(b).group(0)


def test_reuse_cmdline_drops_boot_image(machine, run):
    p = run(machine, '--dry-run', '-l', machine.kernel, '--reuse-cmdline', '--append=extra=1')
    assert 'command line: "root=/dev/vda1 ro quiet extra=1"' in p.stdout, p.stdout


def test_load_reaches_kexec_load_once(machine, run):
    p = run(machine, '-l', machine.kernel, '--initrd=' + machine.initrd, '--command-line=x')
    assert p.returncode == 0, p.stderr
    loads = kexec_loads(p)
    assert len(loads) == 1, p.syscalls
    m = re.search(r'kexec_load\((0x[0-9a-f]+), 5, .*(0x3e0000|KEXEC_ARCH_X86_64)\)', loads[0])
    assert m, loads[0]
    assert not [l for l in p.syscalls if 'reboot(' in l]


def test_debug_prints_the_plan_on_stderr(machine, run):
    p = run(machine, '-d', '-l', machine.kernel)
    assert p.returncode == 0 and 'page_tables' in p.stderr and p.stdout == ''
    assert len(kexec_loads(p)) == 1


def test_exec_syncs_then_reboots(machine, run):
    machine.write('sys/kernel/kexec_loaded', '1\n')
    p = run(machine, '-e')
    assert p.returncode == 0, p.stderr
    calls = [l.split('(')[0] for l in p.syscalls]
    assert calls == ['sync', 'reboot'], p.syscalls
    assert 'LINUX_REBOOT_CMD_KEXEC' in p.syscalls[1] or '0x45584543' in p.syscalls[1]


def test_exec_without_a_loaded_kernel_is_refused(machine, run):
    p = run(machine, '-e')
    one_error_line(p, 'nothing has been loaded')
    assert p.syscalls == [], p.syscalls


def test_force_loads_then_execs(machine, run):
    p = run(machine, '-f', machine.kernel, '--command-line=y')
    assert p.returncode == 0, p.stderr
    calls = [l.split('(')[0] for l in p.syscalls]
    assert calls == ['kexec_load', 'sync', 'reboot'], p.syscalls


def test_unload_is_an_empty_load(machine, run):
    p = run(machine, '-u')
    assert p.returncode == 0, p.stderr
    loads = kexec_loads(p)
    assert len(loads) == 1 and re.search(r'kexec_load\((0|NULL), 0, NULL', loads[0]), loads


def test_status_follows_kexec_tools(machine, run):
    assert run(machine, '-S', '-l').returncode == 0
    machine.write('sys/kernel/kexec_loaded', '1\n')
    assert run(machine, '-S', '-l').returncode == 1
    assert run(machine, '-S').returncode == 0      # the crash image, not loaded
    machine.write('sys/kernel/kexec_crash_loaded', '1\n')
    assert run(machine, '-S').returncode == 1


def refusal(machine, run, args, *needles):
    p = run(machine, *args)
    one_error_line(p, *needles)
    assert kexec_loads(p) == [], 'a refused load reached kexec_load'


def test_not_a_bzimage(machine, run):
    bad = machine.write('boot/notes.txt', b'hello\n' * 1000)
    refusal(machine, run, ['-l', bad], bad, 'not a Linux kernel image')


def test_protocol_too_old(machine, run):
    k = machine.write('boot/old', bzimage(protocol=0x020a))
    refusal(machine, run, ['-l', k], k, '2.10', '2.12')


def test_not_64bit(machine, run):
    k = machine.write('boot/k32', bzimage(xloadflags=0))
    refusal(machine, run, ['-l', k], k, 'XLF_KERNEL_64')


def test_no_5level_support_on_5level_machine(machine, run):
    k = machine.write('boot/k4', bzimage(xloadflags=0x1b))
    refusal(machine, run, ['-l', k], k, '5-level')
    p = run(machine, '--dry-run', '-l', k, '--entry-32bit')
    assert p.returncode == 0, p.stderr


def test_unreadable_kernel_and_initrd(machine, run):
    refusal(machine, run, ['-l', '/nonexistent/vmlinuz'], '/nonexistent/vmlinuz',
            'No such file')
    refusal(machine, run, ['-l', machine.kernel, '--initrd=/nonexistent/rd'], '/nonexistent/rd')
    refusal(machine, run, ['-l', machine.root], machine.root, 'not a regular file')


def test_cmdline_too_long(machine, run):
    refusal(machine, run, ['-l', machine.kernel, '--command-line=' + 'x' * 2048], 'cmdline_size',
            machine.kernel)


def test_kernel_does_not_fit(machine, run):
    k = machine.write('boot/huge', bzimage(init_size=0x7ff00000))
    refusal(machine, run, ['-l', k], k, 'init_size')


def test_initrd_does_not_fit(machine, run):
    big = os.path.join(machine.root, 'boot/big.img')
    with open(big, 'wb') as f:
        f.truncate(1 << 30)
    refusal(machine, run, ['-l', machine.kernel, '--initrd', big], big, 'no free RAM')


def test_no_memory_map(machine, run):
    import shutil
    shutil.rmtree(os.path.join(machine.root, 'sys/firmware'))
    os.unlink(os.path.join(machine.root, 'proc/iomem'))
    refusal(machine, run, ['-l', machine.kernel], 'memmap', 'iomem')


# --- compressed kernels (Debian's /boot/xen-*.gz): unpacked; initrds passed as they are ---------

def packed(data, fmt):
    import gzip
    import lzma
    import shutil
    import subprocess
    if fmt == 'gzip':
        return gzip.compress(data, mtime=0)
    if fmt == 'xz':
        return lzma.compress(data, check=lzma.CHECK_CRC32)
    if not shutil.which('zstd'):
        pytest.skip('the zstd command is not installed')
    return subprocess.run(['zstd', '-q', '-c'], input=data, capture_output=True,
                          check=True).stdout


def plan_lines(out):
    """The segment lines, the zero page's digest left out (a fresh RNG seed every run)."""
    segs = re.findall(r'^[a-z_]+ +0x[0-9a-f]{16} .*$', out, re.M)
    return [re.sub(r'^(boot_params .*) [0-9a-f]{64}$', r'\1', l) for l in segs]


@pytest.mark.parametrize('fmt', ['gzip', 'xz', 'zstd'])
def test_compressed_kernel_gives_the_plain_plan(machine, run, fmt):
    with open(machine.kernel, 'rb') as f:
        plain = f.read()
    k = machine.write('boot/vmlinuz.' + fmt, packed(plain, fmt))
    args = ('--initrd', machine.initrd, '--command-line=console=ttyS0')
    a = run(machine, '--dry-run', '-l', machine.kernel, *args)
    b = run(machine, '--dry-run', '-l', k, *args)
    assert a.returncode == 0 and b.returncode == 0, (a.stderr, b.stderr)
    assert len(plan_lines(a.stdout)) == 5 and plan_lines(a.stdout) == plan_lines(b.stdout)
    assert re.search(r'^kernel: %s \(%s, %d bytes unpacked to %d; boot protocol' %
                     (re.escape(k), fmt, os.path.getsize(k), len(plain)), b.stdout, re.M), b.stdout


def test_compressed_initrd_is_passed_as_it_is(machine, run):
    with open(machine.initrd, 'rb') as f:
        rd = machine.write('boot/initrd.gz', packed(f.read(), 'gzip'))
    p = run(machine, '--dry-run', '-l', machine.kernel, '--initrd', rd)
    assert p.returncode == 0, p.stderr
    assert re.search(r'^initrd +0x[0-9a-f]{16} 0x%x ' % os.path.getsize(rd), p.stdout, re.M)


def test_corrupt_compressed_kernel_is_refused(machine, run):
    with open(machine.kernel, 'rb') as f:
        good = packed(f.read(), 'gzip')
    k = machine.write('boot/cut.gz', good[:len(good) // 2])
    refusal(machine, run, ['-l', k], 'kernel: ' + k, 'gzip data corrupt (truncated)')
    k = machine.write('boot/crc.gz', good[:-8] + bytes([good[-8] ^ 1]) + good[-7:])
    refusal(machine, run, ['-l', k], 'kernel: ' + k, 'gzip data corrupt (incorrect data check)')


@pytest.mark.parametrize('args, needle', [
    (['-l'], 'no kernel given'),
    (['--bogus'], 'unknown option --bogus'),
    (['-l', 'k', '-u'], 'exclude each other'),
    (['-l', 'k', '--serial-baud=7'], '--serial-baud'),
    ([], 'nothing to do'),
])
def test_usage_errors_exit_2(machine, run, args, needle):
    p = run(machine, *args)
    assert p.returncode == 2 and needle in p.stderr and len(p.stderr.splitlines()) == 1, p.stderr
    assert kexec_loads(p) == []


# --- crash images (-p) --------------------------------------------------------------------------

def plan_segments(out):
    return {m.group(1): (int(m.group(2), 16), int(m.group(4), 16)) for m in re.finditer(
        r'^(\w+) +0x([0-9a-f]{16}) +0x([0-9a-f]+) +0x([0-9a-f]+) ', out, re.M)}


def test_panic_dry_run_stays_in_the_crash_region(crash_machine, run):
    m = crash_machine
    p = run(m, '--dry-run', '-p', m.kernel, '--initrd', m.initrd, '--command-line=console=ttyS0')
    assert p.returncode == 0, p.stderr
    segs = plan_segments(p.stdout)
    assert set(segs) == {'kernel', 'initrd', 'elfcorehdr', 'backup', 'boot_params',
                         'page_tables', 'purgatory'}
    for name, (addr, size) in segs.items():
        assert m.crash[0] <= addr and addr + size <= m.crash[1], (name, hex(addr))
    hdr = segs['elfcorehdr'][0]
    assert 'command line: "console=ttyS0 elfcorehdr=0x%x"' % hdr in p.stdout, p.stdout
    assert re.search(r'^backup: 0x9ec00 bytes from 0x1000 saved to 0x%x' % segs['backup'][0],
                     p.stdout, re.M), p.stdout


def test_panic_load_uses_kexec_on_crash(crash_machine, run):
    m = crash_machine
    p = run(m, '-p', m.kernel, '--reuse-cmdline')
    assert p.returncode == 0, p.stderr
    loads = kexec_loads(p)
    assert len(loads) == 1 and re.search(r', 6, .*KEXEC_ON_CRASH', loads[0]), loads


def test_panic_reuse_cmdline_drops_crashkernel(crash_machine, run):
    p = run(crash_machine, '--dry-run', '-p', crash_machine.kernel, '--reuse-cmdline')
    assert re.search(r'command line: "console=ttyS0 quiet elfcorehdr=0x[0-9a-f]+"', p.stdout), \
        p.stdout


def test_panic_unload(crash_machine, run):
    p = run(crash_machine, '-p', '-u')
    assert p.returncode == 0, p.stderr
    loads = kexec_loads(p)
    assert len(loads) == 1 and re.search(r'kexec_load\((0|NULL), 0, NULL, .*KEXEC_ON_CRASH',
                                         loads[0]), loads


def test_hotplug_is_the_default_where_the_kernel_has_it(crash_machine, run):
    """6.5+ with CONFIG_CRASH_HOTPLUG: KEXEC_UPDATE_ELFCOREHDR (0x4, never 0x8), the header's
    segment as large as crash_elfcorehdr_size asks; --no-hotplug: neither."""
    m = crash_machine
    m.write('sys/kernel/crash_elfcorehdr_size', '917616\n')
    p = run(m, '-p', m.kernel, '--reuse-cmdline')
    assert p.returncode == 0, p.stderr
    loads = kexec_loads(p)
    assert len(loads) == 1 and re.search(r'KEXEC_ON_CRASH\|0x4\b|KEXEC_ON_CRASH\|KEXEC_UPDATE_ELFCOREHDR',
                                         loads[0]), loads
    assert '0x8' not in loads[0] and 'KEXEC_CRASH_HOTPLUG_SUPPORT' not in loads[0], loads
    p = run(m, '--dry-run', '-p', m.kernel, '--reuse-cmdline')
    assert p.returncode == 0, p.stderr
    hdr, size = plan_segments(p.stdout)['elfcorehdr']
    assert size >= 64 + 917616 and size % 4096 == 0, hex(size)
    assert re.search(r'^hotplug: the kernel rewrites elfcorehdr \(0x%x bytes at 0x%x\)'
                     % (size, hdr), p.stdout, re.M), p.stdout
    p = run(m, '--dry-run', '--json', '-p', m.kernel, '--reuse-cmdline')
    doc = json.loads(p.stdout)
    assert doc['hotplug'] is True
    seg = [s for s in doc['segments'] if s['name'] == 'elfcorehdr'][0]
    assert seg['hashed_size'] == 0 and seg['sha256'] == '0' * 64 and seg['bufsz'] < seg['memsz']

    p = run(m, '-p', m.kernel, '--reuse-cmdline', '--no-hotplug')
    assert p.returncode == 0, p.stderr
    loads = kexec_loads(p)
    assert len(loads) == 1 and re.search(r'KEXEC_ON_CRASH\)', loads[0]), loads
    p = run(m, '--dry-run', '-p', m.kernel, '--reuse-cmdline', '--no-hotplug')
    assert plan_segments(p.stdout)['elfcorehdr'][1] < 917616
    assert 'hotplug:' not in p.stdout


def test_hotplug_is_refused_where_the_kernel_has_none(crash_machine, run):
    """The fixture is Debian's 6.1: no crash hotplug, so none by default, and --hotplug fails."""
    m = crash_machine
    p = run(m, '-p', m.kernel, '--reuse-cmdline')
    assert p.returncode == 0, p.stderr
    assert re.search(r'KEXEC_ON_CRASH\)', kexec_loads(p)[0]), kexec_loads(p)
    refusal(m, run, ['-p', m.kernel, '--hotplug'], 'hotplug: the running kernel has no crash '
            'hotplug')


def test_panic_without_crashkernel_is_refused(machine, run):
    refusal(machine, run, ['-p', machine.kernel], 'crashkernel=')


def test_concurrent_loads_serialize(machine, baton):
    """Two loads at once: the second waits for the first (a lock file under /run), so their
    kexec_load calls never overlap. strace answers kexec_load after holding it for 1 s."""
    import subprocess
    import time
    import shutil
    if not shutil.which('strace'):
        pytest.skip('strace is needed to answer kexec syscalls safely')
    os.makedirs(os.path.join(machine.root, 'run'), exist_ok=True)
    env = dict(os.environ, BATON_ROOT=machine.root)
    cmd = ['strace', '-f', '-qq', '-e', 'trace=kexec_load,kexec_file_load,reboot',
           '-e', 'inject=kexec_load:retval=0:delay_enter=1s',
           '-e', 'inject=kexec_file_load:retval=0', '-e', 'inject=reboot:retval=0',
           baton, '-l', machine.kernel]
    start = time.monotonic()
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    took = time.monotonic() - start
    assert [p.returncode for p in procs] == [0, 0], outs
    assert all(b'INJECTED' in err for _, err in outs), outs
    assert took >= 2.0, 'the two kexec_load calls overlapped (%.2f s)' % took


def test_dry_run_is_valgrind_clean(machine, baton):
    """The loader's plan on real-sized inputs: no invalid access, no leak."""
    import shutil
    import subprocess
    if not shutil.which('valgrind'):
        pytest.skip('valgrind is not installed')
    kernel = os.path.join(REPO, os.environ.get('BATON_BUILD', 'build'), 'assets', 'vmlinuz')
    if not os.path.exists(kernel):
        kernel = machine.kernel
    p = subprocess.run(['valgrind', '-q', '--leak-check=full', '--error-exitcode=99', baton,
                        '--dry-run', '-l', kernel, '--initrd', machine.initrd, '--reuse-cmdline'],
                       env=dict(os.environ, BATON_ROOT=machine.root), capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr


# --- lockdown: kexec_load refused, kexec_file_load instead ----------------------------------------

def calls(p):
    return [l.split('(')[0] for l in p.syscalls if not l.startswith('+++')]


def test_lockdown_falls_back_to_kexec_file_load(machine, run):
    p = run(machine, '-l', machine.kernel, '--initrd', machine.initrd, '--command-line=x y',
            answers={'kexec_load': 'error=EPERM'})
    assert p.returncode == 0, p.stderr
    assert calls(p) == ['kexec_load', 'kexec_file_load'], p.syscalls
    assert re.search(r'kexec_file_load\(\d+, \d+, 4, "x y\\0", 0\)', p.syscalls[1]), p.syscalls
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and 'falling back to kexec_file_load' in lines[0] and \
        'not permitted' in lines[0], p.stderr


def test_fallback_for_a_crash_image_without_initrd(crash_machine, run):
    p = run(crash_machine, '-p', crash_machine.kernel, '--command-line=c',
            answers={'kexec_load': 'error=ENOSYS'})
    assert p.returncode == 0, p.stderr
    assert re.search(r'kexec_file_load\(\d+, -1, 2, "c\\0", '
                     r'(KEXEC_FILE_ON_CRASH\|KEXEC_FILE_NO_INITRAMFS|0x6)\)', p.syscalls[-1]), \
        p.syscalls


def test_lockdown_fallback_hands_a_compressed_kernel_over_unpacked(machine, run):
    """The kernel's own loader reads no gzip: it gets a memfd with the unpacked bzImage."""
    with open(machine.kernel, 'rb') as f:
        plain = f.read()
    k = machine.write('boot/vmlinuz.gz', packed(plain, 'gzip'))
    p = run(machine, '-l', k, '--command-line=x', answers={'kexec_load': 'error=EPERM'})
    assert p.returncode == 0, p.stderr
    assert calls(p) == ['kexec_load', 'kexec_file_load'], p.syscalls


def test_kexec_syscall_only_does_not_fall_back(machine, run):
    p = run(machine, '-c', '-l', machine.kernel, answers={'kexec_load': 'error=EPERM'})
    one_error_line(p, 'kexec_load: not permitted', 'lockdown')
    assert calls(p) == ['kexec_load'], p.syscalls


# --- confidential guests: baton's purgatory cannot run there, the kernel's loader can ----------

def snp_guest(machine):
    with open(os.path.join(REPO, 'tests', 'fixtures', 'cpu', 'sev-snp-guest')) as f:
        machine.write('proc/cpuinfo', f.read())


def test_confidential_guest_falls_back_to_kexec_file_load(machine, run):
    snp_guest(machine)
    p = run(machine, '-l', machine.kernel, '--initrd', machine.initrd, '--command-line=x')
    assert p.returncode == 0, p.stderr
    assert calls(p) == ['kexec_file_load'], p.syscalls   # kexec_load is never tried
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and 'AMD SEV-SNP guest' in lines[0] and \
        'falling back to kexec_file_load' in lines[0], p.stderr


def test_confidential_guest_dry_run_shows_the_kernels_loader(machine, run):
    machine.write('proc/cpuinfo', 'processor\t: 0\nflags\t\t: fpu hypervisor tdx_guest\n\n')
    p = run(machine, '--dry-run', '-l', machine.kernel, '--command-line=x')
    assert p.returncode == 0, p.stderr
    assert 'Intel TDX guest' in p.stderr and 'falling back' in p.stderr, p.stderr
    assert p.stdout == 'kexec_file_load: kernel %s, initrd (none), command line "x"\n' % \
        machine.kernel, p.stdout


def test_confidential_guest_with_kexec_load_only_is_refused(machine, run):
    snp_guest(machine)
    p = run(machine, '-c', '-l', machine.kernel)
    one_error_line(p, "cpu: this is an AMD SEV-SNP guest: baton's purgatory cannot run in a "
                   'confidential guest (use kexec_file_load)')
    assert calls(p) == [], p.syscalls


def test_kexec_file_syscall_only(machine, run):
    p = run(machine, '-s', '-l', machine.kernel, '--initrd', machine.initrd, '--append=z')
    assert p.returncode == 0, p.stderr
    assert calls(p) == ['kexec_file_load'], p.syscalls


def test_unsigned_kernel_under_lockdown_is_refused_clearly(machine, run):
    p = run(machine, '-l', machine.kernel, answers={'kexec_load': 'error=EPERM',
                                                    'kexec_file_load': 'error=EKEYREJECTED'})
    assert p.returncode == 1
    assert 'signature check refused it' in p.stderr.splitlines()[-1], p.stderr
    p = run(machine, '-s', '-l', machine.kernel, answers={'kexec_file_load': 'error=EPERM'})
    one_error_line(p, machine.kernel, 'lockdown', 'signed')


def test_secure_boot_eacces_falls_back_too(machine, run):
    """Under Secure Boot, IMA refuses kexec_load with EACCES before lockdown is asked."""
    p = run(machine, '-l', machine.kernel, answers={'kexec_load': 'error=EACCES'})
    assert p.returncode == 0, p.stderr
    assert calls(p) == ['kexec_load', 'kexec_file_load'], p.syscalls
    assert 'Secure Boot' in p.stderr and 'falling back' in p.stderr, p.stderr


def test_unload_under_lockdown_uses_kexec_file_load(machine, run):
    p = run(machine, '-u', answers={'kexec_load': 'error=EPERM'})
    assert p.returncode == 0, p.stderr
    assert calls(p) == ['kexec_load', 'kexec_file_load'], p.syscalls
    assert 'KEXEC_FILE_UNLOAD' in p.syscalls[1], p.syscalls
