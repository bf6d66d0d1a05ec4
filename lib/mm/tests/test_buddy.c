// SPDX-License-Identifier: MIT
/*
 * The buddy zone under the page allocator: random allocations of random
 * sizes and alignments never overlap, honour alignment, keep the free count
 * exact, and freeing everything merges the zone back into maximal blocks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <plat/mem.h>

#include "../buddy.h"
#include "mmboot.h"

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

enum { ZONE_PAGES = 8192, LIVE_MAX = 512 };

static uint8_t state[ZONE_PAGES];
static uint8_t owned[ZONE_PAGES];
static uint64_t rng = 7;

static size_t rnd(size_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (size_t)(rng % n);
}

/* A zone that starts and ends off any large alignment. */
static uint64_t lo_pfn(void)
{
	return (mb_ram_pa() >> 12) + 3;
}

static void zone_fill(struct buddy *b, size_t npages)
{
	sk_buddy_init(b, lo_pfn(), lo_pfn() + npages, state);
	sk_buddy_free(b, lo_pfn(), npages);
	assert_int_equal(b->nfree, npages);
}

static size_t count_blocks(const struct buddy *b)
{
	size_t n = 0;

	for (unsigned o = 0; o < BUDDY_ORDERS; o++)
		for (uint64_t p = b->head[o]; p != UINT64_MAX;
		     p = ((uint64_t *)sk_plat_phys_to_virt(p << 12))[0])
			n++;
	return n;
}

static void test_buddy_alloc_exact_size_returns_tail(void **state_)
{
	struct buddy b;
	uint64_t pfn;

	(void)state_;
	zone_fill(&b, 1024);
	assert_int_equal(sk_buddy_alloc(&b, 5, 0, &pfn), 0);
	assert_int_equal(b.nfree, 1024 - 5);
	assert_int_equal(sk_buddy_alloc(&b, 3, 9, &pfn), 0);
	assert_int_equal(pfn % 512, 0);
	assert_int_equal(b.nfree, 1024 - 8);
	assert_int_equal(sk_buddy_alloc(&b, 1024, 0, &pfn), -ENOMEM);
	assert_int_equal(sk_buddy_alloc(&b, 0, 0, &pfn), -EINVAL);
	assert_int_equal(sk_buddy_alloc(&b, 1, BUDDY_ORDERS, &pfn), -EINVAL);
	assert_int_equal(b.nfree, 1024 - 8);
}

static void test_buddy_random_no_overlap_all_returned(void **state_)
{
	struct buddy b;
	struct {
		uint64_t pfn;
		size_t n;
	} live[LIVE_MAX];
	size_t nlive = 0, blocks_before;

	(void)state_;
	zone_fill(&b, ZONE_PAGES - 3);
	blocks_before = count_blocks(&b);
	memset(owned, 0, sizeof(owned));
	for (int i = 0; i < 20000 * STRESS_SCALE; i++) {
		if (nlive < LIVE_MAX && rnd(2)) {
			size_t n = 1 + rnd(rnd(4) ? 8 : 300);
			unsigned align = rnd(4) ? 0 : (unsigned)rnd(10);
			uint64_t pfn;
			size_t before = b.nfree;
			int err = sk_buddy_alloc(&b, n, align, &pfn);

			if (err) {
				assert_int_equal(err, -ENOMEM);
				assert_int_equal(b.nfree, before);
				continue;
			}
			assert_int_equal(pfn % ((uint64_t)1 << align), 0);
			assert_true(buddy_owns(&b, pfn, n));
			assert_int_equal(b.nfree, before - n);
			for (size_t k = 0; k < n; k++) {
				assert_int_equal(owned[pfn - lo_pfn() + k], 0);
				owned[pfn - lo_pfn() + k] = 1;
			}
			live[nlive].pfn = pfn;
			live[nlive++].n = n;
		} else if (nlive) {
			size_t j = rnd(nlive);

			for (size_t k = 0; k < live[j].n; k++)
				owned[live[j].pfn - lo_pfn() + k] = 0;
			sk_buddy_free(&b, live[j].pfn, live[j].n);
			live[j] = live[--nlive];
		}
	}
	while (nlive) {
		nlive--;
		sk_buddy_free(&b, live[nlive].pfn, live[nlive].n);
	}
	assert_int_equal(b.nfree, ZONE_PAGES - 3);
	assert_int_equal(count_blocks(&b), blocks_before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buddy_alloc_exact_size_returns_tail),
		cmocka_unit_test(test_buddy_random_no_overlap_all_returned),
	};

	/* The zone is carved straight out of the hosted machine's RAM. */
	const struct mb_config cfg = { .ncpus = 1,
				       .ram_bytes = (size_t)ZONE_PAGES * 4096 };

	return mb_main(&cfg, "mm_buddy", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
