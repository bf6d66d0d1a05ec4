/* SPDX-License-Identifier: MIT */
/*
 * Starting and stopping a hosted machine: read the configuration, map RAM,
 * install the signal handlers, run main_fn on CPU 0's pthread, and wait
 * for sk_plat_shutdown().  Also the panic path, which must work from any
 * context, so it formats by hand and writes with write(2).
 */
#define _GNU_SOURCE
#include "hosted.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hosted/boot.h>
#include <plat/assert.h>
#include <plat/boot.h>
#include <plat/irq.h>

enum {
	HOSTED_DEFAULT_RAM_MB = 256,
	HOSTED_IDLE_POLL_NS = 50000, /* halt polling (cpu.c) */
	HOSTED_MIN_RAM = 2u << 20,
	HOSTED_PAGE = 4096,
};

/* Upper bound on RAM: 1 TiB, far above anything a test maps. */
static const size_t hosted_max_ram = (size_t)1 << 40;

struct hosted_machine sk_hosted_m;

static sk_hosted_main_fn hosted_main_fn;
static void *hosted_main_arg;

/* Parse a decimal environment variable.  Return: 0, 1 if unset, -EINVAL. */
static int hosted_env_ulong(const char *name, unsigned long *out)
{
	const char *s = getenv(name);
	char *end;

	if (!s || !*s)
		return 1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *s == '-')
		return -EINVAL;
	return 0;
}

static int hosted_config_cpus(const struct sk_hosted_config *cfg)
{
	unsigned long n = cfg ? cfg->ncpus : 0;
	long host;
	int err;

	if (n == 0) {
		err = hosted_env_ulong("SK_CPUS", &n);
		if (err < 0)
			return err;
		if (err) {
			host = sysconf(_SC_NPROCESSORS_ONLN);
			n = host > 0 ? (unsigned long)host : 1;
			if (n > SK_PLAT_CPUS_MAX)
				n = SK_PLAT_CPUS_MAX;
		}
	}
	if (n == 0 || n > SK_PLAT_CPUS_MAX)
		return -EINVAL;
	sk_hosted_m.ncpus = (unsigned)n;
	return 0;
}

static int hosted_config_ram(const struct sk_hosted_config *cfg, size_t *len)
{
	unsigned long mb;
	int err;

	*len = cfg ? cfg->ram_bytes : 0;
	if (*len == 0) {
		err = hosted_env_ulong("SK_RAM_MB", &mb);
		if (err < 0)
			return err;
		if (err)
			mb = HOSTED_DEFAULT_RAM_MB;
		if (mb == 0 || mb > (hosted_max_ram >> 20))
			return -EINVAL;
		*len = (size_t)mb << 20;
	}
	if (*len % HOSTED_PAGE || *len < HOSTED_MIN_RAM ||
	    *len > hosted_max_ram)
		return -EINVAL;
	return 0;
}

static void hosted_config_misc(const struct sk_hosted_config *cfg)
{
	const char *s = cfg ? cfg->cmdline : NULL;
	const char *fuzz = getenv("SK_HOSTED_FUZZ");

	if (!s)
		s = getenv("SK_CMDLINE");
	sk_hosted_m.cmdline = s ? s : "";
	sk_hosted_m.fuzz = fuzz && *fuzz && strcmp(fuzz, "0") != 0;
}

/* $SK_HOSTED_IDLE_POLL_NS: halt polling in idle (cpu.c), 0 turns it off. */
static int hosted_config_poll(void)
{
	unsigned long ns;
	int err = hosted_env_ulong("SK_HOSTED_IDLE_POLL_NS", &ns);

	if (err < 0)
		return err;
	sk_hosted_m.idle_poll_ns = err ? HOSTED_IDLE_POLL_NS : ns;
	return 0;
}

static void hosted_cpu0_entry(unsigned cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	hosted_main_fn(hosted_main_arg);
	sk_plat_shutdown(0);
}

int sk_hosted_boot(const struct sk_hosted_config *cfg,
		   sk_hosted_main_fn main_fn, void *arg)
{
	struct hosted_cpu *c0 = &sk_hosted_m.cpus[0];
	size_t ram_len;
	int err;

	if (!main_fn)
		return -EINVAL;
	if (atomic_exchange_explicit(&sk_hosted_m.booted, 1,
				     memory_order_relaxed))
		return -EBUSY;
	err = hosted_config_cpus(cfg);
	if (!err)
		err = hosted_config_ram(cfg, &ram_len);
	if (!err)
		err = hosted_config_poll();
	if (!err)
		err = sk_hosted_mem_init(ram_len);
	if (err) {
		/* Nothing changed yet: a corrected call may still boot. */
		atomic_store_explicit(&sk_hosted_m.booted, 0,
				      memory_order_relaxed);
		return err;
	}
	err = sem_init(&sk_hosted_m.done_sem, 0, 0) ? -EIO : 0;
	if (!err)
		err = sk_hosted_irq_init();
	if (!err)
		err = sk_hosted_intc_start();
	if (err)
		return err;
	hosted_config_misc(cfg);
	sk_hosted_m.pid = getpid();
	hosted_main_fn = main_fn;
	hosted_main_arg = arg;
	c0->entry = hosted_cpu0_entry;
	atomic_store_explicit(&c0->started, 1, memory_order_relaxed);
	err = sk_hosted_cpu_launch(c0);
	if (err)
		return err;
	while (sem_wait(&sk_hosted_m.done_sem))
		;
	/* Acquire: pairs with the release in sk_plat_shutdown. */
	return atomic_load_explicit(&sk_hosted_m.status, memory_order_acquire);
}

const char *sk_plat_cmdline(void)
{
	return sk_hosted_m.cmdline ? sk_hosted_m.cmdline : "";
}

/* Stop every other started vCPU and wait until each has parked. */
static void hosted_stop_others(void)
{
	struct hosted_cpu *self = sk_hosted_tls()->cpu;
	unsigned i;

	for (i = 0; i < sk_hosted_m.ncpus; i++) {
		struct hosted_cpu *c = &sk_hosted_m.cpus[i];

		/* seq_cst: Dekker with the ready/shutting_down pair in
		 * hosted_cpu_main; a CPU not seen here parks itself. */
		if (c == self ||
		    !atomic_load_explicit(&c->ready, memory_order_seq_cst))
			continue;
		/*
		 * TSan may hold the stop signal back on a fiber that never
		 * runs again; the posted bit parks the vCPU at its next irq
		 * enable or idle, whichever comes first.
		 */
		if (HOSTED_TSAN)
			sk_hosted_post(c, HOSTED_PEND_STOP,
				       sk_hosted_m.sig_timer);
		pthread_kill(c->thread, sk_hosted_m.sig_stop);
		while (sem_wait(&c->parked_sem))
			;
	}
}

_Noreturn void sk_plat_shutdown(int status)
{
	sk_plat_irq_disable();
	if (!atomic_exchange_explicit(&sk_hosted_m.shutting_down, 1,
				      memory_order_seq_cst)) {
		hosted_stop_others();
		/* Release: pairs with the acquire in sk_hosted_boot. */
		atomic_store_explicit(&sk_hosted_m.status, status,
				      memory_order_release);
		sem_post(&sk_hosted_m.done_sem);
	}
	sk_hosted_cpu_park();
}

_Noreturn void sk_plat_panic(const char *what, const char *file, int line)
{
	char num[24];
	size_t n;

	sk_plat_irq_disable();
	sk_hosted_console_fd_write(STDERR_FILENO, "skiff panic: ", 13);
	sk_hosted_console_fd_write(STDERR_FILENO, what, strlen(what));
	sk_hosted_console_fd_write(STDERR_FILENO, " at ", 4);
	sk_hosted_console_fd_write(STDERR_FILENO, file, strlen(file));
	sk_hosted_console_fd_write(STDERR_FILENO, ":", 1);
	n = sk_hosted_fmt_uint(num, sizeof(num),
			       line < 0 ? 0ul : (unsigned long)line);
	sk_hosted_console_fd_write(STDERR_FILENO, num, n);
	sk_hosted_console_fd_write(STDERR_FILENO, " on cpu ", 8);
	/* The TLS, not the GS block: any pthread may panic, even one that
	 * has no block. */
	if (sk_hosted_tls()->cpu) {
		n = sk_hosted_fmt_uint(num, sizeof(num),
				       sk_hosted_tls()->cpu->id);
		sk_hosted_console_fd_write(STDERR_FILENO, num, n);
	} else {
		sk_hosted_console_fd_write(STDERR_FILENO, "none", 4);
	}
	sk_hosted_console_fd_write(STDERR_FILENO, "\n", 1);
	abort();
}
