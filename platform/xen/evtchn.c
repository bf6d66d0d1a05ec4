// SPDX-License-Identifier: MIT
/*
 * Event channels, 2-level ABI: the shared info page (mapped into one of
 * our own pages with XENMEM_add_to_physmap) holds a pending and a mask bit
 * per port; each vCPU's vcpu_info has a selector word naming the pending
 * words of ports bound to it.  Xen raises the upcall as a plain vector
 * (HVM_PARAM_CALLBACK_IRQ, type "vector"), on whichever vCPU the port is
 * bound to, with no APIC involved (so no EOI).  The vector's handler clears
 * the vCPU's pending flag, takes its selector, and calls the handler of
 * every pending, unmasked port bound to this vCPU.
 *
 * Port table entry "fn" (one word per port):
 *   NULL -> handler   bind, after arg and cpu (release)
 *   handler -> NULL   close, before EVTCHNOP_close (release)
 * read by the upcall on the port's vCPU (acquire).
 */
#include <errno.h>

#include <plat/assert.h>
#include <x86/trap.h>

#include <x86/irq.h>

#include "xen.h"

enum { PORTS_MAX = 1024, BITS = 64 };

struct port {
	_Atomic(sk_plat_irq_fn) fn;
	void *arg;
	uint32_t cpu;
};

static struct port ports[PORTS_MAX];
static uint8_t shared_page[4096] SK_ALIGNED(4096);
struct sk_xen_shared_info *sk_xen_shared;

static long evtchn_op(unsigned op, void *arg)
{
	return SK_XEN_HC2(SK_XEN_HC_EVENT_CHANNEL_OP, op, arg);
}

static void port_call(uint32_t port, unsigned me)
{
	struct port *p = &ports[port];
	/* Acquire: pairs with the release in port_install. */
	sk_plat_irq_fn fn = atomic_load_explicit(&p->fn, memory_order_acquire);

	if (fn && p->cpu == me)
		fn(p->arg);
}

/* Clear and dispatch the pending, unmasked ports of one selector word. */
static void word_dispatch(unsigned w, unsigned me)
{
	_Atomic uint64_t *pend =
		(_Atomic uint64_t *)&sk_xen_shared->evtchn_pending[w];
	const volatile uint64_t *mask = &sk_xen_shared->evtchn_mask[w];
	uint64_t bits =
		atomic_load_explicit(pend, memory_order_relaxed) & ~*mask;

	while (bits) {
		unsigned b = (unsigned)__builtin_ctzll(bits);
		uint32_t port = w * BITS + b;

		bits &= bits - 1;
		if (port >= PORTS_MAX || ports[port].cpu != me)
			continue; /* another vCPU's port: its upcall takes it */
		/* Acquire: the event's cause (a peer's ring write) before
		 * the handler; pairs with Xen's barrier before setting it. */
		atomic_fetch_and_explicit(pend, ~(1ull << b),
					  memory_order_acquire);
		port_call(port, me);
	}
}

void sk_xen_evtchn_dispatch(void)
{
	struct sk_xen_cpu *c = sk_xen_cpu_self();
	volatile uint8_t *upcall = &c->vi->evtchn_upcall_pending;
	_Atomic uint64_t *sel = (_Atomic uint64_t *)&c->vi->evtchn_pending_sel;
	unsigned me = (unsigned)c->pc.cpu_id;

	sk_x86_irq_enter();
	while (*upcall) {
		uint64_t words;

		*upcall = 0;
		/* Acquire: Xen sets pending bits, then the selector. */
		words = atomic_exchange_explicit(sel, 0, memory_order_acquire);
		while (words) {
			unsigned w = (unsigned)__builtin_ctzll(words);

			words &= words - 1;
			word_dispatch(w, me);
		}
	}
}

static void port_install(uint32_t port, unsigned cpu, sk_plat_irq_fn fn,
			 void *arg)
{
	ports[port].arg = arg;
	ports[port].cpu = cpu;
	/* Release: arg and cpu before fn; pairs with port_call. */
	atomic_store_explicit(&ports[port].fn, fn, memory_order_release);
	evtchn_op(SK_XEN_EVTCHNOP_UNMASK, &(struct sk_xen_evtchn_port){ port });
}

/* Xen gave us @port: keep it if the table has room, else close it. */
static int port_accept(uint32_t port, unsigned cpu, sk_plat_irq_fn fn,
		       void *arg)
{
	if (port == 0 || port >= PORTS_MAX) {
		evtchn_op(SK_XEN_EVTCHNOP_CLOSE,
			  &(struct sk_xen_evtchn_port){ port });
		return -ENOSPC;
	}
	port_install(port, cpu, fn, arg);
	return 0;
}

static void ipi_event(void *arg)
{
	(void)arg;
	sk_x86_irq_call(SK_PLAT_IRQ_IPI);
}

static void debug_event(void *arg)
{
	(void)arg;
	sk_xen_debug_dump();
	sk_x86_irq_call(SK_PLAT_IRQ_DEBUG);
}

int sk_xen_evtchn_bind_cpu(enum sk_xen_bind_kind kind, struct sk_xen_cpu *c)
{
	unsigned cpu = (unsigned)c->pc.cpu_id;
	long rc;

	if (kind == SK_XEN_BIND_TIMER || kind == SK_XEN_BIND_DEBUG) {
		bool timer = kind == SK_XEN_BIND_TIMER;
		struct sk_xen_evtchn_bind_virq b = { timer ? SK_XEN_VIRQ_TIMER
							   : SK_XEN_VIRQ_DEBUG,
						     cpu, 0 };

		rc = evtchn_op(SK_XEN_EVTCHNOP_BIND_VIRQ, &b);
		if (rc == 0 && timer &&
		    (rc = port_accept(b.port, cpu, sk_xen_timer_event, c)) == 0)
			c->timer_port = b.port;
		else if (rc == 0 && !timer)
			rc = port_accept(b.port, cpu, debug_event, c);
		return (int)rc;
	}
	struct sk_xen_evtchn_bind_ipi b = { cpu, 0 };

	rc = evtchn_op(SK_XEN_EVTCHNOP_BIND_IPI, &b);
	if (rc == 0 && (rc = port_accept(b.port, cpu, ipi_event, c)) == 0)
		c->ipi_port = b.port;
	return (int)rc;
}

int sk_xen_evtchn_alloc_unbound(uint16_t remote, sk_plat_irq_fn fn, void *arg,
				uint32_t *port)
{
	struct sk_xen_evtchn_alloc_unbound a = { SK_XEN_DOMID_SELF, remote, 0 };
	long rc;

	if (!fn || !port)
		return -EINVAL;
	rc = evtchn_op(SK_XEN_EVTCHNOP_ALLOC_UNBOUND, &a);
	if (rc == 0 && (rc = port_accept(a.port, 0, fn, arg)) == 0)
		*port = a.port;
	return (int)rc;
}

int sk_xen_evtchn_bind_interdomain(uint16_t remote, uint32_t remote_port,
				   sk_plat_irq_fn fn, void *arg, uint32_t *port)
{
	struct sk_xen_evtchn_bind_interdomain b = { remote, 0, remote_port, 0 };
	long rc;

	if (!fn || !port)
		return -EINVAL;
	rc = evtchn_op(SK_XEN_EVTCHNOP_BIND_INTERDOMAIN, &b);
	if (rc == 0 && (rc = port_accept(b.local_port, 0, fn, arg)) == 0)
		*port = b.local_port;
	return (int)rc;
}

static int port_is_ours(uint32_t port)
{
	return port && port < PORTS_MAX &&
	       atomic_load_explicit(&ports[port].fn, memory_order_relaxed);
}

int sk_xen_evtchn_notify(uint32_t port)
{
	if (!port_is_ours(port))
		return -EINVAL;
	return (int)evtchn_op(SK_XEN_EVTCHNOP_SEND,
			      &(struct sk_xen_evtchn_port){ port });
}

int sk_xen_evtchn_close(uint32_t port)
{
	if (!port_is_ours(port))
		return -EINVAL;
	/* Release: pairs with port_call's acquire; no new calls after. */
	atomic_store_explicit(&ports[port].fn, NULL, memory_order_release);
	return (int)evtchn_op(SK_XEN_EVTCHNOP_CLOSE,
			      &(struct sk_xen_evtchn_port){ port });
}

static void vector_upcall(struct sk_x86_frame *f)
{
	sk_xen_idle_fixup(f);
	sk_xen_evtchn_dispatch();
	sk_x86_irq_exit(f);
}

void sk_xen_evtchn_init(void)
{
	struct sk_xen_add_to_physmap x = { SK_XEN_DOMID_SELF, 0,
					   SK_XEN_MAPSPACE_SHARED_INFO, 0,
					   (uintptr_t)shared_page >> 12 };
	struct sk_xen_hvm_param p = { SK_XEN_DOMID_SELF, 0,
				      SK_XEN_HVM_PARAM_CALLBACK_IRQ,
				      SK_XEN_CALLBACK_VIA_VECTOR |
					      SK_XEN_VEC_UPCALL };

	if (SK_XEN_HC2(SK_XEN_HC_MEMORY_OP, SK_XEN_XENMEM_ADD_TO_PHYSMAP, &x))
		sk_xen_boot_fail("cannot map the shared info page");
	sk_xen_shared = (struct sk_xen_shared_info *)(void *)shared_page;
	sk_x86_vector_set(SK_XEN_VEC_UPCALL, vector_upcall);
	if (SK_XEN_HC2(SK_XEN_HC_HVM_OP, SK_XEN_HVMOP_SET_PARAM, &p))
		sk_xen_boot_fail("cannot set the upcall vector");
}
