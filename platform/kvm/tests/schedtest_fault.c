// SPDX-License-Identifier: MIT
/*
 * lib/mm's address spaces with real page faults: an sk_mm whose window
 * lies outside the kernel's identity map (PML4 slot 128) gets the
 * kernel's top-level entries copied in, its tables are loaded in CR3 on
 * this CPU, and the CPU's own #PF (vector 14, routed here) calls
 * sk_mm_fault() for addresses in the window, then retries the access.
 * Any other fault is still a crash report.
 */
#include <errno.h>
#include <stdatomic.h>

#include <mm/page.h>
#include <mm/vma.h>
#include <plat/cpu.h>
#include <plat/irq.h>
#include <plat/mem.h>
#include <sched/thread.h>
#include <x86/cpu.h>
#include <x86/crash.h>
#include <x86/trap.h>
#include <kvm/boot.h>

#include "boottest.h"
#include "schedtest.h"

static const uintptr_t WINDOW = (uintptr_t)128 << 39; /* PML4 slot 128 */
static const size_t WINDOW_LEN = (size_t)64 << 20;
static const size_t AREA_LEN = (size_t)8 << 20; /* 2 MiB pages too */
static const size_t SMALL_LEN = (size_t)64 << 10; /* 4 KiB pages */

enum {
	PF_WRITE = 1 << 1,
	PF_FETCH = 1 << 4,
	RFLAGS_IF = 1 << 9,
	KERNEL_SLOTS = 128, /* PML4 slots below the window: the kernel's */
};

static struct sk_mm *fault_mm; /* set while the test's tables are loaded */
static atomic_ulong faults_handled;

/*
 * Vector 14: a fault in the window of fault_mm, taken by a thread with
 * irqs on, is resolved by lib/mm (which may sleep: irqs go back on for
 * it, as in a thread) and the access is retried; anything else is a
 * crash report.
 */
static void pf_handler(struct sk_x86_frame *f)
{
	uintptr_t va = (uintptr_t)sk_x86_read_cr2();
	struct sk_mm *mm = fault_mm;
	unsigned access = f->error & PF_WRITE	? SK_PROT_WRITE
			  : f->error & PF_FETCH ? SK_PROT_EXEC
						: SK_PROT_READ;
	int err;

	if (!mm || va < mm->base || va >= mm->end || !(f->rflags & RFLAGS_IF))
		sk_x86_crash_frame(f);
	sk_plat_irq_enable();
	err = sk_mm_fault(mm, va, access);
	sk_plat_irq_disable();
	if (err)
		sk_x86_crash_frame(f);
	/* Relaxed: a counter read by this thread after the faults. */
	atomic_fetch_add_explicit(&faults_handled, 1, memory_order_relaxed);
}

/* The kernel's top-level entries into (or, with @on 0, out of) @mm. */
static void kernel_slots(struct sk_mm *mm, int on)
{
	const uint64_t *k = sk_plat_phys_to_virt(sk_kvm_kernel_pt()->root_pa);
	uint64_t *m = sk_plat_phys_to_virt(mm->pt.root_pa);

	for (unsigned i = 0; i < KERNEL_SLOTS; i++)
		m[i] = on ? k[i] : 0;
}

/* Write then read every page of [a, a + len) through real faults. */
static unsigned long touch_all(uintptr_t a, size_t len)
{
	unsigned long bad = 0;

	for (size_t off = 0; off < len; off += SK_PAGE_SIZE)
		*(volatile uint64_t *)(a + off) = a + off + 7;
	for (size_t off = 0; off < len; off += SK_PAGE_SIZE)
		bad += *(volatile uint64_t *)(a + off) != a + off + 7;
	return bad;
}

/*
 * On @mm's tables, touch the 8 MiB area at @a (2 MiB pages) and the
 * 64 KiB one at @b (4 KiB pages).  Return: 0; the load's error.
 */
static int run_in(struct sk_mm *mm, uintptr_t a, uintptr_t b,
		  unsigned long *bad)
{
	sk_plat_irq_flags fl = sk_plat_irq_save();
	uint64_t kernel_root = sk_x86_read_cr3();
	int err = sk_plat_pt_load(mm->pt.root_pa);

	fault_mm = err ? NULL : mm;
	sk_plat_irq_restore(fl);
	if (err)
		return err;
	*bad = touch_all(a, AREA_LEN) + touch_all(b, SMALL_LEN);
	fl = sk_plat_irq_save();
	sk_plat_pt_load(kernel_root);
	fault_mm = NULL;
	sk_plat_irq_restore(fl);
	return 0;
}

int st_case_mm_real_faults(void)
{
	static struct sk_cpuset here;
	struct sk_mmap_req req = { .len = AREA_LEN,
				   .prot = SK_PROT_READ | SK_PROT_WRITE,
				   .flags = SK_MAP_PRIVATE | SK_MAP_ANONYMOUS };
	struct sk_mm_area area;
	struct sk_mm *mm;
	unsigned long bad = 0;
	uintptr_t a, b;

	BT_CHECK(sk_kvm_kernel_pt() != NULL);
	/* Stay on one CPU while its CR3 holds the test's tables. */
	sk_cpuset_zero(&here);
	sk_cpuset_add(&here, 0);
	BT_CHECK(sk_thread_set_affinity(&here) == 0);
	sk_x86_vector_set(SK_X86_VEC_PF, pf_handler);
	atomic_store_explicit(&faults_handled, 0, memory_order_relaxed);
	BT_CHECK(sk_mm_create(WINDOW, WINDOW_LEN, &mm) == 0);
	kernel_slots(mm, 1);
	BT_CHECK(sk_mmap(mm, &req, &a) == 0);
	req.len = SMALL_LEN;
	BT_CHECK(sk_mmap(mm, &req, &b) == 0);
	BT_CHECK(run_in(mm, a, b, &bad) == 0);
	BT_CHECK(sk_mm_query(mm, a + AREA_LEN - SK_PAGE_SIZE, &area) == 0);
	sk_x86_printf(
		"  %lu faults handled, %lu pages resident, %lu bad\n",
		atomic_load_explicit(&faults_handled, memory_order_relaxed),
		(unsigned long)mm->resident_pages, bad);
	kernel_slots(mm, 0);
	sk_mm_destroy(mm);
	sk_x86_vector_set(SK_X86_VEC_PF, NULL);
	BT_CHECK(bad == 0);
	BT_CHECK(area.resident);
	/* At least one fault per 2 MiB page and one per 4 KiB page. */
	BT_CHECK(atomic_load_explicit(&faults_handled, memory_order_relaxed) >=
		 AREA_LEN / ((size_t)2 << 20) + SMALL_LEN / SK_PAGE_SIZE);
	return 0;
}
