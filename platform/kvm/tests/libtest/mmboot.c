// SPDX-License-Identifier: MIT
/*
 * lib/mm's test scaffolding (lib/mm/tests/mmboot.h) for a kvm image, in
 * place of the hosted one: the machine is the real one, with the vCPUs
 * QEMU gives it (a unit that names a CPU count runs only on machines that
 * have exactly that many, since its expectations depend on it: the tests'
 * meson entries pick those machines); its RAM for lib/mm is carved to the
 * unit's size by sk_hosted_boot (boot.c), at 4 GiB like hosted's when the
 * machine has RAM there.  lib/sched takes its memory from the libc heap,
 * so lib/mm's books stay exact; the group runs on a thread pinned to
 * CPU 0 with preemption disabled, as on hosted.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <hosted/boot.h>
#include <plat/assert.h>
#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/mem.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <x86/fmt.h>

#include "mmboot.h"

void *aligned_alloc(size_t align, size_t len);
void free(void *p);

enum { THREADS_MAX = 64, REGIONS_MAX = 128, WRONG_MACHINE = 98 };

static const struct mb_config *cfg_now;
static const struct CMUnitTest *tests_now;
static size_t ntests_now;
static const char *name_now;

static void *sched_alloc(size_t len, void *ctx)
{
	(void)ctx;
	return aligned_alloc(64, len);
}

static void sched_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	free(p);
}

uint64_t mb_ram_pa(void)
{
	static struct sk_plat_mem_region r[REGIONS_MAX];
	unsigned n = sk_plat_mem_regions(r, REGIONS_MAX);

	for (unsigned i = 0; i < n && i < REGIONS_MAX; i++)
		if (r[i].type == SK_PLAT_MEM_USABLE)
			return r[i].pa;
	SK_PANIC("mmboot: no usable RAM");
}

static sk_thread_fn body;
static atomic_uint finished, misplaced;

static void trampoline(void *arg)
{
	unsigned want = (unsigned)(uintptr_t)arg % sk_plat_cpu_count();

	sk_preempt_disable();
	if (sk_plat_cpu_id() != want)
		atomic_fetch_add_explicit(&misplaced, 1, memory_order_relaxed);
	sk_preempt_enable();
	body(arg);
	/* Read after the join, which orders it: relaxed. */
	atomic_fetch_add_explicit(&finished, 1, memory_order_relaxed);
}

void mb_run_on_cpus(unsigned n, sk_thread_fn fn)
{
	static struct sk_cpuset sets[THREADS_MAX];
	struct sk_thread *t[THREADS_MAX];
	unsigned made = 0;
	int err = 0, jerr = 0;

	assert_true(n <= THREADS_MAX);
	body = fn;
	atomic_store_explicit(&finished, 0, memory_order_relaxed);
	atomic_store_explicit(&misplaced, 0, memory_order_relaxed);
	sk_preempt_enable();
	while (made < n && !err) {
		struct sk_thread_attr a = { .affinity = &sets[made] };

		sk_cpuset_zero(&sets[made]);
		sk_cpuset_add(&sets[made], made % sk_plat_cpu_count());
		err = sk_thread_create(&t[made], &a, trampoline,
				       (void *)(uintptr_t)made);
		if (!err)
			made++;
	}
	for (unsigned i = 0; i < made; i++)
		jerr |= sk_thread_join(t[i]) != 0;
	sk_preempt_disable();
	assert_int_equal(err, 0);
	assert_int_equal(jerr, 0);
	assert_int_equal(atomic_load_explicit(&finished, memory_order_relaxed),
			 n);
	assert_int_equal(atomic_load_explicit(&misplaced, memory_order_relaxed),
			 0);
}

static void boot_fn(void *arg)
{
	static const struct sk_sched_mem_ops ops = { sched_alloc, sched_free,
						     NULL };
	static struct sk_cpuset cpu0;
	int ret;

	(void)arg;
	if (sk_sched_init(&ops))
		sk_plat_shutdown(100);
	sk_cpuset_zero(&cpu0);
	sk_cpuset_add(&cpu0, 0);
	if (sk_thread_set_affinity(&cpu0))
		sk_plat_shutdown(101);
	sk_preempt_disable();
	if (cfg_now->prepare && cfg_now->prepare())
		sk_plat_shutdown(102);
	ret = _cmocka_run_group_tests(name_now, tests_now, ntests_now, NULL,
				      NULL);
	sk_preempt_enable();
	sk_plat_shutdown(ret);
}

int mb_main(const struct mb_config *cfg, const char *name,
	    const struct CMUnitTest *tests, size_t n)
{
	struct sk_hosted_config hc = { .ncpus = cfg->ncpus,
				       .ram_bytes = cfg->ram_bytes };

	if (cfg->ncpus > 1 && cfg->ncpus != sk_plat_cpu_count()) {
		sk_x86_printf("%s: needs a machine with %u vCPUs, this one has "
			      "%u\n",
			      name, cfg->ncpus, sk_plat_cpu_count());
		return WRONG_MACHINE;
	}
	cfg_now = cfg;
	name_now = name;
	tests_now = tests;
	ntests_now = n;
	return sk_hosted_boot(&hc, boot_fn, NULL);
}
