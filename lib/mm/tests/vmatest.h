/* SPDX-License-Identifier: MIT */
/*
 * Shared scaffolding of the address-space tests (test_vma.c, directed;
 * test_vma_model.c, random against a model): a fake file system backing,
 * memory touched the way a CPU would (look the page up in the real tables,
 * call sk_mm_fault() when it is absent or too weak, then use the frame),
 * and allocator setup on the hosted machine (one vCPU, see mmboot.h).
 */
#ifndef MM_TESTS_VMATEST_H
#define MM_TESTS_VMATEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mm/vma.h>

enum {
	RAM_PAGES = 32768,
	WIN_PAGES = 8192, /* 32 MiB window */
	FILE_PAGES = 64,
	PG = 4096,
	HUGE_PAGES = 512,
};

#define WIN_BASE ((uintptr_t)1 << 30)

/* A fake file: pages whose word 0 is their contents, with refcounts. */
struct vt_file {
	uint64_t pa[FILE_PAGES];
	int page_refs[FILE_PAGES];
	int refs;
};

extern struct vt_file vt_file;
extern const struct sk_mm_file_ops vt_fops;
extern uint64_t vt_fdata[FILE_PAGES]; /* what the file holds */

/* On vCPU 0 of the booted machine: start the allocators, fill the
 * file.  0 or -1. */
int vt_setup(void);

/* Word 0 of the page holding physical @pa. */
uint64_t *vt_word(uint64_t pa);

/* Read (or write @val to) word 0 of the page at @va, faulting as needed. */
int vt_touch(struct sk_mm *mm, uintptr_t va, bool write, uint64_t *val);

/* Deterministic random numbers in [0, n). */
size_t vt_rnd(size_t n);

uintptr_t vt_va_of(size_t page);

/* An address space over the window; destroy it and check all came back. */
struct sk_mm *vt_mm_new(void);
void vt_mm_done(struct sk_mm *mm);

#endif
