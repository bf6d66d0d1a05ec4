// SPDX-License-Identifier: MIT
/*
 * Context creation for the x86-64 switch in switch.S: builds the initial
 * frame a new context resumes from, and runs its first C code (sanitizer
 * bookkeeping, default FPU state, then the entry point).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, used under TSan only */
#include <stdint.h>

#include <arch/context.h>
#include <arch/fpu.h>
#include <plat/assert.h>

#ifdef SK_ARCH_TSAN
#include <time.h>
#endif

void sk_arch_context_trampoline(void);

enum {
	FRAME_MXCSR = 0,
	FRAME_FCW = 1,
	FRAME_R15 = 2,
	FRAME_R14 = 3,
	FRAME_R13 = 4,
	FRAME_R12 = 5,
	FRAME_RBX = 6,
	FRAME_RBP = 7,
	FRAME_RET = 8,
	FRAME_SLOTS = 11, /* + 2 zero slots above: a clean end for unwinders */
};

void sk_arch_context_init(struct sk_arch_context *ctx, void *stack, size_t len,
			  sk_arch_entry_fn entry, void *arg)
{
	uintptr_t top = ((uintptr_t)stack + len) & ~(uintptr_t)15;
	uint64_t *frame = (uint64_t *)(top - FRAME_SLOTS * sizeof(uint64_t));

#ifdef SK_ARCH_ASAN
	/* A reused stack may still carry poison from its last owner. */
	__asan_unpoison_memory_region(stack, len);
#endif
	for (unsigned i = 0; i < FRAME_SLOTS; i++)
		frame[i] = 0;
	frame[FRAME_MXCSR] = SK_ARCH_MXCSR_DEFAULT;
	frame[FRAME_FCW] = SK_ARCH_FCW_DEFAULT;
	frame[FRAME_R12] = (uint64_t)(uintptr_t)entry;
	frame[FRAME_R13] = (uint64_t)(uintptr_t)arg;
	frame[FRAME_RET] = (uint64_t)(uintptr_t)sk_arch_context_trampoline;
	ctx->sp = frame;
#ifdef SK_ARCH_ASAN
	ctx->asan_fake_stack = NULL;
	ctx->stack_bottom = stack;
	ctx->stack_size = len;
#endif
#ifdef SK_ARCH_TSAN
	ctx->tsan_fiber = __tsan_create_fiber(0);
	ctx->tsan_owned = 1;
#endif
}

void sk_arch_context_init_current(struct sk_arch_context *ctx)
{
	ctx->sp = NULL;
#ifdef SK_ARCH_ASAN
	ctx->asan_fake_stack = NULL;
	ctx->stack_bottom = NULL; /* learnt when it first switches away */
	ctx->stack_size = 0;
#endif
#ifdef SK_ARCH_TSAN
	ctx->tsan_fiber = __tsan_get_current_fiber();
	ctx->tsan_owned = 0;
#endif
}

#ifdef SK_ARCH_TSAN
/*
 * TSan queues a signal that arrives outside an intercepted call on the
 * running fiber and runs its handler at that fiber's next interceptor.  A
 * fiber about to switch away may not run again until that handler has run
 * (it may be the timer that wakes it), so pass through an interceptor
 * first.  This narrows the window; it cannot close it.
 */
void sk_arch_tsan_signals_flush(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
}
#endif

void sk_arch_context_fini(struct sk_arch_context *ctx)
{
#ifdef SK_ARCH_TSAN
	if (ctx->tsan_owned)
		__tsan_destroy_fiber(ctx->tsan_fiber);
	ctx->tsan_owned = 0;
#endif
	(void)ctx;
}

_Noreturn void sk_arch_context_first(struct sk_arch_context *prev,
				     sk_arch_entry_fn entry, void *arg)
{
#ifdef SK_ARCH_ASAN
	__sanitizer_finish_switch_fiber(NULL, &prev->stack_bottom,
					&prev->stack_size);
#endif
	(void)prev;
	sk_arch_fpu_reset();
	entry(arg);
	SK_PANIC("arch: a context entry function returned");
}

/*
 * switch.S leaves, from the saved stack pointer up: MXCSR and FCW (16
 * bytes), r15, r14, r13, r12, rbx, rbp, then the return address.
 */
enum { SAVED_RBP = 7, SAVED_RET = 8, CHAIN_MAX = 64 * 1024 };

unsigned sk_arch_context_pcs(const struct sk_arch_context *ctx, uintptr_t *pcs,
			     unsigned n)
{
	const uintptr_t *sp = ctx->sp;
	uintptr_t lo = (uintptr_t)sp, fp;
	unsigned got = 0;

	if (!sp || n == 0)
		return 0;
	pcs[got++] = sp[SAVED_RET];
#ifndef SK_ARCH_FRAME_POINTERS
	/* Built without frame pointers (hosted's -O2): rbp is any value. */
	return got;
#endif
	fp = sp[SAVED_RBP];
	while (got < n && fp > lo && fp - (uintptr_t)sp < CHAIN_MAX &&
	       (fp & 7) == 0) {
		const uintptr_t *frame = (const uintptr_t *)fp;

		if (!frame[1])
			break;
		pcs[got++] = frame[1];
		lo = fp;
		fp = frame[0];
	}
	return got;
}
