/* sipi_compat.c - weak stand-ins for cpu_init_reset and cpu_sipi_start (see sipi_compat.h). */
#include "machine/sipi_compat.h"

#include "cpu/cpu.h"

__attribute__((weak)) void cpu_init_reset(struct cpu *cpu)
{
    cpu_reset(cpu);
}

__attribute__((weak)) void cpu_sipi_start(struct cpu *cpu, uint8_t vector)
{
    cpu->s.seg[SEG_CS].selector = (uint16_t)(vector << 8);
    cpu->s.seg[SEG_CS].base = (uint64_t)vector << 12;
    cpu->s.rip = 0;
}
