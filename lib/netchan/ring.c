// SPDX-License-Identifier: MIT
/*
 * SPSC ring set-up (netchan/ring.h); the push and pop fast paths are
 * inline in the header so a caller's loop compiles to plain loads and
 * stores.
 */
#include <errno.h>

#include <netchan/ring.h>

int sk_ring_init(struct sk_ring *r, void **slots, uint32_t size)
{
	if (!r || !slots || size < SK_RING_SIZE_MIN ||
	    size > SK_RING_SIZE_MAX || !SK_IS_POW2(size))
		return -EINVAL;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->cached_tail = 0;
	r->cached_head = 0;
	r->pmask = size - 1;
	r->cmask = size - 1;
	r->pslots = slots;
	r->cslots = slots;
	return 0;
}
