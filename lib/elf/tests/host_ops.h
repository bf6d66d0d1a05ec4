/* SPDX-License-Identifier: MIT */
/*
 * Hosted (Linux) implementations of struct sk_elf_ops for the lib/elf
 * tests and benchmark: files through open/pread (mapped with mmap when
 * asked), address space through mmap/mprotect, metadata through malloc,
 * a recursive pthread mutex as the loader lock, and a symbol provider that
 * forwards to the host libc (dlsym/dlvsym) for real Debian libraries.
 */
#ifndef SK_ELF_TESTS_HOST_OPS_H
#define SK_ELF_TESTS_HOST_OPS_H

#include <elf/loader.h>
#include <elf/tls.h>

enum host_ops_flags {
	HOST_OPS_FILE_MAP = 1, /* provide file_map (mmap) */
	/*
	 * tls_tp returns the calling pthread's host_ops_thread_tcb.  Only
	 * for code that never runs with %fs switched to a loader TCB.
	 */
	HOST_OPS_THREAD_TCB = 2,
};

/*
 * Fill @ops; its search path is host_ops_search_path, which tests may
 * rewrite between opens (the loader reads the string at each search).
 */
void host_ops_fill(struct sk_elf_ops *ops, unsigned flags);

extern char host_ops_search_path[1024];

/* The TCB ops->tls_tp returns (one "current thread" for the process). */
extern struct sk_elf_tcb *host_ops_current_tcb;
extern _Thread_local struct sk_elf_tcb *host_ops_thread_tcb;

/* A provider forwarding to the host's libc, satisfying libc.so.6 & co. */
extern struct sk_elf_provider host_libc_provider;

/* Objects the tests build: "$SK_ELF_OBJDIR/<name>" into @buf. */
const char *host_obj_path(char *buf, size_t len, const char *name);

#endif
