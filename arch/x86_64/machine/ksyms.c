// SPDX-License-Identifier: MIT
/*
 * Symbol lookup over the embedded table: sorted by address, binary search.
 * The table is trusted (the build wrote it) but still bounds-checked, since
 * a crash report must not fault on a half-written image.
 */
#include <x86/ksyms.h>

static const struct sk_x86_ksym *ksyms_entries(void)
{
	return sk_x86_ksyms.entries;
}

static const char *ksym_name(const struct sk_x86_ksym *s)
{
	const char *names =
		(const char *)&sk_x86_ksyms + sk_x86_ksyms.names_off;

	if (s->name_off >= sk_x86_ksyms.names_len)
		return NULL;
	return names + s->name_off;
}

const char *sk_x86_ksym_lookup(uintptr_t addr, uintptr_t *off)
{
	const struct sk_x86_ksym *e = ksyms_entries();
	uint32_t lo = 0, hi;

	if (sk_x86_ksyms.magic != SK_X86_KSYMS_MAGIC ||
	    sk_x86_ksyms.count == 0 || addr < e[0].addr)
		return NULL;
	hi = sk_x86_ksyms.count; /* answer in [lo, hi) */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (e[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (e[lo].size && addr >= e[lo].addr + e[lo].size)
		return NULL;
	*off = addr - e[lo].addr;
	return ksym_name(&e[lo]);
}

static int name_equal(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

uintptr_t sk_x86_ksym_addr(const char *name)
{
	const struct sk_x86_ksym *e = ksyms_entries();

	if (sk_x86_ksyms.magic != SK_X86_KSYMS_MAGIC)
		return 0;
	for (uint32_t i = 0; i < sk_x86_ksyms.count; i++) {
		const char *n = ksym_name(&e[i]);

		if (n && name_equal(n, name))
			return (uintptr_t)e[i].addr;
	}
	return 0;
}
