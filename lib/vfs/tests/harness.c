// SPDX-License-Identifier: MIT
/*
 * lib/vfs test scaffolding: see harness.h.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <stdlib.h>

#include <hosted/boot.h>
#include <mm/page.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <rcu/rcu.h>
#include <sched/cpu.h>

static const struct CMUnitTest *vt_tests;
static size_t vt_ntests;
static const char *vt_name;

void *vt_alloc(size_t len)
{
	void *p;

	/* 64: lib/sched keeps XSAVE areas in what it allocates. */
	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

void vt_free(void *p)
{
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

static void *hook_alloc(size_t len, void *ctx)
{
	(void)ctx;
	return vt_alloc(len);
}

static void hook_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	vt_free(p);
}

static void vt_boot(void *arg)
{
	static const struct sk_sched_mem_ops sops = { hook_alloc, hook_free,
						      NULL };
	static const struct sk_vfs_mem_ops vops = { hook_alloc, hook_free,
						    NULL };
	struct sk_vfs_config cfg = { &vops };
	struct sk_cpuset cpu0;
	int ret;

	(void)arg;
	if (sk_page_init())
		sk_plat_shutdown(99);
	if (sk_sched_init(&sops))
		sk_plat_shutdown(100);
	if (sk_rcu_init())
		sk_plat_shutdown(101);
	if (sk_vfs_init(&cfg))
		sk_plat_shutdown(102);
	/*
	 * CMocka keeps per-pthread state (its jump buffer, glibc's TLS):
	 * the thread running the group must stay on one vCPU pthread.
	 */
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	if (sk_thread_set_affinity(&cpu0))
		sk_plat_shutdown(103);
	sk_preempt_disable();
	ret = _cmocka_run_group_tests(vt_name, vt_tests, vt_ntests, NULL, NULL);
	sk_preempt_enable();
	sk_plat_shutdown(ret);
}

int vt_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	vt_name = name;
	vt_tests = tests;
	vt_ntests = n;
	return sk_hosted_boot(NULL, vt_boot, NULL);
}

int vt_setup(void **state)
{
	(void)state;
	sk_preempt_enable();
	return 0;
}

int vt_teardown(void **state)
{
	(void)state;
	sk_preempt_disable();
	return 0;
}

struct sk_thread *vt_spawn(unsigned cpu, sk_thread_fn fn, void *arg)
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

void vt_put_file(const char *path, const void *buf, size_t len)
{
	int fd = sk_vfs_open(path, SK_O_WRONLY | SK_O_CREAT | SK_O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_write(fd, buf, len), (long)len);
	assert_int_equal(sk_vfs_close(fd), 0);
}
