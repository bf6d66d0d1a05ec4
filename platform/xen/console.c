// SPDX-License-Identifier: MIT
/*
 * The console under Xen.  As dom0 it is HYPERVISOR_console_io (Xen's own
 * console, the serial line).  As a domU (non-debug Xen refuses console_io
 * there) it is the PV console ring whose page and event channel the
 * toolstack put in HVM_PARAM_CONSOLE_PFN / _EVTCHN; port 0xe9 (Xen prints
 * it with guest_loglvl=all) is the fallback.  Ring writers never wait for
 * each other: one writer at a time owns the ring (a try-flag), another
 * concurrent writer's bytes go to port 0xe9 instead.  The owner does wait
 * for the backend (xenconsoled in dom0) when the ring is full, yielding
 * its vCPU to it, for a bounded time; a backend that drains nothing in
 * that time retires the ring, and port 0xe9 takes everything after.
 * Input is the ring's other half, one reader at a time (another try-flag).
 */
#include <errno.h>
#include <stdatomic.h>

#include <plat/console.h>
#include <x86/cpu.h>

#include "xen.h"

enum {
	PORT_E9 = 0xe9,
	CHUNK_MAX = 1024,
	SCHEDOP_YIELD = 0, /* sched_op: let another vCPU (dom0's) run */
};
/* TSC cycles a full ring may stay full before it is retired: 2^33, a few
 * seconds at the 2-4 GHz the TSC runs at; xenconsoled throttles a chatty
 * guest for 200 ms at a time. */
static const uint64_t RING_STALL_TSC = 1ull << 33;

/* domU only; NULL once retired.  Relaxed: it only ever goes to NULL, and
 * the ring's contents are ordered by ring_busy. */
static _Atomic(struct sk_xen_console_ring *) ring;
static uint32_t ring_port;
static atomic_flag ring_busy = ATOMIC_FLAG_INIT; /* the output side */
static atomic_flag ring_reading = ATOMIC_FLAG_INIT; /* the input side */
static int use_console_io;

static long param_get(unsigned index, uint64_t *out)
{
	struct sk_xen_hvm_param p = { SK_XEN_DOMID_SELF, 0, index, 0 };
	long rc = SK_XEN_HC2(SK_XEN_HC_HVM_OP, SK_XEN_HVMOP_GET_PARAM, &p);

	*out = p.value;
	return rc;
}

static struct sk_xen_console_ring *ring_of(uint64_t pfn)
{
	return (struct sk_xen_console_ring *)(uintptr_t)(pfn << 12);
}

void sk_xen_console_init(void)
{
	uint64_t pfn, port;

	if (sk_xen_is_dom0()) {
		use_console_io = 1;
		return;
	}
	if (param_get(SK_XEN_HVM_PARAM_CONSOLE_PFN, &pfn) != 0 || !pfn ||
	    pfn >= (1ull << 20) ||
	    param_get(SK_XEN_HVM_PARAM_CONSOLE_EVTCHN, &port) != 0)
		return; /* port 0xe9 only */
	ring_port = (uint32_t)port;
	atomic_store_explicit(&ring, ring_of(pfn), memory_order_relaxed);
}

static void e9_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sk_x86_outb(PORT_E9, (uint8_t)buf[i]);
}

/* Copy what fits into the output ring; returns the bytes taken. */
static size_t ring_put(volatile struct sk_xen_console_ring *r, const char *buf,
		       size_t len)
{
	uint32_t prod = r->out_prod, cons = r->out_cons;
	size_t n = 0;

	atomic_thread_fence(memory_order_acquire); /* cons read before reuse */
	while (n < len && prod - cons < sizeof(r->out)) {
		r->out[prod % sizeof(r->out)] = buf[n++];
		prod++;
	}
	/* Release: the bytes before the index; pairs with xenconsoled. */
	atomic_thread_fence(memory_order_release);
	r->out_prod = prod;
	return n;
}

/* Wait, yielding to dom0, until the backend frees space in the full ring;
 * 0 if it did not within RING_STALL_TSC. */
static int ring_drained(volatile struct sk_xen_console_ring *r)
{
	uint64_t start = sk_x86_rdtsc();

	while (r->out_prod - r->out_cons >= sizeof(r->out)) {
		if (sk_x86_rdtsc() - start > RING_STALL_TSC)
			return 0;
		SK_XEN_HC2(SK_XEN_HC_SCHED_OP, SCHEDOP_YIELD, 0);
	}
	return 1;
}

static void ring_write(const char *buf, size_t len)
{
	struct sk_xen_console_ring *r;

	/* Acquire: pairs with the release clear, so ring state is current. */
	if (atomic_flag_test_and_set_explicit(&ring_busy,
					      memory_order_acquire)) {
		e9_write(buf, len);
		return;
	}
	r = atomic_load_explicit(&ring, memory_order_relaxed);
	if (!r) {
		e9_write(buf, len); /* retired since the caller looked */
		len = 0;
	}
	while (len) {
		size_t n = ring_put(r, buf, len);

		SK_XEN_HC2(SK_XEN_HC_EVENT_CHANNEL_OP, SK_XEN_EVTCHNOP_SEND,
			   &(struct sk_xen_evtchn_port){ ring_port });
		buf += n;
		len -= n;
		if (len && !ring_drained(r)) {
			/* The backend is gone: 0xe9 from now on. */
			atomic_store_explicit(&ring, NULL,
					      memory_order_relaxed);
			e9_write(buf, len);
			break;
		}
	}
	/* Release: our ring updates before the next writer's acquire. */
	atomic_flag_clear_explicit(&ring_busy, memory_order_release);
}

void sk_plat_console_write(const char *buf, size_t len)
{
	while (use_console_io && len) {
		size_t n = len < CHUNK_MAX ? len : CHUNK_MAX;

		if (SK_XEN_HC3(SK_XEN_HC_CONSOLE_IO, SK_XEN_CONSOLEIO_WRITE, n,
			       buf) < 0)
			break;
		buf += n;
		len -= n;
	}
	if (atomic_load_explicit(&ring, memory_order_relaxed) && len)
		ring_write(buf, len);
	else if (len)
		e9_write(buf, len);
}

/* Take what the backend put in the input ring; -EAGAIN if nothing. */
static long ring_read(volatile struct sk_xen_console_ring *r, char *buf,
		      size_t len)
{
	uint32_t cons = r->in_cons, prod = r->in_prod;
	size_t n = 0;

	/* Acquire: the bytes after the index; pairs with xenconsoled. */
	atomic_thread_fence(memory_order_acquire);
	if (prod - cons > sizeof(r->in))
		return -EAGAIN; /* a corrupt index from outside: take nothing */
	while (n < len && cons != prod)
		buf[n++] = r->in[cons++ % sizeof(r->in)];
	if (n == 0)
		return -EAGAIN;
	/* Release: our reads before the slots are handed back. */
	atomic_thread_fence(memory_order_release);
	r->in_cons = cons;
	SK_XEN_HC2(SK_XEN_HC_EVENT_CHANNEL_OP, SK_XEN_EVTCHNOP_SEND,
		   &(struct sk_xen_evtchn_port){ ring_port });
	return (long)n;
}

long sk_plat_console_read(char *buf, size_t len)
{
	struct sk_xen_console_ring *r;
	long n;

	if (len == 0)
		return -EAGAIN;
	if (use_console_io) {
		n = SK_XEN_HC3(SK_XEN_HC_CONSOLE_IO, SK_XEN_CONSOLEIO_READ,
			       len > CHUNK_MAX ? CHUNK_MAX : len, buf);
		return n > 0 ? n : -EAGAIN;
	}
	r = atomic_load_explicit(&ring, memory_order_relaxed);
	if (!r)
		return -ENOTSUP; /* no ring: port 0xe9 has no input */
	/* One reader at a time; another finds the input taken: -EAGAIN.
	 * Acquire/release: pairs with the previous reader's clear. */
	if (atomic_flag_test_and_set_explicit(&ring_reading,
					      memory_order_acquire))
		return -EAGAIN;
	n = ring_read(r, buf, len);
	atomic_flag_clear_explicit(&ring_reading, memory_order_release);
	return n;
}
