// SPDX-License-Identifier: MIT
/*
 * bench_sync on the pthread port: skiff's mutex on Linux threads, with
 * the futex-based sched/wait.h of lib/sync/port/pthread.  Samples of the
 * two sides alternate.
 * Usage: bench_sync [SCALE [uncontended|contended|pingpong|floor]]
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

enum { REPS = 7 };

int main(int argc, char **argv)
{
	unsigned long scale = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
	const char *only = argc > 2 ? argv[2] : NULL;

	if (scale == 0)
		scale = 1;
	printf("bench_sync: skiff on the pthread port (Linux threads), "
	       "median of %d; shared machine: noisy\n",
	       REPS);
	for (unsigned f = 0; f < BENCH_FIGURES; f++) {
		double sk[REPS], pt[REPS];

		if (!bench_wanted(only, f))
			continue;
		for (unsigned r = 0; r < REPS; r++) {
			sk[r] = bench_measure(&bench_pthread_side, 1, f, scale);
			pt[r] = bench_measure(&bench_pthread_side, 0, f, scale);
		}
		bench_report(f, sk, pt, REPS);
	}
	return 0;
}
