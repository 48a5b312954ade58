# SPDX-License-Identifier: MIT
"""baton called as kexec: kexec-tools' behaviour, for systemd, kdump-tools and scripts.

Every syscall that loads or reboots is answered by strace (conftest.run); interfaces are taken
down in a network namespace of the test's own."""

import os
import re

KEXEC_ON_CRASH = 0x1


def calls(p):
    return [l.split('(')[0] for l in p.syscalls]


def test_kernel_without_action_loads_then_runs_shutdown(machine, run):
    machine.write('sys/kernel/kexec_loaded', '1\n')
    machine.write('sbin/shutdown', '#!/bin/sh\necho "$0 $*" > "$BATON_ROOT/shutdown.ran"\n')
    os.chmod(os.path.join(machine.root, 'sbin/shutdown'), 0o755)
    p = run(machine, machine.kernel, '--append=quiet', as_kexec=True)
    assert p.returncode == 0, p.stderr
    assert calls(p) == ['kexec_load'], p.syscalls   # no reboot: shutdown(8) does that
    with open(os.path.join(machine.root, 'shutdown.ran')) as f:
        assert f.read().split()[1:] == ['-r', 'now']


def test_load_then_shutdown_stops_when_nothing_was_loaded(machine, run):
    p = run(machine, machine.kernel, as_kexec=True)
    assert p.returncode == 1
    assert p.stderr.strip() == 'kexec: nothing has been loaded (load a kernel with -l first)'


def test_exec_syncs_and_takes_interfaces_down(machine, run):
    machine.write('sys/kernel/kexec_loaded', '1\n')
    state = machine.root + '/lo.state'
    p = run(machine, '-e', as_kexec=True, before='ip link set lo up',
            after='ip -o link show lo > %s' % state)
    assert p.returncode == 0, p.stderr
    assert calls(p) == ['sync', 'reboot'], p.syscalls
    with open(state) as f:
        flags = re.search(r'<([^>]*)>', f.read()).group(1).split(',')
    assert 'UP' not in flags, flags


def test_no_ifdown_and_no_sync(machine, run):
    machine.write('sys/kernel/kexec_loaded', '1\n')
    state = machine.root + '/lo.state'
    p = run(machine, '-e', '-x', '-y', as_kexec=True, before='ip link set lo up',
            after='ip -o link show lo > %s' % state)
    assert p.returncode == 0, p.stderr
    assert calls(p) == ['reboot'], p.syscalls
    with open(state) as f:
        assert 'UP' in re.search(r'<([^>]*)>', f.read()).group(1).split(',')


def test_baton_exec_leaves_interfaces_to_the_drivers(machine, run):
    machine.write('sys/kernel/kexec_loaded', '1\n')
    state = machine.root + '/lo.state'
    p = run(machine, '-e', before='ip link set lo up', after='ip -o link show lo > %s' % state)
    assert p.returncode == 0, p.stderr
    with open(state) as f:
        assert 'UP' in re.search(r'<([^>]*)>', f.read()).group(1).split(',')


def test_kdump_config_load_command(crash_machine, run):
    """The command Debian's kdump-config load runs (kdump_load in /usr/sbin/kdump-config)."""
    m = crash_machine
    p = run(m, '-p', '--command-line=root=/dev/vda ro console=ttyS0 reset_devices '
            'systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll nousb',
            '--initrd=' + m.initrd, m.kernel, as_kexec=True)
    assert p.returncode == 0, p.stderr
    loads = [l for l in p.syscalls if l.startswith('kexec_load(')]
    assert len(loads) == 1, p.syscalls
    flags = int(re.search(r', (0x[0-9a-f]+|KEXEC_[^)]*)\) = 0', loads[0]).group(1)
                .split('|')[-1].replace('KEXEC_ON_CRASH', '1'), 0)
    assert flags & KEXEC_ON_CRASH
    p = run(m, '-p', '-u', as_kexec=True)
    assert p.returncode == 0, p.stderr


def test_version_and_usage_errors_exit_like_kexec_tools(machine, run):
    p = run(machine, '--version', as_kexec=True)
    assert p.returncode == 0 and p.stdout.startswith('kexec (baton) ')
    p = run(machine, '-l', machine.kernel, '--load-preserve-context', as_kexec=True)
    assert p.returncode == 1
    assert p.stderr.startswith('kexec: option --load-preserve-context is not supported'), \
        p.stderr
    assert p.syscalls == []
    p = run(machine, '--bogus', as_kexec=True)
    assert p.returncode == 1 and 'unknown option --bogus' in p.stderr
    p = run(machine, '--bogus')
    assert p.returncode == 2


def test_module_is_passed_on_and_a_bzimage_refuses_it(machine, run):
    """kexec-tools' --module (repeatable) reaches the library, which says a bzImage takes none."""
    for as_kexec in (True, False):
        p = run(machine, '-l', machine.kernel, '--module=%s dom0_mem=1G' % machine.initrd,
                '--module', machine.initrd, as_kexec=as_kexec)
        assert p.returncode == 1, p.stderr
        assert p.stderr == '%s: bzimage: %s: takes no --module (a multiboot kernel does)\n' % (
            'kexec' if as_kexec else 'baton', machine.kernel), p.stderr
        assert not [c for c in p.syscalls if c.startswith('kexec')]


def test_kexec_compat_option(machine, run):
    p = run(machine, '--kexec-compat', '--dry-run', machine.kernel)
    assert p.returncode == 0, p.stderr
    assert 'kernel' in p.stdout


def test_load_then_shutdown_without_shutdown_says_so(machine, run):
    machine.write('sys/kernel/kexec_loaded', '1\n')
    p = run(machine, machine.kernel, as_kexec=True)
    assert p.returncode == 1
    assert p.stderr.startswith('kexec: shutdown: cannot run %s/sbin/shutdown: ' % machine.root), \
        p.stderr
    assert calls(p) == ['kexec_load'], p.syscalls
