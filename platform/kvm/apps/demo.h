/* SPDX-License-Identifier: MIT */
/*
 * Private to the demo image: its optional filesystem part (rofs.c, or
 * rofs_none.c without lib/vfs) and the checksum both parts print.
 */
#ifndef KVM_APPS_DEMO_H
#define KVM_APPS_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include <sched/cpu.h>
#include <kvm/virtio.h>

/* FNV-1a over @n bytes, continuing from @h. */
static inline uint64_t sk_kvm_demo_fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/*
 * sk_kvm_demo_rofs - mount the disk as rofs at /disk and read every file
 * with one thread per vCPU, printing a line per file.
 * Return: 0; -ENOTSUP without lib/vfs; a mount error (-EINVAL: not a rofs
 * image) - the caller then reads the disk raw.
 */
int sk_kvm_demo_rofs(struct sk_virtio_blk *blk,
		     const struct sk_sched_mem_ops *mem);

/*
 * sk_kvm_rofs_mount - start lib/rcu and lib/vfs (memory from @mem) and
 * mount the disk as rofs at /disk.  Return: 0 or the first error.
 * Context: thread, once.
 */
int sk_kvm_rofs_mount(struct sk_virtio_blk *blk,
		      const struct sk_sched_mem_ops *mem);

#endif
