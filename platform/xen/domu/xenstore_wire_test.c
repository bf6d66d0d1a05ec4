// SPDX-License-Identifier: MIT
/*
 * The xenstore wire layer (../xenstore_wire.c) on hosted, on made-up ring
 * contents: requests as xenstored expects them, ring wrap-around of both
 * the positions and the 32-bit indices, replies arriving in pieces, and
 * what a broken or hostile xenstored may write (corrupt indices, a length
 * past the payload limit, malformed errors, random bytes): each gets an
 * error, and nothing is written outside its buffer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../xenstore_wire.h"

enum { RING = SK_XEN_STORE_RING_SIZE, HDR = SK_XEN_STORE_HDR_LEN };

static struct sk_xen_store_ring ring;

static void ring_reset(uint32_t req_at, uint32_t rsp_at)
{
	memset(&ring, 0, sizeof(ring));
	atomic_store(&ring.req_cons, req_at);
	atomic_store(&ring.req_prod, req_at);
	atomic_store(&ring.rsp_cons, rsp_at);
	atomic_store(&ring.rsp_prod, rsp_at);
}

/* What xenstored does: bytes into rsp, then rsp_prod. */
static void peer_put(const void *src, size_t len)
{
	uint32_t prod = atomic_load(&ring.rsp_prod);

	for (size_t i = 0; i < len; i++)
		ring.rsp[prod++ % RING] = ((const char *)src)[i];
	atomic_store(&ring.rsp_prod, prod);
}

static void peer_reply(uint32_t type, uint32_t id, const void *p, uint32_t len)
{
	struct sk_xen_store_hdr h = { type, id, 0, len };

	peer_put(&h, sizeof(h));
	peer_put(p, len);
}

static void test_wire_req_layout_is_xsd_sockmsg(void **state)
{
	static char out[SK_XEN_STORE_REQ_MAX];
	static char path[SK_XEN_STORE_PATH_MAX + 2];
	struct sk_xen_store_hdr h;

	(void)state;
	assert_int_equal(
		sk_xen_store_req_build(SK_XEN_XS_READ, 7, "domid", out),
		HDR + 6);
	memcpy(&h, out, sizeof(h));
	assert_int_equal(h.type, 2);
	assert_int_equal(h.req_id, 7);
	assert_int_equal(h.tx_id, 0);
	assert_int_equal(h.len, 6);
	assert_memory_equal(out + HDR, "domid", 6);
	assert_int_equal(sk_xen_store_req_build(2, 1, "", out), -EINVAL);
	assert_int_equal(sk_xen_store_req_build(2, 1, NULL, out), -EINVAL);
	memset(path, 'p', SK_XEN_STORE_PATH_MAX);
	assert_int_equal(sk_xen_store_req_build(2, 1, path, out),
			 HDR + SK_XEN_STORE_PATH_MAX + 1);
	path[SK_XEN_STORE_PATH_MAX] = 'p';
	assert_int_equal(sk_xen_store_req_build(2, 1, path, out), -EMSGSIZE);
}

static void test_wire_put_wraps_positions_and_indices(void **state)
{
	char msg[40];

	(void)state;
	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('A' + i);
	/* 0xfffffff0 % 1024 = 1008: 16 bytes to the end, then slot 0, and
	 * the index itself passes 2^32 on the way. */
	ring_reset(0xfffffff0u, 0);
	assert_int_equal(sk_xen_store_ring_put(&ring, msg, sizeof(msg)),
			 sizeof(msg));
	assert_int_equal(atomic_load(&ring.req_prod), 0xfffffff0u + 40);
	assert_memory_equal(ring.req + 1008, msg, 16);
	assert_memory_equal(ring.req, msg + 16, 24);
}

static void test_wire_put_full_ring_takes_what_fits(void **state)
{
	static char big[RING + 100];

	(void)state;
	ring_reset(5, 0); /* empty, at slot 5 */
	assert_int_equal(sk_xen_store_ring_put(&ring, big, sizeof(big)), RING);
	assert_int_equal(sk_xen_store_ring_put(&ring, big, 1), 0);
	atomic_store(&ring.req_cons, 5 + 10); /* xenstored took 10 */
	assert_int_equal(sk_xen_store_ring_put(&ring, big, sizeof(big)), 10);
}

static void test_wire_put_corrupt_indices_eproto(void **state)
{
	(void)state;
	ring_reset(0, 0);
	atomic_store(&ring.req_prod, RING + 1); /* more than the ring holds */
	assert_int_equal(sk_xen_store_ring_put(&ring, "x", 1), -EPROTO);
	assert_int_equal(atomic_load(&ring.req_prod), RING + 1);
	assert_int_equal(ring.req[(RING + 1) % RING], 0);
}

static struct sk_xen_store_rx rx;

static void test_wire_reply_in_pieces_across_wrap(void **state)
{
	char buf[64];
	size_t taken;

	(void)state;
	ring_reset(0, 0xfffffffau); /* 1018: the header wraps */
	sk_xen_store_rx_reset(&rx);
	struct sk_xen_store_hdr h = { SK_XEN_XS_READ, 9, 0, 5 };

	peer_put(&h, 10);
	assert_int_equal(sk_xen_store_rx_take(&ring, &rx, &taken), 0);
	assert_int_equal(taken, 10);
	peer_put((char *)&h + 10, 6);
	peer_put("12", 2);
	assert_int_equal(sk_xen_store_rx_take(&ring, &rx, &taken), 0);
	assert_int_equal(taken, 8);
	peer_put("345", 3);
	assert_int_equal(sk_xen_store_rx_take(&ring, &rx, &taken), 1);
	assert_int_equal(taken, 3);
	assert_int_equal(atomic_load(&ring.rsp_cons), 0xfffffffau + 21);
	assert_int_equal(rx.hdr.req_id, 9);
	assert_int_equal(sk_xen_store_read_reply(&rx, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "12345");
}

static void test_wire_two_replies_taken_one_at_a_time(void **state)
{
	char buf[16];
	size_t taken;

	(void)state;
	ring_reset(0, 0);
	sk_xen_store_rx_reset(&rx);
	peer_reply(SK_XEN_XS_READ, 1, "old", 3);
	peer_reply(SK_XEN_XS_READ, 2, "new", 3);
	assert_int_equal(sk_xen_store_rx_take(&ring, &rx, &taken), 1);
	assert_int_equal(taken, HDR + 3);
	assert_int_equal(rx.hdr.req_id, 1);
	sk_xen_store_rx_reset(&rx);
	assert_int_equal(sk_xen_store_rx_take(&ring, &rx, &taken), 1);
	assert_int_equal(rx.hdr.req_id, 2);
	assert_int_equal(sk_xen_store_read_reply(&rx, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "new");
	assert_int_equal(sk_xen_store_rx_take(&ring, &rx, &taken), 1);
	assert_int_equal(taken, 0); /* nothing more in the ring */
}

static void test_wire_empty_value_reads_as_empty_string(void **state)
{
	char buf[4] = "xyz";
	size_t taken;

	(void)state;
	ring_reset(0, 0);
	sk_xen_store_rx_reset(&rx);
	peer_reply(SK_XEN_XS_READ, 1, "", 0);
	assert_int_equal(sk_xen_store_rx_take(&ring, &rx, &taken), 1);
	assert_int_equal(sk_xen_store_read_reply(&rx, buf, 1), 0);
	assert_string_equal(buf, "");
}

static void test_wire_oversized_length_eproto_no_overrun(void **state)
{
	static struct {
		struct sk_xen_store_rx rx;
		char canary[64];
	} g;
	size_t taken;

	(void)state;
	ring_reset(0, 0);
	memset(&g, 0x5a, sizeof(g));
	sk_xen_store_rx_reset(&g.rx);
	struct sk_xen_store_hdr h = { SK_XEN_XS_READ, 1, 0,
				      SK_XEN_STORE_PAYLOAD_MAX + 1 };

	peer_put(&h, sizeof(h));
	peer_put("data", 4);
	assert_int_equal(sk_xen_store_rx_take(&ring, &g.rx, &taken), -EPROTO);
	assert_int_equal(g.rx.payload[0], 0x5a); /* no payload byte taken */
	for (unsigned i = 0; i < sizeof(g.canary); i++)
		assert_int_equal(g.canary[i], 0x5a);
	/* again: still refused, still nothing copied */
	assert_int_equal(sk_xen_store_rx_take(&ring, &g.rx, &taken), -EPROTO);
	assert_int_equal(taken, 0);
}

static void test_wire_corrupt_rsp_indices_eproto(void **state)
{
	size_t taken;

	(void)state;
	ring_reset(0, 100);
	sk_xen_store_rx_reset(&rx);
	atomic_store(&ring.rsp_prod, 100 + RING + 1);
	assert_int_equal(sk_xen_store_rx_take(&ring, &rx, &taken), -EPROTO);
	assert_int_equal(taken, 0);
	assert_int_equal(atomic_load(&ring.rsp_cons), 100);
	assert_int_equal(rx.have, 0);
	atomic_store(&ring.rsp_prod, 99); /* behind the consumer */
	assert_int_equal(sk_xen_store_rx_take(&ring, &rx, &taken), -EPROTO);
}

static long reply_of(uint32_t type, const void *p, uint32_t len, char *buf,
		     size_t cap)
{
	size_t taken;

	ring_reset(0, 0);
	sk_xen_store_rx_reset(&rx);
	peer_reply(type, 1, p, len);
	assert_int_equal(sk_xen_store_rx_take(&ring, &rx, &taken), 1);
	return sk_xen_store_read_reply(&rx, buf, cap);
}

static void test_wire_value_too_long_e2big(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(reply_of(SK_XEN_XS_READ, "skiff", 5, buf, 5), -E2BIG);
	assert_int_equal(buf[0], 0x5a); /* nothing copied */
	assert_int_equal(reply_of(SK_XEN_XS_READ, "skiff", 5, buf, 0), -E2BIG);
	assert_int_equal(reply_of(SK_XEN_XS_READ, "skiff", 5, buf, 6), 5);
	assert_string_equal(buf, "skiff");
	assert_int_equal(buf[6], 0x5a);
}

static void test_wire_error_replies_map_to_errno(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(reply_of(SK_XEN_XS_ERROR, "ENOENT", 7, buf, 8),
			 -ENOENT);
	assert_int_equal(reply_of(SK_XEN_XS_ERROR, "EACCES", 7, buf, 8),
			 -EACCES);
	assert_int_equal(reply_of(SK_XEN_XS_ERROR, "E2BIG", 6, buf, 8), -E2BIG);
	assert_int_equal(reply_of(SK_XEN_XS_ERROR, "EWHAT", 6, buf, 8), -EIO);
}

static void test_wire_malformed_replies_eproto(void **state)
{
	char buf[8];

	(void)state;
	/* no NUL, a NUL inside, nothing at all; a name skiff does not know
	 * is well-formed: -EIO */
	assert_int_equal(reply_of(SK_XEN_XS_ERROR, "ENOENT", 6, buf, 8),
			 -EPROTO);
	assert_int_equal(reply_of(SK_XEN_XS_ERROR, "EIO\0\0", 5, buf, 8),
			 -EPROTO);
	assert_int_equal(reply_of(SK_XEN_XS_ERROR, "", 0, buf, 8), -EPROTO);
	assert_int_equal(reply_of(SK_XEN_XS_ERROR, "ENO", 4, buf, 8), -EIO);
	/* a reply of another type to a read */
	assert_int_equal(reply_of(SK_XEN_XS_WATCH_EVENT, "a\0b", 4, buf, 8),
			 -EPROTO);
	assert_int_equal(reply_of(1, "x", 1, buf, 8), -EPROTO);
	/* an incomplete reply is refused too (a caller's bug) */
	sk_xen_store_rx_reset(&rx);
	assert_int_equal(sk_xen_store_read_reply(&rx, buf, 8), -EPROTO);
}

static void test_wire_domid_parse_only_domu_ids(void **state)
{
	static const char *const bad[] = {
		"",   "0",   "01",    "-1",    " 5",
		"5 ", "12a", "32752", "65535", "99999999999999999999"
	};

	(void)state;
	assert_int_equal(sk_xen_store_parse_domid("1"), 1);
	assert_int_equal(sk_xen_store_parse_domid("23117"), 23117);
	assert_int_equal(sk_xen_store_parse_domid("32751"), 32751);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sk_xen_store_parse_domid(bad[i]), -EPROTO);
	assert_int_equal(sk_xen_store_parse_domid(NULL), -EPROTO);
}

/* xorshift64: a fixed seed, so a failure repeats. */
static uint64_t rnd(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* Random bytes and indices from a hostile peer: only results the
 * contract allows, and no write outside rx or the caller's buffer. */
static void test_wire_random_rings_never_overrun(void **state)
{
	static struct {
		struct sk_xen_store_rx rx;
		char canary[64];
		char buf[32];
		char canary2[64];
	} g;
	size_t taken;

	(void)state;
	memset(&g, 0x5a, sizeof(g));
	sk_xen_store_rx_reset(&g.rx);
	for (int round = 0; round < 20000; round++) {
		uint32_t cons = (uint32_t)rnd();

		for (unsigned i = 0; i < RING; i++)
			ring.rsp[i] = (char)rnd();
		atomic_store(&ring.rsp_cons, cons);
		atomic_store(&ring.rsp_prod,
			     cons + (uint32_t)(rnd() % (RING + 64)));
		/* a reply in progress goes on over many rounds, so a long
		 * one would reach past the payload buffer */
		int rc = sk_xen_store_rx_take(&ring, &g.rx, &taken);

		assert_true(rc == 0 || rc == 1 || rc == -EPROTO);
		assert_true(g.rx.have <= HDR + SK_XEN_STORE_PAYLOAD_MAX);
		if (rc == 1) {
			long n = sk_xen_store_read_reply(&g.rx, g.buf,
							 sizeof(g.buf));

			assert_true(n >= -4096 && n < (long)sizeof(g.buf));
			sk_xen_store_rx_reset(&g.rx);
		} else if (rc < 0) {
			sk_xen_store_rx_reset(&g.rx);
		}
	}
	for (unsigned i = 0; i < sizeof(g.canary); i++) {
		assert_int_equal(g.canary[i], 0x5a);
		assert_int_equal(g.canary2[i], 0x5a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_req_layout_is_xsd_sockmsg),
		cmocka_unit_test(test_wire_put_wraps_positions_and_indices),
		cmocka_unit_test(test_wire_put_full_ring_takes_what_fits),
		cmocka_unit_test(test_wire_put_corrupt_indices_eproto),
		cmocka_unit_test(test_wire_reply_in_pieces_across_wrap),
		cmocka_unit_test(test_wire_two_replies_taken_one_at_a_time),
		cmocka_unit_test(test_wire_empty_value_reads_as_empty_string),
		cmocka_unit_test(test_wire_oversized_length_eproto_no_overrun),
		cmocka_unit_test(test_wire_corrupt_rsp_indices_eproto),
		cmocka_unit_test(test_wire_value_too_long_e2big),
		cmocka_unit_test(test_wire_error_replies_map_to_errno),
		cmocka_unit_test(test_wire_malformed_replies_eproto),
		cmocka_unit_test(test_wire_domid_parse_only_domu_ids),
		cmocka_unit_test(test_wire_random_rings_never_overrun),
	};

	return cmocka_run_group_tests_name("xen_store_wire", tests, NULL, NULL);
}
