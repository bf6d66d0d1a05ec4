// SPDX-License-Identifier: MIT
/*
 * Embedding example: a plain Linux program that links two skiff subsystems
 * (the scheduler and the mutex) on the hosted platform, using only what
 * `meson install` put in place and pkg-config.  CI builds it against the
 * installed files (examples/embed/build-installed).
 *
 * Four threads add to one counter under an sk_mutex; the program checks the
 * total and exits with the result.
 */
#include <stdio.h>
#include <stdlib.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <sched/cpu.h>
#include <sched/preempt.h>
#include <sched/thread.h>
#include <sync/mutex.h>

enum { THREADS = 4, ROUNDS = 100000 };

static struct sk_mutex lock = SK_MUTEX_INIT;
static unsigned long counter;

/* Thread memory comes from glibc; glibc must not be preempted mid-call. */
static void *embed_alloc(size_t len, void *ctx)
{
	void *p;

	(void)ctx;
	sk_preempt_disable();
	p = aligned_alloc(64, (len + 63) & ~(size_t)63);
	sk_preempt_enable();
	return p;
}

static void embed_free(void *p, size_t len, void *ctx)
{
	(void)len;
	(void)ctx;
	sk_preempt_disable();
	free(p);
	sk_preempt_enable();
}

static void worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		sk_mutex_lock(&lock);
		counter++;
		sk_mutex_unlock(&lock);
	}
}

static void embed_main(void *arg)
{
	static const struct sk_sched_mem_ops ops = { embed_alloc, embed_free,
						     NULL };
	struct sk_thread *t[THREADS];
	int ok;

	(void)arg;
	if (sk_sched_init(&ops) != 0)
		sk_plat_shutdown(2);
	for (int i = 0; i < THREADS; i++)
		if (sk_thread_create(&t[i], NULL, worker, NULL) != 0)
			sk_plat_shutdown(3);
	for (int i = 0; i < THREADS; i++)
		sk_thread_join(t[i]);
	ok = counter == (unsigned long)THREADS * ROUNDS;
	sk_preempt_disable();
	printf("embed: %d threads x %d locked increments = %lu (%s)\n", THREADS,
	       ROUNDS, counter, ok ? "ok" : "WRONG");
	fflush(stdout);
	sk_preempt_enable();
	sk_plat_shutdown(ok ? 0 : 1);
}

int main(void)
{
	return sk_hosted_boot(NULL, embed_main, NULL);
}
