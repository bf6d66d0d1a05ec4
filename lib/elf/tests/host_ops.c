/* SPDX-License-Identifier: MIT */
/*
 * Hosted sk_elf_ops for tests and benchmarks (see host_ops.h).  Linux
 * specific on purpose: lib/elf itself never calls any of this.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host_ops.h"

struct sk_elf_tcb *host_ops_current_tcb;
_Thread_local struct sk_elf_tcb *host_ops_thread_tcb;

static pthread_mutex_t host_lock;
static pthread_once_t host_lock_once = PTHREAD_ONCE_INIT;

static void host_lock_init(void)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&host_lock, &a);
	pthread_mutexattr_destroy(&a);
}

static int h_open(void *ctx, const char *path, void **h)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	(void)ctx;
	if (fd < 0)
		return -errno;
	*h = (void *)(intptr_t)(fd + 1);
	return 0;
}

static int fd_of(void *h)
{
	return (int)(intptr_t)h - 1;
}

static long h_read(void *ctx, void *h, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	(void)ctx;
	do
		n = pread(fd_of(h), buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : (long)n;
}

/* lseek to the end: the size without fstat's full inode copy (cheaper). */
static int h_size(void *ctx, void *h, uint64_t *size)
{
	off_t end = lseek(fd_of(h), 0, SEEK_END);

	(void)ctx;
	if (end < 0)
		return -errno;
	*size = (uint64_t)end;
	return 0;
}

static void h_close(void *ctx, void *h)
{
	(void)ctx;
	close(fd_of(h));
}

static int prot_of(unsigned p)
{
	return ((p & SK_ELF_PROT_READ) ? PROT_READ : 0) |
	       ((p & SK_ELF_PROT_WRITE) ? PROT_WRITE : 0) |
	       ((p & SK_ELF_PROT_EXEC) ? PROT_EXEC : 0);
}

static int h_map(void *ctx, void *h, void *va, size_t len, uint64_t off,
		 unsigned prot)
{
	int flags = MAP_PRIVATE | MAP_FIXED;
	void *p;

	if (prot & SK_ELF_MAP_PREFAULT)
		flags |= MAP_POPULATE;
	p = mmap(va, len, prot_of(prot), flags, fd_of(h), (off_t)off);

	(void)ctx;
	return p == MAP_FAILED ? -errno : 0;
}

/* Over-map by @align and trim, so the start is aligned. */
static int map_aligned(size_t len, size_t align, int prot, int flags, int fd,
		       void **va)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t total = len + (align > page ? align : 0);
	char *p = mmap(NULL, total, prot, flags, fd, 0);
	char *a;

	if (p == MAP_FAILED)
		return -errno;
	a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + len < p + total)
		munmap(a + len, (size_t)(p + total - (a + len)));
	*va = a;
	return 0;
}

static int h_reserve(void *ctx, size_t len, size_t align, void **va)
{
	(void)ctx;
	return map_aligned(len, align, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, va);
}

static int h_map_reserve(void *ctx, void *h, size_t len, size_t align,
			 unsigned prot, void **va)
{
	(void)ctx;
	return map_aligned(len, align, prot_of(prot), MAP_PRIVATE, fd_of(h),
			   va);
}

static int h_protect(void *ctx, void *va, size_t len, unsigned prot)
{
	(void)ctx;
	return mprotect(va, len, prot_of(prot)) ? -errno : 0;
}

static void h_release(void *ctx, void *va, size_t len)
{
	(void)ctx;
	munmap(va, len);
}

static void *h_alloc(void *ctx, size_t len)
{
	(void)ctx;
	return malloc(len);
}

static void h_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void *h_tp(void *ctx)
{
	(void)ctx;
	return host_ops_current_tcb;
}

static void *h_thread_tp(void *ctx)
{
	(void)ctx;
	return host_ops_thread_tcb;
}

static void h_lock(void *ctx)
{
	(void)ctx;
	pthread_once(&host_lock_once, host_lock_init);
	pthread_mutex_lock(&host_lock);
}

static void h_unlock(void *ctx)
{
	(void)ctx;
	pthread_mutex_unlock(&host_lock);
}

char host_ops_search_path[1024] =
	"/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu";

void host_ops_fill(struct sk_elf_ops *ops, unsigned flags)
{
	*ops = (struct sk_elf_ops){
		.file_open = h_open,
		.file_read = h_read,
		.file_size = h_size,
		.file_close = h_close,
		.file_map = (flags & HOST_OPS_FILE_MAP) ? h_map : NULL,
		.file_map_reserve =
			(flags & HOST_OPS_FILE_MAP) ? h_map_reserve : NULL,
		.mem_reserve = h_reserve,
		.mem_protect = h_protect,
		.mem_release = h_release,
		.alloc = h_alloc,
		.free = h_free,
		.tls_tp = (flags & HOST_OPS_THREAD_TCB) ? h_thread_tp : h_tp,
		.lock = h_lock,
		.unlock = h_unlock,
		.search_path = host_ops_search_path,
		.page_size = (size_t)sysconf(_SC_PAGESIZE),
	};
}

static void *libc_lookup(void *ctx, const char *name, const char *version,
			 uint32_t hash)
{
	(void)ctx;
	(void)hash;
	if (version)
		return dlvsym(RTLD_DEFAULT, name, version);
	return dlsym(RTLD_DEFAULT, name);
}

static const char *const libc_sonames[] = { "libc.so.6",       "libm.so.6",
					    "libpthread.so.0", "libdl.so.2",
					    "librt.so.1",      NULL };

struct sk_elf_provider host_libc_provider = {
	.name = "host-libc",
	.lookup = libc_lookup,
	.sonames = libc_sonames,
};

const char *host_obj_path(char *buf, size_t len, const char *name)
{
	const char *dir = getenv("SK_ELF_OBJDIR");

	snprintf(buf, len, "%s/%s", dir ? dir : ".", name);
	return buf;
}
