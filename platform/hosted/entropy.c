// SPDX-License-Identifier: MIT
/*
 * Entropy on hosted: the Linux kernel's CSPRNG through getrandom(2).  It
 * blocks only until the kernel's pool is initialised at boot, which has
 * long happened by the time a test or program runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/random.h>

#include <plat/entropy.h>

long sk_plat_entropy(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t done = 0;

	if ((long)len < 0)
		return -EINVAL;
	while (done < len) {
		ssize_t n = getrandom(p + done, len - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == ENOSYS ? -ENOTSUP : -EIO;
		}
		done += (size_t)n;
	}
	return (long)len;
}
