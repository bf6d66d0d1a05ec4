/* SPDX-License-Identifier: MIT */
/*
 * The xen platform's own interface, for PV drivers (netfront, blkfront,
 * the PV console) and for images that want to know they run on Xen: event
 * channels and grant tables.  Images for this platform start like kvm ones
 * (their main is sk_kvm_main() of <kvm/boot.h>, the x86 image entry); lib/
 * never includes this header.
 *
 * Event channels: a port is bound to a handler that runs on the port's vCPU
 * with irqs off, like a device interrupt, followed by the exit hook.
 * Grants: a grant reference lets another domain (or this one) read or
 * write one page of ours; drivers put references in their rings.
 */
#ifndef XEN_XEN_PUBLIC_H
#define XEN_XEN_PUBLIC_H

#include <stdint.h>

#include <plat/irq.h>

/* DOMID_SELF: "this domain" wherever Xen takes a domain id. */
enum { SK_XEN_DOMID_SELF = 0x7ff0 };

/* sk_xen_is_dom0 - whether this domain is the initial (hardware) domain. */
int sk_xen_is_dom0(void);

/* sk_xen_version - Xen's version, major << 16 | minor.  Context: any. */
uint32_t sk_xen_version(void);

/*
 * sk_xen_evtchn_alloc_unbound - a new port that domain @remote may bind to
 * (EVTCHNOP_alloc_unbound), delivering to CPU 0 and calling @fn(@arg).
 * sk_xen_evtchn_bind_interdomain - bind to @remote's port @remote_port.
 * Return: 0 and the local port in *@port; -EINVAL for a NULL @fn; Xen's
 * error (-ENOSPC, -ESRCH, -EPERM, ...); -ENOSPC for a port number past the
 * platform's table (the port is closed again).
 * Context: thread.
 */
int sk_xen_evtchn_alloc_unbound(uint16_t remote, sk_plat_irq_fn fn, void *arg,
				uint32_t *port);
int sk_xen_evtchn_bind_interdomain(uint16_t remote, uint32_t remote_port,
				   sk_plat_irq_fn fn, void *arg,
				   uint32_t *port);

/*
 * sk_xen_evtchn_notify - signal @port (EVTCHNOP_send).
 * Return: 0; -EINVAL for a port this platform did not bind; Xen's error.
 * Context: any.
 */
int sk_xen_evtchn_notify(uint32_t port);

/*
 * sk_xen_evtchn_close - close @port; its handler is not called after this
 * returns on the port's vCPU (a delivery already running elsewhere may
 * finish).  Return: 0; -EINVAL if not bound here; Xen's error.
 * Context: thread.
 */
int sk_xen_evtchn_close(uint32_t port);

/* Grant references are indices into this domain's grant table. */
typedef uint32_t sk_xen_grant_ref;

enum sk_xen_grant_flags {
	SK_XEN_GRANT_RW = 0,
	SK_XEN_GRANT_RO = 1, /* the peer may only read */
};

/*
 * sk_xen_grant_access - let domain @domid access the page at physical
 * address @pa (page aligned) through a new reference.
 * Return: 0 and the reference in *@ref; -EINVAL for an unaligned @pa or bad
 * flags; -ENOSPC when every reference is in use; -ENODEV if the table was
 * not set up.
 * Context: any.  Ordering: the page's contents written before the call are
 * visible to the peer that maps it after.
 */
int sk_xen_grant_access(uint16_t domid, uint64_t pa, unsigned flags,
			sk_xen_grant_ref *ref);

/*
 * sk_xen_grant_end - revoke @ref and free it for reuse.
 * Return: 0; -EBUSY while the peer still has it mapped (the grant stays
 * valid: try again later); -EINVAL for a reference not handed out.
 * Context: any.
 */
int sk_xen_grant_end(sk_xen_grant_ref ref);

/*
 * sk_xen_grant_map - map domain @domid's grant @ref at our physical page
 * @pa (GNTTABOP_map_grant_ref, HVM style: the page's frame is replaced).
 * sk_xen_grant_unmap - undo it with the returned @handle.
 * Return: 0; -EINVAL for an unaligned @pa; Xen's grant status as -errno
 * (-EPERM for a grant that does not permit it, -ENOENT, ...).
 * Context: thread.
 */
int sk_xen_grant_map(uint16_t domid, sk_xen_grant_ref ref, uint64_t pa,
		     unsigned flags, uint32_t *handle);
int sk_xen_grant_unmap(uint64_t pa, uint32_t handle);

/*
 * sk_xen_grant_copy - copy @len bytes from domain @domid's grant @ref (at
 * @offset in that page) into our memory at @dst_pa (GNTTABOP_copy; the
 * range must not cross a page on either side).
 * Return: 0; -EINVAL for a range that crosses a page; Xen's status.
 * Context: thread.
 */
int sk_xen_grant_copy(uint16_t domid, sk_xen_grant_ref ref, unsigned offset,
		      uint64_t dst_pa, unsigned len);

/* sk_xen_grant_capacity - references available in total.  Context: any. */
unsigned sk_xen_grant_capacity(void);

#endif
