// SPDX-License-Identifier: MIT
/*
 * Address spaces, directed tests: 2 MiB pages and their splits, merging of
 * equal neighbours, garbage and bad arguments, copy on write of private
 * file mappings, and out-of-memory paths that must change nothing.  Memory
 * is touched through the real tables plus sk_mm_fault() (vmatest.h).
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

static uintptr_t map_anon(struct sk_mm *mm, size_t len, unsigned prot)
{
	struct sk_mmap_req r = { .len = len,
				 .prot = prot,
				 .flags = SK_MAP_PRIVATE | SK_MAP_ANONYMOUS };
	uintptr_t at;

	assert_int_equal(sk_mmap(mm, &r, &at), 0);
	return at;
}

static void test_vma_large_anon_uses_2m_pages_and_splits(void **state)
{
	struct sk_mm *mm = vt_mm_new();
	uintptr_t a = map_anon(mm, 4u << 20, SK_PROT_READ | SK_PROT_WRITE);
	struct sk_pt_info info;
	uint64_t v = 42;

	(void)state;
	assert_int_equal(a % (2u << 20), 0);
	assert_int_equal(vt_touch(mm, a + 5 * PG, true, &v), 0);
	assert_int_equal(sk_pt_query(&mm->pt, a, &info), 0);
	assert_int_equal(info.size, 2u << 20);
	assert_int_equal(mm->resident_pages, HUGE_PAGES);
	/* Read-only in the middle of the huge page: split, data kept. */
	assert_int_equal(sk_mprotect(mm, a + 5 * PG, PG, SK_PROT_READ), 0);
	assert_int_equal(sk_pt_query(&mm->pt, a, &info), 0);
	assert_int_equal(info.size, PG);
	v = 0;
	assert_int_equal(vt_touch(mm, a + 5 * PG, false, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(vt_touch(mm, a + 5 * PG, true, &v), -EACCES);
	assert_int_equal(mm->nvmas, 3);
	/* Punch a hole: the area splits, the hole's frames are freed. */
	assert_int_equal(sk_munmap(mm, a + 100 * PG, 3 * PG), 0);
	assert_int_equal(mm->nvmas, 4);
	assert_int_equal(mm->resident_pages, HUGE_PAGES - 3);
	assert_int_equal(sk_mm_fault(mm, a + 101 * PG, SK_PROT_READ), -EFAULT);
	/* The next 2 MiB block is faulted as one page again. */
	assert_int_equal(vt_touch(mm, a + (2u << 20) + PG, false, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(mm->resident_pages, 2 * HUGE_PAGES - 3);
	assert_int_equal(sk_madvise(mm, a, 4u << 20, SK_MADV_NOHUGEPAGE),
			 -ENOMEM); /* the hole */
	assert_int_equal(sk_madvise(mm, a, 100 * PG, SK_MADV_DONTNEED), 0);
	assert_int_equal(vt_touch(mm, a + 5 * PG, false, &v), 0);
	assert_int_equal(v, 0);
	vt_mm_done(mm);
}

static void test_vma_equal_neighbours_merge(void **state)
{
	struct sk_mm *mm = vt_mm_new();
	struct sk_mmap_req r = { .len = 4 * PG,
				 .prot = SK_PROT_READ | SK_PROT_WRITE,
				 .flags = SK_MAP_PRIVATE | SK_MAP_ANONYMOUS |
					  SK_MAP_FIXED,
				 .addr = vt_va_of(100) };
	struct sk_mm_area a;
	uintptr_t at;

	(void)state;
	assert_int_equal(sk_mmap(mm, &r, &at), 0);
	r.addr = vt_va_of(104);
	assert_int_equal(sk_mmap(mm, &r, &at), 0);
	assert_int_equal(mm->nvmas, 1);
	assert_int_equal(sk_mprotect(mm, vt_va_of(102), 4 * PG, SK_PROT_READ),
			 0);
	assert_int_equal(mm->nvmas, 3);
	assert_int_equal(sk_mm_query(mm, vt_va_of(103), &a), 0);
	assert_int_equal(a.start, vt_va_of(102));
	assert_int_equal(a.end, vt_va_of(106));
	assert_int_equal(sk_mprotect(mm, vt_va_of(102), 4 * PG,
				     SK_PROT_READ | SK_PROT_WRITE),
			 0);
	assert_int_equal(mm->nvmas, 1);
	assert_int_equal(sk_mm_query(mm, vt_va_of(107), &a), 0);
	assert_int_equal(a.start, vt_va_of(100));
	assert_int_equal(a.end, vt_va_of(108));
	/* A different protection does not merge. */
	r.addr = vt_va_of(108);
	r.prot = SK_PROT_READ;
	assert_int_equal(sk_mmap(mm, &r, &at), 0);
	assert_int_equal(mm->nvmas, 2);
	vt_mm_done(mm);
}

static uint64_t garbage(void)
{
	static const uint64_t edge[] = {
		0,
		1,
		PG - 1,
		PG,
		WIN_BASE,
		WIN_BASE - PG,
		UINT64_MAX,
		UINT64_MAX - PG + 1,
		(uint64_t)1 << 47,
		(uint64_t)1 << 63,
	};
	uint64_t v = vt_rnd(2) ? edge[vt_rnd(SK_ARRAY_LEN(edge))] : 0;

	if (vt_rnd(2))
		v += vt_va_of(vt_rnd(WIN_PAGES + 8)) +
		     (vt_rnd(4) ? 0 : vt_rnd(PG));
	else if (!v)
		v = ((uint64_t)vt_rnd(1u << 31) << 33) ^ vt_rnd(1u << 31);
	return v;
}

static bool is_errno(int err, const int *ok, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (err == ok[i])
			return true;
	return false;
}

/* Syscall arguments are untrusted: garbage gets an error, never a crash,
 * and the address space stays sound. */
static void test_vma_garbage_arguments_get_errors(void **state)
{
	static const int ok[] = { 0,	  -EINVAL, -ENOMEM, -EEXIST,
				  -EBADF, -EFAULT, -EACCES };
	struct sk_mm *mm = vt_mm_new();

	(void)state;
	for (int i = 0; i < 20000 * STRESS_SCALE; i++) {
		struct sk_mmap_req r = { .addr = (uintptr_t)garbage(),
					 .len = (size_t)garbage(),
					 .prot = (unsigned)vt_rnd(16),
					 .flags = (unsigned)garbage(),
					 .off = garbage() };
		uintptr_t at;
		int err;

		if (vt_rnd(2))
			r.flags = (unsigned)vt_rnd(0x40) |
				  (vt_rnd(2) ? SK_MAP_ANONYMOUS : 0);
		if (!(r.flags & SK_MAP_ANONYMOUS) && vt_rnd(2)) {
			r.fops = &vt_fops;
			r.file = &vt_file;
		}
		if (r.len > 64 * PG && vt_rnd(4))
			r.len %= 64 * PG;
		switch (vt_rnd(5)) {
		case 0:
			err = sk_mmap(mm, &r, &at);
			if (!err)
				assert_true(at >= WIN_BASE &&
					    at < vt_va_of(WIN_PAGES));
			break;
		case 1:
			err = sk_munmap(mm, r.addr, r.len);
			break;
		case 2:
			err = sk_mprotect(mm, r.addr, r.len, r.prot);
			break;
		case 3:
			err = sk_madvise(mm, r.addr, r.len, (int)garbage());
			break;
		default:
			err = sk_mm_fault(mm, r.addr, (unsigned)vt_rnd(16));
		}
		if (!is_errno(err, ok, SK_ARRAY_LEN(ok)))
			fail_msg("unexpected return %d", err);
	}
	for (size_t i = 0; i < mm->nvmas; i++) {
		assert_true(mm->vmas[i]->start < mm->vmas[i]->end);
		assert_true(i == 0 ||
			    mm->vmas[i - 1]->end <= mm->vmas[i]->start);
	}
	assert_int_equal(sk_munmap(mm, WIN_BASE, (size_t)WIN_PAGES * PG), 0);
	assert_int_equal(mm->nvmas, 0);
	assert_int_equal(mm->resident_pages, 0);
	vt_mm_done(mm);
}

static void test_vma_bad_input_returns_errors(void **state)
{
	struct sk_mm *mm = vt_mm_new(), *bad;
	struct sk_mmap_req r = { .len = PG,
				 .prot = SK_PROT_READ,
				 .flags = SK_MAP_PRIVATE | SK_MAP_ANONYMOUS };
	uintptr_t at, a;

	(void)state;
	assert_int_equal(sk_mm_create(3, PG, &bad), -EINVAL);
	assert_int_equal(sk_mm_create((uintptr_t)1 << 47, PG, &bad), -EINVAL);
	r.len = 0;
	assert_int_equal(sk_mmap(mm, &r, &at), -EINVAL);
	r.len = PG;
	r.flags = SK_MAP_SHARED | SK_MAP_PRIVATE | SK_MAP_ANONYMOUS;
	assert_int_equal(sk_mmap(mm, &r, &at), -EINVAL);
	r.flags = SK_MAP_PRIVATE;
	assert_int_equal(sk_mmap(mm, &r, &at), -EBADF);
	r.flags = SK_MAP_PRIVATE | SK_MAP_ANONYMOUS | SK_MAP_FIXED;
	r.addr = WIN_BASE + 1;
	assert_int_equal(sk_mmap(mm, &r, &at), -EINVAL);
	r.addr = WIN_BASE - PG;
	assert_int_equal(sk_mmap(mm, &r, &at), -ENOMEM);
	r.prot = 8;
	assert_int_equal(sk_mmap(mm, &r, &at), -EINVAL);
	r.prot = SK_PROT_READ;
	r.flags = SK_MAP_PRIVATE | SK_MAP_ANONYMOUS | (1u << 28);
	assert_int_equal(sk_mmap(mm, &r, &at), -EINVAL);
	r.flags = SK_MAP_PRIVATE | SK_MAP_ANONYMOUS;
	r.len = (size_t)WIN_PAGES * PG + PG;
	assert_int_equal(sk_mmap(mm, &r, &at), -ENOMEM);
	a = map_anon(mm, 4 * PG, SK_PROT_READ);
	assert_int_equal(sk_munmap(mm, a + 1, PG), -EINVAL);
	assert_int_equal(sk_munmap(mm, a, 0), -EINVAL);
	assert_int_equal(sk_mprotect(mm, a, 5 * PG, SK_PROT_READ), -ENOMEM);
	assert_int_equal(sk_mprotect(mm, a, PG, 16), -EINVAL);
	assert_int_equal(sk_madvise(mm, a, PG, 77), -EINVAL);
	assert_int_equal(sk_mm_fault(mm, a, 8), -EINVAL);
	/* A free hint is taken as is. */
	r.len = PG;
	r.addr = a - 2 * PG;
	assert_int_equal(sk_mmap(mm, &r, &at), 0);
	assert_int_equal(at, a - 2 * PG);
	r.addr = a;
	assert_int_equal(sk_mmap(mm, &r, &at), 0);
	assert_true(at != a);
	r.flags |= SK_MAP_FIXED_NOREPLACE;
	assert_int_equal(sk_mmap(mm, &r, &at), -EEXIST);
	vt_mm_done(mm);
}

static void test_vma_private_file_copies_on_write(void **state)
{
	struct sk_mm *mm = vt_mm_new();
	struct sk_mmap_req r = { .len = 2 * PG,
				 .prot = SK_PROT_READ | SK_PROT_WRITE,
				 .flags = SK_MAP_PRIVATE,
				 .fops = &vt_fops,
				 .file = &vt_file,
				 .off = 3 * PG };
	uintptr_t a;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(sk_mmap(mm, &r, &a), 0);
	assert_int_equal(vt_file.refs, 1);
	assert_int_equal(vt_touch(mm, a, false, &v), 0);
	assert_int_equal(v, vt_fdata[3]);
	assert_int_equal(vt_file.page_refs[3], 1);
	v = 777;
	assert_int_equal(vt_touch(mm, a, true, &v), 0);
	assert_int_equal(vt_file.page_refs[3],
			 0); /* copied, file page let go */
	assert_int_equal(*vt_word(vt_file.pa[3]), vt_fdata[3]);
	assert_int_equal(sk_madvise(mm, a, PG, SK_MADV_DONTNEED), 0);
	assert_int_equal(vt_touch(mm, a, false, &v), 0);
	assert_int_equal(v, vt_fdata[3]);
	assert_int_equal(sk_munmap(mm, a + PG, PG), 0);
	assert_int_equal(vt_file.refs, 1);
	vt_mm_done(mm);
}

static void test_vma_out_of_memory_changes_nothing(void **state)
{
	struct sk_mm *mm = vt_mm_new();
	uintptr_t a = map_anon(mm, 2u << 20, SK_PROT_READ | SK_PROT_WRITE);
	uint64_t head = 0, pa, v = 5;
	struct sk_pt_info info;

	(void)state;
	assert_int_equal(vt_touch(mm, a, true, &v), 0);
	while (sk_page_alloc(1, 0, &pa) == 0) {
		*vt_word(pa) = head;
		head = pa;
	}
	/* A split needs a table page: nothing may change. */
	assert_int_equal(sk_mprotect(mm, a + PG, PG, SK_PROT_READ), -ENOMEM);
	assert_int_equal(sk_munmap(mm, a + PG, PG), -ENOMEM);
	assert_int_equal(sk_madvise(mm, a + PG, PG, SK_MADV_DONTNEED), -ENOMEM);
	assert_int_equal(sk_pt_query(&mm->pt, a + PG, &info), 0);
	assert_int_equal(info.size, 2u << 20);
	assert_int_equal(info.prot & SK_PT_ACCESS, SK_PT_READ | SK_PT_WRITE);
	assert_int_equal(mm->nvmas, 1);
	/* A fault with no page to give is an error, not a crash. */
	a = map_anon(mm, PG, SK_PROT_READ);
	assert_int_equal(sk_mm_fault(mm, a, SK_PROT_READ), -ENOMEM);
	while (head) {
		pa = head;
		head = *vt_word(pa);
		sk_page_free(pa, 1);
	}
	assert_int_equal(vt_touch(mm, a, false, &v), 0);
	assert_int_equal(v, 0);
	vt_mm_done(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vma_bad_input_returns_errors),
		cmocka_unit_test(test_vma_equal_neighbours_merge),
		cmocka_unit_test(test_vma_garbage_arguments_get_errors),
		cmocka_unit_test(test_vma_large_anon_uses_2m_pages_and_splits),
		cmocka_unit_test(test_vma_private_file_copies_on_write),
		cmocka_unit_test(test_vma_out_of_memory_changes_nothing),
	};

	const struct mb_config cfg = { .ncpus = 1,
				       .ram_bytes = (size_t)RAM_PAGES * PG,
				       .prepare = vt_setup };

	return mb_main(&cfg, "mm_vma", tests, sizeof(tests) / sizeof(tests[0]));
}
