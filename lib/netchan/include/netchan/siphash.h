/* SPDX-License-Identifier: MIT */
/*
 * SipHash-2-4 (Aumasson & Bernstein, 2012): a keyed 64-bit hash.  With a
 * secret key chosen at boot an attacker who picks the packets cannot
 * predict which flows share a bucket, so the classifier's table cannot be
 * flooded into long chains (OSv XORed the tuple: trivially collidable).
 */
#ifndef NETCHAN_SIPHASH_H
#define NETCHAN_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct sk_siphash_key {
	uint64_t k0, k1;
};

/*
 * sk_siphash - SipHash-2-4 of @data[0..@len) under @key.
 * Context: any.  Pure function.
 */
uint64_t sk_siphash(const struct sk_siphash_key *key, const void *data,
		    size_t len);

/*
 * sk_siphash_key_random - fill @key from the platform's entropy source.
 * Return: 0; the error of sk_plat_entropy() (-ENOTSUP, -EIO).
 * Context: thread.
 */
int sk_siphash_key_random(struct sk_siphash_key *key);

#endif
