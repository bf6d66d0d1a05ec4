// SPDX-License-Identifier: MIT
/*
 * sk_sched_debug_dump: one line per CPU and per thread on the console, and
 * for a suspended thread the return addresses of where it stopped
 * (sk_arch_context_pcs), which must lie in the program's text.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/wait.h>

extern const char __executable_start[], etext[];

struct sleeper {
	atomic_uint asleep;
	atomic_uint go;
};

static void sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	st_sleep_until(&s->asleep, &s->go);
}

/* Run the dump with stdout sent to a temporary file; return its text.
 * Context: preemption disabled (stdio is not async-signal-safe). */
static char *dump_to_string(void)
{
	FILE *f = tmpfile();
	int saved;
	long len;
	char *text;

	assert_non_null(f);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fileno(f), STDOUT_FILENO), STDOUT_FILENO);
	sk_sched_debug_dump();
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	len = ftell(f);
	assert_true(len > 0);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	rewind(f);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

/* Every "0x..." after " at" on @line lies in the text; return how many. */
static unsigned pcs_in_text(const char *line)
{
	const char *at = strstr(line, " at 0x");
	unsigned n = 0;

	assert_non_null(at);
	for (const char *p = at + 3; (p = strstr(p, "0x")); n++) {
		char *end;
		uintptr_t pc = (uintptr_t)strtoull(p, &end, 16);

		assert_true(pc >= (uintptr_t)__executable_start &&
			    pc < (uintptr_t)etext);
		p = end;
	}
	return n;
}

static void test_debug_dump_cpus_threads_and_where_they_stopped(void **st)
{
	struct sleeper s = { 0 };
	struct sk_cpuset set;
	struct sk_thread_attr a = st_pinned(1, &set);
	struct sk_thread *t;
	char want[64], *text, *line, *end;

	(void)st;
	a.name = "dumped";
	t = st_spawn(&a, sleeper_fn, &s);
	while (!atomic_load_explicit(&s.asleep, memory_order_acquire))
		sk_thread_yield();
	sk_preempt_disable(); /* stdio and the parse below */
	text = dump_to_string();
	assert_non_null(strstr(text, "sched dump: 2 cpus"));
	assert_non_null(strstr(text, "\nsched cpu 0 current="));
	assert_non_null(strstr(text, "\nsched cpu 1 current="));
	assert_non_null(strstr(text, "\"main\" running cpu=0 on_cpu=1"));
	snprintf(want, sizeof(want), "sched thread %llu \"dumped\" sleeping",
		 (unsigned long long)sk_thread_id(t));
	line = strstr(text, want);
	assert_non_null(line);
	end = strchr(line, '\n');
	assert_non_null(end);
	*end = '\0';
	/* The switch's caller at least (hosted is built without frame
	 * pointers, so only that one: sk_arch_context_pcs). */
	assert_true(pcs_in_text(line) >= 1);
	free(text);
	atomic_store_explicit(&s.go, 1, memory_order_release);
	sk_thread_wake(t);
	sk_preempt_enable();
	assert_int_equal(sk_thread_join(t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		st_test(test_debug_dump_cpus_threads_and_where_they_stopped),
	};

	return st_main("sched_debug", tests, sizeof(tests) / sizeof(tests[0]));
}
