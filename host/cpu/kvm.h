/*
 * kvm.h - the KVM CPU model (gem5's X86KvmCPU): the guest runs on the host's
 * /dev/kvm while devices, memory, the local APIC and the I/O APIC stay in
 * m5sim (docs/cpu-models.md, "The KVM model").
 *
 * Creating the model and checking that the host's KVM can run a Linux guest
 * are separate: the synthetic-guest tests drive the model on a KVM that
 * runs supervisor code correctly but fails the Linux check (this project's
 * software kvm-pvm), and the machine uses the model only when both succeed.
 */
#ifndef M5SIM_CPU_KVM_H
#define M5SIM_CPU_KVM_H

#include <stdbool.h>
#include <stddef.h>

#include "cpu/model.h"

/*
 * A KVM model for `cpu`, its guest RAM the ranges of cpu->bus. NULL when
 * /dev/kvm is missing or unusable, with the reason in why.
 */
struct cpu_model *cpu_model_kvm_new(struct cpu *cpu, char *why, size_t why_len);

/*
 * Run a tiny probe guest on a VM of its own and check what a Linux guest
 * needs: CPUID shows m5sim's model, and a user-mode SYSCALL arrives at CPL 0.
 * false, with what failed in why, when it cannot. The answer is computed once.
 */
bool kvm_can_run_linux(char *why, size_t why_len);

#endif
