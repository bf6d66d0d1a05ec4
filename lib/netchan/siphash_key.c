// SPDX-License-Identifier: MIT
/*
 * A per-boot SipHash key from the platform's entropy source
 * (plat/entropy.h).  Apart from siphash.c so that programs hashing with a
 * key of their own do not need the platform's entropy.
 */
#include <errno.h>

#include <plat/entropy.h>

#include <netchan/siphash.h>

int sk_siphash_key_random(struct sk_siphash_key *key)
{
	uint64_t k[2];
	long got = sk_plat_entropy(k, sizeof(k));

	if (got < 0)
		return (int)got;
	if (got != (long)sizeof(k))
		return -EIO;
	key->k0 = k[0];
	key->k1 = k[1];
	return 0;
}
