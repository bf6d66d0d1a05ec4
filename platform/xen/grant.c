// SPDX-License-Identifier: MIT
/*
 * Grant table, version 1: FRAMES pages of our own memory that Xen turns
 * into the table with XENMEM_add_to_physmap(XENMAPSPACE_grant_table), 512
 * eight-byte entries per page.  References 0..7 are reserved by convention
 * (console, xenstore); the rest are handed out from a bitmap of atomic
 * words, so granting and revoking work in any context without a lock.
 *
 * Entry "flags" (shared with Xen and the peer):
 *   0 -> PERMIT_ACCESS[|READONLY]   sk_xen_grant_access, after domid and
 *                                   frame (release)
 *   Xen sets/clears READING|WRITING while the peer has it mapped
 *   PERMIT.. -> 0                   sk_xen_grant_end, by CAS, only when
 *                                   neither READING nor WRITING is set
 * Bitmap word bit: 0 -> 1 (alloc, CAS), 1 -> 0 (free, after the revoke).
 */
#include <errno.h>
#include <stdatomic.h>

#include "xen.h"

enum {
	FRAMES = 4,
	PER_FRAME = 4096 / 8,
	REFS = FRAMES * PER_FRAME,
	RESERVED = 8,
	WORDS = REFS / 64,
};

struct entry {
	_Atomic uint16_t flags;
	uint16_t domid;
	uint32_t frame;
};

static uint8_t table_pages[FRAMES][4096] SK_ALIGNED(4096);
static struct entry *table;
static unsigned nrefs; /* usable references: RESERVED..nrefs-1 */
static _Atomic uint64_t used[WORDS];

static long gnttab_op(unsigned op, void *arg)
{
	return SK_XEN_HC3(SK_XEN_HC_GRANT_TABLE_OP, op, arg, 1);
}

int sk_xen_grant_init(void)
{
	struct sk_xen_gnttab_query_size q = {
		SK_XEN_DOMID_SELF, 0, 0, 0, 0, 0
	};
	unsigned n = FRAMES;

	if (gnttab_op(SK_XEN_GNTTABOP_QUERY_SIZE, &q) != 0 || q.status != 0)
		return -ENODEV;
	if (q.max_nr_frames < n)
		n = q.max_nr_frames;
	for (unsigned i = 0; i < n; i++) {
		struct sk_xen_add_to_physmap x = {
			SK_XEN_DOMID_SELF, 0, SK_XEN_MAPSPACE_GRANT_TABLE, i,
			(uintptr_t)table_pages[i] >> 12
		};

		if (SK_XEN_HC2(SK_XEN_HC_MEMORY_OP,
			       SK_XEN_XENMEM_ADD_TO_PHYSMAP, &x) != 0) {
			n = i;
			break;
		}
	}
	if (n == 0)
		return -ENODEV;
	/* Reserved references stay taken. */
	atomic_store_explicit(&used[0], (1ull << RESERVED) - 1,
			      memory_order_relaxed);
	table = (struct entry *)(void *)table_pages;
	nrefs = n * PER_FRAME;
	return 0;
}

unsigned sk_xen_grant_capacity(void)
{
	return nrefs > RESERVED ? nrefs - RESERVED : 0;
}

static int ref_alloc(sk_xen_grant_ref *ref)
{
	for (unsigned w = 0; w < nrefs / 64; w++) {
		uint64_t v =
			atomic_load_explicit(&used[w], memory_order_relaxed);

		while (~v) {
			uint64_t bit = ~v & (v + 1); /* lowest clear bit */

			/* Relaxed: the bit only picks the one owner; the
			 * entry's publication is ordered by its own flags. */
			if (atomic_compare_exchange_weak_explicit(
				    &used[w], &v, v | bit, memory_order_relaxed,
				    memory_order_relaxed)) {
				*ref = w * 64 + (unsigned)__builtin_ctzll(bit);
				return 0;
			}
		}
	}
	return -ENOSPC;
}

int sk_xen_grant_access(uint16_t domid, uint64_t pa, unsigned flags,
			sk_xen_grant_ref *ref)
{
	struct entry *e;
	sk_xen_grant_ref r;
	uint16_t gtf = SK_XEN_GTF_PERMIT_ACCESS;

	if (!table)
		return -ENODEV;
	if ((pa & 4095) || (pa >> 12) > UINT32_MAX || flags > SK_XEN_GRANT_RO ||
	    !ref)
		return -EINVAL;
	if (ref_alloc(&r) != 0)
		return -ENOSPC;
	if (flags & SK_XEN_GRANT_RO)
		gtf |= SK_XEN_GTF_READONLY;
	e = &table[r];
	e->domid = domid;
	e->frame = (uint32_t)(pa >> 12);
	/* Release: domid, frame and the page's contents before the flags
	 * that make them valid; pairs with Xen's read barrier. */
	atomic_store_explicit(&e->flags, gtf, memory_order_release);
	*ref = r;
	return 0;
}

int sk_xen_grant_end(sk_xen_grant_ref ref)
{
	struct entry *e;
	uint16_t f;

	if (!table || ref < RESERVED || ref >= nrefs ||
	    !(atomic_load_explicit(&used[ref / 64], memory_order_relaxed) &
	      (1ull << (ref % 64))))
		return -EINVAL;
	e = &table[ref];
	f = atomic_load_explicit(&e->flags, memory_order_relaxed);
	do {
		if (f & (SK_XEN_GTF_READING | SK_XEN_GTF_WRITING))
			return -EBUSY;
		/* Acq_rel: Xen's last use of the page (it clears the
		 * mapping bits) before we reuse it. */
	} while (!atomic_compare_exchange_weak_explicit(
		&e->flags, &f, 0, memory_order_acq_rel, memory_order_relaxed));
	/* Release: the revoked entry before the reference is reused. */
	atomic_fetch_and_explicit(&used[ref / 64], ~(1ull << (ref % 64)),
				  memory_order_release);
	return 0;
}

static int status_errno(int16_t st)
{
	switch (st) {
	case 0:
		return 0;
	case -2: /* GNTST_bad_domain */
		return -ESRCH;
	case -3: /* GNTST_bad_gntref */
		return -ENOENT;
	case -8: /* GNTST_permission_denied */
		return -EPERM;
	case -12: /* GNTST_eagain */
		return -EAGAIN;
	default:
		return -EIO;
	}
}

int sk_xen_grant_map(uint16_t domid, sk_xen_grant_ref ref, uint64_t pa,
		     unsigned flags, uint32_t *handle)
{
	struct sk_xen_gnttab_map m = {
		pa, SK_XEN_GNTMAP_HOST_MAP, ref, domid, 0, 0, 0
	};
	long rc;

	if ((pa & 4095) || flags > SK_XEN_GRANT_RO || !handle)
		return -EINVAL;
	if (flags & SK_XEN_GRANT_RO)
		m.flags |= SK_XEN_GNTMAP_READONLY;
	rc = gnttab_op(SK_XEN_GNTTABOP_MAP_GRANT_REF, &m);
	if (rc)
		return (int)rc;
	*handle = m.handle;
	return status_errno(m.status);
}

int sk_xen_grant_unmap(uint64_t pa, uint32_t handle)
{
	struct sk_xen_gnttab_unmap u = { pa, 0, handle, 0, 0 };
	long rc;

	if (pa & 4095)
		return -EINVAL;
	rc = gnttab_op(SK_XEN_GNTTABOP_UNMAP_GRANT_REF, &u);
	return rc ? (int)rc : status_errno(u.status);
}

int sk_xen_grant_copy(uint16_t domid, sk_xen_grant_ref ref, unsigned offset,
		      uint64_t dst_pa, unsigned len)
{
	struct sk_xen_gnttab_copy c = { 0 };
	long rc;

	if (len == 0 || offset >= 4096 || len > 4096 - offset ||
	    len > 4096 - (dst_pa & 4095))
		return -EINVAL;
	c.source = (struct sk_xen_gnttab_copy_ptr){ ref, domid,
						    (uint16_t)offset, 0 };
	c.dest = (struct sk_xen_gnttab_copy_ptr){
		dst_pa >> 12, SK_XEN_DOMID_SELF, (uint16_t)(dst_pa & 4095), 0
	};
	c.len = (uint16_t)len;
	c.flags = SK_XEN_GNTCOPY_SOURCE_GREF;
	rc = gnttab_op(SK_XEN_GNTTABOP_COPY, &c);
	return rc ? (int)rc : status_errno(c.status);
}
