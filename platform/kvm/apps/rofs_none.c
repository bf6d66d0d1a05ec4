// SPDX-License-Identifier: MIT
/*
 * The demo without lib/vfs in the tree: no filesystem part.
 */
#include <errno.h>

#include "demo.h"

int sk_kvm_demo_rofs(struct sk_virtio_blk *blk,
		     const struct sk_sched_mem_ops *mem)
{
	(void)blk;
	(void)mem;
	return -ENOTSUP;
}
