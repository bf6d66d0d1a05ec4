/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own symbol table, for backtraces.  The image is linked
 * twice: the first link's `nm` output becomes the .ksyms section of the
 * second (platform/kvm/scripts/ksyms.py).  .ksyms sits after .text and
 * .rodata, so adding it moves no code address.
 */
#ifndef X86_KSYMS_H
#define X86_KSYMS_H

#include <stddef.h>
#include <stdint.h>

enum { SK_X86_KSYMS_MAGIC = 0x4d59534b }; /* "KSYM" */

struct sk_x86_ksym {
	uint64_t addr;
	uint32_t name_off; /* into the names */
	uint32_t size; /* 0: unknown, up to the next symbol */
};

struct sk_x86_ksyms_table {
	uint32_t magic;
	uint32_t count;
	uint32_t names_off; /* from the table's address */
	uint32_t names_len;
	struct sk_x86_ksym entries[]; /* sorted by address */
};

/* Defined by the generated table (or the empty one of the first link). */
extern const struct sk_x86_ksyms_table sk_x86_ksyms;

/*
 * sk_x86_ksym_lookup - the function containing @addr.
 * Return: its name, with *@off = @addr - start; NULL if none is known.
 * Context: any (crash reports).
 */
const char *sk_x86_ksym_lookup(uintptr_t addr, uintptr_t *off);

/*
 * sk_x86_ksym_addr - the address of function @name.
 * Return: the address, 0 if the table has no such symbol.
 * Context: any.
 */
uintptr_t sk_x86_ksym_addr(const char *name);

#endif
