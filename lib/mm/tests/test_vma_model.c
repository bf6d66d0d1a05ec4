// SPDX-License-Identifier: MIT
/*
 * Address spaces against a reference model: a random sequence of mmap
 * (anonymous, shared and private file; fixed, no-replace, hinted, free),
 * munmap, mprotect, madvise(DONTNEED) and reads and writes is checked page
 * by page against a model of areas, protections, contents and file
 * sharing (copy on write), with memory touched through the real tables
 * plus sk_mm_fault() (vmatest.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/vma.h>
#include <plat/compiler.h>
#include <plat/mem.h>

#include "../vma_int.h"
#include "mmboot.h"
#include "vmatest.h"

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

/* ---- the model ---- */

enum kind { K_ANON, K_SHARED, K_PRIVATE };

struct mpage {
	bool mapped;
	uint8_t prot, kind;
	uint32_t foff; /* file page */
	uint64_t data; /* anon contents / private copy; 0: none yet */
};

static struct mpage model[WIN_PAGES];
static uint64_t stamp = 1;

static uint64_t expect_val(const struct mpage *m)
{
	if (m->kind == K_SHARED || (m->kind == K_PRIVATE && !m->data))
		return vt_fdata[m->foff];
	return m->data;
}

static bool m_allows(unsigned prot, unsigned access)
{
	if (prot & (SK_PROT_WRITE | SK_PROT_EXEC))
		prot |= SK_PROT_READ;
	return (access & ~prot) == 0;
}

static void check_page(struct sk_mm *mm, size_t i)
{
	struct sk_mm_area a;
	int err = sk_mm_query(mm, vt_va_of(i), &a);
	const struct mpage *m = &model[i];

	if (!m->mapped) {
		assert_int_equal(err, -ENOENT);
		return;
	}
	assert_int_equal(err, 0);
	assert_int_equal(a.prot, m->prot);
	if (a.resident) {
		struct sk_pt_info info;

		assert_int_equal(sk_pt_query(&mm->pt, vt_va_of(i), &info), 0);
		assert_true(m_allows(m->prot, info.prot & SK_PT_ACCESS));
		if (m->kind != K_SHARED && (info.prot & SK_PT_WRITE))
			assert_true(m->kind == K_ANON ||
				    (info.prot & SK_PT_OWNED));
		assert_int_equal(*vt_word(a.pa), expect_val(m));
	} else if (m->kind == K_ANON) {
		assert_int_equal(m->data, 0);
	}
}

static void check_all(struct sk_mm *mm)
{
	for (size_t i = 0; i < WIN_PAGES; i++)
		check_page(mm, i);
}

static void model_map(size_t page, size_t n, unsigned prot, enum kind k,
		      size_t foff)
{
	for (size_t i = 0; i < n; i++) {
		model[page + i] =
			(struct mpage){ true, (uint8_t)prot, (uint8_t)k,
					(uint32_t)(foff + i), 0 };
	}
}

static size_t rnd_len(void)
{
	return vt_rnd(8) ? 1 + vt_rnd(40) : HUGE_PAGES + vt_rnd(3 * HUGE_PAGES);
}

static void op_mmap(struct sk_mm *mm)
{
	struct sk_mmap_req r = { 0 };
	enum kind k = (enum kind)vt_rnd(3);
	size_t n = k == K_ANON ? rnd_len() : 1 + vt_rnd(FILE_PAGES / 2);
	size_t page = vt_rnd(WIN_PAGES - n + 1), foff = 0;
	unsigned how = (unsigned)vt_rnd(4);
	uintptr_t at;
	bool busy = false;
	int err;

	r.len = n * PG - vt_rnd(PG); /* lengths round up */
	r.prot = (unsigned)vt_rnd(8);
	r.flags = k == K_SHARED ? SK_MAP_SHARED : SK_MAP_PRIVATE;
	if (k == K_ANON)
		r.flags |= SK_MAP_ANONYMOUS;
	else {
		foff = vt_rnd(FILE_PAGES - n + 1);
		r.fops = &vt_fops;
		r.file = &vt_file;
		r.off = foff * PG;
	}
	r.addr = how ? vt_va_of(page) : 0;
	r.flags |= how == 1   ? SK_MAP_FIXED
		   : how == 2 ? SK_MAP_FIXED_NOREPLACE
			      : 0;
	for (size_t i = 0; i < n; i++)
		busy |= model[page + i].mapped;
	err = sk_mmap(mm, &r, &at);
	if (how == 2 && busy) {
		assert_int_equal(err, -EEXIST);
		return;
	}
	if (err == -ENOMEM && how != 1 && how != 2)
		return; /* window too fragmented */
	assert_int_equal(err, 0);
	if (how == 1 || how == 2 || (how == 3 && !busy))
		assert_int_equal(at, vt_va_of(page));
	page = (at - WIN_BASE) / PG;
	for (size_t i = 0; i < n; i++)
		assert_true(how == 1 || !model[page + i].mapped);
	model_map(page, n, r.prot, k, foff);
}

static void op_munmap(struct sk_mm *mm)
{
	size_t n = vt_rnd(2) ? 1 + vt_rnd(40) : rnd_len(),
	       page = vt_rnd(WIN_PAGES - n + 1);

	assert_int_equal(sk_munmap(mm, vt_va_of(page), n * PG), 0);
	memset(&model[page], 0, n * sizeof(model[0]));
}

static bool model_covered(size_t page, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!model[page + i].mapped)
			return false;
	return true;
}

static void op_mprotect(struct sk_mm *mm)
{
	size_t n = rnd_len(), page = vt_rnd(WIN_PAGES - n + 1);
	unsigned prot = (unsigned)vt_rnd(8);
	int err = sk_mprotect(mm, vt_va_of(page), n * PG, prot);

	if (!model_covered(page, n)) {
		assert_int_equal(err, -ENOMEM);
		return;
	}
	assert_int_equal(err, 0);
	for (size_t i = 0; i < n; i++)
		model[page + i].prot = (uint8_t)prot;
}

static void op_dontneed(struct sk_mm *mm)
{
	size_t n = rnd_len(), page = vt_rnd(WIN_PAGES - n + 1);
	int err = sk_madvise(mm, vt_va_of(page), n * PG, SK_MADV_DONTNEED);

	if (!model_covered(page, n)) {
		assert_int_equal(err, -ENOMEM);
		return;
	}
	assert_int_equal(err, 0);
	for (size_t i = 0; i < n; i++)
		model[page + i].data = 0;
}

static void op_touch(struct sk_mm *mm)
{
	size_t page = vt_rnd(WIN_PAGES);
	struct mpage *m;

	/* Mostly aim at mapped pages: that is where the work is. */
	for (int tries = 0; tries < 32 && !model[page].mapped && vt_rnd(8);
	     tries++)
		page = vt_rnd(WIN_PAGES);
	m = &model[page];
	bool write = vt_rnd(2);
	uint64_t v = write ? stamp++ : 0;
	int err = vt_touch(mm, vt_va_of(page), write, &v);

	if (!m->mapped) {
		assert_int_equal(err, -EFAULT);
		return;
	}
	if (!m_allows(m->prot, write ? SK_PROT_WRITE : SK_PROT_READ)) {
		assert_int_equal(err, -EACCES);
		return;
	}
	assert_int_equal(err, 0);
	if (!write) {
		assert_int_equal(v, expect_val(m));
		return;
	}
	if (m->kind == K_SHARED)
		vt_fdata[m->foff] = v;
	else
		m->data = v;
}

static void test_vma_random_ops_match_model(void **state)
{
	struct sk_mm *mm = vt_mm_new();

	(void)state;
	for (int i = 0; i < 4000 * STRESS_SCALE; i++) {
		size_t op = vt_rnd(11);

		if (op <= 1)
			op_mmap(mm);
		else if (op == 1)
			op_munmap(mm);
		else if (op == 2)
			op_mprotect(mm);
		else if (op == 3)
			op_dontneed(mm);
		else
			op_touch(mm);
		if (i % 100 == 0)
			check_all(mm);
	}
	check_all(mm);
	vt_mm_done(mm);
	memset(model, 0, sizeof(model));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vma_random_ops_match_model),
	};

	const struct mb_config cfg = { .ncpus = 1,
				       .ram_bytes = (size_t)RAM_PAGES * PG,
				       .prepare = vt_setup };

	return mb_main(&cfg, "mm_vma_model", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
