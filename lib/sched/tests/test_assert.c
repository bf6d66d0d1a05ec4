// SPDX-License-Identifier: MIT
/*
 * A voluntary switch with preemption disabled is a bug (it is how a
 * sleeping RCU reader shows): yield, sleep, wait and affinity changes
 * must panic with a clear message, even on the paths that would not
 * actually switch.  Each case runs in a forked child (only the calling
 * vCPU's pthread survives the fork), whose stderr is captured; the
 * parent asserts it died of SIGABRT after printing the message.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <plat/time.h>
#include <sched/wait.h>

enum {
	OP_YIELD,
	OP_SLEEP0,
	OP_WAIT,
	OP_WAIT_PAST,
	OP_AFFINITY,
	OP_WAKE_AND_WAIT,
	OP_NONE
};

static char out[4096];

/* In the child, preemption disabled: the operation under test. */
static void child_run(int op)
{
	struct sk_cpuset set;

	switch (op) {
	case OP_YIELD:
		sk_thread_yield();
		break;
	case OP_SLEEP0: /* deadline already passed: never switches */
		sk_thread_sleep_for(0);
		break;
	case OP_WAIT:
		sk_wait_prepare();
		sk_wait();
		break;
	case OP_WAIT_PAST:
		sk_wait_prepare();
		(void)sk_wait_until(1);
		break;
	case OP_WAKE_AND_WAIT: /* count 2: one more than the call undoes */
		sk_wait_prepare();
		sk_preempt_disable();
		sk_wake_and_wait(sk_thread_current());
		break;
	case OP_AFFINITY:
		sk_cpuset_zero(&set);
		sk_cpuset_add(&set, 0);
		(void)sk_thread_set_affinity(&set);
		break;
	default:
		break;
	}
}

/* Run @op in a child; returns its wait status, its stderr in out[]. */
static int run_child(int op)
{
	int fds[2], status = 0;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	memset(out, 0, sizeof(out));
	sk_preempt_disable(); /* fork and the pipe: libc, not preemptible */
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		child_run(op); /* preemption still disabled here */
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	close(fds[0]);
	waitpid(pid, &status, 0);
	sk_preempt_enable();
	assert_true(pid > 0);
	return status;
}

static void assert_panicked(int status)
{
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(out, "skiff panic: "));
	assert_non_null(strstr(out, "with preemption disabled"));
}

static void test_assert_yield_preempt_off_panics(void **state)
{
	(void)state;
	assert_panicked(run_child(OP_YIELD));
	assert_non_null(strstr(out, "voluntary switch"));
}

static void test_assert_sleep_preempt_off_panics(void **state)
{
	(void)state;
	assert_panicked(run_child(OP_SLEEP0));
}

static void test_assert_wait_preempt_off_panics(void **state)
{
	(void)state;
	assert_panicked(run_child(OP_WAIT));
	assert_panicked(run_child(OP_WAIT_PAST));
}

static void test_assert_affinity_preempt_off_panics(void **state)
{
	(void)state;
	assert_panicked(run_child(OP_AFFINITY));
}

static void test_assert_wake_and_wait_preempt_off_twice_panics(void **state)
{
	(void)state;
	assert_panicked(run_child(OP_WAKE_AND_WAIT));
	assert_non_null(strstr(out, "sk_wake_and_wait"));
}

static void test_assert_no_op_child_exits_cleanly(void **state)
{
	int status;

	(void)state;
	status = run_child(OP_NONE); /* the harness itself does not panic */
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_null(strstr(out, "skiff panic"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_assert_no_op_child_exits_cleanly),
		st_test(test_assert_yield_preempt_off_panics),
		st_test(test_assert_sleep_preempt_off_panics),
		st_test(test_assert_wait_preempt_off_panics),
		st_test(test_assert_affinity_preempt_off_panics),
		st_test(test_assert_wake_and_wait_preempt_off_twice_panics),
	};

	return st_main("sched_assert", tests, sizeof(tests) / sizeof(tests[0]));
}
