// SPDX-License-Identifier: MIT
/*
 * Packet buffer operations (netchan/pbuf.h): headroom and tailroom
 * adjustments on segments, chaining, and copies across a chain.  The head
 * segment's pkt_len always equals the sum of the chain's segment lengths.
 */
#include <errno.h>
#include <string.h>

#include <netchan/pbuf.h>

uint8_t *sk_pbuf_push(struct sk_pbuf *p, uint32_t n)
{
	if (n > p->off)
		return NULL;
	p->off -= n;
	p->len += n;
	p->pkt_len += n;
	return sk_pbuf_data(p);
}

uint8_t *sk_pbuf_pull(struct sk_pbuf *p, uint32_t n)
{
	if (n > p->len)
		return NULL;
	p->off += n;
	p->len -= n;
	p->pkt_len -= n;
	return sk_pbuf_data(p);
}

static struct sk_pbuf *last_seg(struct sk_pbuf *p)
{
	while (p->next)
		p = p->next;
	return p;
}

uint8_t *sk_pbuf_put(struct sk_pbuf *head, uint32_t n)
{
	struct sk_pbuf *last = last_seg(head);
	uint8_t *tail;

	if (n > sk_pbuf_tailroom(last))
		return NULL;
	tail = sk_pbuf_data(last) + last->len;
	last->len += n;
	head->pkt_len += n;
	return tail;
}

void sk_pbuf_chain(struct sk_pbuf *head, struct sk_pbuf *seg)
{
	uint32_t add = 0;

	for (struct sk_pbuf *s = seg; s; s = s->next)
		add += s->len;
	last_seg(head)->next = seg;
	head->pkt_len += add;
}

int sk_pbuf_copy_in(struct sk_pbuf_pool *pool, const void *data, size_t len,
		    struct sk_pbuf **out)
{
	const uint8_t *src = data;
	struct sk_pbuf *head = NULL, *last = NULL;

	if (len > UINT32_MAX || (!data && len))
		return -EINVAL;
	do {
		struct sk_pbuf *p = sk_pbuf_alloc(pool);
		uint32_t n;

		if (!p) {
			sk_pbuf_free(head);
			return -ENOMEM;
		}
		n = sk_pbuf_tailroom(p);
		if (n > len)
			n = (uint32_t)len;
		if (n)
			memcpy(sk_pbuf_data(p), src, n);
		p->len = n;
		src += n;
		len -= n;
		if (last)
			last->next = p;
		else
			head = p;
		last = p;
		head->pkt_len += n;
	} while (len);
	*out = head;
	return 0;
}

int sk_pbuf_copy_out(const struct sk_pbuf *head, size_t off, void *buf,
		     size_t len)
{
	uint8_t *dst = buf;
	const struct sk_pbuf *p = head;

	if (off > head->pkt_len || len > head->pkt_len - off)
		return -EINVAL;
	while (p && off >= p->len) {
		off -= p->len;
		p = p->next;
	}
	while (len) {
		size_t n = p->len - off;

		if (n > len)
			n = len;
		memcpy(dst, sk_pbuf_data(p) + off, n);
		dst += n;
		len -= n;
		off = 0;
		p = p->next;
	}
	return 0;
}
