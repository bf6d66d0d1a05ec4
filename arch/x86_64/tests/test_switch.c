// SPDX-License-Identifier: MIT
/*
 * Tests of the bare x86-64 context switch (arch/context.h) and full FPU
 * save/restore (arch/fpu.h), without a platform or scheduler: two contexts
 * on one Linux thread switching back and forth.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arch/context.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <plat/assert.h>

void test_regs_switch(struct sk_arch_context *from, struct sk_arch_context *to,
		      const uint64_t in[6], uint64_t out[6]);
void test_clobber_switch(struct sk_arch_context *from,
			 struct sk_arch_context *to);
void test_fpu_preempt(void *area, struct sk_arch_context *from,
		      struct sk_arch_context *to, const void *in, void *out,
		      long avx);
struct fresh_state;
void test_fresh_probe(struct fresh_state *out);

extern struct sk_arch_context *(*test_switch_fn)(struct sk_arch_context *,
						 struct sk_arch_context *);

#if defined(SK_ARCH_ASAN) || defined(SK_ARCH_TSAN)
static struct sk_arch_context *annotated(struct sk_arch_context *from,
					 struct sk_arch_context *to)
{
	return sk_arch_switch(from, to);
}

struct sk_arch_context *(*test_switch_fn)(struct sk_arch_context *,
					  struct sk_arch_context *) = annotated;
#else
struct sk_arch_context *(*test_switch_fn)(struct sk_arch_context *,
					  struct sk_arch_context *) =
	sk_arch_switch_raw;
#endif

_Noreturn void sk_plat_panic(const char *what, const char *file, int line)
{
	fprintf(stderr, "panic: %s at %s:%d\n", what, file, line);
	abort();
}

enum { STACK_LEN = 256 * 1024 };

static struct sk_arch_context main_ctx, other_ctx;
static unsigned char *other_stack;

static void new_other(sk_arch_entry_fn entry, void *arg)
{
	free(other_stack);
	other_stack = aligned_alloc(64, STACK_LEN);
	assert_non_null(other_stack);
	sk_arch_context_fini(&other_ctx);
	sk_arch_context_init(&other_ctx, other_stack, STACK_LEN, entry, arg);
}

static void clobber_loop(void *arg)
{
	(void)arg;
	for (;;)
		test_clobber_switch(&other_ctx, &main_ctx);
}

static void test_switch_callee_saved_preserved(void **state)
{
	uint64_t in[6], out[6];

	(void)state;
	new_other(clobber_loop, NULL);
	for (unsigned round = 0; round < 100; round++) {
		for (unsigned i = 0; i < 6; i++)
			in[i] = 0x0123456789abcdefull * (round + 1) + i;
		memset(out, 0, sizeof(out));
		test_regs_switch(&main_ctx, &other_ctx, in, out);
		assert_memory_equal(in, out, sizeof(in));
	}
}

static uint32_t read_mxcsr(void)
{
	uint32_t v;

	__asm__ __volatile__("stmxcsr %0" : "=m"(v));
	return v;
}

static uint16_t read_fcw(void)
{
	uint16_t v;

	__asm__ __volatile__("fnstcw %0" : "=m"(v));
	return v;
}

static void write_mxcsr(uint32_t v)
{
	__asm__ __volatile__("ldmxcsr %0" ::"m"(v));
}

static void write_fcw(uint16_t v)
{
	__asm__ __volatile__("fldcw %0" ::"m"(v));
}

enum {
	MXCSR_RC_UP = 0x1f80 | (2u << 13),
	MXCSR_RC_DOWN = 0x1f80 | (1u << 13),
	FCW_RC_UP = 0x037f | (2u << 10),
	FCW_RC_DOWN = 0x037f | (1u << 10),
};

static unsigned rounding_errors;

static void rounding_other(void *arg)
{
	(void)arg;
	write_mxcsr(MXCSR_RC_DOWN);
	write_fcw(FCW_RC_DOWN);
	for (;;) {
		sk_arch_switch(&other_ctx, &main_ctx);
		if (read_mxcsr() != MXCSR_RC_DOWN || read_fcw() != FCW_RC_DOWN)
			rounding_errors++;
	}
}

static void test_switch_control_words_per_context(void **state)
{
	uint32_t mxcsr = read_mxcsr();
	uint16_t fcw = read_fcw();

	(void)state;
	rounding_errors = 0;
	new_other(rounding_other, NULL);
	write_mxcsr(MXCSR_RC_UP);
	write_fcw(FCW_RC_UP);
	for (unsigned i = 0; i < 100; i++) {
		sk_arch_switch(&main_ctx, &other_ctx);
		assert_int_equal(read_mxcsr(), MXCSR_RC_UP);
		assert_int_equal(read_fcw(), FCW_RC_UP);
	}
	write_mxcsr(mxcsr);
	write_fcw(fcw);
	assert_int_equal(rounding_errors, 0);
}

struct fpu_image {
	unsigned char regs[512]; /* 16 x 32 bytes */
	double x87;
	unsigned char pad[24];
};

static int cpu_has_avx(void)
{
	struct sk_arch_cpuid c = sk_arch_cpuid_get(1, 0);

	if (!(c.ecx & (1u << 28)) || !(c.ecx & (1u << 27)))
		return 0;
	return (sk_arch_xgetbv(0) & 0x6) == 0x6;
}

static void check_mode(enum sk_arch_fpu_mode mode)
{
	struct fpu_image in, out;
	unsigned char *area;
	long avx = cpu_has_avx() && mode != SK_ARCH_FPU_FXSAVE;
	size_t cmp_len = avx ? 32 : 16;

	if (sk_arch_fpu_setup(mode) == -ENOTSUP && mode != SK_ARCH_FPU_FXSAVE)
		return;
	assert_int_equal(sk_arch_fpu_mode_get(), mode);
	area = aligned_alloc(SK_ARCH_FPU_ALIGN, sk_arch_fpu_area_size());
	assert_non_null(area);
	sk_arch_fpu_area_init(area);
	new_other(clobber_loop, NULL);
	for (unsigned round = 0; round < 20; round++) {
		for (unsigned i = 0; i < sizeof(in.regs); i++)
			in.regs[i] = (unsigned char)(i * 7 + round * 13 + 1);
		in.x87 = 3.25 + round;
		memset(&out, 0, sizeof(out));
		test_fpu_preempt(area, &main_ctx, &other_ctx, &in, &out, avx);
		for (unsigned r = 0; r < 16; r++)
			assert_memory_equal(in.regs + r * 32, out.regs + r * 32,
					    cmp_len);
		assert_true(out.x87 == in.x87);
	}
	free(area);
}

static void test_fpu_involuntary_full_state_preserved(void **state)
{
	(void)state;
	check_mode(SK_ARCH_FPU_FXSAVE);
	check_mode(SK_ARCH_FPU_XSAVE);
	check_mode(SK_ARCH_FPU_XSAVEOPT);
	check_mode(SK_ARCH_FPU_XSAVEC);
	assert_int_equal(sk_arch_fpu_setup(SK_ARCH_FPU_AUTO), 0);
	check_mode(sk_arch_fpu_mode_get());
}

struct fresh_state {
	uint32_t mxcsr;
	uint16_t fcw;
	uint16_t pad0;
	uint16_t env[14]; /* fnstenv: fcw, -, fsw, -, ftw, ... */
	unsigned char pad1[12];
	unsigned char xmm[16][16];
};

static struct fresh_state fresh;

static void fresh_entry(void *arg)
{
	test_fresh_probe(arg);
	for (;;)
		sk_arch_switch(&other_ctx, &main_ctx);
}

static void test_context_fresh_default_fpu_state(void **state)
{
	static const unsigned char zero[16];

	(void)state;
	assert_int_equal(offsetof(struct fresh_state, xmm), 48);
	assert_int_equal(sk_arch_fpu_setup(SK_ARCH_FPU_AUTO), 0);
	memset(&fresh, 0xa5, sizeof(fresh));
	new_other(fresh_entry, &fresh);
	/* Trashes FCW, MXCSR, x87 stack and xmm registers on the way out. */
	test_clobber_switch(&main_ctx, &other_ctx);
	write_mxcsr(SK_ARCH_MXCSR_DEFAULT);
	write_fcw(SK_ARCH_FCW_DEFAULT);
	__asm__ __volatile__("fninit");
	assert_int_equal(fresh.mxcsr, SK_ARCH_MXCSR_DEFAULT);
	assert_int_equal(fresh.fcw, SK_ARCH_FCW_DEFAULT);
	assert_int_equal(fresh.env[4], 0xffff); /* x87 stack empty */
	for (unsigned i = 0; i < 16; i++)
		assert_memory_equal(fresh.xmm[i], zero, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_switch_callee_saved_preserved),
		cmocka_unit_test(test_switch_control_words_per_context),
		cmocka_unit_test(test_fpu_involuntary_full_state_preserved),
		cmocka_unit_test(test_context_fresh_default_fpu_state),
	};

	sk_arch_context_init_current(&main_ctx);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
