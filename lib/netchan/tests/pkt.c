// SPDX-License-Identifier: MIT
/*
 * Frame builder for the tests (pkt.h).
 */
#include "pkt.h"

#include <string.h>

static uint8_t *put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint16_t ip_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t l4_len(const struct nt_pkt_spec *s)
{
	return (s->proto == SK_FLOW_PROTO_TCP ? 20 : 8) + s->payload_len;
}

static uint8_t *build_l4(uint8_t *p, const struct nt_pkt_spec *s)
{
	uint8_t *payload;

	p = put16(p, s->sport);
	p = put16(p, s->dport);
	if (s->proto == SK_FLOW_PROTO_TCP) {
		memset(p, 0, 16);
		p[4] = 0; /* ack number, unused */
		p[8] = 5 << 4;
		p[9] = s->tcp_flags ? s->tcp_flags : SK_TCP_ACK;
		put16(p + 10, 65535);
		p += 16;
	} else {
		p = put16(p, (unsigned)(8 + s->payload_len));
		p = put16(p, 0);
	}
	payload = p;
	memset(payload, 0xab, s->payload_len);
	if (s->payload_len >= 8) {
		memcpy(payload, &s->flow_id, 4);
		memcpy(payload + 4, &s->seq, 4);
	}
	return payload + s->payload_len;
}

static uint8_t *build_ipv4(uint8_t *p, const struct nt_pkt_spec *s)
{
	uint8_t *h = p;

	memset(h, 0, 20);
	h[0] = 0x45;
	put16(h + 2, (unsigned)(20 + l4_len(s)));
	put16(h + 4, s->seq & 0xffff);
	put16(h + 6, s->frag ? 0x2000 : 0x4000);
	h[8] = 64;
	h[9] = (uint8_t)s->proto;
	memcpy(h + 12, s->src, 4);
	memcpy(h + 16, s->dst, 4);
	put16(h + 10, ip_csum(h, 20));
	return build_l4(h + 20, s);
}

static uint8_t *build_ipv6(uint8_t *p, const struct nt_pkt_spec *s)
{
	size_t ext = (size_t)s->ext * 8 + (s->frag ? 8 : 0);
	uint8_t *h = p, *e;

	memset(h, 0, 40);
	h[0] = 0x60;
	put16(h + 4, (unsigned)(ext + l4_len(s)));
	h[7] = 64;
	memcpy(h + 8, s->src, 16);
	memcpy(h + 24, s->dst, 16);
	e = h + 40;
	h[6] = s->ext ? 60 : s->frag ? 44 : (uint8_t)s->proto;
	for (unsigned i = 0; i < s->ext; i++, e += 8) {
		memset(e, 0, 8);
		e[0] = i + 1 < s->ext ? 60 : s->frag ? 44 : (uint8_t)s->proto;
		e[2] = 1; /* PadN option filling the header */
		e[3] = 4;
	}
	if (s->frag) {
		memset(e, 0, 8);
		e[0] = (uint8_t)s->proto;
		e[3] = 1; /* offset 0, more fragments */
		e += 8;
	}
	return build_l4(e, s);
}

size_t nt_pkt_build(uint8_t *buf, size_t cap, const struct nt_pkt_spec *s)
{
	uint8_t *p = buf;
	size_t need = 14 + 4 * (size_t)s->vlan + 40 + 8 * ((size_t)s->ext + 1) +
		      l4_len(s);

	if (need > cap)
		return 0;
	memset(p, 0x02, 6);
	memset(p + 6, 0x04, 6);
	p += 12;
	for (unsigned i = 0; i < s->vlan; i++) {
		p = put16(p, 0x8100);
		p = put16(p, 100 + i);
	}
	p = put16(p, s->family == SK_FLOW_IPV4 ? 0x0800 : 0x86dd);
	if (s->family == SK_FLOW_IPV4)
		p = build_ipv4(p, s);
	else
		p = build_ipv6(p, s);
	return (size_t)(p - buf);
}

struct sk_flow_key nt_pkt_key(const struct nt_pkt_spec *s)
{
	struct sk_flow_key k;
	size_t alen = s->family == SK_FLOW_IPV4 ? 4 : 16;

	memset(&k, 0, sizeof(k));
	memcpy(k.src, s->src, alen);
	memcpy(k.dst, s->dst, alen);
	k.sport = s->sport;
	k.dport = s->dport;
	k.proto = (uint8_t)s->proto;
	k.family = (uint8_t)s->family;
	return k;
}

struct nt_pkt_spec nt_pkt_flow(unsigned family, unsigned proto, uint32_t id)
{
	struct nt_pkt_spec s;

	memset(&s, 0, sizeof(s));
	s.family = family;
	s.proto = proto;
	if (family == SK_FLOW_IPV4) {
		s.src[0] = 10;
		s.src[2] = (uint8_t)(id >> 8);
		s.src[3] = (uint8_t)id;
		s.dst[0] = 10;
		s.dst[1] = 1;
		s.dst[3] = 1;
	} else {
		s.src[0] = 0xfd;
		s.src[14] = (uint8_t)(id >> 8);
		s.src[15] = (uint8_t)id;
		s.dst[0] = 0xfd;
		s.dst[1] = 1;
		s.dst[15] = 1;
	}
	s.sport = (uint16_t)(1024 + (id & 0x7fff));
	s.dport = 80;
	s.payload_len = 16;
	s.flow_id = id;
	return s;
}

void nt_pkt_ids(const uint8_t *payload, uint32_t *flow_id, uint32_t *seq)
{
	memcpy(flow_id, payload, 4);
	memcpy(seq, payload + 4, 4);
}
