/* SPDX-License-Identifier: MIT */
/*
 * A bump allocator over the largest usable memory region, as lib/sched's
 * memory hook for the kvm images until lib/mm's allocator is wired in.
 * Freed blocks are not reused (the images create a bounded number of
 * threads).
 */
#ifndef KVM_APPS_HEAP_H
#define KVM_APPS_HEAP_H

#include <sched/cpu.h>

/*
 * sk_kvm_heap_ops - initialise the heap (first call) and return the hooks.
 * Return: NULL if no usable region of at least 1 MiB exists.
 * Context: boot CPU, before sk_sched_init.
 */
const struct sk_sched_mem_ops *sk_kvm_heap_ops(void);

#endif
