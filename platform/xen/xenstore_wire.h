/* SPDX-License-Identifier: MIT */
/*
 * Private to platform/xen: the xenstore wire protocol (Xen's public
 * io/xs_wire.h) without the transport.  The shared ring page, building a
 * request, copying bytes into and out of the two rings, reassembling one
 * reply and interpreting it.  No hypercalls here, so the hosted unit test
 * (domu/xenstore_wire_test.c) runs it on made-up ring contents;
 * xenstore.c adds the page, the event channel and the deadline.
 */
#ifndef XEN_XENSTORE_WIRE_H
#define XEN_XENSTORE_WIRE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum {
	SK_XEN_STORE_RING_SIZE = 1024, /* XENSTORE_RING_SIZE, a power of 2 */
	SK_XEN_STORE_PAYLOAD_MAX = 4096, /* XENSTORE_PAYLOAD_MAX */
	SK_XEN_STORE_PATH_MAX = 3072, /* XENSTORE_ABS_PATH_MAX */
	SK_XEN_STORE_HDR_LEN = 16,
	/* A request: header, path, NUL. */
	SK_XEN_STORE_REQ_MAX = SK_XEN_STORE_HDR_LEN + SK_XEN_STORE_PATH_MAX + 1,
};

/* enum xsd_sockmsg_type: the message types skiff sends or expects. */
enum sk_xen_store_type {
	SK_XEN_XS_READ = 2,
	SK_XEN_XS_WATCH_EVENT = 15,
	SK_XEN_XS_ERROR = 16,
};

/*
 * struct xenstore_domain_interface: the page HVM_PARAM_STORE_PFN names.
 * req is ours to produce (req_prod) and xenstored's to consume
 * (req_cons); rsp the other way round.  Indices run freely and are taken
 * modulo the ring size.  Newer Xen has more fields after rsp_prod
 * (server features, connection state); skiff does not use them.
 */
struct sk_xen_store_ring {
	char req[SK_XEN_STORE_RING_SIZE];
	char rsp[SK_XEN_STORE_RING_SIZE];
	_Atomic uint32_t req_cons, req_prod;
	_Atomic uint32_t rsp_cons, rsp_prod;
};
_Static_assert(offsetof(struct sk_xen_store_ring, req_cons) == 2048 &&
		       offsetof(struct sk_xen_store_ring, rsp_prod) == 2060 &&
		       sizeof(_Atomic uint32_t) == 4,
	       "xenstore_domain_interface layout (io/xs_wire.h)");

/* struct xsd_sockmsg, followed on the wire by len bytes of payload. */
struct sk_xen_store_hdr {
	uint32_t type; /* enum sk_xen_store_type */
	uint32_t req_id; /* echoed in the reply */
	uint32_t tx_id; /* 0: no transaction */
	uint32_t len; /* payload bytes */
};
_Static_assert(sizeof(struct sk_xen_store_hdr) == SK_XEN_STORE_HDR_LEN,
	       "xsd_sockmsg");

/* One reply being reassembled from the response ring. */
struct sk_xen_store_rx {
	uint32_t have; /* bytes of header + payload taken so far */
	struct sk_xen_store_hdr hdr; /* valid once have >= HDR_LEN */
	char payload[SK_XEN_STORE_PAYLOAD_MAX];
};

/*
 * sk_xen_store_req_build - write request @type for @path (header, path
 * and its NUL) into @out, which holds SK_XEN_STORE_REQ_MAX bytes.
 * Return: the request's length; -EINVAL for a NULL or empty @path;
 * -EMSGSIZE for a path longer than SK_XEN_STORE_PATH_MAX.
 * Context: any.
 */
long sk_xen_store_req_build(uint32_t type, uint32_t req_id, const char *path,
			    char *out);

/*
 * sk_xen_store_ring_put - copy up to @len bytes of @src into the request
 * ring and publish them (req_prod).
 * Return: bytes copied (0 when the ring is full); -EPROTO when the
 * indices claim more than the ring holds (nothing written).
 * Context: the ring's one client.  Ordering: reads req_cons with acquire,
 * writes req_prod with release (see xenstore_wire.c).
 */
long sk_xen_store_ring_put(struct sk_xen_store_ring *r, const void *src,
			   size_t len);

/*
 * sk_xen_store_rx_take - move the bytes of the current reply that the
 * response ring holds into @rx (never past the end of that reply).
 * Return: 1 when @rx holds a whole reply; 0 when more bytes are needed;
 * -EPROTO for indices that claim more than the ring holds, or a header
 * whose length exceeds SK_XEN_STORE_PAYLOAD_MAX (nothing is copied past
 * the payload buffer).  *@taken: bytes consumed from the ring (the caller
 * kicks xenstored when it is not 0).
 * Context: the ring's one client.
 */
int sk_xen_store_rx_take(struct sk_xen_store_ring *r,
			 struct sk_xen_store_rx *rx, size_t *taken);

/* sk_xen_store_rx_reset - forget the reply in @rx, to take the next. */
void sk_xen_store_rx_reset(struct sk_xen_store_rx *rx);

/*
 * sk_xen_store_read_reply - the value of a whole XS_READ reply in @rx,
 * copied into @buf with a NUL after it.
 * Return: the value's length (< @cap); -E2BIG if it and its NUL do not
 * fit in @cap bytes (nothing copied); for an XS_ERROR reply, its error as
 * -errno (-ENOENT, -EACCES, -EINVAL, ...; -EIO for a name skiff does not
 * know); -EPROTO for a reply of another type or an error reply that is
 * not one NUL-terminated name.
 * Context: any.
 */
long sk_xen_store_read_reply(const struct sk_xen_store_rx *rx, char *buf,
			     size_t cap);

/*
 * sk_xen_store_parse_domid - the domain id in the value @s of "domid".
 * Return: 1..0x7fef; -EPROTO for anything but decimal digits of a
 * domU id (no sign, no spaces, no leading zero).
 */
int sk_xen_store_parse_domid(const char *s);

#endif
