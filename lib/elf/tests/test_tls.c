/* SPDX-License-Identifier: MIT */
/*
 * lib/elf TLS tests on hosted Linux: every TLS model in loaded code.
 * General- and local-dynamic code calls __tls_get_addr (the loader's), so
 * it runs on the normal thread with ops->tls_tp naming our TCB.  Local-
 * exec, initial-exec and TLSDESC code address %fs directly, so the test
 * points %fs at the loader's TCB with arch_prctl around a call that makes
 * no libc call (call_on_tcb), then restores glibc's.  Dynamic blocks are
 * first touched through __tls_get_addr so the TLSDESC calls made with %fs
 * switched find them allocated and never reach malloc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <elf/loader.h>
#include <elf/tls.h>

#include "host_ops.h"

typedef long (*long_fn)(void);
typedef int (*int_fn)(void);
typedef int *(*ptr_fn)(void);
typedef void (*set_fn)(int);

#define FN(type, p) ((type)(uintptr_t)(p))

enum { ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, SYS_ARCH_PRCTL = 158 };

static long raw_arch_prctl(long code, unsigned long addr)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)SYS_ARCH_PRCTL), "D"(code), "S"(addr)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Run @fn with %fs = @tcb; no libc may run in between. */
static __attribute__((noinline)) long call_on_tcb(struct sk_elf_tcb *tcb,
						  long_fn fn)
{
	unsigned long old = 0;
	long r;

	raw_arch_prctl(ARCH_GET_FS, (unsigned long)&old);
	tcb->stack_guard = ((uintptr_t *)old)[5];
	raw_arch_prctl(ARCH_SET_FS, (unsigned long)tcb);
	r = fn();
	raw_arch_prctl(ARCH_SET_FS, old);
	return r;
}

static long call_int_on_tcb(struct sk_elf_tcb *tcb, void *fn)
{
	/* Widen: the callee returns int in %eax; sign-extend after. */
	return (int)call_on_tcb(tcb, FN(long_fn, fn));
}

static struct sk_elf_obj *exe, *gd;
static struct sk_elf_tcb *tcb1;

static char *obj(const char *name)
{
	static char buf[4][512];
	static int i;

	return (char *)host_obj_path(buf[i++ % 4], sizeof(buf[0]), name);
}

static void *sym(struct sk_elf_obj *o, const char *name)
{
	void *a = NULL;

	assert_int_equal(sk_elf_sym(o, name, &a), 0);
	return a;
}

static void test_static_le_ie_desc_values(void **state)
{
	(void)state;
	/* Local exec: the executable's block must sit right below tp. */
	assert_int_equal(call_int_on_tcb(tcb1, sym(exe, "exe_le_get")), 31);
	assert_int_equal(call_on_tcb(tcb1, FN(long_fn, sym(exe, "exe_le_big"))),
			 5);
	/* Initial exec from the executable into libsktls_ie.so. */
	assert_int_equal(call_int_on_tcb(tcb1, sym(exe, "exe_ie_shared")), 5);
	/* Initial exec and static TLSDESC inside libsktls_ie.so. */
	assert_int_equal(call_int_on_tcb(tcb1, sym(exe, "ie_get")), 77);
	assert_int_equal(call_int_on_tcb(tcb1, sym(exe, "desc_get")), 99);
}

static void test_dynamic_gd_ld_values_and_sharing(void **state)
{
	int *p;

	(void)state;
	host_ops_current_tcb = tcb1;
	assert_int_equal(FN(int_fn, sym(gd, "gd_get"))(), 555);
	assert_int_equal(FN(int_fn, sym(gd, "ld_get"))(), 666);
	/* GD into a static-TLS module gives the static block. */
	assert_int_equal(FN(int_fn, sym(gd, "gd_ie_shared"))(), 5);
	p = sym(NULL, "ie_shared"); /* sk_elf_sym of a TLS symbol */
	assert_true((char *)p < (char *)tcb1);
	assert_true((char *)p >= (char *)tcb1 - sk_elf_tls_static_size());
	*p = 6;
	assert_int_equal(call_int_on_tcb(tcb1, sym(exe, "exe_ie_shared")), 6);
	/* Writes through __tls_get_addr are seen by TLSDESC (dynamic). */
	FN(set_fn, sym(gd, "gd_set"))(1000);
	assert_int_equal(call_int_on_tcb(tcb1, sym(gd, "gd_desc_get")), 1000);
	assert_ptr_equal(FN(ptr_fn, sym(gd, "gd_addr"))(), sym(gd, "gd_var"));
}

static int tls_data_cb(struct sk_elf_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (!strstr(info->name, "libsktls_gd.so"))
		return 0;
	*(void **)data = info->tls_data;
	return info->tls_modid != 0;
}

static void test_iterate_phdr_reports_tls_block(void **state)
{
	void *block = NULL;
	char *var;

	(void)state;
	host_ops_current_tcb = tcb1;
	var = sym(gd, "gd_var");
	assert_int_equal(sk_elf_iterate_phdr(tls_data_cb, &block), 1);
	assert_non_null(block);
	assert_true(var >= (char *)block && var < (char *)block + 64);
}

static void test_second_thread_gets_fresh_blocks(void **state)
{
	struct sk_elf_tcb *tcb2;
	int *addr1 = FN(ptr_fn, sym(gd, "gd_addr"))();

	(void)state;
	assert_int_equal(sk_elf_tls_create(&tcb2), 0);
	host_ops_current_tcb = tcb2;
	assert_int_equal(FN(int_fn, sym(gd, "gd_get"))(), 555);
	assert_ptr_not_equal(FN(ptr_fn, sym(gd, "gd_addr"))(), addr1);
	assert_int_equal(call_int_on_tcb(tcb2, sym(exe, "exe_ie_shared")), 5);
	assert_int_equal(call_int_on_tcb(tcb2, sym(exe, "exe_le_get")), 31);
	host_ops_current_tcb = tcb1;
	assert_int_equal(FN(int_fn, sym(gd, "gd_get"))(), 1000);
	sk_elf_tls_destroy(tcb2);
}

static void test_late_initial_exec_uses_surplus(void **state)
{
	struct sk_elf_obj *late;

	(void)state;
	assert_int_equal(sk_elf_open(obj("libsktls_late.so"), 0, &late), 0);
	assert_int_equal(call_on_tcb(tcb1, FN(long_fn, sym(late, "late_get"))),
			 4242);
	assert_int_equal(sk_elf_close(late), 0);
}

static void test_unload_frees_and_reload_reinitialises(void **state)
{
	(void)state;
	host_ops_current_tcb = tcb1;
	FN(set_fn, sym(gd, "gd_set"))(7);
	assert_int_equal(sk_elf_close(gd), 0);
	assert_int_equal(sk_elf_open(obj("libsktls_gd.so"), 0, &gd), 0);
	assert_int_equal(FN(int_fn, sym(gd, "gd_get"))(), 555);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_le_ie_desc_values),
		cmocka_unit_test(test_dynamic_gd_ld_values_and_sharing),
		cmocka_unit_test(test_iterate_phdr_reports_tls_block),
		cmocka_unit_test(test_second_thread_gets_fresh_blocks),
		cmocka_unit_test(test_late_initial_exec_uses_surplus),
		cmocka_unit_test(test_unload_frees_and_reload_reinitialises),
	};
	struct sk_elf_ops ops;
	int r;

	host_ops_fill(&ops, HOST_OPS_FILE_MAP);
	if (sk_elf_init(&ops))
		return 1;
	/* Objects opened before the first TCB get static TLS. */
	if (sk_elf_open(obj("exe_tls"), SK_ELF_GLOBAL, &exe) ||
	    sk_elf_tls_create(&tcb1) ||
	    sk_elf_open(obj("libsktls_gd.so"), 0, &gd)) {
		fprintf(stderr, "setup: %s\n", sk_elf_error());
		return 1;
	}
	host_ops_current_tcb = tcb1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	sk_elf_close(gd);
	sk_elf_close(exe);
	sk_elf_tls_destroy(tcb1);
	sk_elf_fini();
	return r;
}
