// SPDX-License-Identifier: MIT
/*
 * Backend-independent parts of the test harness (harness.h): yield
 * injection, event counts, deadlines.
 */
#include <stdatomic.h>
#include <stdio.h>

#include <plat/time.h>

#include "harness.h"
#include "waiter.h"

static unsigned inject_one_in;
static atomic_uint inject_ticks;

static void th_random_yield(enum sk_sync_test_point pt)
{
	(void)pt;
	uint32_t x = atomic_fetch_add_explicit(&inject_ticks, 1,
					       memory_order_relaxed);

	/* A cheap hash of a shared tick: no per-thread state needed. */
	x *= 2654435761u;
	x ^= x >> 15;
	if (x % inject_one_in == 0)
		th_yield();
}

void th_inject_yields(unsigned one_in)
{
	inject_one_in = one_in;
	sk_sync_test_yield = one_in ? th_random_yield : NULL;
}

unsigned long th_events(unsigned ev)
{
	return atomic_load(&sk_sync_test_events[ev]);
}

void th_events_print(const char *what)
{
	static const char *const names[SK_SYNC_EV_COUNT] = {
		"slow unlocks",	  "tokens left",	 "tokens reclaimed",
		"tokens taken",	  "tokens taken by try", "records reaped",
		"spin free wins", "spin queued wins",	 "lockers slept",
		"yields",
	};

	th_libc_enter();
	printf("%s:", what);
	for (unsigned i = 0; i < SK_SYNC_EV_COUNT; i++)
		printf(" %s %lu%s", names[i], th_events(i),
		       i + 1 < SK_SYNC_EV_COUNT ? "," : "\n");
	th_libc_exit();
}

uint64_t th_deadline(uint64_t ns)
{
	return sk_plat_clock_ns() + ns;
}
