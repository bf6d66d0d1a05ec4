/* SPDX-License-Identifier: MIT */
/*
 * The part of CMocka's API that skiff's library tests use, for running
 * them inside a kvm image (no libc there).  Same names and meanings: a
 * failed assertion prints where and why and abandons the test (a jump back
 * to the runner), the runner prints one line per test and returns the
 * number of failures.  Only for the thread that runs the group.
 */
#ifndef KVM_LIBTEST_CMOCKA_H
#define KVM_LIBTEST_CMOCKA_H

#include <stddef.h>
#include <stdint.h>

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
	const char *name;
	CMUnitTestFunction test_func;
	CMFixtureFunction setup_func;
	CMFixtureFunction teardown_func;
	void *initial_state;
};

#define cmocka_unit_test(f)             \
	{                               \
#f, f, NULL, NULL, NULL \
	}
#define cmocka_unit_test_setup(f, setup) \
	{                                \
#f, f, setup, NULL, NULL \
	}
#define cmocka_unit_test_setup_teardown(f, setup, teardown) \
	{                                                   \
#f, f, setup, teardown, NULL                \
	}

int _cmocka_run_group_tests(const char *group_name,
			    const struct CMUnitTest *tests, size_t count,
			    CMFixtureFunction group_setup,
			    CMFixtureFunction group_teardown);
#define cmocka_run_group_tests(tests, setup, teardown)                       \
	_cmocka_run_group_tests(#tests, (tests),                             \
				sizeof(tests) / sizeof((tests)[0]), (setup), \
				(teardown))

/* print_message, print_error - printf to the console, as CMocka's. */
void print_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Record the failure and jump back to the runner.  Never returns. */
_Noreturn void sk_kvm_cmocka_fail(const char *file, int line, const char *what,
				  uintmax_t a, uintmax_t b);

#define assert_true(c) \
	((c) ? (void)0 \
	     : sk_kvm_cmocka_fail(__FILE__, __LINE__, "true: " #c, 0, 0))
#define assert_false(c) \
	(!(c) ? (void)0 \
	      : sk_kvm_cmocka_fail(__FILE__, __LINE__, "false: " #c, 0, 0))
#define assert_int_equal(a, b)                                               \
	do {                                                                 \
		uintmax_t x_ = (uintmax_t)(a), y_ = (uintmax_t)(b);          \
		if (x_ != y_)                                                \
			sk_kvm_cmocka_fail(__FILE__, __LINE__, #a " == " #b, \
					   x_, y_);                          \
	} while (0)
#define assert_int_not_equal(a, b)                                           \
	do {                                                                 \
		uintmax_t x_ = (uintmax_t)(a), y_ = (uintmax_t)(b);          \
		if (x_ == y_)                                                \
			sk_kvm_cmocka_fail(__FILE__, __LINE__, #a " != " #b, \
					   x_, y_);                          \
	} while (0)
#define assert_null(p)                                                 \
	((void *)(p) == NULL                                           \
		 ? (void)0                                             \
		 : sk_kvm_cmocka_fail(__FILE__, __LINE__, "null: " #p, \
				      (uintmax_t)(uintptr_t)(p), 0))
#define assert_non_null(p)                                            \
	((void *)(p) != NULL ? (void)0                                \
			     : sk_kvm_cmocka_fail(__FILE__, __LINE__, \
						  "non-null: " #p, 0, 0))
#define assert_ptr_equal(a, b) assert_int_equal((uintptr_t)(a), (uintptr_t)(b))
#define assert_ptr_not_equal(a, b) \
	assert_int_not_equal((uintptr_t)(a), (uintptr_t)(b))
#define assert_memory_equal(a, b, n)                                   \
	do {                                                           \
		const unsigned char *p_ = (const void *)(a);           \
		const unsigned char *q_ = (const void *)(b);           \
		for (size_t i_ = 0; i_ < (size_t)(n); i_++)            \
			if (p_[i_] != q_[i_])                          \
				sk_kvm_cmocka_fail(__FILE__, __LINE__, \
						   "memory equal: " #a \
						   ", " #b,            \
						   i_, p_[i_]);        \
	} while (0)
#define assert_memory_not_equal(a, b, n)                                    \
	do {                                                                \
		const unsigned char *p_ = (const void *)(a);                \
		const unsigned char *q_ = (const void *)(b);                \
		size_t i_ = 0;                                              \
		while (i_ < (size_t)(n) && p_[i_] == q_[i_])                \
			i_++;                                               \
		if (i_ == (size_t)(n))                                      \
			sk_kvm_cmocka_fail(__FILE__, __LINE__,              \
					   "memory not equal: " #a ", " #b, \
					   i_, 0);                          \
	} while (0)
#define assert_string_equal(a, b)                                           \
	do {                                                                \
		const char *s_ = (a), *t_ = (b);                            \
		size_t i_ = 0;                                              \
		while (s_[i_] && s_[i_] == t_[i_])                          \
			i_++;                                               \
		if (s_[i_] != t_[i_])                                       \
			sk_kvm_cmocka_fail(__FILE__, __LINE__,              \
					   "string equal: " #a ", " #b, i_, \
					   (unsigned char)s_[i_]);          \
	} while (0)
#define fail() sk_kvm_cmocka_fail(__FILE__, __LINE__, "fail()", 0, 0)
/* The message is printed first; then the test fails like fail(). */
#define fail_msg(...)                                 \
	(print_error(__VA_ARGS__), print_error("\n"), \
	 sk_kvm_cmocka_fail(__FILE__, __LINE__, "fail_msg()", 0, 0))

#endif
