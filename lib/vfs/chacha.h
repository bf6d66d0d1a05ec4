/* SPDX-License-Identifier: MIT */
/*
 * ChaCha20 (RFC 8439 block function) and the CSPRNG behind /dev/random
 * and /dev/urandom: seeded once from sk_plat_entropy, fast key erasure
 * (every request ends by replacing the key with fresh keystream, so a
 * later state compromise does not reveal earlier output).
 */
#ifndef VFS_CHACHA_H
#define VFS_CHACHA_H

#include <stddef.h>
#include <stdint.h>

/* One 64-byte block for @key (8 words), @counter and @nonce (3 words). */
void sk_vfs_chacha20_block(const uint32_t key[8], uint32_t counter,
			   const uint32_t nonce[3], uint8_t out[64]);

/*
 * sk_vfs_random_fill - @len bytes of CSPRNG output.
 * Return: 0; -EIO / -ENOTSUP if the first seeding failed.
 * Context: thread; takes a mutex.
 */
int sk_vfs_random_fill(void *buf, size_t len);

#endif
