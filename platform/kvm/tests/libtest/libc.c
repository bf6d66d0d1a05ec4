// SPDX-License-Identifier: MIT
/*
 * The libc functions skiff's library tests call (malloc, calloc, free,
 * aligned_alloc, printf, strcpy, strstr, qsort), for running them inside
 * a kvm or xen image.  Memory: blocks of 64-byte multiples behind a 64-byte
 * header, carved from three quarters of the largest usable region,
 * reserved from the platform at the first allocation (so a test that later
 * hands the usable RAM to lib/mm's page allocator cannot collide with it).
 * A freed block returns to the CPU that allocated it: onto that CPU's
 * lists directly if it is the one freeing, else onto its lock-free remote
 * stack, which it takes back when its lists run dry.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <plat/compiler.h>
#include <plat/console.h>
#include <plat/cpu.h>
#include <plat/irq.h>
#include <x86/fmt.h>
#include <kvm/boot.h>

void *malloc(size_t len);
void *calloc(size_t n, size_t len);
void free(void *p);
void *aligned_alloc(size_t align, size_t len);
int printf(const char *restrict fmt, ...);
char *strcpy(char *restrict dst, const char *restrict src);
char *strstr(const char *hay, const char *needle);
void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *));

enum { HEADER = 64, CLASSES = 16 };

struct block {
	size_t len; /* payload bytes, a multiple of 64 */
	struct block *next; /* on a free list */
	unsigned owner; /* the CPU whose lists take it back */
};

/*
 * Per CPU: free blocks by size, touched only by that CPU with irqs off;
 * and blocks other CPUs freed for it, a lock-free stack they push onto and
 * it empties in one exchange (push-only plus take-all has no ABA).
 */
struct cpu_lists {
	size_t len[CLASSES];
	struct block *head[CLASSES];
	_Atomic(struct block *) remote;
} SK_CACHE_ALIGNED;

static struct cpu_lists lists[SK_PLAT_CPUS_MAX];
static _Atomic uintptr_t next_free;
static uintptr_t heap_end;

static int heap_init(void)
{
	uint64_t len = sk_kvm_mem_largest_usable() / 4 * 3;
	uintptr_t base = len ? sk_kvm_mem_reserve(len) : 0;

	if (!base)
		return -1;
	heap_end = base + len;
	atomic_store_explicit(&next_free, base, memory_order_relaxed);
	return 0;
}

/* Own CPU, irqs off.  A size with no class left is leaked. */
static void local_push(struct cpu_lists *l, struct block *b)
{
	for (unsigned c = 0; c < CLASSES; c++) {
		if (l->len[c] == 0)
			l->len[c] = b->len;
		if (l->len[c] == b->len) {
			b->next = l->head[c];
			l->head[c] = b;
			return;
		}
	}
}

static struct block *local_pop(struct cpu_lists *l, size_t len)
{
	for (unsigned c = 0; c < CLASSES; c++) {
		struct block *b = l->head[c];

		if (l->len[c] == len && b) {
			l->head[c] = b->next;
			return b;
		}
	}
	return NULL;
}

/* Own CPU, irqs off: a block of @len, taking back remote frees if need be. */
static struct block *list_pop(size_t len)
{
	struct cpu_lists *l = &lists[sk_plat_cpu_id()];
	struct block *b = local_pop(l, len), *r;

	if (b)
		return b;
	/* Acquire: pairs with the release push in free(), so the blocks'
	 * headers written by the freeing CPU are visible. */
	r = atomic_exchange_explicit(&l->remote, NULL, memory_order_acquire);
	while (r) {
		struct block *next = r->next;

		local_push(l, r);
		r = next;
	}
	return local_pop(l, len);
}

void *malloc(size_t len)
{
	size_t n = SK_ALIGN_UP(len ? len : 1, (size_t)64);
	sk_plat_irq_flags f = sk_plat_irq_save();
	unsigned me = sk_plat_cpu_id();
	struct block *b;
	uintptr_t p;

	if (!heap_end && heap_init() != 0) {
		sk_plat_irq_restore(f);
		return NULL;
	}
	b = list_pop(n);
	sk_plat_irq_restore(f);
	if (b)
		return (char *)b + HEADER;
	/* Relaxed: the cursor only hands out disjoint ranges. */
	p = atomic_fetch_add_explicit(&next_free, HEADER + n,
				      memory_order_relaxed);
	if (p + HEADER + n > heap_end)
		return NULL;
	b = (struct block *)p;
	b->len = n;
	b->owner = me;
	return (char *)b + HEADER;
}

void free(void *ptr)
{
	struct block *b, *old;
	struct cpu_lists *owner;
	sk_plat_irq_flags f;

	if (!ptr)
		return;
	b = (struct block *)(void *)((char *)ptr - HEADER);
	f = sk_plat_irq_save();
	if (b->owner == sk_plat_cpu_id()) {
		local_push(&lists[b->owner], b);
		sk_plat_irq_restore(f);
		return;
	}
	sk_plat_irq_restore(f);
	owner = &lists[b->owner];
	old = atomic_load_explicit(&owner->remote, memory_order_relaxed);
	do {
		b->next = old;
		/* Release: b's header before the owner's acquire exchange. */
	} while (!atomic_compare_exchange_weak_explicit(&owner->remote, &old, b,
							memory_order_release,
							memory_order_relaxed));
}

void *calloc(size_t n, size_t len)
{
	unsigned char *p;

	if (len && n > SIZE_MAX / len)
		return NULL;
	p = malloc(n * len);
	for (size_t i = 0; p && i < n * len; i++)
		p[i] = 0;
	return p;
}

void *aligned_alloc(size_t align, size_t len)
{
	return align <= 64 ? malloc(len) : NULL;
}

int printf(const char *restrict fmt, ...)
{
	char buf[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = sk_x86_vfmt(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sk_plat_console_write(buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
	return (int)n;
}

char *strcpy(char *restrict dst, const char *restrict src)
{
	size_t i = 0;

	for (; src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
	return dst;
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		unsigned char t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

/* Shell sort: small, in place, O(n^1.5) on the gap sequence below. */
void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *))
{
	unsigned char *b = base;
	size_t gap = 1;

	while (gap < n / 3)
		gap = gap * 3 + 1;
	for (; gap > 0; gap /= 3)
		for (size_t i = gap; i < n; i++)
			for (size_t j = i; j >= gap && cmp(b + (j - gap) * size,
							   b + j * size) > 0;
			     j -= gap)
				swap_bytes(b + (j - gap) * size, b + j * size,
					   size);
}

char *strstr(const char *hay, const char *needle)
{
	for (;; hay++) {
		size_t i = 0;

		while (needle[i] && hay[i] == needle[i])
			i++;
		if (!needle[i])
			return (char *)(uintptr_t)hay;
		if (!*hay)
			return NULL;
	}
}
