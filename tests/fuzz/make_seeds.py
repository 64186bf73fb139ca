#!/usr/bin/env python3
"""Write the seed corpus of the fuzz targets into tests/fuzz/corpus/<target>/.

Seeds are real inputs made small: the checkpoint index of tests/fixtures/ckpt-v1,
the ELF and program headers of a built vmlinux with its segments cut to a few
bytes, the start of a bzImage, well-formed virtio requests, m5 ops as the guest
agent issues them, and small static programs. Run from the top of the tree:
  tests/fuzz/make_seeds.py [VMLINUX BZIMAGE [PROGRAM...]]
"""
import os
import struct
import sys

OUT = "tests/fuzz/corpus"


def put(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data)


def ckpt_seeds():
    index = open("tests/fixtures/ckpt-v1/m5.cpt", "rb").read()
    body = index[:index.index(b"\n[end]\nindex_fingerprint=")]
    put("fuzz_ckpt", "ckpt-v1-body", body)               # the target appends the fingerprint
    put("fuzz_ckpt", "ckpt-v1-raw", b"\xff" + index)    # written as is
    v2 = body.replace(b"format_version=1", b"format_version=2")
    put("fuzz_ckpt", "ckpt-v1-as-v2-body", v2)


def boot_seeds(vmlinux, bzimage):
    if vmlinux and os.path.exists(vmlinux):
        f = open(vmlinux, "rb").read()
        eh = bytearray(f[:64])
        phoff, = struct.unpack_from("<Q", eh, 32)
        phnum, = struct.unpack_from("<H", eh, 56)
        phdrs = bytearray(f[phoff:phoff + 56 * phnum])
        struct.pack_into("<Q", eh, 32, 64)               # program headers right after the ELF header
        struct.pack_into("<QQ", eh, 40, 0, 0)            # no section headers
        struct.pack_into("<H", eh, 60, 0)
        data_at = 64 + len(phdrs)
        for i in range(phnum):
            o = i * 56
            ptype, = struct.unpack_from("<I", phdrs, o)
            if ptype == 1:                               # PT_LOAD: 64 file bytes, one page in memory
                struct.pack_into("<Q", phdrs, o + 8, data_at)
                struct.pack_into("<QQ", phdrs, o + 32, 64, 4096)
        put("fuzz_boot", "vmlinux-headers", bytes(eh) + bytes(phdrs) + f[0x1000:0x1000 + 64])
    if bzimage and os.path.exists(bzimage):
        put("fuzz_boot", "bzImage-start", open(bzimage, "rb").read()[:65536])


def virtio_seeds():
    DESC, AVAIL, USED, HDR, STATUS, DATA = 0x1000, 0x2000, 0x3000, 0x3800, 0x3900, 0x3a00
    for name, typ, sector, dlen, writable in (("in", 0, 3, 512, True), ("out", 1, 5, 1024, False),
                                              ("flush", 4, 0, 0, False), ("get-id", 8, 0, 20, True)):
        regs = bytearray(64)
        struct.pack_into("<I", regs, 0, (1 << 9) | (1 << 6))
        struct.pack_into("<H", regs, 6, 8)
        struct.pack_into("<QQQ", regs, 8, DESC, AVAIL, USED)
        regs[32] = 0
        ram = bytearray(0x3a00 + max(dlen, 512))
        chain = [(HDR, 16, 1, 1)]
        if dlen:
            chain.append((DATA, dlen, 1 | (2 if writable else 0), 2))
        chain.append((STATUS, 1, 2, 0))
        for i, (a, l, fl, nx) in enumerate(chain):
            struct.pack_into("<QIHH", ram, DESC + 16 * i, a, l, fl, nx if fl & 1 else 0)
        struct.pack_into("<HHH", ram, AVAIL, 0, 1, 0)
        struct.pack_into("<IIQ", ram, HDR, typ, 0, sector)
        put("fuzz_virtio", name, bytes(regs) + bytes(ram))


def m5op_seeds():
    ops = [0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x09, 0x21, 0x22, 0x23, 0x30, 0x31, 0x40, 0x41, 0x42, 0x43,
           0x4F, 0x50, 0x51, 0x52, 0x53, 0x54, 0x5a, 0x5b, 0x62, 0x70]

    def rec(op, mask, *args):
        a = list(args) + [0] * (4 - len(args))
        return bytes([ops.index(op), mask]) + struct.pack("<4Q", *a)

    name = b"results/out.txt\0"
    payload = b"guest data " * 8
    # writefile(buffer, length, offset, name): buffer at data+0x100, name at data+0
    guest = bytearray(0x200)
    guest[0:len(name)] = name
    guest[0x100:0x100 + len(payload)] = payload
    put("fuzz_m5op", "writefile", bytes([0]) + rec(0x4F, 0b1001, 0x100, len(payload), 0, 0) + bytes(guest))
    put("fuzz_m5op", "readfile", bytes([1]) + rec(0x50, 0b0001, 0x100, 64, 0) + rec(0x50, 0b0001, 0x100, 64, 16) +
        bytes(guest))
    put("fuzz_m5op", "exit-delayed", bytes([0]) + rec(0x21, 0, 5000000))
    put("fuzz_m5op", "stats-periodic", bytes([1]) + rec(0x41, 0, 0, 100000000) + rec(0x43, 0, 0, 1000000000))
    put("fuzz_m5op", "checkpoint-now", bytes([0]) + rec(0x43, 0, 0, 0))
    put("fuzz_m5op", "fail", bytes([0]) + rec(0x22, 0, 0, 300))


def se_seeds(programs):
    for p in programs:
        put("fuzz_se_elf", os.path.basename(p), open(p, "rb").read())


if __name__ == "__main__":
    args = sys.argv[1:]
    ckpt_seeds()
    boot_seeds(args[0] if len(args) > 0 else None, args[1] if len(args) > 1 else None)
    virtio_seeds()
    m5op_seeds()
    se_seeds(args[2:])
