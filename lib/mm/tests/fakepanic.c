// SPDX-License-Identifier: MIT
/* sk_plat_panic for the lib/mm tests that link no other platform code. */
#include <stdio.h>
#include <stdlib.h>

#include <plat/assert.h>

_Noreturn void sk_plat_panic(const char *what, const char *file, int line)
{
	fprintf(stderr, "PANIC %s:%d: %s\n", file, line, what);
	abort();
}
