/*
 * payload.h - decompress a bzImage's payload on the host: the compressed
 * vmlinux (a stripped ELF, with the relocation table appended) that the
 * kernel's own decompressor would otherwise unpack under the interpreter,
 * some billions of instructions for a distribution kernel. The kernel build
 * writes the compressor's stream followed by the uncompressed size as a
 * little-endian u32 (gzip's own ISIZE field for gzip; appended for the
 * others), so the output size is known before decompressing.
 *
 * Formats, told apart by their magic numbers: gzip (zlib), xz (liblzma),
 * zstd (libzstd) and the legacy LZ4 framing of `lz4 -l` (liblz4). bzip2, lzma
 * and lzo kernels are refused with a message naming the format.
 */
#ifndef M5SIM_MACHINE_PAYLOAD_H
#define M5SIM_MACHINE_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

/* Largest output accepted: far above any kernel, low enough that a crafted size trailer costs little. */
#define PAYLOAD_MAX_OUT (256u << 20)

/* The format's name ("gzip", "xz", ...) from the payload's magic, or NULL when it is none m5sim knows. */
const char *payload_format(const uint8_t *in, size_t len);

/*
 * Decompress `in` into a malloc'd buffer (*out, *out_len; the caller frees it).
 * On failure return -1 with a one-line reason in err (no newline) and
 * nothing allocated; 0 on success.
 */
int payload_decompress(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len, char *err, size_t errlen);

#endif
