/* SPDX-License-Identifier: MIT */
/*
 * Queue benchmark template, included once per queue so that each queue's
 * push and pop inline into its own loops (a call through a pointer would
 * tax the fastest queue most).  Before including, define:
 *   QB_NAME              suffix of the generated functions
 *   QB_TYPE              the queue type
 *   QB_SETUP(size)       -> QB_TYPE *, a new empty queue
 *   QB_PUSH(q, objs, n)  -> unsigned, how many were queued
 *   QB_POP(q, objs, n)   -> unsigned, how many were taken
 *   QB_OBJ(i)            -> void *, the i-th object to send (i < QB_NOBJ)
 *   QB_VAL(o)            -> uint64_t, the value an object carries
 * Generates qb_tput_<name>(burst, n) (Mops/s, producer and consumer
 * pinned to host CPUs 0 and 1), qb_pingpong_<name>(rounds) (ns per
 * one-way hop) and qb_local_<name>(burst, n) (Mops/s, push and pop on one
 * thread); one run each, the caller repeats and takes medians.
 */
#define QB_CAT2(a, b) a##b
#define QB_CAT(a, b) QB_CAT2(a, b)
#define QB_FN(x) QB_CAT(x, QB_NAME)

struct QB_FN(qb_arg_) {
	QB_TYPE *q, *back;
	uint64_t n;
	unsigned burst;
	uint64_t sum;
};

static void *QB_FN(qb_producer_)(void *arg)
{
	struct QB_FN(qb_arg_) *a = arg;
	void *objs[64];
	uint64_t i = 0;

	qb_pin(0);
	while (i < a->n) {
		unsigned want = a->burst, done = 0;

		if (want > a->n - i)
			want = (unsigned)(a->n - i);
		for (unsigned k = 0; k < want; k++)
			objs[k] = QB_OBJ(i + k);
		while (done < want) {
			unsigned k = QB_PUSH(a->q, objs + done, want - done);

			if (k == 0)
				sched_yield(); /* full: let a descheduled
						* consumer run (all peers) */
			done += k;
		}
		i += want;
	}
	return NULL;
}

double QB_FN(qb_tput_)(unsigned burst, uint64_t n)
{
	struct QB_FN(qb_arg_)
		a = { .q = QB_SETUP(1024), .n = n, .burst = burst };
	pthread_t t;
	uint64_t got = 0, sum = 0, t0;
	void *objs[64];

	qb_pin(1);
	t0 = qb_now();
	pthread_create(&t, NULL, QB_FN(qb_producer_), &a);
	while (got < n) {
		unsigned k = QB_POP(a.q, objs, burst);

		if (k == 0)
			sched_yield();
		for (unsigned j = 0; j < k; j++)
			sum += QB_VAL(objs[j]);
		got += k;
	}
	pthread_join(t, NULL);
	t0 = qb_now() - t0;
	if (sum != n * (n + 1) / 2)
		qb_fail("lost or corrupted objects");
	return (double)n * 1e3 / (double)t0;
}

static void *QB_FN(qb_echo_)(void *arg)
{
	struct QB_FN(qb_arg_) *a = arg;
	void *o;

	qb_pin(0);
	for (uint64_t i = 0; i < a->n; i++) {
		while (QB_POP(a->q, &o, 1) == 0)
			;
		while (QB_PUSH(a->back, &o, 1) == 0)
			;
	}
	return NULL;
}

double QB_FN(qb_pingpong_)(uint64_t rounds)
{
	struct QB_FN(qb_arg_)
		a = { .q = QB_SETUP(64), .back = QB_SETUP(64), .n = rounds };
	pthread_t t;
	uint64_t t0;
	void *o = QB_OBJ(0);

	qb_pin(1);
	pthread_create(&t, NULL, QB_FN(qb_echo_), &a);
	t0 = qb_now();
	for (uint64_t i = 0; i < rounds; i++) {
		while (QB_PUSH(a.q, &o, 1) == 0)
			;
		while (QB_POP(a.back, &o, 1) == 0)
			;
	}
	t0 = qb_now() - t0;
	pthread_join(t, NULL);
	return (double)t0 / (double)rounds / 2;
}

/* One thread pushes a burst and pops it back: the per-operation cost
 * without cache-line transfers (stable on a loaded machine). */
double QB_FN(qb_local_)(unsigned burst, uint64_t n)
{
	QB_TYPE *q = QB_SETUP(1024);
	void *objs[64];
	uint64_t t0, sum = 0;

	qb_pin(1);
	t0 = qb_now();
	for (uint64_t i = 0; i < n; i += burst) {
		unsigned k;

		for (unsigned j = 0; j < burst; j++)
			objs[j] = QB_OBJ(i + j);
		if (QB_PUSH(q, objs, burst) != burst)
			qb_fail("local push");
		k = QB_POP(q, objs, burst);
		for (unsigned j = 0; j < k; j++)
			sum += QB_VAL(objs[j]);
	}
	t0 = qb_now() - t0;
	if (sum == 0)
		qb_fail("local pop");
	return (double)n * 1e3 / (double)t0;
}

#undef QB_FN
#undef QB_CAT
#undef QB_CAT2
