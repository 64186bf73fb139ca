#!/usr/bin/env python3
"""Extract Linux's real-mode blob and its relocations from a vmlinux, for
test_cpu_modes' optional test_linux_trampoline_blob:

    tests/unit/extract_rm_blob.py ~/.cache/m5sim/kernel/*/vmlinux /tmp
    M5SIM_RM_BLOB=/tmp/rm_blob.bin M5SIM_RM_RELOCS=/tmp/rm_relocs.bin build/tests/test_cpu_modes
"""
import os
import struct
import subprocess
import sys


def main():
    vmlinux, out = sys.argv[1], sys.argv[2]
    syms = {}
    for line in subprocess.check_output(["nm", vmlinux], text=True).splitlines():
        f = line.split()
        if len(f) == 3:
            syms[f[2]] = int(f[0], 16)
    sections = []
    for line in subprocess.check_output(["readelf", "-SW", vmlinux], text=True).splitlines():
        f = line.replace("[ ", "[").split()
        if len(f) > 5 and f[0].startswith("[") and f[0] != "[Nr]":
            try:
                sections.append((int(f[3], 16), int(f[4], 16), int(f[5], 16)))
            except ValueError:
                pass
    data = open(vmlinux, "rb").read()

    def read(va, n):
        for addr, off, size in sections:
            if addr and addr <= va and va + n <= addr + size:
                return data[off + va - addr:off + va - addr + n]
        sys.exit("address %x is in no section" % va)

    start, end = syms["real_mode_blob"], syms["real_mode_blob_end"]
    blob = read(start, end - start)
    relocs = syms["real_mode_relocs"]
    seg = struct.unpack("<I", read(relocs, 4))[0]
    lin = struct.unpack("<I", read(relocs + 4 + 4 * seg, 4))[0]
    with open(os.path.join(out, "rm_blob.bin"), "wb") as f:
        f.write(blob)
    with open(os.path.join(out, "rm_relocs.bin"), "wb") as f:
        f.write(read(relocs, 4 * (2 + seg + lin)))


if __name__ == "__main__":
    main()
