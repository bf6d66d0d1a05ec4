// SPDX-License-Identifier: MIT
/*
 * lib/sched on the kvm platform: the scheduler compiled with kernel flags
 * runs on every vCPU of the image.  Cases: a thread pinned to each CPU,
 * cross-CPU wait/wake ping-pong without lost wake-ups, sleeps that never
 * end early, two CPU hogs on one CPU that both progress (timer preemption
 * through the interrupt exit hook) with their FP registers intact, and the
 * virtio drivers when the machine has the devices.  Exits with the number
 * of failed cases.  Memory: the images' lib/mm heap (apps/heap.h).
 */
#include <errno.h>

#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/entropy.h>
#include <plat/irq.h>
#include <plat/mem.h>
#include <plat/time.h>
#include <sched/cpu.h>
#include <sched/thread.h>
#include <sched/wait.h>
#include <kvm/boot.h>
#include <kvm/virtio.h>

#include "../apps/heap.h"
#include "boottest.h"
#include "schedtest.h"

static const uint64_t MS = 1000000ull;

static int spawn(struct sk_thread **t, sk_thread_fn fn, void *arg, int cpu)
{
	static struct sk_cpuset sets[SK_PLAT_CPUS_MAX];
	struct sk_thread_attr a = { 0 };

	if (cpu >= 0) {
		sk_cpuset_zero(&sets[cpu]);
		sk_cpuset_add(&sets[cpu], (unsigned)cpu);
		a.affinity = &sets[cpu];
	}
	return sk_thread_create(t, &a, fn, arg);
}

static _Atomic unsigned cpu_seen[SK_PLAT_CPUS_MAX];

static void where_am_i(void *arg)
{
	unsigned want = (unsigned)(uintptr_t)arg;
	unsigned cpu = sk_plat_cpu_id();

	atomic_store_explicit(&cpu_seen[want], cpu + 1, memory_order_relaxed);
}

static int case_thread_on_every_cpu(void)
{
	static struct sk_thread *t[SK_PLAT_CPUS_MAX];
	unsigned n = sk_plat_cpu_count();

	for (unsigned c = 0; c < n; c++)
		BT_CHECK(spawn(&t[c], where_am_i, (void *)(uintptr_t)c,
			       (int)c) == 0);
	for (unsigned c = 0; c < n; c++) {
		BT_CHECK(sk_thread_join(t[c]) == 0);
		BT_CHECK(atomic_load_explicit(&cpu_seen[c],
					      memory_order_relaxed) == c + 1);
	}
	return 0;
}

/* Ping-pong: two threads hand a token back and forth by wait/wake. */
struct pingpong {
	_Atomic unsigned turn; /* 0: ping's turn, 1: pong's */
	_Atomic(struct sk_thread *) peer[2];
	unsigned rounds;
	_Atomic unsigned done;
};

static void pp_side(struct pingpong *pp, unsigned me)
{
	/* Acquire: pairs with the release stores of the peers in the case;
	 * we may start running before they are published. */
	while (!atomic_load_explicit(&pp->peer[1 - me], memory_order_acquire))
		sk_thread_sleep_for(100000);
	for (unsigned r = 0; r < pp->rounds; r++) {
		sk_wait_prepare();
		/* Acquire: pairs with the other side's release of turn. */
		while (atomic_load_explicit(&pp->turn, memory_order_acquire) !=
		       me) {
			sk_wait();
			sk_wait_prepare();
		}
		sk_wait_finish();
		/* Release: our round's effects before the peer sees its turn. */
		atomic_store_explicit(&pp->turn, 1 - me, memory_order_release);
		sk_thread_wake(atomic_load_explicit(&pp->peer[1 - me],
						    memory_order_acquire));
	}
	atomic_fetch_add_explicit(&pp->done, 1, memory_order_release);
}

static void pp_ping(void *arg)
{
	pp_side(arg, 0);
}

static void pp_pong(void *arg)
{
	pp_side(arg, 1);
}

static int case_wait_wake_across_cpus(void)
{
	static struct pingpong pp;
	struct sk_thread *a, *b;
	unsigned n = sk_plat_cpu_count();
	uint64_t end;

	pp.rounds = 2000;
	BT_CHECK(spawn(&a, pp_ping, &pp, 0) == 0);
	BT_CHECK(spawn(&b, pp_pong, &pp, n > 1 ? 1 : 0) == 0);
	atomic_store_explicit(&pp.peer[0], a, memory_order_release);
	atomic_store_explicit(&pp.peer[1], b, memory_order_release);
	sk_thread_wake(a);
	sk_thread_wake(b);
	end = sk_plat_clock_ns() + 30000 * MS;
	while (atomic_load_explicit(&pp.done, memory_order_acquire) < 2 &&
	       sk_plat_clock_ns() < end)
		sk_thread_sleep_for(1 * MS);
	BT_CHECK(atomic_load_explicit(&pp.done, memory_order_acquire) == 2);
	BT_CHECK(sk_thread_join(a) == 0 && sk_thread_join(b) == 0);
	return 0;
}

static int case_sleep_not_early(void)
{
	for (unsigned i = 0; i < 5; i++) {
		uint64_t t0 = sk_plat_clock_ns();
		uint64_t d = (i + 1) * 700000ull;

		sk_thread_sleep_for(d);
		BT_CHECK(sk_plat_clock_ns() >= t0 + d);
	}
	return 0;
}

/* Two FP hogs on one CPU: both must run (preemption), sums stay right. */
struct hog {
	_Atomic uint64_t rounds;
	_Atomic unsigned bad;
	double seed;
};
static _Atomic int hogs_stop;

static void hog_run(void *arg)
{
	struct hog *h = arg;

	while (!atomic_load_explicit(&hogs_stop, memory_order_relaxed)) {
		volatile double v = h->seed;
		double acc = 0;

		for (int k = 1; k <= 1000; k++)
			acc += v * k; /* kept in xmm registers */
		if (acc != h->seed * 500500.0)
			atomic_fetch_add_explicit(&h->bad, 1,
						  memory_order_relaxed);
		atomic_fetch_add_explicit(&h->rounds, 1, memory_order_relaxed);
	}
}

static int case_hogs_preempted_fp_intact(void)
{
	static struct hog h[2] = { { 0, 0, 1.5 }, { 0, 0, -3.25 } };
	unsigned cpu = (unsigned)bt_cmdline_number(
		"hogcpu=", sk_plat_cpu_count() > 1 ? 1 : 0);
	struct sk_thread *a, *b;

	BT_CHECK(spawn(&a, hog_run, &h[0], (int)cpu) == 0);
	BT_CHECK(spawn(&b, hog_run, &h[1], (int)cpu) == 0);
	sk_thread_sleep_for(300 * MS);
	atomic_store_explicit(&hogs_stop, 1, memory_order_relaxed);
	BT_CHECK(sk_thread_join(a) == 0 && sk_thread_join(b) == 0);
	sk_x86_printf("  hogs: %lu and %lu rounds\n",
		      (unsigned long)atomic_load(&h[0].rounds),
		      (unsigned long)atomic_load(&h[1].rounds));
	BT_CHECK(atomic_load(&h[0].rounds) > 0 &&
		 atomic_load(&h[1].rounds) > 0);
	BT_CHECK(atomic_load(&h[0].bad) == 0 && atomic_load(&h[1].bad) == 0);
	return 0;
}

void sk_kvm_test_thread_crash(void *arg);

/* "crash=thread": a fault in a named thread; the report must name it. */
SK_NOINLINE void sk_kvm_test_thread_crash(void *arg)
{
	(void)arg;
	(void)*(volatile uint64_t *)(uintptr_t)0x4000000000ull;
}

static void crash_in_thread_if_asked(void)
{
	struct sk_thread_attr a = { .name = "crasher" };
	struct sk_thread *t;

	if (!bt_cmdline_has("crash=thread"))
		return;
	if (sk_thread_create(&t, &a, sk_kvm_test_thread_crash, NULL) == 0)
		sk_thread_join(t);
	sk_x86_printf("schedtest: the crasher thread did not crash\n");
	sk_plat_shutdown(1);
}

/* "rng=1": the machine has a virtio-rng device; read it from a thread. */
static int case_virtio_rng_reads(void)
{
	static uint8_t a[64], b[64];
	struct sk_virtio_rng *rng;
	int err = sk_virtio_rng_open(&rng);
	unsigned differ = 0, nonzero = 0;

	if (!bt_cmdline_number("rng=", 0))
		return err == -ENODEV ? 0 : -1; /* absent unless asked for */
	BT_CHECK(err == 0);
	BT_CHECK(sk_virtio_rng_read(rng, a, 0) == -EINVAL);
	BT_CHECK(sk_virtio_rng_read(rng, a, sizeof(a)) > 0);
	BT_CHECK(sk_virtio_rng_read(rng, b, sizeof(b)) > 0);
	for (unsigned i = 0; i < sizeof(a); i++) {
		differ += a[i] != b[i];
		nonzero += a[i] != 0;
	}
	BT_CHECK(differ > 0 && nonzero > 0);
	BT_CHECK(sk_virtio_rng_irqs(rng) >= 2);
	/* With the device open the platform always has entropy. */
	BT_CHECK(sk_plat_entropy(a, sizeof(a)) == (long)sizeof(a));
	return 0;
}

/* The test disk's pattern (scripts/mkdisk.py). */
static int sector_ok(const uint8_t *buf, uint64_t n)
{
	uint32_t want = (uint32_t)(n * 2654435761u + 1);

	for (unsigned i = 0; i < 512; i += 4) {
		uint32_t w = (uint32_t)buf[i] | (uint32_t)buf[i + 1] << 8 |
			     (uint32_t)buf[i + 2] << 16 |
			     (uint32_t)buf[i + 3] << 24;

		if (w != want)
			return 0;
	}
	return 1;
}

/* "blk=N": a virtio-blk disk of N sectors from mkdisk.py is attached. */
static int case_virtio_blk_reads(void)
{
	static uint8_t buf[8 * 512];
	uint64_t sectors = bt_cmdline_number("blk=", 0);
	struct sk_virtio_blk *blk;
	int err = sk_virtio_blk_open(0, &blk);

	if (!sectors)
		return err == -ENODEV ? 0 : -1; /* absent unless asked for */
	BT_CHECK(err == 0);
	BT_CHECK(sk_virtio_blk_sectors(blk) == sectors);
	BT_CHECK(sk_virtio_blk_read(blk, 0, buf, 1) == 1 && sector_ok(buf, 0));
	BT_CHECK(sk_virtio_blk_read(blk, 77, buf, 8) == 8);
	for (unsigned k = 0; k < 8; k++)
		BT_CHECK(sector_ok(buf + k * 512, 77 + k));
	BT_CHECK(sk_virtio_blk_read(blk, sectors - 1, buf, 1) == 1 &&
		 sector_ok(buf, sectors - 1));
	BT_CHECK(sk_virtio_blk_read(blk, sectors - 1, buf, 2) == -EINVAL);
	BT_CHECK(sk_virtio_blk_read(blk, sectors, buf, 1) == -EINVAL);
	BT_CHECK(sk_virtio_blk_read(blk, 0, buf, 0) == -EINVAL);
	return 0;
}

/* Every case runs in and must leave a thread with irqs on. */
static int irqs_left_on(void)
{
	if (sk_plat_irq_is_enabled())
		return 0;
	sk_x86_printf("  irqs left disabled\n");
	sk_plat_irq_enable();
	return -1;
}

static const struct bt_case cases[] = {
	{ "thread_on_every_cpu", case_thread_on_every_cpu },
	{ "wait_wake_across_cpus", case_wait_wake_across_cpus },
	{ "sleep_not_early", case_sleep_not_early },
	{ "hogs_preempted_fp_intact", case_hogs_preempted_fp_intact },
	{ "virtio_rng_reads", case_virtio_rng_reads },
	{ "virtio_blk_reads", case_virtio_blk_reads },
	{ "heap_reuses_memory", st_case_heap_reuses_memory },
	{ "mem_above_4g", st_case_mem_above_4g },
	{ "mm_real_faults", st_case_mm_real_faults },
};

void sk_kvm_main(void)
{
	const struct sk_sched_mem_ops *ops = sk_kvm_heap_ops();
	int err;

	if (!ops) {
		sk_x86_printf("schedtest: no usable memory region\n");
		sk_plat_shutdown(1);
	}
	err = sk_sched_init(ops);
	if (err) {
		sk_x86_printf("schedtest: sk_sched_init failed: %d\n", err);
		sk_plat_shutdown(1);
	}
	crash_in_thread_if_asked();
	sk_plat_shutdown((int)bt_cases_run("schedtest", cases,
					   (unsigned)SK_ARRAY_LEN(cases),
					   irqs_left_on));
}
