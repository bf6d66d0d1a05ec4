// SPDX-License-Identifier: MIT
/*
 * The demo image: the scheduler on every vCPU, one worker thread pinned
 * to each; with a virtio-blk disk attached the workers read it in parallel
 * (each its share, 4 KiB at a time, through the driver's mutex) and
 * checksum it; with a virtio-rng device a few random bytes are shown.
 * Prints a short report and exits 0.  Try:
 *   tools/run --cpus 4 --disk DISK --rng build/platform/kvm/skiff-kvm-demo.elf
 */
#include <errno.h>

#include <mm/page.h>

#include <plat/boot.h>
#include <plat/cpu.h>
#include <plat/time.h>
#include <sched/cpu.h>
#include <sched/thread.h>
#include <x86/fmt.h>
#include <kvm/boot.h>
#include <kvm/virtio.h>

#include "demo.h"
#include "heap.h"

struct worker {
	struct sk_thread *thread;
	unsigned cpu_seen;
	uint64_t first, count; /* sectors */
	uint64_t checksum; /* FNV-1a of what it read */
	uint64_t ns;
	long err;
};

static struct worker workers[SK_PLAT_CPUS_MAX];
static struct sk_virtio_blk *disk;

static void worker_run(void *arg)
{
	struct worker *w = arg;
	uint8_t buf[8 * 512];
	uint64_t t0 = sk_plat_clock_ns(), s = w->first;

	w->cpu_seen = sk_plat_cpu_id();
	w->checksum = 0xcbf29ce484222325ull;
	while (disk && s < w->first + w->count) {
		uint64_t n = w->first + w->count - s;
		long got = sk_virtio_blk_read(disk, s, buf, n > 8 ? 8 : n);

		if (got < 0) {
			w->err = got;
			break;
		}
		w->checksum =
			sk_kvm_demo_fnv1a(w->checksum, buf, (size_t)got * 512);
		s += (uint64_t)got;
	}
	w->ns = sk_plat_clock_ns() - t0;
}

static int workers_start(unsigned n, uint64_t sectors)
{
	static struct sk_cpuset sets[SK_PLAT_CPUS_MAX];

	for (unsigned c = 0; c < n; c++) {
		struct sk_thread_attr a = { .name = "worker" };

		workers[c].first = sectors * c / n;
		workers[c].count = sectors * (c + 1) / n - workers[c].first;
		sk_cpuset_zero(&sets[c]);
		sk_cpuset_add(&sets[c], c);
		a.affinity = &sets[c];
		if (sk_thread_create(&workers[c].thread, &a, worker_run,
				     &workers[c]) != 0)
			return -1;
	}
	return 0;
}

static void rng_show(void)
{
	struct sk_virtio_rng *rng;
	uint8_t b[8];

	if (sk_virtio_rng_open(&rng) != 0 ||
	    sk_virtio_rng_read(rng, b, sizeof(b)) != (long)sizeof(b)) {
		sk_x86_printf("rng: no virtio-rng device\n");
		return;
	}
	sk_x86_printf("rng: %02x%02x%02x%02x%02x%02x%02x%02x\n", b[0], b[1],
		      b[2], b[3], b[4], b[5], b[6], b[7]);
}

static void report(unsigned n, uint64_t sectors)
{
	uint64_t all = 0;

	for (unsigned c = 0; c < n; c++) {
		struct worker *w = &workers[c];

		sk_x86_printf("worker %u: ran on cpu %u, sectors %lu..%lu, "
			      "checksum %016lx, %lu us%s\n",
			      c, w->cpu_seen, (unsigned long)w->first,
			      (unsigned long)(w->first + w->count),
			      (unsigned long)w->checksum,
			      (unsigned long)(w->ns / 1000),
			      w->err ? " (read error)" : "");
		all ^= w->checksum;
	}
	sk_x86_printf("disk: %lu sectors read, combined checksum %016lx\n",
		      (unsigned long)sectors, (unsigned long)all);
}

/* The heap: lib/mm's page allocator over the memory map. */
static void report_memory(void)
{
	struct sk_page_stats st;

	sk_page_stats_get(&st);
	sk_x86_printf("memory: lib/mm manages %lu MiB, %lu MiB free\n",
		      (unsigned long)(st.total_pages >> 8),
		      (unsigned long)((st.free_pages + st.cached_pages) >> 8));
}

static void report_boot(void)
{
	const struct sk_kvm_boot_info *b = sk_kvm_boot_info();

	sk_x86_printf("boot: entry to main %lu us\n",
		      (unsigned long)((b->main_tsc - b->entry_tsc) /
				      (b->tsc_hz / 1000000)));
}

void sk_kvm_main(void)
{
	const struct sk_sched_mem_ops *ops = sk_kvm_heap_ops();
	unsigned n = sk_plat_cpu_count();
	uint64_t sectors = 0;

	if (!ops || sk_sched_init(ops) != 0) {
		sk_x86_printf("demo: cannot start the scheduler\n");
		sk_plat_shutdown(1);
	}
	sk_x86_printf("skiff demo: %u vCPUs, scheduler running on each\n", n);
	rng_show(); /* first: it becomes the entropy source if the CPU has none */
	if (sk_virtio_blk_open(0, &disk) != 0)
		sk_x86_printf(
			"disk: no virtio-blk device (tools/run --disk)\n");
	else if (sk_kvm_demo_rofs(disk, ops) == 0) {
		report_memory();
		report_boot(); /* a rofs disk: its files were read */
		return;
	} else
		sectors = sk_virtio_blk_sectors(disk);
	if (workers_start(n, sectors) != 0) {
		sk_x86_printf("demo: cannot create the workers\n");
		sk_plat_shutdown(1);
	}
	for (unsigned c = 0; c < n; c++)
		sk_thread_join(workers[c].thread);
	report(n, sectors);
	report_memory();
	report_boot();
}
