// SPDX-License-Identifier: MIT
/*
 * ChaCha20 and the VFS CSPRNG (see chacha.h).  The generator state is
 * guarded by rng_lock; output is produced in 4 KiB steps, each ending in
 * a key replacement, so the lock is never held for long.
 */
#include <errno.h>
#include <string.h>

#include <plat/entropy.h>
#include <sync/mutex.h>

#include "chacha.h"

static uint32_t rotl(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

#define QR(a, b, c, d)               \
	do {                         \
		a += b;              \
		d = rotl(d ^ a, 16); \
		c += d;              \
		b = rotl(b ^ c, 12); \
		a += b;              \
		d = rotl(d ^ a, 8);  \
		c += d;              \
		b = rotl(b ^ c, 7);  \
	} while (0)

void sk_vfs_chacha20_block(const uint32_t key[8], uint32_t counter,
			   const uint32_t nonce[3], uint8_t out[64])
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	uint32_t x[16];

	memcpy(&in[4], key, 32);
	in[12] = counter;
	memcpy(&in[13], nonce, 12);
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];

		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}

static struct {
	struct sk_mutex lock;
	uint32_t key[8]; /* lock */
	uint32_t nonce[3]; /* lock: a request counter */
	int seeded; /* lock */
} rng;

static int rng_seed_locked(void)
{
	long n;

	if (rng.seeded)
		return 0;
	n = sk_plat_entropy(rng.key, sizeof(rng.key));
	if (n < 0)
		return (int)n;
	rng.seeded = 1;
	return 0;
}

/* Up to 4 KiB of output, then a fresh key.  rng.lock held. */
static void rng_step_locked(uint8_t *out, size_t len)
{
	uint8_t block[64];
	uint32_t ctr = 1;

	while (len) {
		size_t n = len < 64 ? len : 64;

		sk_vfs_chacha20_block(rng.key, ctr++, rng.nonce, block);
		memcpy(out, block, n);
		out += n;
		len -= n;
	}
	/* Counter 0 of this nonce was never output: it is the next key. */
	sk_vfs_chacha20_block(rng.key, 0, rng.nonce, block);
	memcpy(rng.key, block, sizeof(rng.key));
	if (++rng.nonce[0] == 0)
		rng.nonce[1]++;
	memset(block, 0, sizeof(block));
}

int sk_vfs_random_fill(void *buf, size_t len)
{
	uint8_t *out = buf;
	int err;

	while (len) {
		size_t n = len < 4096 ? len : 4096;

		sk_mutex_lock(&rng.lock);
		err = rng_seed_locked();
		if (!err)
			rng_step_locked(out, n);
		sk_mutex_unlock(&rng.lock);
		if (err)
			return err;
		out += n;
		len -= n;
	}
	return 0;
}
