/* SPDX-License-Identifier: MIT */
/*
 * Thread-local state of the hosted platform and its %fs offset.  The offset
 * lets hosted.h touch a vCPU's soft state with one instruction; the other
 * accessors re-read %fs each call so no caller ever keeps a TLS address
 * across a point where its skiff thread may migrate.
 */
#include "hosted.h"

#include <plat/assert.h>

static __thread struct hosted_tls hosted_tls_var
	__attribute__((tls_model("initial-exec")));

intptr_t sk_hosted_tls_off;

static char *hosted_thread_pointer(void)
{
	char *tp;

	/* x86-64 TLS ABI: the word at %fs:0 holds the thread pointer. */
	__asm__ __volatile__("movq %%fs:0, %0" : "=r"(tp));
	return tp;
}

struct hosted_tls *sk_hosted_tls(void)
{
	return (struct hosted_tls *)(void *)(hosted_thread_pointer() +
					     sk_hosted_tls_off);
}

static intptr_t hosted_tls_offset(void)
{
	return (char *)&hosted_tls_var - hosted_thread_pointer();
}

/* Early priority: before any other constructor could disable irqs. */
__attribute__((constructor(101))) static void hosted_tls_ctor(void)
{
	sk_hosted_tls_off = hosted_tls_offset();
}

void sk_hosted_tls_init(void)
{
	/* Run on each new vCPU: the offset must be the same in every thread. */
	if (hosted_tls_offset() != sk_hosted_tls_off)
		SK_PANIC("hosted: TLS offset differs between threads");
}
