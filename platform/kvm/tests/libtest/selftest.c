// SPDX-License-Identifier: MIT
/*
 * The libtest CMocka subset checks itself: one test passes, one fails an
 * assertion midway (the rest of it must not run), one fails in its
 * teardown.  The image must report exactly the two failures.
 */
#include <stddef.h>

#include "cmocka.h"

static int after_failure;

static void passes(void **state)
{
	(void)state;
	assert_int_equal(2 + 2, 4);
	assert_true(1);
	assert_null(NULL);
}

static void fails_midway(void **state)
{
	(void)state;
	assert_int_equal(1, 2);
	after_failure = 1;
}

static void checks_no_fallthrough(void **state)
{
	(void)state;
	assert_int_equal(after_failure, 0);
}

static int teardown_fails(void **state)
{
	(void)state;
	return -1;
}

int main(void);

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(passes),
		cmocka_unit_test(fails_midway),
		cmocka_unit_test(checks_no_fallthrough),
		cmocka_unit_test_setup_teardown(passes, NULL, teardown_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
