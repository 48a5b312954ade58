# SPDX-License-Identifier: MIT
"""Captures the first kernel's memory map, /proc/iomem and boot_params under QEMU as test fixtures.

    /usr/bin/python3 tests/vm/capture_fixtures.py [--build build] [--out tests/fixtures]
"""

import argparse
import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console import Console  # noqa: E402

MEMMAP_CMD = ('for d in $(ls /sys/firmware/memmap | sort -n); do '
              'echo "$(cat /sys/firmware/memmap/$d/start) $(cat /sys/firmware/memmap/$d/end) '
              '$(cat /sys/firmware/memmap/$d/type)"; done')


def capture(build, out, name, mem):
    assets = os.path.join(build, 'assets')
    log = os.path.join(build, 'vm-logs', 'capture-%s.log' % name)
    with Console(assets, log, mem=mem) as c:
        c.start()
        memmap = c.run_command(MEMMAP_CMD)
        iomem = c.run_command('cat /proc/iomem')
        with open(os.path.join(out, 'qemu-%s.memmap' % name), 'w') as f:
            f.write(memmap.strip() + '\n')
        with open(os.path.join(out, 'qemu-%s.iomem' % name), 'w') as f:
            f.write(iomem.rstrip() + '\n')
        b64 = c.run_command('base64 /sys/kernel/boot_params/data')
        data = base64.b64decode(''.join(b64.split()))
        assert len(data) == 4096, len(data)
        with open(os.path.join(out, 'qemu-%s.boot_params' % name), 'wb') as f:
            f.write(data)
        cmdline = c.run_command('cat /proc/cmdline')
        with open(os.path.join(out, 'qemu-%s.info' % name), 'w') as f:
            f.write('qemu: %s\nkernel: %s\ncmdline: %s\n'
                    % (' '.join(c.qemu_command()), c.kernel_release, cmdline.strip()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--out', default='tests/fixtures')
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    os.makedirs(args.out, exist_ok=True)
    capture(build, args.out, '1g', 1024)
    capture(build, args.out, '6g', 6144)


if __name__ == '__main__':
    main()
