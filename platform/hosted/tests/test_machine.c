/* SPDX-License-Identifier: MIT */
/*
 * The machine as configured: 8 vCPUs (more than the host's cores), CPU
 * ids and per-CPU bases, the per-CPU block behind %gs, CPU start errors, RAM and its translation, the
 * command line, and the calls hosted answers with -ENOTSUP.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <string.h>

#include <plat/boot.h>
#include <plat/entropy.h>
#include <plat/irq.h>
#include <plat/mem.h>
#include <plat/percpu.h>

enum { MACHINE_CPUS = 8, MACHINE_RAM = 64u << 20 };

static const uint64_t machine_pa_min = 0x1000; /* pa 0 is never RAM */

struct machine_probe {
	unsigned id;
	void *local;
	void *local_again;
};

static int machine_local_slot[MACHINE_CPUS];

static void machine_probe(void *arg)
{
	struct machine_probe *p = arg;
	sk_plat_irq_flags flags = sk_plat_irq_save();

	p->id = sk_plat_cpu_id();
	p->local = sk_plat_cpu_local();
	sk_plat_cpu_local_set(&machine_local_slot[p->id]);
	p->local_again = sk_plat_cpu_local();
	sk_plat_irq_restore(flags);
}

static void test_machine_cpus_have_ids_and_own_local_base(void **state)
{
	struct machine_probe p;
	unsigned cpu;

	(void)state;
	assert_int_equal(sk_plat_cpu_count(), MACHINE_CPUS);
	for (cpu = 0; cpu < MACHINE_CPUS; cpu++) {
		memset(&p, 0, sizeof(p));
		ht_run_on(cpu, machine_probe, &p);
		assert_int_equal(p.id, cpu);
		assert_null(p.local);
		assert_ptr_equal(p.local_again, &machine_local_slot[cpu]);
	}
	/* Each CPU kept its own base. */
	for (cpu = 0; cpu < MACHINE_CPUS; cpu++) {
		ht_run_on(cpu, machine_probe, &p);
		assert_ptr_equal(p.local, &machine_local_slot[cpu]);
	}
}

static void machine_never(unsigned cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	for (;;)
		;
}

static void test_machine_cpu_start_bad_cpu_einval(void **state)
{
	(void)state;
	assert_int_equal(sk_plat_cpu_start(0, machine_never, NULL), -EINVAL);
	assert_int_equal(sk_plat_cpu_start(1, machine_never, NULL), -EINVAL);
	assert_int_equal(sk_plat_cpu_start(MACHINE_CPUS, machine_never, NULL),
			 -EINVAL);
	assert_int_equal(sk_plat_cpu_start(~0u, machine_never, NULL), -EINVAL);
}

static void test_machine_ram_region_translates_both_ways(void **state)
{
	struct sk_plat_mem_region r[2];
	unsigned char *va, *end;

	(void)state;
	assert_int_equal(sk_plat_mem_regions(r, 2), 1);
	assert_int_equal(sk_plat_mem_regions(NULL, 0), 1);
	assert_int_equal(r[0].type, SK_PLAT_MEM_USABLE);
	assert_int_equal(r[0].len, MACHINE_RAM);
	assert_true(r[0].pa >= machine_pa_min);
	assert_int_equal(r[0].pa % (2u << 20), 0);
	va = sk_plat_phys_to_virt(r[0].pa);
	assert_non_null(va);
	assert_int_equal((uintptr_t)va % (2u << 20), 0);
	assert_true((uint64_t)(uintptr_t)va != r[0].pa);
	end = sk_plat_phys_to_virt(r[0].pa + r[0].len - 1);
	assert_ptr_equal(end, va + r[0].len - 1);
	/* The RAM is real memory: write both ends. */
	va[0] = 0x5a;
	*end = 0xa5;
	assert_int_equal(sk_plat_virt_to_phys(va), r[0].pa);
	assert_int_equal(sk_plat_virt_to_phys(va + 12345), r[0].pa + 12345);
	assert_int_equal(sk_plat_virt_to_phys(end), r[0].pa + r[0].len - 1);
}

static void test_machine_outside_ram_rejected(void **state)
{
	struct sk_plat_mem_region r;
	int local;

	(void)state;
	sk_plat_mem_regions(&r, 1);
	assert_null(sk_plat_phys_to_virt(0));
	assert_null(sk_plat_phys_to_virt(r.pa - 1));
	assert_null(sk_plat_phys_to_virt(r.pa + r.len));
	assert_null(sk_plat_phys_to_virt(UINT64_MAX));
	assert_int_equal(sk_plat_virt_to_phys(&local), UINT64_MAX);
	assert_int_equal(sk_plat_virt_to_phys(NULL), UINT64_MAX);
	assert_int_equal(sk_plat_virt_to_phys(
				 (char *)sk_plat_phys_to_virt(r.pa) + r.len),
			 UINT64_MAX);
}

static void test_machine_pt_load_enotsup_tlb_flush_returns(void **state)
{
	sk_plat_irq_flags flags;

	(void)state;
	flags = sk_plat_irq_save();
	assert_int_equal(sk_plat_pt_load(0x100000000ull), -ENOTSUP);
	sk_plat_irq_restore(flags);
	sk_plat_tlb_flush(0, 0);
	sk_plat_tlb_flush(0x1000, 0x1000);
}

/* Two 64-byte draws: full length, not all zero, not equal (2^-512). */
static void test_machine_entropy_fills_whole_buffer(void **state)
{
	unsigned char a[64], b[64], zero[64] = { 0 };

	(void)state;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_int_equal(sk_plat_entropy(a, sizeof(a)), (long)sizeof(a));
	assert_int_equal(sk_plat_entropy(b, sizeof(b)), (long)sizeof(b));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(sk_plat_entropy(a, 0), 0);
	assert_int_equal(sk_plat_entropy(a, (size_t)-1), -EINVAL);
}

/* The per-CPU block (plat/percpu.h) seen from each vCPU. */
struct machine_block {
	uint64_t cpu_id, self, local;
	uint64_t word, after_inc, after_add;
	int zero_after_dec, zero_after_second_dec;
};

static int machine_block_slot;

static void machine_block_probe(void *arg)
{
	struct machine_block *b = arg;
	sk_plat_irq_flags flags = sk_plat_irq_save();
	const unsigned w = SK_PLAT_PERCPU_CORE(SK_PLAT_PERCPU_CORE_WORDS - 1);

	b->cpu_id = SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_CPU_ID);
	b->self = SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_SELF);
	sk_plat_cpu_local_set(&machine_block_slot);
	b->local = SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_LOCAL);
	b->word = SK_PLAT_PERCPU_READ(w);
	SK_PLAT_PERCPU_WRITE(w, 1);
	SK_PLAT_PERCPU_INC(w);
	b->after_inc = SK_PLAT_PERCPU_READ(w);
	SK_PLAT_PERCPU_ADD(w, 40);
	b->after_add = SK_PLAT_PERCPU_READ(w);
	SK_PLAT_PERCPU_WRITE(w, 2);
	b->zero_after_dec = SK_PLAT_PERCPU_DEC_IS_ZERO(w);
	b->zero_after_second_dec = SK_PLAT_PERCPU_DEC_IS_ZERO(w);
	sk_plat_cpu_local_set(NULL);
	sk_plat_irq_restore(flags);
}

static void test_machine_percpu_block_per_vcpu(void **state)
{
	struct machine_block b;
	unsigned cpu;

	(void)state;
	for (cpu = 0; cpu < MACHINE_CPUS; cpu++) {
		memset(&b, 0, sizeof(b));
		ht_run_on(cpu, machine_block_probe, &b);
		assert_int_equal(b.cpu_id, cpu);
		assert_ptr_equal((void *)(uintptr_t)b.self,
				 sk_plat_percpu_of(cpu));
		assert_ptr_equal((void *)(uintptr_t)b.local,
				 &machine_block_slot);
		assert_int_equal(b.word, 0); /* the platform zeroes them */
		assert_int_equal(b.after_inc, 2);
		assert_int_equal(b.after_add, 42);
		assert_false(b.zero_after_dec);
		assert_true(b.zero_after_second_dec);
	}
	assert_null(sk_plat_percpu_of(MACHINE_CPUS));
	assert_null(sk_plat_percpu_of(~0u));
}

/* Before boot, the main thread has the "no CPU" block. */
static uint64_t machine_main_cpu_id;
static void *machine_main_local;

static void test_machine_main_thread_has_no_cpu_block(void **state)
{
	(void)state;
	assert_true(machine_main_cpu_id == SK_PLAT_PERCPU_NO_CPU);
	assert_null(machine_main_local);
}

static void test_machine_cmdline_from_config(void **state)
{
	(void)state;
	assert_string_equal(sk_plat_cmdline(), "console=hosted quiet");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machine_cpus_have_ids_and_own_local_base),
		cmocka_unit_test(test_machine_percpu_block_per_vcpu),
		cmocka_unit_test(test_machine_main_thread_has_no_cpu_block),
		cmocka_unit_test(test_machine_cpu_start_bad_cpu_einval),
		cmocka_unit_test(test_machine_ram_region_translates_both_ways),
		cmocka_unit_test(test_machine_outside_ram_rejected),
		cmocka_unit_test(
			test_machine_pt_load_enotsup_tlb_flush_returns),
		cmocka_unit_test(test_machine_cmdline_from_config),
		cmocka_unit_test(test_machine_entropy_fills_whole_buffer),
	};
	const struct sk_hosted_config cfg = {
		.ncpus = MACHINE_CPUS,
		.ram_bytes = MACHINE_RAM,
		.cmdline = "console=hosted quiet",
	};

	machine_main_cpu_id = SK_PLAT_PERCPU_READ(SK_PLAT_PERCPU_OFF_CPU_ID);
	machine_main_local = sk_plat_cpu_local();
	return ht_main(&cfg, "hosted_machine", tests, SK_ARRAY_LEN(tests));
}
