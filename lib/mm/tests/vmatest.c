// SPDX-License-Identifier: MIT
/* Address-space test scaffolding (see vmatest.h). */
#include "vmatest.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include <mm/malloc.h>
#include <mm/page.h>
#include <plat/mem.h>

struct vt_file vt_file;
uint64_t vt_fdata[FILE_PAGES];
static size_t baseline_free;
static uint64_t rng = 99;

static int f_get_page(void *f, uint64_t off, uint64_t *pa)
{
	struct vt_file *ff = f;

	if (off / PG >= FILE_PAGES)
		return -EFAULT;
	ff->page_refs[off / PG]++;
	*pa = ff->pa[off / PG];
	return 0;
}

static void f_put_page(void *f, uint64_t off, uint64_t pa)
{
	struct vt_file *ff = f;

	assert_int_equal(ff->pa[off / PG], pa);
	assert_true(ff->page_refs[off / PG] > 0);
	ff->page_refs[off / PG]--;
}

static void f_get(void *f)
{
	((struct vt_file *)f)->refs++;
}

static void f_put(void *f)
{
	((struct vt_file *)f)->refs--;
}

const struct sk_mm_file_ops vt_fops = { f_get_page, f_put_page, f_get, f_put };

uint64_t *vt_word(uint64_t pa)
{
	return sk_plat_phys_to_virt(pa & ~(uint64_t)(PG - 1));
}

static bool pt_allows(unsigned ptprot, unsigned access)
{
	unsigned a = ptprot & SK_PT_ACCESS;

	return (access & ~a) == 0;
}

int vt_touch(struct sk_mm *mm, uintptr_t va, bool write, uint64_t *val)
{
	unsigned access = write ? SK_PROT_WRITE : SK_PROT_READ;
	struct sk_pt_info info;
	int err;

	if (sk_pt_query(&mm->pt, va, &info) || !pt_allows(info.prot, access)) {
		err = sk_mm_fault(mm, va, access);
		if (err)
			return err;
		assert_int_equal(sk_pt_query(&mm->pt, va, &info), 0);
		if (!pt_allows(info.prot, access))
			fail_msg("va %lx access %u ptprot %x size %zu",
				 (unsigned long)va, access, info.prot,
				 info.size);
	}
	if (write)
		*vt_word(info.pa) = *val;
	else
		*val = *vt_word(info.pa);
	return 0;
}

size_t vt_rnd(size_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (size_t)(rng % n);
}

uintptr_t vt_va_of(size_t page)
{
	return WIN_BASE + page * PG;
}

struct sk_mm *vt_mm_new(void)
{
	struct sk_mm *mm;

	assert_int_equal(sk_mm_create(WIN_BASE, (size_t)WIN_PAGES * PG, &mm),
			 0);
	return mm;
}

void vt_mm_done(struct sk_mm *mm)
{
	struct sk_page_stats st;

	sk_mm_destroy(mm);
	for (unsigned i = 0; i < FILE_PAGES; i++)
		assert_int_equal(vt_file.page_refs[i], 0);
	assert_int_equal(vt_file.refs, 0);
	sk_malloc_trim();
	sk_page_cache_drain();
	sk_page_stats_get(&st);
	assert_int_equal(st.free_pages, baseline_free);
}

int vt_setup(void)
{
	struct sk_page_stats st;

	if (sk_page_init() || sk_malloc_init())
		return -1;
	for (unsigned i = 0; i < FILE_PAGES; i++) {
		if (sk_page_alloc(1, 0, &vt_file.pa[i]))
			return -1;
		vt_fdata[i] = ((uint64_t)0xf11e << 32) | i;
		*vt_word(vt_file.pa[i]) = vt_fdata[i];
	}
	sk_malloc_trim();
	sk_page_cache_drain();
	sk_page_stats_get(&st);
	baseline_free = st.free_pages;
	return 0;
}
