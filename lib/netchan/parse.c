// SPDX-License-Identifier: MIT
/*
 * The header parser (netchan/flow.h).  Each stage takes a cursor over the
 * bytes still trusted, checks the length it is about to read, and hands
 * a narrower cursor to the next stage.  All multi-byte fields are read
 * byte by byte in network order: frames may be unaligned.
 */
#include <errno.h>
#include <string.h>

#include <netchan/flow.h>

enum {
	ETH_HLEN = 14,
	ETH_P_IPV4 = 0x0800,
	ETH_P_IPV6 = 0x86dd,
	ETH_P_8021Q = 0x8100,
	ETH_P_8021AD = 0x88a8,
	IPV4_HLEN = 20,
	IPV6_HLEN = 40,
	IPV4_MF = 0x2000,
	IPV4_OFFMASK = 0x1fff,
	IPV6_HOPOPTS = 0,
	IPV6_ROUTING = 43,
	IPV6_FRAGMENT = 44,
	IPV6_AH = 51,
	IPV6_NONE = 59,
	IPV6_DSTOPTS = 60,
	TCP_HLEN = 20,
	UDP_HLEN = 8,
};

/*
 * A window of the frame: p[0..len) are the bytes the headers may describe,
 * of which p[0..avail) are in hand (avail <= len); off is p's offset in
 * the frame.  Header reads check avail, declared lengths check len.
 */
struct cursor {
	const uint8_t *p;
	size_t len;
	size_t avail;
	size_t off;
};

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static struct cursor advance(struct cursor c, size_t n)
{
	c.p += n;
	c.len -= n;
	c.avail = c.avail > n ? c.avail - n : 0;
	c.off += n;
	return c;
}

/* Keep the first @n bytes of @c (n <= c.len). */
static struct cursor clamp(struct cursor c, size_t n)
{
	c.len = n;
	if (c.avail > n)
		c.avail = n;
	return c;
}

static int parse_tcp(struct cursor c, struct sk_flow_info *out)
{
	size_t hlen;

	if (c.len < TCP_HLEN)
		return -ENODATA;
	if (c.avail < TCP_HLEN)
		return -ENODATA;
	hlen = (size_t)(c.p[12] >> 4) * 4;
	if (hlen < TCP_HLEN)
		return -EINVAL;
	if (hlen > c.len)
		return -ENODATA;
	out->key.sport = be16(c.p);
	out->key.dport = be16(c.p + 2);
	out->tcp_flags = c.p[13];
	out->payload_off = (uint16_t)(c.off + hlen);
	out->payload_len = (uint32_t)(c.len - hlen);
	if (out->tcp_flags & (SK_TCP_SYN | SK_TCP_FIN | SK_TCP_RST))
		out->cls = SK_FLOW_CONTROL;
	else
		out->cls = SK_FLOW_FAST;
	return 0;
}

static int parse_udp(struct cursor c, struct sk_flow_info *out)
{
	size_t ulen;

	if (c.avail < UDP_HLEN)
		return -ENODATA;
	ulen = be16(c.p + 4);
	if (ulen < UDP_HLEN)
		return -EINVAL;
	if (ulen > c.len)
		return -ENODATA;
	out->key.sport = be16(c.p);
	out->key.dport = be16(c.p + 2);
	out->payload_off = (uint16_t)(c.off + UDP_HLEN);
	out->payload_len = (uint32_t)(ulen - UDP_HLEN);
	out->cls = SK_FLOW_FAST;
	return 0;
}

static int parse_l4(struct cursor c, unsigned proto, struct sk_flow_info *out)
{
	out->key.proto = (uint8_t)proto;
	out->l4_off = (uint16_t)c.off;
	if (proto == SK_FLOW_PROTO_TCP)
		return parse_tcp(c, out);
	if (proto == SK_FLOW_PROTO_UDP)
		return parse_udp(c, out);
	out->key.proto = 0;
	out->cls = SK_FLOW_OTHER;
	return 0;
}

static int parse_ipv4(struct cursor c, struct sk_flow_info *out)
{
	size_t hlen, tot;
	unsigned frag;

	if (c.avail < IPV4_HLEN)
		return -ENODATA;
	if (c.p[0] >> 4 != 4)
		return -EINVAL;
	hlen = (size_t)(c.p[0] & 0xf) * 4;
	tot = be16(c.p + 2);
	if (hlen < IPV4_HLEN || tot < hlen)
		return -EINVAL;
	if (tot > c.len || hlen > c.avail)
		return -ENODATA;
	c = clamp(c, tot); /* drop Ethernet padding */
	out->key.family = SK_FLOW_IPV4;
	memcpy(out->key.src, c.p + 12, 4);
	memcpy(out->key.dst, c.p + 16, 4);
	frag = be16(c.p + 6);
	if (frag & (IPV4_MF | IPV4_OFFMASK)) {
		out->key.proto = c.p[9];
		out->cls = SK_FLOW_FRAGMENT;
		return 0;
	}
	return parse_l4(advance(c, hlen), c.p[9], out);
}

/* Length of the IPv6 extension header at @c of type @nh, or 0 if @nh is
 * not one we walk; -errno if it does not fit. */
static long ipv6_ext_len(struct cursor c, unsigned nh)
{
	size_t n;

	if (nh != IPV6_HOPOPTS && nh != IPV6_ROUTING && nh != IPV6_DSTOPTS &&
	    nh != IPV6_AH)
		return 0;
	if (c.avail < 2)
		return -ENODATA;
	if (nh == IPV6_AH)
		n = ((size_t)c.p[1] + 2) * 4;
	else
		n = ((size_t)c.p[1] + 1) * 8;
	if (n > c.avail)
		return -ENODATA;
	return (long)n;
}

static int parse_ipv6(struct cursor c, struct sk_flow_info *out)
{
	size_t plen;
	unsigned nh;

	if (c.avail < IPV6_HLEN)
		return -ENODATA;
	if (c.p[0] >> 4 != 6)
		return -EINVAL;
	plen = be16(c.p + 4);
	if (IPV6_HLEN + plen > c.len)
		return -ENODATA;
	c = clamp(c, IPV6_HLEN + plen);
	out->key.family = SK_FLOW_IPV6;
	memcpy(out->key.src, c.p + 8, 16);
	memcpy(out->key.dst, c.p + 24, 16);
	nh = c.p[6];
	c = advance(c, IPV6_HLEN);
	for (unsigned i = 0; i <= SK_FLOW_EXT_MAX; i++) {
		long n;

		if (nh == IPV6_FRAGMENT) {
			out->cls = SK_FLOW_FRAGMENT;
			return 0;
		}
		n = ipv6_ext_len(c, nh);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return parse_l4(c, nh, out);
		if (i == SK_FLOW_EXT_MAX)
			break;
		nh = c.p[0];
		c = advance(c, (size_t)n);
	}
	return -EINVAL;
}

static int parse_frame(struct cursor c, struct sk_flow_info *out)
{
	unsigned type;

	if (c.avail < ETH_HLEN)
		return -ENODATA;
	type = be16(c.p + 12);
	c = advance(c, ETH_HLEN);
	for (unsigned tags = 0; type == ETH_P_8021Q || type == ETH_P_8021AD;
	     tags++) {
		if (tags == SK_FLOW_VLAN_MAX)
			return -EINVAL;
		if (c.avail < 4)
			return -ENODATA;
		type = be16(c.p + 2);
		c = advance(c, 4);
	}
	out->l3_off = (uint16_t)c.off;
	if (type == ETH_P_IPV4)
		return parse_ipv4(c, out);
	if (type == ETH_P_IPV6)
		return parse_ipv6(c, out);
	return 0; /* cls stays SK_FLOW_OTHER */
}

int sk_flow_parse_prefix(const void *hdr, size_t hdr_len, size_t frame_len,
			 struct sk_flow_info *out)
{
	struct cursor c = { .p = hdr, .len = frame_len, .avail = hdr_len };
	int err;

	memset(out, 0, sizeof(*out));
	out->cls = SK_FLOW_OTHER;
	if ((!hdr && hdr_len) || hdr_len > frame_len)
		return -EINVAL;
	err = parse_frame(c, out);
	if (err) {
		memset(out, 0, sizeof(*out));
		out->cls = SK_FLOW_OTHER;
	}
	return err;
}

int sk_flow_parse(const void *frame, size_t len, struct sk_flow_info *out)
{
	return sk_flow_parse_prefix(frame, len, len, out);
}
