// SPDX-License-Identifier: MIT
/*
 * Command-line lookups for the test images: "key=N" numbers and exact
 * "key=value" words.
 */
#include <plat/boot.h>
#include <plat/cpu.h>
#include <x86/fmt.h>

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

unsigned bt_cases_run(const char *prog, const struct bt_case *cases, unsigned n,
		      int (*after)(void))
{
	unsigned failed = 0, ran = 0;

	sk_x86_printf("%s: %u cases on %u cpus\n", prog, n,
		      sk_plat_cpu_count());
	for (unsigned i = 0; i < n; i++) {
		int r;

		if (!bt_case_wanted(cases[i].name))
			continue;
		ran++;
		r = cases[i].fn();
		if (after && after())
			r = -1;
		sk_x86_printf("%s %u %s\n", r ? "FAIL" : "ok", i + 1,
			      cases[i].name);
		failed += r != 0;
	}
	sk_x86_printf("%s: %u passed, %u failed\n", prog, ran - failed, failed);
	return failed;
}
