// SPDX-License-Identifier: MIT
/*
 * Shared hosted test scaffolding: see skiff_test/hosted.h.
 */
#include <skiff_test/hosted.h>

#include <stdlib.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <sched/preempt.h>

static const struct CMUnitTest *group_tests;
static size_t group_ntests;
static const char *group_name;
static sk_test_init_fn group_init;

void *sk_test_alloc(size_t len)
{
	void *p;

	/* 64: lib/sched keeps XSAVE areas in what it allocates. */
	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

void sk_test_free(void *p)
{
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

void *sk_test_hook_alloc(size_t len, void *ctx)
{
	(void)ctx;
	return sk_test_alloc(len);
}

void sk_test_hook_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	sk_test_free(p);
}

static void group_boot(void *arg)
{
	static const struct sk_sched_mem_ops ops = { sk_test_hook_alloc,
						     sk_test_hook_free, NULL };
	struct sk_cpuset cpu0;
	int ret;

	(void)arg;
	if (sk_sched_init(&ops))
		sk_plat_shutdown(101);
	if (group_init && group_init())
		sk_plat_shutdown(102);
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	if (sk_thread_set_affinity(&cpu0))
		sk_plat_shutdown(103);
	sk_preempt_disable();
	ret = _cmocka_run_group_tests(group_name, group_tests, group_ntests,
				      NULL, NULL);
	sk_preempt_enable();
	sk_plat_shutdown(ret);
}

int sk_test_main(const char *name, const struct CMUnitTest *tests, size_t n,
		 sk_test_init_fn init)
{
	group_name = name;
	group_tests = tests;
	group_ntests = n;
	group_init = init;
	return sk_hosted_boot(NULL, group_boot, NULL);
}

int sk_test_setup(void **state)
{
	(void)state;
	sk_preempt_enable();
	return 0;
}

int sk_test_teardown(void **state)
{
	(void)state;
	sk_preempt_disable();
	return 0;
}

struct sk_thread *sk_test_spawn(unsigned cpu, sk_thread_fn fn, void *arg)
{
	struct sk_thread_attr a = { 0 };
	struct sk_cpuset set;
	struct sk_thread *t = NULL;

	if (cpu != ~0u && cpu < sk_plat_cpu_count()) {
		sk_cpuset_zero(&set);
		sk_cpuset_add(&set, cpu);
		a.affinity = &set;
	}
	assert_int_equal(sk_thread_create(&t, &a, fn, arg), 0);
	assert_non_null(t);
	return t;
}
