// SPDX-License-Identifier: MIT
/*
 * bench_netchan without DPDK (libdpdk-dev not installed): the rte_ring
 * peer reports itself missing.
 */
#include "qbench_common.h"

int qb_have_rte(void)
{
	return 0;
}

double qb_tput_rte(unsigned burst, uint64_t n)
{
	(void)burst;
	(void)n;
	return 0;
}

double qb_pingpong_rte(uint64_t rounds)
{
	(void)rounds;
	return 0;
}

double qb_local_rte(unsigned burst, uint64_t n)
{
	(void)burst;
	(void)n;
	return 0;
}
