// SPDX-License-Identifier: MIT
/*
 * Test scaffolding: platform/hosted does not define sk_plat_entropy
 * (plat/entropy.h) yet.  This weak one reads getrandom(2) and yields to
 * the platform's definition once there is one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/random.h>

#include <plat/compiler.h>
#include <plat/entropy.h>

SK_WEAK long sk_plat_entropy(void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom(p + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		got += (size_t)n;
	}
	return (long)len;
}
