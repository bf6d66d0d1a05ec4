// SPDX-License-Identifier: MIT
/*
 * The console under Xen.  As dom0 it is HYPERVISOR_console_io (Xen's own
 * console, the serial line).  As a domU (non-debug Xen refuses console_io
 * there) it is the PV console ring whose page and event channel the
 * toolstack put in HVM_PARAM_CONSOLE_PFN / _EVTCHN; port 0xe9 (Xen prints
 * it with guest_loglvl=all) is the fallback.  Ring writers never wait for
 * each other: one writer at a time owns the ring (a try-flag), another
 * concurrent writer's bytes go to port 0xe9 instead.
 */
#include <errno.h>
#include <stdatomic.h>

#include <plat/console.h>
#include <x86/cpu.h>

#include "xen.h"

enum { PORT_E9 = 0xe9, CHUNK_MAX = 1024 };

static struct sk_xen_console_ring *ring; /* domU only */
static uint32_t ring_port;
static atomic_flag ring_busy = ATOMIC_FLAG_INIT;
static int use_console_io;

static long param_get(unsigned index, uint64_t *out)
{
	struct sk_xen_hvm_param p = { SK_XEN_DOMID_SELF, 0, index, 0 };
	long rc = SK_XEN_HC2(SK_XEN_HC_HVM_OP, SK_XEN_HVMOP_GET_PARAM, &p);

	*out = p.value;
	return rc;
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
	ring = (struct sk_xen_console_ring *)(uintptr_t)(pfn << 12);
}

static void e9_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sk_x86_outb(PORT_E9, (uint8_t)buf[i]);
}

/* Copy what fits into the output ring; returns the bytes taken. */
static size_t ring_put(const char *buf, size_t len)
{
	volatile struct sk_xen_console_ring *r = ring;
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

static void ring_write(const char *buf, size_t len)
{
	/* Acquire: pairs with the release clear, so ring state is current. */
	if (atomic_flag_test_and_set_explicit(&ring_busy,
					      memory_order_acquire)) {
		e9_write(buf, len);
		return;
	}
	while (len) {
		size_t n = ring_put(buf, len);

		SK_XEN_HC2(SK_XEN_HC_EVENT_CHANNEL_OP, SK_XEN_EVTCHNOP_SEND,
			   &(struct sk_xen_evtchn_port){ ring_port });
		if (n == 0)
			break; /* full and the backend is not draining */
		buf += n;
		len -= n;
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
	if (ring && len)
		ring_write(buf, len);
	else if (len)
		e9_write(buf, len);
}

long sk_plat_console_read(char *buf, size_t len)
{
	long n;

	if (len == 0 || !use_console_io)
		return -EAGAIN; /* the ring's input side is not wired yet */
	n = SK_XEN_HC3(SK_XEN_HC_CONSOLE_IO, SK_XEN_CONSOLEIO_READ,
		       len > CHUNK_MAX ? CHUNK_MAX : len, buf);
	return n > 0 ? n : -EAGAIN;
}
