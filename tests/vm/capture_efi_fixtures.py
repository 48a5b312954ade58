# SPDX-License-Identifier: MIT
"""Captures what EFI support in baton needs to know, from the Debian cloud kernel under OVMF.

    /usr/bin/python3 tests/vm/capture_efi_fixtures.py [--build build] [--out tests/fixtures/efi]

Needs scripts/assets.sh (efi-host-initrd.img, target-efi-initrd.img) and Debian's ovmf. The first
kernel is booted by OVMF through its EFI stub (QEMU -kernel/-initrd/-append, q35, std VGA).

Writes (OUT):
  runtime-map/N/{type,phys_addr,virt_addr,num_pages,attribute}  /sys/firmware/efi/runtime-map
  fw_vendor runtime config_table systab fw_platform_size          /sys/firmware/efi/*
  memmap              /sys/firmware/memmap as "0x<start> 0x<end-inclusive> <type>"
  iomem               /proc/iomem
  boot_params         /sys/kernel/boot_params/data (4096 bytes, binary)
  setup_data.txt      ls -l of /sys/kernel/boot_params/setup_data/ and each node's type and size
  setup_data/N/{type,data}  each node (data binary)
  efi-dmesg.txt       dmesg | grep -i efi
  fb.txt              /proc/fb, /dev/fb*, screen_info decoded from boot_params
  efivars.txt         ls of efivarfs (efivarfs.ko loaded) and BootOrder's bytes
  kexec-tools-d.log   `kexec -d -l` under OVMF
  kexec-tools-target.txt  the BATON-EFI-* lines of the kernel kexec-tools booted (-e)
  kexec-tools-target.boot_params  that kernel's /sys/kernel/boot_params/data
  info.txt            QEMU command line, versions, a summary
"""

import argparse
import base64
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console import EfiConsole  # noqa: E402

MEMMAP_CMD = ('for d in $(ls /sys/firmware/memmap | sort -n); do '
              'echo "$(cat /sys/firmware/memmap/$d/start) $(cat /sys/firmware/memmap/$d/end) '
              '$(cat /sys/firmware/memmap/$d/type)"; done')
RUNTIME_MAP_FIELDS = ('type', 'phys_addr', 'virt_addr', 'num_pages', 'attribute')
EFI_FILES = ('fw_vendor', 'runtime', 'config_table', 'systab', 'fw_platform_size')
EFIVARS = '/sys/firmware/efi/efivars'
BOOT_ORDER = 'BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c'
# include/uapi/linux/screen_info.h: orig_video_isVGA
# include/uapi/linux/screen_info.h: orig_video_isVGA
VIDEO_TYPES = {0x22: 'VIDEO_TYPE_VGAC', 0x23: 'VIDEO_TYPE_VLFB', 0x70: 'VIDEO_TYPE_EFI'}
# arch/x86/include/uapi/asm/bootparam.h
SETUP_TYPES = {1: 'E820_EXT', 2: 'DTB', 3: 'PCI', 4: 'EFI', 5: 'APPLE_PROPERTIES',
               6: 'JAILHOUSE', 7: 'CC_BLOB', 8: 'IMA', 9: 'RNG_SEED'}


def write(out, name, text):
    path = os.path.join(out, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text.rstrip('\n') + '\n')


def write_bin(out, name, data):
    path = os.path.join(out, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def read_b64(c, cmd, timeout=60):
    return base64.b64decode(''.join(c.run_command(cmd + ' | base64', timeout).split()))


def screen_info(data):
    """The fields of struct screen_info (first 64 bytes of boot_params) that matter here."""
    (orig_x, orig_y, ext_mem_k, orig_video_page, orig_video_mode, orig_video_cols, flags, _u2,
     orig_video_ega_bx, _u3, orig_video_lines, is_vga, orig_video_points, lfb_width, lfb_height,
     lfb_depth, lfb_base, lfb_size, cl_magic, cl_offset, lfb_linelength, red_size, red_pos,
     green_size, green_pos, blue_size, blue_pos, rsvd_size, rsvd_pos, vesapm_seg, vesapm_off,
     pages, vesa_attributes, capabilities, ext_lfb_base) = struct.unpack_from(
        '<BBHHBBBBHHBBHHHHIIHHHBBBBBBBBHHHHII', data, 0)
    lines = [
        'screen_info (boot_params[0:64]): %s' % data[:64].hex(),
        'orig_video_isVGA = 0x%02x (%s)' % (is_vga, VIDEO_TYPES.get(is_vga, '?')),
        'lfb_base = 0x%x, ext_lfb_base = 0x%x (full base 0x%x)'
        % (lfb_base, ext_lfb_base, lfb_base | (ext_lfb_base << 32)),
        'lfb_size = 0x%x, lfb_width x lfb_height x lfb_depth = %d x %d x %d, linelength = %d'
        % (lfb_size, lfb_width, lfb_height, lfb_depth, lfb_linelength),
        'red %d@%d green %d@%d blue %d@%d rsvd %d@%d' % (red_size, red_pos, green_size, green_pos,
                                                         blue_size, blue_pos, rsvd_size, rsvd_pos),
        'capabilities = 0x%x, pages = %d, flags = 0x%x' % (capabilities, pages, flags),
    ]
    return is_vga, lines


def efi_info(bp):
    """boot_params.efi_info (0x1c0, 32 bytes) and the e820 table, as text."""
    (loader_sig, systab, memdesc_size, memdesc_version, memmap, memmap_size, systab_hi,
     memmap_hi) = struct.unpack_from('<4sIIIIIII', bp, 0x1c0)
    lines = [
        'efi_info (boot_params 0x1c0): loader_signature=%r systab=0x%x memdesc_size=%d '
        'memdesc_version=%d memmap=0x%x memmap_size=%d (%d descriptors)'
        % (loader_sig, systab | (systab_hi << 32), memdesc_size, memdesc_version,
           memmap | (memmap_hi << 32), memmap_size, memmap_size // memdesc_size if memdesc_size
           else 0),
    ]
    nr = bp[0x1e8]
    lines.append('e820_entries (boot_params 0x1e8) = %d' % nr)
    for i in range(nr):
        addr, size, typ = struct.unpack_from('<QQI', bp, 0x2d0 + 20 * i)
        lines.append('  e820 0x%016x-0x%016x type %d' % (addr, addr + size - 1, typ))
    hdr = struct.unpack_from('<Q', bp, 0x250)[0]
    lines.append('hdr.setup_data (boot_params 0x250) = 0x%x' % hdr)
    return lines


def capture(build, out):
    assets = os.path.join(build, 'assets')
    log = os.path.join(build, 'vm-logs', 'capture-efi.log')
    summary = []
    with EfiConsole(assets, log, initrd=os.path.join(assets, 'efi-host-initrd.img')) as c:
        c.start()
        up = c.elapsed()
        # runtime-map
        entries = c.run_command('ls /sys/firmware/efi/runtime-map | sort -n').split()
        for n in entries:
            for f in RUNTIME_MAP_FIELDS:
                write(out, 'runtime-map/%s/%s' % (n, f),
                      c.run_command('cat /sys/firmware/efi/runtime-map/%s/%s' % (n, f)))
        rm_lines = c.run_command(
            'for d in $(ls /sys/firmware/efi/runtime-map | sort -n); do r=/sys/firmware/efi/'
            'runtime-map/$d; echo "$d type=$(cat $r/type) phys=$(cat $r/phys_addr) '
            'virt=$(cat $r/virt_addr) pages=$(cat $r/num_pages) attr=$(cat $r/attribute)"; done')
        for f in EFI_FILES:
            write(out, f, c.run_command('cat /sys/firmware/efi/%s' % f))
        write(out, 'memmap', c.run_command(MEMMAP_CMD))
        write(out, 'iomem', c.run_command('cat /proc/iomem'))
        bp = read_b64(c, 'cat /sys/kernel/boot_params/data')
        assert len(bp) == 4096, len(bp)
        write_bin(out, 'boot_params', bp)
        version = c.run_command('cat /sys/kernel/boot_params/version')

        sd = ['# ls -l /sys/kernel/boot_params/setup_data/',
              c.run_command('ls -l /sys/kernel/boot_params/setup_data/')]
        for n in c.run_command('ls /sys/kernel/boot_params/setup_data | sort -n').split():
            d = '/sys/kernel/boot_params/setup_data/' + n
            typ = c.run_command('cat %s/type' % d)
            data = read_b64(c, 'cat %s/data' % d)
            write(out, 'setup_data/%s/type' % n, typ)
            write_bin(out, 'setup_data/%s/data' % n, data)
            t = int(typ, 16)
            sd.append('node %s: type %s (%s), %d bytes: %s%s' % (
                n, typ, SETUP_TYPES.get(t, '?'), len(data), data[:64].hex(),
                '...' if len(data) > 64 else ''))
        write(out, 'setup_data.txt', '\n'.join(sd))
        write(out, 'efi-dmesg.txt', c.run_command('dmesg | grep -i efi'))

        is_vga, si = screen_info(bp)
        fb = ['# cat /proc/fb', c.run_command('cat /proc/fb'),
              '# ls -l /dev/fb*', c.run_command('ls -l /dev/fb* 2>&1'),
              '# /sys/class/graphics/fb0/{name,virtual_size,bits_per_pixel,stride}',
              c.run_command('for f in name virtual_size bits_per_pixel stride; do '
                            'echo "$f: $(cat /sys/class/graphics/fb0/$f 2>&1)"; done'),
              '# efifb / screen_info lines in dmesg',
              c.run_command("dmesg | grep -i -E 'efifb|fb0|screen_info|sysfb'"),
              '# decoded from boot_params'] + si
        write(out, 'fb.txt', '\n'.join(fb))

        ev = ['# insmod /lib/modules/efivarfs.ko; mount -t efivarfs efivarfs ' + EFIVARS,
              c.run_command('insmod /lib/modules/efivarfs.ko 2>&1; mount -t efivarfs efivarfs %s '
                            '2>&1; echo rc=$?' % EFIVARS),
              '# ls ' + EFIVARS, c.run_command('ls %s' % EFIVARS),
              '# xxd -p %s/%s (4 bytes attributes, then the value)' % (EFIVARS, BOOT_ORDER),
              c.run_command('/usr/bin/xxd -p %s/%s 2>&1' % (EFIVARS, BOOT_ORDER))]
        boot_order = ev[-1].replace('\n', '')
        write(out, 'efivars.txt', '\n'.join(ev))

        cmdline = 'console=ttyS0 baton.fixture=efi'
        cmd = ('/sbin/kexec -d -l /boot/vmlinuz --initrd=/boot/efi-initrd.img '
               '--command-line="%s"' % cmdline)
        _, rc = c.run_command_rc(cmd + ' >/tmp/kexec-d.log 2>&1', 120)
        kd = ['# ' + cmd, '# exit status %d' % rc, c.run_command('cat /tmp/kexec-d.log', 60),
              '# after: ' + c.run_command('cat /sys/kernel/kexec_loaded')]
        write(out, 'kexec-tools-d.log', '\n'.join(kd))
        kexec_version = c.run_command('/sbin/kexec --version 2>&1')
        first_cmdline = c.run_command('cat /proc/cmdline')

        c.run_command('/sbin/kexec -e', wait_for_prompt=False)
        start = c.pos
        c.wait_for(r'BATON-EFI-DONE', 120)
        target = [ln for ln in c.transcript[start:c.pos].splitlines()
                  if ln.startswith('BATON-EFI-')]
        target = [ln for ln in target if not ln.startswith('BATON-EFI-BOOT-PARAMS: ')]
        write(out, 'kexec-tools-target.txt', '\n'.join(target))
        m = re.search(r'BATON-EFI-BOOT-PARAMS: (\S+)', c.transcript[start:])
        tbp = base64.b64decode(m.group(1))
        write_bin(out, 'kexec-tools-target.boot_params', tbp)
        t_is_vga, t_si = screen_info(tbp)
        c.wait_exit(30)

        summary = [
            'qemu: ' + ' '.join(c.qemu_command()),
            'firmware: Debian ovmf (%s), vars: a fresh copy of %s' % (c.ovmf_code, c.ovmf_vars),
            'kernel: %s (%s), booted by OVMF through its EFI stub'
            % (c.kernel_release, open(os.path.join(assets, 'vmlinuz.package')).read().strip()),
            'cmdline: ' + first_cmdline,
            'boot: %.1f s from QEMU start to the prompt (TCG)' % up,
            'boot_params version: ' + version,
            'runtime-map: %d entries' % len(entries),
        ] + ['  ' + ln for ln in rm_lines.splitlines()] + [
            'systab: ' + ' '.join(open(os.path.join(out, 'systab')).read().split()),
            'fw_platform_size: ' + open(os.path.join(out, 'fw_platform_size')).read().strip(),
            'fw_vendor: %s runtime: %s config_table: %s' % tuple(
                open(os.path.join(out, f)).read().strip()
                for f in ('fw_vendor', 'runtime', 'config_table')),
        ] + efi_info(bp) + [
            'framebuffer: %s; orig_video_isVGA = 0x%02x%s'
            % (fb[1].strip() or 'none', is_vga, ' (VIDEO_TYPE_EFI: GOP)' if is_vga == 0x70 else ''),
            'BootOrder (efivarfs): ' + boot_order,
            'kexec-tools: ' + kexec_version,
            'kexec-tools -e: the target kernel reports (kexec-tools-target.txt):',
        ] + ['  ' + ln for ln in target if not ln.startswith('BATON-EFI-LOG')] + [
            'kexec-tools -e: the target kernel\'s boot_params (kexec-tools-target.boot_params):',
        ] + ['  ' + ln for ln in efi_info(tbp) + t_si]
    write(out, 'info.txt', '\n'.join(summary))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--out', default='tests/fixtures/efi')
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    os.makedirs(args.out, exist_ok=True)
    capture(build, args.out)


if __name__ == '__main__':
    main()
