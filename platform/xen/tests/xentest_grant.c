// SPDX-License-Identifier: MIT
/*
 * Event channels and grant tables as far as a dom0 alone allows: a port
 * pair inside this domain (EVTCHNOP_alloc_unbound for DOMID_SELF, then
 * EVTCHNOP_bind_interdomain to it) carries notifications both ways; a page
 * granted to ourselves is read back with GNTTABOP_copy and mapped with
 * GNTTABOP_map_grant_ref; revocation and bad arguments are refused.  The
 * grant names our own domain id: 0 as dom0, from xenstore as a domU.
 */
#include <errno.h>
#include <stdatomic.h>

#include <plat/cpu.h>
#include <plat/irq.h>
#include <plat/time.h>
#include <xen/store.h>
#include <xen/xen.h>

#include "xentest.h"

static _Atomic unsigned hits[2];

static void on_port(void *arg)
{
	atomic_fetch_add_explicit(&hits[(uintptr_t)arg], 1,
				  memory_order_release);
}

static int wait_hits(unsigned i, unsigned want)
{
	uint64_t end = sk_plat_clock_ns() + 2000000000ull;
	unsigned v;

	sk_plat_irq_enable();
	while ((v = atomic_load_explicit(&hits[i], memory_order_acquire)) !=
		       want &&
	       sk_plat_clock_ns() < end)
		sk_plat_cpu_relax();
	sk_plat_irq_disable();
	return v == want;
}

void xt_evtchn_loopback(void)
{
	uint32_t a = 0, b = 0;
	int rc;

	sk_x86_printf("case evtchn_loopback\n");
	rc = sk_xen_evtchn_alloc_unbound(SK_XEN_DOMID_SELF, on_port, (void *)0,
					 &a);
	CHECK(rc == 0);
	if (rc)
		return;
	rc = sk_xen_evtchn_bind_interdomain(SK_XEN_DOMID_SELF, a, on_port,
					    (void *)1, &b);
	sk_x86_printf("  ports %u <-> %u (bind rc %d)\n", a, b, rc);
	CHECK(rc == 0);
	if (rc == 0) {
		/* Xen raises the newly bound port once: take that first. */
		CHECK(wait_hits(1, 1));
		CHECK(atomic_load_explicit(&hits[0], memory_order_relaxed) ==
		      0);
		CHECK(sk_xen_evtchn_notify(b) == 0);
		CHECK(wait_hits(0, 1));
		CHECK(sk_xen_evtchn_notify(a) == 0);
		CHECK(wait_hits(1, 2));
		CHECK(atomic_load_explicit(&hits[0], memory_order_relaxed) ==
		      1);
		CHECK(sk_xen_evtchn_close(b) == 0);
		CHECK(sk_xen_evtchn_notify(b) == -EINVAL);
	}
	CHECK(sk_xen_evtchn_close(a) == 0);
	CHECK(sk_xen_evtchn_close(a) == -EINVAL);
	CHECK(sk_xen_evtchn_notify(0) == -EINVAL);
	CHECK(sk_xen_evtchn_alloc_unbound(SK_XEN_DOMID_SELF, NULL, NULL, &a) ==
	      -EINVAL);
}

static uint8_t src[4096] SK_ALIGNED(4096);
static uint8_t dst[4096] SK_ALIGNED(4096);
static uint8_t window[4096] SK_ALIGNED(4096);

static void check_copy(sk_xen_grant_ref ref)
{
	int rc = sk_xen_grant_copy(SK_XEN_DOMID_SELF, ref, 100,
				   (uintptr_t)dst + 8, 3000);
	int same = 1;

	sk_x86_printf("  copy rc %d\n", rc);
	CHECK(rc == 0);
	for (unsigned i = 0; i < 3000; i++)
		same &= dst[8 + i] == src[100 + i];
	CHECK(same);
	CHECK(dst[7] == 0 && dst[3008] == 0);
	CHECK(sk_xen_grant_copy(SK_XEN_DOMID_SELF, ref, 4000, (uintptr_t)dst,
				200) == -EINVAL);
}

/*
 * We map our own grant, naming ourselves by id (Xen looks the granting
 * domain up by id, so DOMID_SELF is refused).  Measured on Xen 4.17, as
 * dom0 and as a domU alike: the map succeeds, but as a frame may sit at
 * one guest frame number only, Xen moves it: the granting page's own
 * address then reads as unbacked (all ones).  So only a dedicated page
 * (victim) is granted here, never kernel data.
 */
static uint8_t victim[4096] SK_ALIGNED(4096);

static void check_map(uint16_t self)
{
	volatile uint8_t *w = window;
	sk_xen_grant_ref ref = 0;
	uint32_t handle = 0;
	int rc;

	for (unsigned i = 0; i < sizeof(victim); i++)
		victim[i] = (uint8_t)(i * 13 + 1);
	CHECK(sk_xen_grant_access(self, (uintptr_t)victim, SK_XEN_GRANT_RO,
				  &ref) == 0);
	CHECK(sk_xen_grant_map(self, ref, (uintptr_t)window + 8,
			       SK_XEN_GRANT_RO, &handle) == -EINVAL);
	CHECK(sk_xen_grant_map(self, 4000, (uintptr_t)window, SK_XEN_GRANT_RO,
			       &handle) != 0); /* never handed out */
	rc = sk_xen_grant_map(self, ref, (uintptr_t)window, SK_XEN_GRANT_RO,
			      &handle);
	sk_x86_printf("  map own grant rc %d; granting page now reads %u\n", rc,
		      ((volatile uint8_t *)victim)[0]);
	CHECK(rc == 0);
	if (rc)
		return;
	/* volatile: the compiler knows nothing ever stored to window[] */
	CHECK(w[0] == 1 && w[1] == 14 && w[4095] == (uint8_t)(4095 * 13 + 1));
	CHECK(sk_xen_grant_end(ref) == -EBUSY); /* still mapped */
	CHECK(sk_xen_grant_unmap((uintptr_t)window, handle) == 0);
	CHECK(sk_xen_grant_end(ref) == 0);
}

void xt_grant(void)
{
	sk_xen_grant_ref ref = 0, ref2 = 0;
	/* Copying or mapping a grant of our own needs the grant to name our
	 * own domain id (Xen checks it against the caller's): 0 as dom0,
	 * the id xenstore gives as a domU. */
	int self = sk_xen_domid();

	sk_x86_printf("case grant (%u refs)\n", sk_xen_grant_capacity());
	sk_x86_printf("xenstore: domid %d\n", self);
	CHECK(self >= 0);
	CHECK(sk_xen_is_dom0() ? self == 0 : self > 0);
	if (self < 0)
		self = 0; /* the failure is counted; go on with the rest */
	CHECK(sk_xen_grant_capacity() >= 512 - 8);
	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 3);
	CHECK(sk_xen_grant_access((uint16_t)self, (uintptr_t)src + 1,
				  SK_XEN_GRANT_RO, &ref) == -EINVAL);
	CHECK(sk_xen_grant_access((uint16_t)self, (uintptr_t)src, 7, &ref) ==
	      -EINVAL);
	CHECK(sk_xen_grant_access((uint16_t)self, (uintptr_t)src,
				  SK_XEN_GRANT_RO, &ref) == 0);
	CHECK(ref >= 8);
	CHECK(sk_xen_grant_access((uint16_t)self, (uintptr_t)dst,
				  SK_XEN_GRANT_RW, &ref2) == 0);
	CHECK(ref2 != ref);
	check_copy(ref);
	check_map((uint16_t)self);
	CHECK(sk_xen_grant_end(ref) == 0);
	CHECK(sk_xen_grant_end(ref) == -EINVAL);
	CHECK(sk_xen_grant_copy(SK_XEN_DOMID_SELF, ref, 0, (uintptr_t)dst,
				16) != 0); /* revoked */
	CHECK(sk_xen_grant_end(ref2) == 0);
	CHECK(sk_xen_grant_end(3) == -EINVAL); /* reserved */
}
