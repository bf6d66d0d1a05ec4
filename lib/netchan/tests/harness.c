// SPDX-License-Identifier: MIT
/*
 * lib/netchan test scaffolding: see harness.h.
 */
#include "harness.h"

#include <rcu/rcu.h>

const struct sk_rcu_hash_mem_ops nt_hash_mem = {
	.alloc = sk_test_hook_alloc,
	.free = sk_test_hook_free,
};

static int nt_init(void)
{
	return sk_rcu_init();
}

int nt_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	return sk_test_main(name, tests, n, nt_init);
}
