// SPDX-License-Identifier: MIT
/*
 * Memory and clock helpers for lib/vfs.  Every allocation goes through the
 * caller's struct sk_vfs_mem_ops (set once by sk_vfs_init), so the VFS
 * links no allocator of its own.
 */
#include <string.h>

#include <plat/time.h>

#include "vfs_impl.h"

struct sk_vfs_mem_ops sk_vfs_mem;

void *sk_vfs_alloc(size_t len)
{
	return sk_vfs_mem.alloc(len, sk_vfs_mem.ctx);
}

void *sk_vfs_zalloc(size_t len)
{
	void *p = sk_vfs_mem.alloc(len, sk_vfs_mem.ctx);

	if (p)
		memset(p, 0, len);
	return p;
}

void sk_vfs_free(void *p, size_t len)
{
	if (p)
		sk_vfs_mem.free(p, len, sk_vfs_mem.ctx);
}

char *sk_vfs_strdup(const char *s, size_t len)
{
	char *p = sk_vfs_alloc(len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

void sk_vfs_strfree(const char *s)
{
	if (s)
		sk_vfs_free((void *)(uintptr_t)s, strlen(s) + 1);
}

int64_t sk_vfs_now_ns(void)
{
	return (int64_t)sk_plat_wallclock_ns();
}

size_t sk_vfs_strnlen(const char *s, size_t max)
{
	const char *p = memchr(s, '\0', max);

	return p ? (size_t)(p - s) : max;
}
