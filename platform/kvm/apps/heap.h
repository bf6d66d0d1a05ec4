/* SPDX-License-Identifier: MIT */
/*
 * The images' heap: lib/mm's page allocator over the platform's memory
 * map (all RAM, above 4 GiB too) and lib/mm's malloc on top, handed to
 * lib/sched as its memory hook (thread control blocks and stacks).
 */
#ifndef KVM_APPS_HEAP_H
#define KVM_APPS_HEAP_H

#include <sched/cpu.h>

/*
 * sk_kvm_heap_ops - start lib/mm (first call: sk_page_init, then
 * sk_malloc_init) and return lib/sched's memory hook over sk_malloc.
 * Return: NULL if lib/mm cannot start (no usable RAM).
 * Context: boot CPU, before sk_sched_init.
 */
const struct sk_sched_mem_ops *sk_kvm_heap_ops(void);

#endif
