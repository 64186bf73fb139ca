/*
 * m5.h - libm5, the in-process m5-op API for programs run inside m5sim.
 *
 * Names, argument order and types follow gem5's include/gem5/m5ops.h, so a
 * program written for gem5 builds against this header unchanged. Link with
 * libm5.a (static, musl or glibc).
 *
 * The first call picks the calling convention: address mode through /dev/mem
 * at 0xFFFF0000 by default, another base with M5_ADDR=0x..., or instruction
 * mode with M5_MODE=inst (the 0F 04 opcode: only m5sim's interpreted CPUs
 * understand it; natively or under KVM it raises SIGILL).
 *
 * When no device can be mapped (not root, no /dev/mem, not in m5sim), every
 * call is a silent no-op returning 0, so the same binary runs natively or
 * under a syscall-emulation runner with identical output. The library never
 * prints. All times are in nanoseconds.
 */
#ifndef M5SIM_M5_H
#define M5SIM_M5_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 if ops reach the simulator (device mapped, or instruction mode), else 0. */
int m5_available(void);

void m5_arm(uint64_t address);
void m5_quiesce(void);
void m5_quiesce_ns(uint64_t ns);
void m5_quiesce_cycle(uint64_t cycles);
uint64_t m5_quiesce_time(void);
uint64_t m5_rpns(void);
void m5_wake_cpu(uint64_t cpuid);

void m5_exit(uint64_t ns_delay);
void m5_fail(uint64_t ns_delay, uint64_t code);
/* Sanity check of the op interface: the simulator returns a+b+c+d+e+f. */
unsigned m5_sum(unsigned a, unsigned b, unsigned c, unsigned d, unsigned e,
                unsigned f);
/* key_str1/key_str2: up to 16 bytes of key, little-endian, zero padded. */
uint64_t m5_init_param(uint64_t key_str1, uint64_t key_str2);
/* 0, or M5OP_CHECKPOINT_FAILED (all ones) when m5sim could not write a checkpoint without a delay. */
uint64_t m5_checkpoint(uint64_t ns_delay, uint64_t ns_period);
void m5_reset_stats(uint64_t ns_delay, uint64_t ns_period);
void m5_dump_stats(uint64_t ns_delay, uint64_t ns_period);
void m5_dump_reset_stats(uint64_t ns_delay, uint64_t ns_period);
/*
 * The host copies into / reads from *virtual* memory and cannot take page
 * faults: touch every page of buffer (and filename) before calling these.
 */
uint64_t m5_read_file(void *buffer, uint64_t len, uint64_t offset);
uint64_t m5_write_file(void *buffer, uint64_t len, uint64_t offset,
                       const char *filename);
void m5_debug_break(void);
void m5_switch_cpu(void);
void m5_dist_toggle_sync(void);
void m5_add_symbol(uint64_t addr, const char *symbol);
void m5_load_symbol(void);
void m5_panic(void);
void m5_work_begin(uint64_t workid, uint64_t threadid);
void m5_work_end(uint64_t workid, uint64_t threadid);
void m5_workload(void);

#ifdef __cplusplus
}
#endif

#endif
