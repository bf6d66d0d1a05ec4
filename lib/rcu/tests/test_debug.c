// SPDX-License-Identifier: MIT
/*
 * Misuse is caught, not silently tolerated: a reader that sleeps, a
 * grace-period wait inside a reader, an unlock without a lock (at the
 * next voluntary switch).  Each case
 * runs in a child process (this program, re-executed with the case name)
 * that boots its own hosted machine and must die with a skiff panic that
 * names the problem.  Native backend only.
 */
#define _GNU_SOURCE
#include "rt.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <rcu/rcu.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>

extern char **environ;

static const char *child_case;

static void *mem_alloc(size_t len, void *ctx)
{
	(void)ctx;
	return rt_alloc(len);
}

static void mem_free(void *p, size_t len, void *ctx)
{
	(void)ctx;
	(void)len;
	rt_free(p);
}

void *rt_alloc(size_t len)
{
	void *p;

	sk_preempt_disable();
	p = malloc(len);
	sk_preempt_enable();
	return p;
}

void rt_free(void *p)
{
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

static void child_boot(void *arg)
{
	static const struct sk_sched_mem_ops ops = {
		.alloc = mem_alloc,
		.free = mem_free,
	};

	(void)arg;
	if (sk_sched_init(&ops) || sk_rcu_init())
		sk_plat_shutdown(100);
	if (!strcmp(child_case, "sleep")) {
		sk_rcu_read_lock();
		sk_thread_sleep_for(1000);
	} else if (!strcmp(child_case, "sync")) {
		sk_rcu_read_lock();
		sk_synchronize_rcu();
	} else if (!strcmp(child_case, "unlock")) {
		/* The inline unlock is one decrement: lib/sched finds the
		 * wrapped count at the thread's next voluntary switch. */
		sk_rcu_read_unlock();
		sk_thread_sleep_for(1000);
	}
	sk_plat_shutdown(0); /* survived: the parent fails the test */
}

/* Run this program as a child for @what; its stderr goes to @out. */
static int run_child(const char *what, char *out, size_t len)
{
	char self[4096];
	char *argv[] = { self, (char *)(uintptr_t)what, NULL };
	posix_spawn_file_actions_t fa;
	int pfd[2], status = 0;
	ssize_t n, got = 0;
	pid_t pid;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = 0;
	assert_int_equal(pipe(pfd), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	assert_int_equal(posix_spawn(&pid, self, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	while (got < (ssize_t)len - 1 &&
	       (n = read(pfd[0], out + got, len - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = 0;
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void expect_panic(const char *what, const char *words)
{
	char err[8192];
	int status = run_child(what, err, sizeof(err));

	assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_non_null(strstr(err, "skiff panic"));
	assert_non_null(strstr(err, words));
}

static void test_debug_sleeping_reader_panics(void **state)
{
	(void)state;
	expect_panic("sleep", "preemption disabled");
}

static void test_debug_synchronize_in_reader_panics(void **state)
{
	(void)state;
	expect_panic("sync", "inside a read-side section");
}

static void test_debug_unbalanced_unlock_panics(void **state)
{
	(void)state;
	expect_panic("unlock", "without");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debug_sleeping_reader_panics),
		cmocka_unit_test(test_debug_synchronize_in_reader_panics),
		cmocka_unit_test(test_debug_unbalanced_unlock_panics),
	};

	if (argc > 1) {
		child_case = argv[1];
		return sk_hosted_boot(NULL, child_boot, NULL);
	}
	return cmocka_run_group_tests_name("rcu_debug", tests, NULL, NULL);
}
