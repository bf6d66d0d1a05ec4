/* SPDX-License-Identifier: MIT */
/*
 * Thread-local storage for loaded objects, x86-64 TLS variant II.  The
 * thread pointer (what %fs points at) is a struct sk_elf_tcb; static TLS
 * blocks of objects loaded before the first sk_elf_tls_create() sit just
 * below it at fixed negative offsets (TPOFF64, initial/local exec, static
 * TLSDESC).  Objects opened later get blocks on demand through the DTV and
 * __tls_get_addr (which the loader exports as its own symbol, backed by
 * sk_elf_tls_get_addr).  The embedder creates one TCB per thread, makes it
 * current (loads %fs on real hardware) and returns it from ops->tls_tp.
 */
#ifndef SK_ELF_TLS_H
#define SK_ELF_TLS_H

#include <stddef.h>
#include <stdint.h>

struct sk_elf_dtv;

/*
 * The thread control block.  The first fields follow the x86-64 ABI as
 * compilers use it: %fs:0 holds the TCB's own address, %fs:0x28 the stack
 * protector canary (gcc and clang read it there).
 */
struct sk_elf_tcb {
	struct sk_elf_tcb *self; /* %fs:0x00 */
	struct sk_elf_dtv *dtv; /* %fs:0x08, owned by its thread */
	uintptr_t reserved[3]; /* %fs:0x10..0x27 */
	uintptr_t stack_guard; /* %fs:0x28 */
	uintptr_t pointer_guard; /* %fs:0x30 */
	void *embedder; /* free for the embedder's thread pointer */
	void *mem; /* loader-owned from here on */
	struct sk_elf_tcb *next;
	struct sk_elf_tcb *prev;
};

/* The argument of __tls_get_addr, laid out by the x86-64 psABI. */
struct sk_elf_tls_index {
	uint64_t modid;
	uint64_t offset;
};

/*
 * sk_elf_tls_create - allocate a TCB with the static TLS blocks initialised
 * from their images.  The first call fixes the static TLS layout.
 * Return: 0 and *@tcb; -ENOMEM; -EINVAL before sk_elf_init().
 * Context: thread.
 */
int sk_elf_tls_create(struct sk_elf_tcb **tcb);

/*
 * sk_elf_tls_destroy - free @tcb and every dynamic TLS block it holds.
 * Context: thread; @tcb must not be any thread's current TCB any more.
 */
void sk_elf_tls_destroy(struct sk_elf_tcb *tcb);

/*
 * sk_elf_tls_get_addr - __tls_get_addr: the address of @ti->offset in
 * module @ti->modid's block for the current thread (ops->tls_tp), which is
 * allocated and initialised on first use.
 * Return: the address; NULL if the module is not loaded or memory ran out.
 * Context: thread; the fast path takes no lock.
 */
void *sk_elf_tls_get_addr(struct sk_elf_tls_index *ti);

/* Bytes of static TLS the layout reserves below the thread pointer. */
size_t sk_elf_tls_static_size(void);

#endif
