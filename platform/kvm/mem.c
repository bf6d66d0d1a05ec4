// SPDX-License-Identifier: MIT
/*
 * Physical memory: the start info's e820 map turned into the contract's
 * sorted, non-overlapping, page-aligned regions, and a boot allocator that
 * carves per-CPU stacks off the top of usable RAM below 4 GiB (reachable
 * through entry.S's boot map) before the image's own allocator takes over.
 * RAM is reported up to the mapped limit: 4 GiB (the boot map) unless the
 * platform set a higher one before sk_kvm_mem_init (kvm's kernel page
 * tables map all RAM; a platform without them keeps the default).
 * The map is input from outside: entries may be unsorted, overlapping or
 * empty (microvm ends with an all-zero entry); where they overlap the
 * stronger type wins (kernel > reserved > usable).
 */
#include <errno.h>

#include <plat/assert.h>
#include <kvm/boot.h>
#include <plat/mem.h>
#include <x86/cpu.h>
#include <x86/smp.h>

#include "kvm.h"

enum {
	REGIONS_MAX = 128,
	PAGE = 4096,
	E820_RAM = 1,
};

static const uint64_t BOOT_MAP_LIMIT = 1ull << 32; /* entry.S's map */
static const uint64_t LOW_MEMORY = 1ull << 20; /* firmware, trampoline */

extern const char __kernel_start[], __kernel_end[];

static struct sk_plat_mem_region regions[REGIONS_MAX];
static unsigned nregions;
static uint64_t mapped_limit = 1ull << 32;

void sk_kvm_mem_set_limit(uint64_t limit)
{
	mapped_limit = SK_ALIGN_DOWN(limit, (uint64_t)PAGE);
}

struct span {
	uint64_t start, end;
	int rank; /* sk_plat_mem_type order: usable 1 < reserved 2 < kernel 3 */
};

static int rank_of(enum sk_plat_mem_type t)
{
	return t == SK_PLAT_MEM_USABLE ? 1 : t == SK_PLAT_MEM_RESERVED ? 2 : 3;
}

static enum sk_plat_mem_type type_of(int rank)
{
	return rank == 1   ? SK_PLAT_MEM_USABLE
	       : rank == 2 ? SK_PLAT_MEM_RESERVED
			   : SK_PLAT_MEM_KERNEL;
}

/* Clip to the mapped range and align: usable inward, the rest outward. */
static int span_make(uint64_t addr, uint64_t size, int rank, struct span *s)
{
	uint64_t end = addr + size < addr ? UINT64_MAX : addr + size;

	if (end > mapped_limit)
		end = mapped_limit;
	if (rank == 1) {
		s->start = SK_ALIGN_UP(addr, (uint64_t)PAGE);
		s->end = SK_ALIGN_DOWN(end, (uint64_t)PAGE);
	} else {
		s->start = SK_ALIGN_DOWN(addr, (uint64_t)PAGE);
		s->end = SK_ALIGN_UP(end, (uint64_t)PAGE);
	}
	s->rank = rank;
	return size && s->start < s->end;
}

static void region_add(uint64_t start, uint64_t end, int rank)
{
	struct sk_plat_mem_region *last =
		nregions ? &regions[nregions - 1] : NULL;

	if (last && last->pa + last->len == start &&
	    rank_of(last->type) == rank) {
		last->len += end - start;
		return;
	}
	if (nregions == REGIONS_MAX)
		return; /* more than 128 pieces: drop the tail, keep sane */
	regions[nregions++] = (struct sk_plat_mem_region){ start, end - start,
							   type_of(rank) };
}

/* Sweep the boundaries in address order; each piece takes its top rank. */
static void regions_build(const struct span *sp, unsigned n)
{
	uint64_t pos = 0;

	for (;;) {
		uint64_t next = UINT64_MAX;
		int rank = 0;

		for (unsigned i = 0; i < n; i++) {
			if (sp[i].start > pos && sp[i].start < next)
				next = sp[i].start;
			if (sp[i].end > pos && sp[i].end < next)
				next = sp[i].end;
		}
		if (next == UINT64_MAX)
			return;
		for (unsigned i = 0; i < n; i++)
			if (sp[i].start <= pos && sp[i].end >= next &&
			    sp[i].rank > rank)
				rank = sp[i].rank;
		if (rank)
			region_add(pos, next, rank);
		pos = next;
	}
}

void sk_kvm_mem_init(const struct sk_kvm_e820 *map, unsigned n)
{
	static struct span sp[REGIONS_MAX + 2];
	unsigned k = 0;

	for (unsigned i = 0; i < n && k < REGIONS_MAX; i++) {
		int rank = map[i].type == E820_RAM ? 1 : 2;

		k += (unsigned)span_make(map[i].addr, map[i].size, rank,
					 &sp[k]);
	}
	span_make(0, LOW_MEMORY, 2, &sp[k++]);
	span_make((uintptr_t)__kernel_start,
		  (uintptr_t)__kernel_end - (uintptr_t)__kernel_start, 3,
		  &sp[k++]);
	nregions = 0;
	regions_build(sp, k);
}

static void region_insert(unsigned at, struct sk_plat_mem_region r)
{
	if (nregions == REGIONS_MAX || r.len == 0)
		return;
	for (unsigned i = nregions; i > at; i--)
		regions[i] = regions[i - 1];
	regions[at] = r;
	nregions++;
}

/* Merge neighbours of one type and drop empty regions, in place. */
static void regions_tidy(void)
{
	unsigned k = 0;

	for (unsigned i = 0; i < nregions; i++) {
		struct sk_plat_mem_region *last = k ? &regions[k - 1] : NULL;

		if (regions[i].len == 0)
			continue;
		if (last && last->type == regions[i].type &&
		    last->pa + last->len == regions[i].pa) {
			last->len += regions[i].len;
			continue;
		}
		regions[k++] = regions[i];
	}
	nregions = k;
}

/*
 * Take the highest @len bytes of usable RAM that end at or below @limit:
 * the region splits into usable, kernel, usable pieces.  0 if none fits
 * (or the table of regions is full).
 */
static uintptr_t reserve_below(uint64_t len, uint64_t limit)
{
	len = SK_ALIGN_UP(len, (uint64_t)PAGE);
	if (!len || nregions + 2 > REGIONS_MAX)
		return 0;
	for (unsigned i = nregions; i-- > 0;) {
		struct sk_plat_mem_region r = regions[i];
		uint64_t end = r.pa + r.len < limit ? r.pa + r.len : limit;
		uint64_t pa;

		if (r.type != SK_PLAT_MEM_USABLE || end < r.pa + len)
			continue;
		pa = end - len;
		regions[i].len = pa - r.pa;
		region_insert(i + 1, (struct sk_plat_mem_region){
					     pa, len, SK_PLAT_MEM_KERNEL });
		region_insert(i + 2, (struct sk_plat_mem_region){
					     end, r.pa + r.len - end,
					     SK_PLAT_MEM_USABLE });
		regions_tidy();
		return (uintptr_t)pa;
	}
	return 0;
}

uintptr_t sk_kvm_boot_alloc(uint64_t len)
{
	uintptr_t pa = reserve_below(len, BOOT_MAP_LIMIT);

	if (!pa)
		SK_PANIC("boot allocator: out of memory for per-CPU stacks");
	return pa;
}

uint64_t sk_kvm_mem_largest_usable(void)
{
	uint64_t best = 0;

	for (unsigned i = 0; i < nregions; i++)
		if (regions[i].type == SK_PLAT_MEM_USABLE &&
		    regions[i].len > best)
			best = regions[i].len;
	return best;
}

uintptr_t sk_kvm_mem_reserve(uint64_t len)
{
	return reserve_below(len, UINT64_MAX);
}

int sk_kvm_mem_keep_only(uint64_t pa, uint64_t len)
{
	uint64_t end = pa + len;
	unsigned n = nregions, at = REGIONS_MAX;

	if (!len || end < pa || (pa | len) % PAGE)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (regions[i].type == SK_PLAT_MEM_USABLE &&
		    regions[i].pa <= pa &&
		    end <= regions[i].pa + regions[i].len)
			at = i;
	if (at == REGIONS_MAX)
		return -ENOENT;
	if (n + 2 > REGIONS_MAX)
		return -ENOSPC;
	for (unsigned i = 0; i < n; i++)
		if (regions[i].type == SK_PLAT_MEM_USABLE && i != at)
			regions[i].type = SK_PLAT_MEM_KERNEL;
	/* regions[at] = [s, pa) kernel, [pa, end) usable, [end, e) kernel */
	{
		struct sk_plat_mem_region r = regions[at];

		regions[at] = (struct sk_plat_mem_region){ r.pa, pa - r.pa,
							   SK_PLAT_MEM_KERNEL };
		region_insert(at + 1, (struct sk_plat_mem_region){
					      pa, len, SK_PLAT_MEM_USABLE });
		region_insert(at + 2, (struct sk_plat_mem_region){
					      end, r.pa + r.len - end,
					      SK_PLAT_MEM_KERNEL });
	}
	regions_tidy();
	return 0;
}

/* Stacks get a guard page below them, unmapped by kpt.c. */
enum { GUARDS_MAX = SK_PLAT_CPUS_MAX * (1 + SK_X86_IST_COUNT) };
extern char sk_x86_boot_stack_guard[];
static uintptr_t guards[GUARDS_MAX];
static unsigned nguards;

uintptr_t sk_kvm_stack_alloc(uint64_t len)
{
	uintptr_t base = sk_kvm_boot_alloc(len + PAGE);

	if (nguards < GUARDS_MAX)
		guards[nguards++] = base;
	return base + PAGE + len;
}

uintptr_t sk_kvm_stack_guard(unsigned i)
{
	if (i == 0)
		return (uintptr_t)sk_x86_boot_stack_guard;
	return i - 1 < nguards ? guards[i - 1] : 0;
}

unsigned sk_plat_mem_regions(struct sk_plat_mem_region *out, unsigned max)
{
	for (unsigned i = 0; i < nregions && i < max; i++)
		out[i] = regions[i];
	return nregions;
}

static const struct sk_plat_mem_region *region_of(uint64_t pa)
{
	for (unsigned i = 0; i < nregions; i++)
		if (pa >= regions[i].pa && pa - regions[i].pa < regions[i].len)
			return regions[i].type == SK_PLAT_MEM_RESERVED
				       ? NULL
				       : &regions[i];
	return NULL;
}

void *sk_plat_phys_to_virt(uint64_t pa)
{
	return region_of(pa) ? (void *)(uintptr_t)pa : NULL;
}

uint64_t sk_plat_virt_to_phys(const void *va)
{
	uint64_t pa = (uintptr_t)va;

	return region_of(pa) ? pa : UINT64_MAX;
}

int sk_plat_pt_load(uint64_t root_pa)
{
	/* Any page below 2^52 (the AP trampoline's own root, loaded in
	 * 32-bit mode, comes from the boot allocator, below 4 GiB). */
	if (root_pa & 0xfff || root_pa >> 52)
		return -EINVAL;
	sk_x86_write_cr3(root_pa);
	return 0;
}
