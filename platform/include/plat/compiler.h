/* SPDX-License-Identifier: MIT */
/*
 * Compiler glue shared by every skiff library and platform.  skiff is C11;
 * the few GNU extensions it needs (attributes, asm) are named here once so
 * the rest of the tree stays portable between gcc and clang.
 */
#ifndef PLAT_COMPILER_H
#define PLAT_COMPILER_H

#include <stddef.h>

#define SK_CACHELINE 64

#define SK_LIKELY(x) __builtin_expect(!!(x), 1)
#define SK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SK_UNUSED __attribute__((unused))
#define SK_NOINLINE __attribute__((noinline))
#define SK_ALWAYS_INLINE inline __attribute__((always_inline))
#define SK_ALIGNED(n) __attribute__((aligned(n)))
#define SK_CACHE_ALIGNED SK_ALIGNED(SK_CACHELINE)
#define SK_PACKED __attribute__((packed))
#define SK_WEAK __attribute__((weak))
#define SK_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* Stop the compiler from moving memory accesses across this point. */
#define SK_BARRIER() __asm__ __volatile__("" ::: "memory")

#define SK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The struct of type @type whose member @member is at @ptr. */
#define SK_CONTAINER_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#define SK_ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define SK_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define SK_IS_POW2(x) ((x) != 0 && ((x) & ((x)-1)) == 0)

#endif
