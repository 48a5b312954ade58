# SPDX-License-Identifier: MIT
"""Demo: kernel 1 -> baton -> kernel 2 under QEMU, with the whole serial transcript on stdout.

    /usr/bin/python3 tests/vm/demo.py [--build build] [--loader baton|kexec-tools] [--mem 1024]
Exits 0 when the second kernel came up with the requested command line and an intact payload.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console as con  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def banner(text):
    sys.stdout.write('\n\033[1m##### %s\033[0m\n' % text if sys.stdout.isatty()
                     else '\n##### %s\n' % text)
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default='build')
    ap.add_argument('--loader', choices=('baton', 'kexec-tools'), default='baton')
    ap.add_argument('--mem', type=int, default=1024)
    args = ap.parse_args()
    build = os.path.abspath(os.path.join(REPO, args.build))
    assets = os.path.join(build, 'assets')
    if args.loader == 'baton' and not os.path.exists(os.path.join(assets, 'host-initrd.has-baton')):
        print('demo: %s/host-initrd.img has no baton: build baton-static, rerun scripts/assets.sh'
              % assets, file=sys.stderr)
        return 2

    cmdline = 'console=ttyS0 baton.case=demo'
    load = '--initrd=/boot/initrd.img --command-line="%s"' % cmdline
    if args.loader == 'baton':
        steps = [('the plan (nothing is loaded)', '/sbin/baton --dry-run -l /boot/vmlinuz ' + load),
                 ('load', '/sbin/baton -l /boot/vmlinuz %s --console-serial' % load),
                 ('the kernel holds it', 'echo "kexec_loaded=$(cat /sys/kernel/kexec_loaded)"')]
        execute = '/sbin/baton -e'
    else:
        steps = [('load', '/sbin/kexec -l /boot/vmlinuz ' + load)]
        execute = '/sbin/kexec -e'

    c = con.Console(assets, os.path.join(build, 'vm-logs', 'demo.log'), mem=args.mem,
                    echo=sys.stdout)
    try:
        banner('kernel 1: booting %s under QEMU (TCG, -cpu max, -m %d)' % (
            os.path.basename(c.kernel), args.mem))
        c.start()
        for title, cmd in steps:
            banner(title)
            out, rc = c.run_command_rc(cmd, 120)
            if rc != 0:
                banner('FAILED: %s exited %d' % (cmd.split()[0], rc))
                return 1
        banner('hand over: %s' % execute)
        c.run_command(execute, wait_for_prompt=False)
        got = c.wait_for(con.RE_TARGET_CMDLINE, 120).group(1)
        payload = c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1)
        expected = c.wait_for(con.RE_TARGET_EXPECTED, 30).group(1)
        c.wait_for(con.RE_TARGET_DONE, 30)
        c.wait_exit(30)
        seconds = c.elapsed()
    except con.ConsoleError as e:
        banner('FAILED: %s' % str(e).splitlines()[0])
        return 1
    finally:
        c.close()
    ok = got == cmdline and payload == expected
    banner('kernel 2 came up: command line %s, payload sha256 %s (%.1f s, transcript in %s)' % (
        'as requested' if got == cmdline else 'DIFFERENT: %r' % got,
        'intact' if payload == expected else 'CORRUPT', seconds, c.log_path))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
