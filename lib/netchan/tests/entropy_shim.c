// SPDX-License-Identifier: MIT
/*
 * Test scaffolding only: a weak sk_plat_entropy (plat/entropy.h) on
 * getrandom(2), for as long as the hosted platform does not provide the
 * contract's function.  A strong definition from the platform wins.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/random.h>

#include <plat/compiler.h>
#include <plat/entropy.h>

SK_WEAK long sk_plat_entropy(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		done += (size_t)n;
	}
	return (long)len;
}
