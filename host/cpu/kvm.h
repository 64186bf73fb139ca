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

struct bus;

/*
 * One VM for a machine: its guest RAM the RAM ranges of `bus`, registered
 * once. NULL when /dev/kvm is missing or unusable, with the reason in why.
 * The caller holds one reference (kvm_vm_put); every model made on it
 * holds another, so the VM lives as long as its last vCPU.
 */
struct kvm_vm *kvm_vm_new(const struct bus *bus, char *why, size_t why_len);
void kvm_vm_put(struct kvm_vm *vm);

/*
 * A KVM model for `cpu`: a vCPU of `vm` with cpu->id as its vCPU id. The
 * CPUs of one VM run one at a time on the thread that made them (the
 * machine's scheduler). NULL, with the reason in why, when it cannot.
 */
struct cpu_model *cpu_model_kvm_new_on(struct kvm_vm *vm, struct cpu *cpu, char *why, size_t why_len);

/* A KVM model on a VM of its own (one CPU: the tests, the probe). */
struct cpu_model *cpu_model_kvm_new(struct cpu *cpu, char *why, size_t why_len);

/* Does this model stop by counted guest instructions (kvm_icount.h), not time quanta? */
bool cpu_model_kvm_counts_instructions(const struct cpu_model *model);
/* Say in one line, once per process, how its runs stop and why (the machine, when KVM runs). */
void cpu_model_kvm_say_stops(const struct cpu_model *model);

/*
 * Run a tiny probe guest on a VM of its own and check what a Linux guest
 * needs: CPUID shows m5sim's model, and a user-mode SYSCALL arrives at CPL 0.
 * false, with what failed in why, when it cannot. The answer is computed once.
 */
bool kvm_can_run_linux(char *why, size_t why_len);

/*
 * For tests only: with M5SIM_KVM_UNPROBED=1 kvm_can_run_linux() skips the
 * Linux check (saying so in one line) and answers yes, so that synthetic
 * supervisor-mode guests run under --cpu-type kvm on a KVM that cannot run
 * Linux. /dev/kvm must still work. Never for real guests.
 */
#define KVM_UNPROBED_ENV "M5SIM_KVM_UNPROBED"

#endif
