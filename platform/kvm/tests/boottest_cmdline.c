// SPDX-License-Identifier: MIT
/*
 * Command-line lookups for the test images: "key=N" numbers and exact
 * "key=value" words.
 */
#include <plat/boot.h>

#include "boottest.h"

static const char *cmdline_find(const char *key)
{
	const char *line = sk_plat_cmdline();

	for (const char *s = line; *s; s++) {
		const char *k = key, *p = s;

		if (s != line && s[-1] != ' ')
			continue;
		while (*k && *p == *k) {
			k++;
			p++;
		}
		if (!*k)
			return p;
	}
	return NULL;
}

uint64_t bt_cmdline_number(const char *key, uint64_t dflt)
{
	const char *p = cmdline_find(key);
	uint64_t v = 0;

	if (!p || *p < '0' || *p > '9')
		return dflt;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	return v;
}

int bt_cmdline_has(const char *keyval)
{
	const char *p = cmdline_find(keyval);

	return p && (*p == ' ' || *p == '\0');
}

int bt_case_wanted(const char *name)
{
	char want[64] = "case=";
	size_t n = 5;

	if (!cmdline_find("case="))
		return 1;
	while (*name && n + 1 < sizeof(want))
		want[n++] = *name++;
	want[n] = '\0';
	return bt_cmdline_has(want);
}
