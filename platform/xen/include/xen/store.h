/* SPDX-License-Identifier: MIT */
/*
 * A minimal xenstore client for images on the xen platform: synchronous
 * reads over the domain's store ring (HVM_PARAM_STORE_PFN/_EVTCHN, set up
 * by the toolstack for a domU), and this domain's id.  lib/ never
 * includes this header.
 */
#ifndef XEN_STORE_PUBLIC_H
#define XEN_STORE_PUBLIC_H

#include <stddef.h>

/*
 * sk_xen_store_read - read the xenstore node @path (absolute, or relative
 * to /local/domain/<our id>) into @buf, with a NUL after the value.
 * Waits for xenstored by polling the ring and yielding the vCPU to Xen
 * (SCHEDOP_yield), never through lib/sched, for at most
 * SK_XEN_STORE_TIMEOUT_NS of sk_plat_clock_ns().
 * Return: the value's length (< @cap); -EINVAL for a NULL @buf or an
 * empty or NULL @path; -EMSGSIZE for a path longer than 3072 bytes;
 * -ENODEV when the domain has no store (a dom0: HVM_PARAM_STORE_PFN reads
 * 0); -E2BIG when the value and its NUL do not fit in @cap (the reply is
 * consumed); xenstored's error as -errno (-ENOENT, -EACCES, ...; -EIO
 * for one skiff does not know); -ETIMEDOUT when no reply came in time (a
 * late reply is recognised by its request id and dropped by the next
 * call); -EPROTO when xenstored wrote something malformed (indices, a
 * length, the reply's type); -EIO when a request was left half written
 * at the deadline, and from every call after the ring was given up (after
 * that -EIO or a malformed stream, -EPROTO);
 * -EBUSY while another caller is inside (one caller at a time).
 * Context: thread or boot code, after the platform's boot (the hypercall
 * page); irqs may be on or off; not from an interrupt handler.  Callers on
 * several vCPUs must take turns: the loser gets -EBUSY, it is not queued.
 */
long sk_xen_store_read(const char *path, char *buf, size_t cap);

/* The bound on one sk_xen_store_read: 10 s of Xen system time. */
#define SK_XEN_STORE_TIMEOUT_NS 10000000000ull

/*
 * sk_xen_domid - this domain's id: 0 as dom0; as a domU the value of
 * the node "domid" (/local/domain/<id>/domid, written by the toolstack),
 * read once and then cached.
 * Return: the id (0..0x7fef); an error of sk_xen_store_read (not cached:
 * a later call tries again); -EPROTO if the value is not a domU's id.
 * Context: as sk_xen_store_read.
 */
int sk_xen_domid(void);

#endif
