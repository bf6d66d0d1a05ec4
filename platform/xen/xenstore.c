// SPDX-License-Identifier: MIT
/*
 * The xenstore client's transport (<xen/store.h>): the store ring page and
 * event channel the toolstack put in HVM_PARAM_STORE_PFN / _EVTCHN (the
 * page reached through the boot identity map, as console.c reaches its
 * ring), one synchronous request at a time, and a deadline on Xen's clock.
 * Waiting is polling: look at the ring, and if nothing moved give the
 * vCPU to Xen with SCHEDOP_yield so dom0's xenstored can run; no event
 * handler, no lib/sched.  The wire format is xenstore_wire.c.
 *
 * Connection state (store.state), touched only by the holder of busy:
 *   UNKNOWN -> NONE     first call: no store page or port (a dom0)
 *   UNKNOWN -> READY    first call: page and port found
 *   READY   -> BROKEN   a malformed reply stream, or a request left half
 *                       written at the deadline: the two sides no longer
 *                       agree where a message starts
 */
#include <errno.h>
#include <stdatomic.h>

#include <plat/time.h>
#include <xen/store.h>

#include "xen.h"
#include "xenstore_wire.h"

enum {
	HVM_PARAM_STORE_PFN = 1,
	HVM_PARAM_STORE_EVTCHN = 2,
	SCHEDOP_YIELD = 0,
	IDENTITY_PFNS = 1u << 20, /* the boot page tables map 4 GiB */
};

enum store_state { ST_UNKNOWN, ST_NONE, ST_READY, ST_BROKEN };

/* All but busy: guarded by busy (its holder is the one client). */
static struct {
	enum store_state state;
	struct sk_xen_store_ring *ring;
	uint32_t port;
	uint32_t next_id;
	struct sk_xen_store_rx rx; /* a reply, possibly partial */
	char req[SK_XEN_STORE_REQ_MAX];
} store;
static atomic_flag busy = ATOMIC_FLAG_INIT;
/* 0: not known yet; else the domain id + 1.  Written once (relaxed: it
 * carries nothing but itself). */
static _Atomic int domid_cache;

static long param_get(unsigned index, uint64_t *out)
{
	struct sk_xen_hvm_param p = { SK_XEN_DOMID_SELF, 0, index, 0 };
	long rc = SK_XEN_HC2(SK_XEN_HC_HVM_OP, SK_XEN_HVMOP_GET_PARAM, &p);

	*out = p.value;
	return rc;
}

/* First call: find the ring.  A dom0 started by Xen has none (run-xen's
 * PVH dom0 reads STORE_PFN 0); so does a domU built without xenstore. */
static void store_find(void)
{
	uint64_t pfn = 0, port = 0;

	store.state = ST_NONE;
	if (param_get(HVM_PARAM_STORE_PFN, &pfn) != 0 || pfn == 0 ||
	    pfn >= IDENTITY_PFNS ||
	    param_get(HVM_PARAM_STORE_EVTCHN, &port) != 0 || port == 0 ||
	    port > UINT32_MAX)
		return;
	store.ring = (struct sk_xen_store_ring *)(uintptr_t)(pfn << 12);
	store.port = (uint32_t)port;
	store.state = ST_READY;
}

static void kick(void)
{
	SK_XEN_HC2(SK_XEN_HC_EVENT_CHANNEL_OP, SK_XEN_EVTCHNOP_SEND,
		   &(struct sk_xen_evtchn_port){ store.port });
}

/* Nothing moved: let dom0 run; 0, or -ETIMEDOUT past @deadline_ns. */
static int pause_until(uint64_t deadline_ns)
{
	if (sk_plat_clock_ns() >= deadline_ns)
		return -ETIMEDOUT;
	SK_XEN_HC2(SK_XEN_HC_SCHED_OP, SCHEDOP_YIELD, 0);
	return 0;
}

static int request_send(size_t len, uint64_t deadline_ns)
{
	size_t sent = 0;

	while (sent < len) {
		long n = sk_xen_store_ring_put(store.ring, store.req + sent,
					       len - sent);

		if (n < 0)
			return (int)n;
		if (n > 0)
			kick();
		sent += (size_t)n;
		if (sent < len && pause_until(deadline_ns))
			return sent ? -EIO : -ETIMEDOUT;
	}
	return 0;
}

/* Wait for the reply to @id in store.rx; replies to earlier requests
 * that timed out, and watch events, are dropped on the way. */
static int reply_wait(uint32_t id, uint64_t deadline_ns)
{
	for (;;) {
		size_t taken;
		int rc = sk_xen_store_rx_take(store.ring, &store.rx, &taken);

		if (taken)
			kick(); /* room in rsp: xenstored may be waiting */
		if (rc < 0)
			return rc;
		if (rc == 1 && store.rx.hdr.req_id == id &&
		    store.rx.hdr.type != SK_XEN_XS_WATCH_EVENT)
			return 0;
		if (rc == 1)
			sk_xen_store_rx_reset(&store.rx);
		else if (!taken && pause_until(deadline_ns))
			return -ETIMEDOUT;
	}
}

static long store_read_locked(const char *path, char *buf, size_t cap)
{
	uint64_t deadline_ns = sk_plat_clock_ns() + SK_XEN_STORE_TIMEOUT_NS;
	uint32_t id = ++store.next_id;
	long len = sk_xen_store_req_build(SK_XEN_XS_READ, id, path, store.req);
	int rc;

	if (len < 0)
		return len;
	if (store.state == ST_UNKNOWN)
		store_find();
	if (store.state == ST_NONE)
		return -ENODEV;
	if (store.state == ST_BROKEN)
		return -EIO;
	rc = request_send((size_t)len, deadline_ns);
	if (rc == 0)
		rc = reply_wait(id, deadline_ns);
	if (rc == -EPROTO || rc == -EIO)
		store.state = ST_BROKEN;
	if (rc)
		return rc;
	len = sk_xen_store_read_reply(&store.rx, buf, cap);
	sk_xen_store_rx_reset(&store.rx);
	return len;
}

long sk_xen_store_read(const char *path, char *buf, size_t cap)
{
	long rc;

	if (!buf)
		return -EINVAL;
	/* Acquire: the previous caller's ring and state updates; pairs
	 * with the release clear below. */
	if (atomic_flag_test_and_set_explicit(&busy, memory_order_acquire))
		return -EBUSY;
	rc = store_read_locked(path, buf, cap);
	atomic_flag_clear_explicit(&busy, memory_order_release);
	return rc;
}

int sk_xen_domid(void)
{
	int cached = atomic_load_explicit(&domid_cache, memory_order_relaxed);
	char v[16];
	long rc;

	if (cached)
		return cached - 1;
	if (sk_xen_is_dom0())
		return 0;
	rc = sk_xen_store_read("domid", v, sizeof(v));
	if (rc < 0)
		return (int)rc;
	rc = sk_xen_store_parse_domid(v);
	if (rc < 0)
		return (int)rc;
	atomic_store_explicit(&domid_cache, (int)rc + 1, memory_order_relaxed);
	return (int)rc;
}
