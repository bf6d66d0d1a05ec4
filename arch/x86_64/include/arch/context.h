/* SPDX-License-Identifier: MIT */
/*
 * x86-64 execution contexts: a stack and the callee-saved registers.
 * sk_arch_switch() is the voluntary switch: it saves rbx, rbp, r12-r15, rsp,
 * the x87 control word and MXCSR on the old stack and loads them from the
 * new one, nothing else (every other register is caller-saved in the SysV
 * ABI).  An involuntary switch adds sk_arch_fpu_save/restore (arch/fpu.h).
 *
 * Under AddressSanitizer or ThreadSanitizer the switch also tells the
 * sanitizer that the stack changed (fiber annotations); those calls are
 * compiled in only when the sanitizer is on.
 */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SANITIZE_ADDRESS__)
#define SK_ARCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SK_ARCH_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define SK_ARCH_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SK_ARCH_TSAN 1
#endif
#endif

#ifdef SK_ARCH_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom,
				    size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save,
				     const void **bottom_old, size_t *size_old);
void __asan_unpoison_memory_region(const volatile void *addr, size_t size);
#endif
#ifdef SK_ARCH_TSAN
/* Make TSan run signal handlers it deferred on the outgoing fiber. */
void sk_arch_tsan_signals_flush(void);
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
#endif

/* A suspended execution context.  @sp must stay the first member. */
struct sk_arch_context {
	void *sp; /* saved stack pointer; the registers are on that stack */
#ifdef SK_ARCH_ASAN
	void *asan_fake_stack;
	const void *stack_bottom; /* NULL until known */
	size_t stack_size;
#endif
#ifdef SK_ARCH_TSAN
	void *tsan_fiber;
	int tsan_owned; /* created by us, destroyed by fini */
#endif
};

typedef void (*sk_arch_entry_fn)(void *arg);

/*
 * sk_arch_context_init - prepare @ctx to run @entry(@arg) on the stack
 * [@stack, @stack + @len) when first switched to.  The new context starts
 * with the default FPU state (arch/fpu.h) and a zero frame pointer.  @entry
 * must never return (the machine panics if it does).
 * Context: any; @len >= 256 bytes.
 */
void sk_arch_context_init(struct sk_arch_context *ctx, void *stack, size_t len,
			  sk_arch_entry_fn entry, void *arg);

/*
 * sk_arch_context_init_current - make @ctx stand for the context that is
 * running now (a boot or platform stack), so it can be switched away from
 * and later back to.
 * Context: any.
 */
void sk_arch_context_init_current(struct sk_arch_context *ctx);

/*
 * sk_arch_context_fini - release sanitizer resources of a context that will
 * never run again.  Not for the running context.  Context: any.
 */
void sk_arch_context_fini(struct sk_arch_context *ctx);

/*
 * sk_arch_context_pcs - the return addresses of a suspended context, for a
 * debugging dump: the caller of its switch first, then, in builds with
 * frame pointers (SK_ARCH_FRAME_POINTERS: the kvm/xen images), up the
 * frame-pointer chain, stopping at a frame pointer that does not climb the
 * same stack (at most 64 KiB above @ctx's stack pointer).
 * Return: how many were stored in @pcs (at most @n).
 * Context: any; @ctx must be suspended (not the running context).
 */
unsigned sk_arch_context_pcs(const struct sk_arch_context *ctx, uintptr_t *pcs,
			     unsigned n);

/*
 * sk_arch_switch_raw - the bare switch: save into @from, resume @to.
 * Return: (in the resumed context) the context that switched to it.
 * Context: any; irqs as the caller needs (usually off).
 */
struct sk_arch_context *sk_arch_switch_raw(struct sk_arch_context *from,
					   struct sk_arch_context *to);

/* Called by the assembly trampoline on a new context's first run. */
_Noreturn void sk_arch_context_first(struct sk_arch_context *prev,
				     sk_arch_entry_fn entry, void *arg);

/* Called with the context that just switched to the caller. */
static inline void sk_arch_switch_finish(struct sk_arch_context *self,
					 struct sk_arch_context *prev)
{
#ifdef SK_ARCH_ASAN
	__sanitizer_finish_switch_fiber(self->asan_fake_stack,
					&prev->stack_bottom, &prev->stack_size);
#endif
	(void)self;
	(void)prev;
}

/*
 * sk_arch_switch - voluntary switch from the running context (saved into
 * @from) to @to.  Returns when something switches back to @from.
 * Return: the context that switched back to @from.
 * Context: any; irqs as the caller needs (usually off).
 */
static inline struct sk_arch_context *
sk_arch_switch(struct sk_arch_context *from, struct sk_arch_context *to)
{
	struct sk_arch_context *prev;

#ifdef SK_ARCH_ASAN
	__sanitizer_start_switch_fiber(&from->asan_fake_stack, to->stack_bottom,
				       to->stack_size);
#endif
#ifdef SK_ARCH_TSAN
	sk_arch_tsan_signals_flush();
	__tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
	prev = sk_arch_switch_raw(from, to);
	sk_arch_switch_finish(from, prev);
	return prev;
}

#endif
