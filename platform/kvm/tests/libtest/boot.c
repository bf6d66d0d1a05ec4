// SPDX-License-Identifier: MIT
/*
 * A library test program (one with its own main() and a hosted-platform
 * harness) as a kvm image: sk_kvm_main calls main(), and sk_hosted_boot
 * runs the harness's boot function right here, on CPU 0 with irqs off,
 * which is how the hosted platform starts it too.  The boot function ends
 * with sk_plat_shutdown(failures), which exits QEMU.
 *
 * Memory: the libc heap (libc.c) takes its share of RAM before main(), so
 * whatever stays usable belongs to the test (lib/mm's page allocator).  A
 * config that asks for ram_bytes gets exactly that much usable RAM, at
 * 4 GiB like hosted's when the machine has RAM there (tools/run --mem 6G),
 * else at the first 2 MiB boundary of the largest usable region.
 */
#include <errno.h>
#include <stddef.h>

#include <hosted/boot.h>
#include <plat/boot.h>
#include <plat/compiler.h>
#include <plat/mem.h>
#include <x86/fmt.h>
#include <kvm/boot.h>

#include "libtest.h"

int main(void);
void *malloc(size_t len);
void free(void *p);

enum { REGIONS_MAX = 128, SETUP_FAIL = 99 };

static const uint64_t HOSTED_RAM_PA = 1ull << 32;
static const uint64_t ALIGN_2M = 2ull << 20;

int sk_kvm_libtest_ram_carve(uint64_t len)
{
	static struct sk_plat_mem_region r[REGIONS_MAX];
	unsigned n = sk_plat_mem_regions(r, REGIONS_MAX);
	uint64_t best = UINT64_MAX, best_len = 0;

	len = SK_ALIGN_UP(len, (uint64_t)4096);
	if (sk_kvm_mem_keep_only(HOSTED_RAM_PA, len) == 0)
		return 0;
	for (unsigned i = 0; i < n && i < REGIONS_MAX; i++) {
		uint64_t s = SK_ALIGN_UP(r[i].pa, ALIGN_2M);

		if (r[i].type == SK_PLAT_MEM_USABLE && r[i].len > best_len &&
		    s + len <= r[i].pa + r[i].len) {
			best = s;
			best_len = r[i].len;
		}
	}
	return best == UINT64_MAX ? -ENOMEM : sk_kvm_mem_keep_only(best, len);
}

int sk_hosted_boot(const struct sk_hosted_config *cfg,
		   sk_hosted_main_fn main_fn, void *arg)
{
	if (cfg && cfg->ram_bytes &&
	    sk_kvm_libtest_ram_carve(cfg->ram_bytes) != 0) {
		sk_x86_printf("libtest: no room for %lu MiB of test RAM\n",
			      (unsigned long)(cfg->ram_bytes >> 20));
		sk_plat_shutdown(SETUP_FAIL);
	}
	main_fn(arg);
	return 0;
}

void sk_kvm_main(void)
{
	free(malloc(1)); /* the libc heap takes its RAM first */
	sk_plat_shutdown(main());
}
