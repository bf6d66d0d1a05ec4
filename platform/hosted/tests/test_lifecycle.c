/* SPDX-License-Identifier: MIT */
/*
 * Whole-machine behaviour, one forked child per case (a machine boots once
 * per process): shutdown status from any CPU, main_fn returning, bad
 * configurations, a second boot, panic, and the console.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <hosted/boot.h>
#include <plat/assert.h>
#include <plat/boot.h>
#include <plat/compiler.h>
#include <plat/console.h>
#include <plat/cpu.h>
#include <plat/irq.h>

typedef int (*life_child_fn)(void);

struct life_result {
	int status; /* from waitpid */
	char out[512]; /* what the child wrote to fd @fd */
};

/* Run @fn in a child with fd @fd captured; the child exits with fn(). */
static void life_run(life_child_fn fn, int fd, struct life_result *r)
{
	int pfd[2];
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	assert_int_equal(pipe(pfd), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
		close(pfd[0]);
		dup2(pfd[1], fd);
		_exit(fn());
	}
	close(pfd[1]);
	while ((n = read(pfd[0], r->out + got, sizeof(r->out) - 1 - got)) > 0)
		got += (size_t)n;
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &r->status, 0), pid);
}

static void life_idle_forever(unsigned cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	sk_plat_irq_disable();
	for (;;)
		sk_plat_cpu_idle();
}

static void life_shutdown_42(unsigned cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	sk_plat_shutdown(42);
}

static void life_main_secondary_shuts_down(void *arg)
{
	unsigned cpu;

	(void)arg;
	for (cpu = 2; cpu < sk_plat_cpu_count(); cpu++)
		sk_plat_cpu_start(cpu, life_idle_forever, NULL);
	sk_plat_cpu_start(1, life_shutdown_42, NULL);
	life_idle_forever(0, NULL);
}

static int life_child_shutdown_42(void)
{
	struct sk_hosted_config cfg = { .ncpus = 4 };

	return sk_hosted_boot(&cfg, life_main_secondary_shuts_down, NULL);
}

static void test_life_shutdown_on_secondary_status_returned(void **state)
{
	struct life_result r;

	(void)state;
	life_run(life_child_shutdown_42, STDOUT_FILENO, &r);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 42);
}

static void life_main_returns(void *arg)
{
	(void)arg;
	sk_plat_cpu_start(1, life_idle_forever, NULL);
}

static int life_child_main_returns(void)
{
	struct sk_hosted_config cfg = { .ncpus = 2 };
	int rc = sk_hosted_boot(&cfg, life_main_returns, NULL);
	int again = sk_hosted_boot(&cfg, life_main_returns, NULL);

	return rc == 0 && again == -EBUSY ? 17 : 1;
}

static void test_life_main_returns_zero_second_boot_ebusy(void **state)
{
	struct life_result r;

	(void)state;
	life_run(life_child_main_returns, STDOUT_FILENO, &r);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 17);
}

static void life_main_unused(void *arg)
{
	(void)arg;
}

static int life_child_bad_configs(void)
{
	struct sk_hosted_config too_many = { .ncpus = SK_PLAT_CPUS_MAX + 1 };
	struct sk_hosted_config odd_ram = { .ncpus = 1, .ram_bytes = 4095 };
	struct sk_hosted_config tiny_ram = { .ncpus = 1, .ram_bytes = 4096 };
	struct sk_hosted_config ok = { .ncpus = 1, .ram_bytes = 4u << 20 };

	if (sk_hosted_boot(&too_many, life_main_unused, NULL) != -EINVAL ||
	    sk_hosted_boot(&odd_ram, life_main_unused, NULL) != -EINVAL ||
	    sk_hosted_boot(&tiny_ram, life_main_unused, NULL) != -EINVAL ||
	    sk_hosted_boot(&ok, NULL, NULL) != -EINVAL)
		return 1;
	setenv("SK_CPUS", "two", 1);
	if (sk_hosted_boot(NULL, life_main_unused, NULL) != -EINVAL)
		return 2;
	setenv("SK_CPUS", "-3", 1);
	if (sk_hosted_boot(NULL, life_main_unused, NULL) != -EINVAL)
		return 3;
	setenv("SK_CPUS", "2", 1);
	setenv("SK_RAM_MB", "lots", 1);
	if (sk_hosted_boot(NULL, life_main_unused, NULL) != -EINVAL)
		return 4;
	setenv("SK_HOSTED_IDLE_POLL_NS", "50us", 1);
	if (sk_hosted_boot(&ok, life_main_unused, NULL) != -EINVAL)
		return 6;
	unsetenv("SK_HOSTED_IDLE_POLL_NS");
	/* Rejected configurations leave the process free to boot. */
	return sk_hosted_boot(&ok, life_main_unused, NULL) == 0 ? 23 : 5;
}

static void test_life_bad_config_einval_then_boots(void **state)
{
	struct life_result r;

	(void)state;
	life_run(life_child_bad_configs, STDOUT_FILENO, &r);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 23);
}

enum { LIFE_PANIC_LINE = 4242 };

static void life_panic_now(unsigned cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	sk_plat_panic("widget count negative", __FILE__, LIFE_PANIC_LINE);
}

static void life_main_panics_on_cpu1(void *arg)
{
	(void)arg;
	sk_plat_cpu_start(1, life_panic_now, NULL);
	life_idle_forever(0, NULL);
}

static int life_child_panic(void)
{
	struct sk_hosted_config cfg = { .ncpus = 2 };

	return sk_hosted_boot(&cfg, life_main_panics_on_cpu1, NULL);
}

static void test_life_panic_aborts_with_message(void **state)
{
	struct life_result r;
	char want[256];

	(void)state;
	life_run(life_child_panic, STDERR_FILENO, &r);
	assert_true(WIFSIGNALED(r.status));
	assert_int_equal(WTERMSIG(r.status), SIGABRT);
	snprintf(want, sizeof(want),
		 "skiff panic: widget count negative at %s:%d on cpu 1\n",
		 __FILE__, LIFE_PANIC_LINE);
	assert_string_equal(r.out, want);
}

static const char life_hello[] = "hello from the skiff console\n";

static void life_main_writes(void *arg)
{
	(void)arg;
	sk_plat_console_write(life_hello, sizeof(life_hello) - 1);
}

static int life_child_console_write(void)
{
	struct sk_hosted_config cfg = { .ncpus = 1 };

	return sk_hosted_boot(&cfg, life_main_writes, NULL);
}

static void test_life_console_write_reaches_stdout(void **state)
{
	struct life_result r;

	(void)state;
	life_run(life_child_console_write, STDOUT_FILENO, &r);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	assert_string_equal(r.out, life_hello);
}

static int life_read_result;

static void life_main_reads(void *arg)
{
	char buf[16];
	long n;

	(void)arg;
	n = sk_plat_console_read(buf, sizeof(buf));
	if (n != 3 || memcmp(buf, "abc", 3) != 0) {
		life_read_result = 1;
		return;
	}
	if (sk_plat_console_read(buf, sizeof(buf)) != -EAGAIN)
		life_read_result = 2;
	else
		life_read_result = 31;
}

static int life_child_console_read(void)
{
	struct sk_hosted_config cfg = { .ncpus = 1 };
	int pfd[2];

	if (pipe(pfd) || write(pfd[1], "abc", 3) != 3)
		return 3;
	dup2(pfd[0], STDIN_FILENO);
	if (sk_hosted_boot(&cfg, life_main_reads, NULL))
		return 4;
	return life_read_result;
}

static void test_life_console_read_bytes_then_eagain(void **state)
{
	struct life_result r;

	(void)state;
	life_run(life_child_console_read, STDOUT_FILENO, &r);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 31);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_life_shutdown_on_secondary_status_returned),
		cmocka_unit_test(test_life_main_returns_zero_second_boot_ebusy),
		cmocka_unit_test(test_life_bad_config_einval_then_boots),
		cmocka_unit_test(test_life_panic_aborts_with_message),
		cmocka_unit_test(test_life_console_write_reaches_stdout),
		cmocka_unit_test(test_life_console_read_bytes_then_eagain),
	};

	return cmocka_run_group_tests_name("hosted_lifecycle", tests, NULL,
					   NULL);
}
