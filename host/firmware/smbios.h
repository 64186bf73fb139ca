/*
 * smbios.h - the SMBIOS tables a PC BIOS leaves in memory (DMTF DSP0134,
 * version 3.0): a 64-bit entry point ("_SM3_", found by Linux's scan of
 * 0xF0000-0xFFFFF on 16-byte boundaries) and a minimal structure table:
 * BIOS (type 0), system (type 1), one processor package (type 4) holding
 * every CPU as a core, a memory array (type 16) with one memory device
 * (type 17) of the whole RAM, system boot (type 32) and end of table (127).
 * Linux prints "DMI: <system vendor> <product>, BIOS <version> <date>" from
 * them and exports them under /sys/class/dmi/id; dmidecode reads them too.
 * Every string is fixed: nothing depends on the host.
 */
#ifndef M5SIM_FIRMWARE_SMBIOS_H
#define M5SIM_FIRMWARE_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#define SMBIOS_VENDOR   "m5sim"
#define SMBIOS_PRODUCT  "m5sim x86-64 PC"
#define SMBIOS_BIOS_VERSION "m5sim-1"
#define SMBIOS_BIOS_DATE    "01/01/2025"

struct smbios_config {
    uint64_t mem_bytes;                /* RAM size */
    unsigned n_cpus;                   /* cores of the one processor package */
    uint32_t cpuid_1_eax, cpuid_1_edx; /* the processor ID (CPUID leaf 1) */
    unsigned cpu_mhz;                  /* the CPU clock */
};

/* Build the entry point and the tables into buf (at guest-physical address pa, 16-byte aligned); returns the bytes
 * used, 0 if max is too small. */
size_t smbios_build(uint8_t *buf, size_t max, uint64_t pa, const struct smbios_config *cfg);

#endif
