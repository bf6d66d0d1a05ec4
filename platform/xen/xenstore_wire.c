// SPDX-License-Identifier: MIT
/*
 * The xenstore wire protocol over the shared ring page, without the
 * transport (xenstore_wire.h).  The peer is xenstored in another domain:
 * every index and length it wrote is checked before it is used, and a
 * reply is never copied past its buffer.  Plain C, no hypercalls, so the
 * hosted unit test runs it too.
 *
 * Ring indices (free-running uint32_t, position = index % RING_SIZE):
 *   req_prod  ours: bytes are written, then req_prod (release)
 *   req_cons  xenstored's: read (acquire) before we reuse its slots
 *   rsp_prod  xenstored's: read (acquire) before we read its bytes
 *   rsp_cons  ours: bytes are read, then rsp_cons (release)
 * prod - cons is the fill level; more than RING_SIZE is a corrupt ring.
 */
#include <errno.h>

#include "xenstore_wire.h"

enum { RING_MASK = SK_XEN_STORE_RING_SIZE - 1 };

long sk_xen_store_req_build(uint32_t type, uint32_t req_id, const char *path,
			    char *out)
{
	struct sk_xen_store_hdr h = { type, req_id, 0, 0 };
	size_t n = 0;

	if (!path || !path[0])
		return -EINVAL;
	while (path[n] && n <= SK_XEN_STORE_PATH_MAX)
		n++;
	if (n > SK_XEN_STORE_PATH_MAX)
		return -EMSGSIZE;
	h.len = (uint32_t)n + 1;
	__builtin_memcpy(out, &h, sizeof(h));
	__builtin_memcpy(out + sizeof(h), path, n + 1);
	return (long)(sizeof(h) + n + 1);
}

long sk_xen_store_ring_put(struct sk_xen_store_ring *r, const void *src,
			   size_t len)
{
	const char *s = src;
	/* Acquire: xenstored read the slots it released before it advanced
	 * req_cons; pairs with its barrier before that store. */
	uint32_t cons =
		atomic_load_explicit(&r->req_cons, memory_order_acquire);
	uint32_t prod =
		atomic_load_explicit(&r->req_prod, memory_order_relaxed);
	size_t n = 0;

	if (prod - cons > SK_XEN_STORE_RING_SIZE)
		return -EPROTO;
	while (n < len && prod - cons < SK_XEN_STORE_RING_SIZE)
		r->req[prod++ & RING_MASK] = s[n++];
	/* Release: the bytes before the index that publishes them; pairs
	 * with xenstored's barrier after it reads req_prod. */
	atomic_store_explicit(&r->req_prod, prod, memory_order_release);
	return (long)n;
}

void sk_xen_store_rx_reset(struct sk_xen_store_rx *rx)
{
	rx->have = 0;
}

/* Where the next byte of the reply goes, and how many the reply still
 * needs; 0 when the header is in and says the reply is complete. */
static size_t rx_need(struct sk_xen_store_rx *rx, char **at)
{
	if (rx->have < SK_XEN_STORE_HDR_LEN) {
		*at = (char *)&rx->hdr + rx->have;
		return SK_XEN_STORE_HDR_LEN - rx->have;
	}
	*at = rx->payload + (rx->have - SK_XEN_STORE_HDR_LEN);
	return rx->hdr.len - (rx->have - SK_XEN_STORE_HDR_LEN);
}

int sk_xen_store_rx_take(struct sk_xen_store_ring *r,
			 struct sk_xen_store_rx *rx, size_t *taken)
{
	/* Acquire: the reply's bytes before we read them; pairs with
	 * xenstored's barrier before it advances rsp_prod. */
	uint32_t prod =
		atomic_load_explicit(&r->rsp_prod, memory_order_acquire);
	uint32_t cons =
		atomic_load_explicit(&r->rsp_cons, memory_order_relaxed);
	uint32_t start = cons;
	int done = 0;

	*taken = 0;
	if (prod - cons > SK_XEN_STORE_RING_SIZE)
		return -EPROTO;
	for (;;) {
		char *at;
		size_t need = rx_need(rx, &at);

		if (rx->have >= SK_XEN_STORE_HDR_LEN &&
		    rx->hdr.len > SK_XEN_STORE_PAYLOAD_MAX) {
			done = -EPROTO; /* no payload byte taken */
			break;
		}
		if (rx->have >= SK_XEN_STORE_HDR_LEN && need == 0) {
			done = 1;
			break;
		}
		if (cons == prod)
			break;
		for (; need && cons != prod; need--, rx->have++)
			*at++ = r->rsp[cons++ & RING_MASK];
	}
	/* Release: our reads of the slots before xenstored may reuse them;
	 * pairs with its read of rsp_cons before it writes. */
	atomic_store_explicit(&r->rsp_cons, cons, memory_order_release);
	*taken = cons - start;
	return done;
}

static const struct {
	const char *name;
	int err;
} errors[] = {
	{ "EINVAL", EINVAL },	    { "EACCES", EACCES },
	{ "EEXIST", EEXIST },	    { "EISDIR", EISDIR },
	{ "ENOENT", ENOENT },	    { "ENOMEM", ENOMEM },
	{ "ENOSPC", ENOSPC },	    { "EIO", EIO },
	{ "ENOTEMPTY", ENOTEMPTY }, { "ENOSYS", ENOSYS },
	{ "EROFS", EROFS },	    { "EBUSY", EBUSY },
	{ "EAGAIN", EAGAIN },	    { "EISCONN", EISCONN },
	{ "E2BIG", E2BIG },
};

/* An XS_ERROR payload: one name and its NUL, nothing after. */
static long error_reply(const struct sk_xen_store_rx *rx)
{
	uint32_t len = rx->hdr.len;

	if (len < 2 || rx->payload[len - 1] != '\0' ||
	    __builtin_memchr(rx->payload, '\0', len) != rx->payload + len - 1)
		return -EPROTO;
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (__builtin_strcmp(rx->payload, errors[i].name) == 0)
			return -errors[i].err;
	return -EIO;
}

long sk_xen_store_read_reply(const struct sk_xen_store_rx *rx, char *buf,
			     size_t cap)
{
	if (rx->have < SK_XEN_STORE_HDR_LEN ||
	    rx->hdr.len > SK_XEN_STORE_PAYLOAD_MAX ||
	    rx->have != SK_XEN_STORE_HDR_LEN + rx->hdr.len)
		return -EPROTO; /* not one whole reply: a caller's bug */
	if (rx->hdr.type == SK_XEN_XS_ERROR)
		return error_reply(rx);
	if (rx->hdr.type != SK_XEN_XS_READ)
		return -EPROTO;
	if (cap == 0 || rx->hdr.len > cap - 1)
		return -E2BIG;
	__builtin_memcpy(buf, rx->payload, rx->hdr.len);
	buf[rx->hdr.len] = '\0';
	return (long)rx->hdr.len;
}

int sk_xen_store_parse_domid(const char *s)
{
	long v = 0;

	if (!s || s[0] < '1' || s[0] > '9')
		return -EPROTO;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EPROTO;
		v = v * 10 + (*s - '0');
		if (v >= 0x7ff0) /* DOMID_FIRST_RESERVED */
			return -EPROTO;
	}
	return (int)v;
}
