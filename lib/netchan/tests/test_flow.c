// SPDX-License-Identifier: MIT
/*
 * The header parser and SipHash, without the skiff machine: hand-built
 * IPv4/IPv6 TCP/UDP frames, every truncation of them, malformed fields,
 * and a deterministic random-mutation run (the gcc-built cousin of the
 * libFuzzer target) that checks the parser's output invariants.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <netchan/flow.h>
#include <netchan/siphash.h>

#include "pkt.h"

#include "scale.h"

static uint8_t frame[NT_PKT_MAX];

static size_t build(const struct nt_pkt_spec *s)
{
	size_t n = nt_pkt_build(frame, sizeof(frame), s);

	assert_true(n > 0);
	return n;
}

static void expect_fast(const struct nt_pkt_spec *s, enum sk_flow_class cls)
{
	struct sk_flow_info fi;
	struct sk_flow_key k = nt_pkt_key(s);
	size_t n = build(s);
	uint32_t id, seq;

	assert_int_equal(sk_flow_parse(frame, n, &fi), 0);
	assert_int_equal(fi.cls, cls);
	assert_memory_equal(&fi.key, &k, sizeof(k));
	assert_int_equal(fi.payload_len, s->payload_len);
	assert_int_equal(fi.payload_off + fi.payload_len, n);
	nt_pkt_ids(frame + fi.payload_off, &id, &seq);
	assert_int_equal(id, s->flow_id);
	assert_int_equal(seq, s->seq);
}

static void test_flow_ipv4_tcp_key_found(void **state)
{
	struct nt_pkt_spec s = nt_pkt_flow(SK_FLOW_IPV4, SK_FLOW_PROTO_TCP, 7);

	(void)state;
	s.seq = 1234;
	expect_fast(&s, SK_FLOW_FAST);
	s.vlan = 2;
	expect_fast(&s, SK_FLOW_FAST);
}

static void test_flow_ipv6_udp_key_found(void **state)
{
	struct nt_pkt_spec s = nt_pkt_flow(SK_FLOW_IPV6, SK_FLOW_PROTO_UDP, 9);

	(void)state;
	s.seq = 99;
	expect_fast(&s, SK_FLOW_FAST);
	s.ext = 3;
	expect_fast(&s, SK_FLOW_FAST);
	s.proto = SK_FLOW_PROTO_TCP;
	expect_fast(&s, SK_FLOW_FAST);
}

static void test_flow_tcp_control_flags_control(void **state)
{
	static const uint8_t flags[] = { SK_TCP_SYN, SK_TCP_FIN, SK_TCP_RST,
					 SK_TCP_SYN | SK_TCP_ACK };

	(void)state;
	for (unsigned f = 0; f < 2; f++) {
		unsigned fam = f ? SK_FLOW_IPV6 : SK_FLOW_IPV4;
		struct nt_pkt_spec s = nt_pkt_flow(fam, SK_FLOW_PROTO_TCP, 3);

		for (unsigned i = 0; i < sizeof(flags); i++) {
			s.tcp_flags = flags[i];
			expect_fast(&s, SK_FLOW_CONTROL);
		}
		s.tcp_flags = SK_TCP_ACK | SK_TCP_PSH;
		expect_fast(&s, SK_FLOW_FAST);
	}
}

static void test_flow_fragments_fragment(void **state)
{
	struct sk_flow_info fi;

	(void)state;
	for (unsigned f = 0; f < 2; f++) {
		unsigned fam = f ? SK_FLOW_IPV6 : SK_FLOW_IPV4;
		struct nt_pkt_spec s = nt_pkt_flow(fam, SK_FLOW_PROTO_UDP, 5);
		size_t n;

		s.frag = 1;
		n = build(&s);
		assert_int_equal(sk_flow_parse(frame, n, &fi), 0);
		assert_int_equal(fi.cls, SK_FLOW_FRAGMENT);
		assert_int_equal(fi.key.family, fam);
	}
}

static void test_flow_non_ip_other(void **state)
{
	struct sk_flow_info fi;
	struct nt_pkt_spec s = nt_pkt_flow(SK_FLOW_IPV4, SK_FLOW_PROTO_TCP, 1);
	size_t n = build(&s);

	(void)state;
	frame[12] = 0x08;
	frame[13] = 0x06; /* ARP */
	assert_int_equal(sk_flow_parse(frame, n, &fi), 0);
	assert_int_equal(fi.cls, SK_FLOW_OTHER);
	frame[13] = 0x00;
	frame[14 + 9] = 1; /* ICMP */
	assert_int_equal(sk_flow_parse(frame, n, &fi), 0);
	assert_int_equal(fi.cls, SK_FLOW_OTHER);
}

static void test_flow_every_truncation_enodata(void **state)
{
	struct sk_flow_info fi;

	(void)state;
	for (unsigned v = 0; v < 4; v++) {
		struct nt_pkt_spec s = nt_pkt_flow(
			v & 1 ? SK_FLOW_IPV6 : SK_FLOW_IPV4,
			v & 2 ? SK_FLOW_PROTO_UDP : SK_FLOW_PROTO_TCP, v);
		size_t n;

		s.vlan = 1;
		s.ext = v & 1;
		n = build(&s);
		for (size_t len = 0; len < n; len++) {
			uint8_t *copy = malloc(len ? len : 1);

			memcpy(copy, frame, len);
			assert_int_equal(sk_flow_parse(copy, len, &fi),
					 -ENODATA);
			assert_int_equal(fi.cls, SK_FLOW_OTHER);
			free(copy);
		}
	}
}

static void expect_einval(size_t n)
{
	struct sk_flow_info fi;

	assert_int_equal(sk_flow_parse(frame, n, &fi), -EINVAL);
	assert_int_equal(fi.cls, SK_FLOW_OTHER);
}

static void test_flow_malformed_einval(void **state)
{
	struct nt_pkt_spec s = nt_pkt_flow(SK_FLOW_IPV4, SK_FLOW_PROTO_TCP, 2);
	size_t n = build(&s);

	(void)state;
	frame[14] = 0x55; /* version 5 */
	expect_einval(n);
	frame[14] = 0x44; /* IHL 4 */
	expect_einval(n);
	n = build(&s);
	frame[14 + 2] = 0;
	frame[14 + 3] = 19; /* total length below the header */
	expect_einval(n);
	n = build(&s);
	frame[14 + 20 + 12] = 4 << 4; /* TCP data offset 4 */
	expect_einval(n);
	s.proto = SK_FLOW_PROTO_UDP;
	n = build(&s);
	frame[14 + 20 + 5] = 7; /* UDP length 7 */
	expect_einval(n);
	s.vlan = 3;
	n = build(&s);
	expect_einval(n);
	s = nt_pkt_flow(SK_FLOW_IPV6, SK_FLOW_PROTO_UDP, 2);
	s.ext = SK_FLOW_EXT_MAX + 1;
	n = build(&s);
	expect_einval(n);
	frame[14] = 0x40; /* IPv6 ethertype, version 4 */
	expect_einval(n);
}

static void test_flow_padding_ignored(void **state)
{
	struct sk_flow_info fi;
	struct nt_pkt_spec s = nt_pkt_flow(SK_FLOW_IPV4, SK_FLOW_PROTO_UDP, 4);
	size_t n;

	(void)state;
	s.payload_len = 8;
	n = build(&s);
	memset(frame + n, 0, 20); /* Ethernet minimum-size padding */
	assert_int_equal(sk_flow_parse(frame, n + 20, &fi), 0);
	assert_int_equal(fi.cls, SK_FLOW_FAST);
	assert_int_equal(fi.payload_len, 8);
}

static void test_flow_prefix_checks_frame_len(void **state)
{
	struct sk_flow_info fi;
	struct nt_pkt_spec s = nt_pkt_flow(SK_FLOW_IPV6, SK_FLOW_PROTO_TCP, 8);
	size_t n;

	(void)state;
	s.payload_len = 1000;
	n = build(&s);
	assert_int_equal(sk_flow_parse_prefix(frame, 100, n, &fi), 0);
	assert_int_equal(fi.cls, SK_FLOW_FAST);
	assert_int_equal(fi.payload_len, 1000);
	assert_int_equal(sk_flow_parse_prefix(frame, 100, n - 1, &fi),
			 -ENODATA);
	assert_int_equal(sk_flow_parse_prefix(frame, 60, n, &fi), -ENODATA);
	assert_int_equal(sk_flow_parse_prefix(frame, n, n - 1, &fi), -EINVAL);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void check_invariants(const uint8_t *p, size_t len)
{
	struct sk_flow_info fi;
	int err = sk_flow_parse(p, len, &fi);

	assert_true(err == 0 || err == -EINVAL || err == -ENODATA);
	assert_int_equal(fi.key.zero_[0] | fi.key.zero_[1], 0);
	if (err || (fi.cls != SK_FLOW_FAST && fi.cls != SK_FLOW_CONTROL))
		return;
	assert_true(fi.l3_off < fi.l4_off);
	assert_true(fi.l4_off < fi.payload_off);
	assert_true((size_t)fi.payload_off + fi.payload_len <= len);
	assert_true(fi.key.proto == SK_FLOW_PROTO_TCP ||
		    fi.key.proto == SK_FLOW_PROTO_UDP);
}

static void test_flow_random_mutations_never_crash(void **state)
{
	unsigned iters = NT_STRESS(100000u);
	uint8_t base[NT_PKT_MAX];

	(void)state;
	for (unsigned it = 0; it < iters; it++) {
		uint64_t r = rng();
		struct nt_pkt_spec s = nt_pkt_flow(
			r & 1 ? SK_FLOW_IPV6 : SK_FLOW_IPV4,
			r & 2 ? SK_FLOW_PROTO_UDP : SK_FLOW_PROTO_TCP,
			(uint32_t)it);
		size_t n, len;
		uint8_t *copy;

		s.vlan = (r >> 2) % 3;
		s.ext = (r & 1) ? (unsigned)((r >> 4) % 3) : 0;
		s.frag = (r >> 6) % 8 == 0;
		s.payload_len = (uint32_t)((r >> 8) % 64);
		n = nt_pkt_build(base, sizeof(base), &s);
		for (unsigned m = 0, nm = 1 + (r >> 16) % 4; m < nm; m++)
			base[rng() % n] = (uint8_t)rng();
		len = (r >> 24) % 4 == 0 ? (size_t)(rng() % (n + 1)) : n;
		copy = malloc(len ? len
				  : 1); /* exact size: ASan sees overreads */
		memcpy(copy, base, len);
		check_invariants(copy, len);
		free(copy);
	}
}

static void test_flow_siphash_vectors_match(void **state)
{
	/* Key 00..0f; messages 00..(n-1): the paper's test vectors. */
	struct sk_siphash_key k = { 0x0706050403020100ull,
				    0x0f0e0d0c0b0a0908ull };
	uint8_t msg[64];

	(void)state;
	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(sk_siphash(&k, msg, 0), 0x726fdb47dd0e0e31ull);
	assert_int_equal(sk_siphash(&k, msg, 15), 0xa129ca6149be45e5ull);
	assert_int_equal(sk_siphash(&k, msg, 8), 0x93f5f5799a932462ull);
	/* A different key gives a different hash for the same tuple. */
	k.k1 ^= 1;
	assert_int_not_equal(sk_siphash(&k, msg, 15), 0xa129ca6149be45e5ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_ipv4_tcp_key_found),
		cmocka_unit_test(test_flow_ipv6_udp_key_found),
		cmocka_unit_test(test_flow_tcp_control_flags_control),
		cmocka_unit_test(test_flow_fragments_fragment),
		cmocka_unit_test(test_flow_non_ip_other),
		cmocka_unit_test(test_flow_every_truncation_enodata),
		cmocka_unit_test(test_flow_malformed_einval),
		cmocka_unit_test(test_flow_padding_ignored),
		cmocka_unit_test(test_flow_prefix_checks_frame_len),
		cmocka_unit_test(test_flow_random_mutations_never_crash),
		cmocka_unit_test(test_flow_siphash_vectors_match),
	};

	return cmocka_run_group_tests_name("netchan_flow", tests, NULL, NULL);
}
