// SPDX-License-Identifier: MIT
/*
 * sk_plat_entropy: RDSEED (true entropy) where the CPU has it, else
 * RDRAND (a DRBG reseeded by hardware), else a registered driver (the
 * virtio-rng device), else -ENOTSUP.  Both instructions may fail
 * transiently (CF clear): a bounded number of retries, then -EIO.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#include <kvm/entropy.h>
#include <plat/entropy.h>
#include <x86/cpu.h>

enum {
	CPUID1_ECX_RDRAND = 1u << 30,
	CPUID7_EBX_RDSEED = 1u << 18,
	RETRIES = 128,
};

static _Atomic(sk_kvm_entropy_fn) fallback;

int sk_kvm_entropy_register(sk_kvm_entropy_fn fn)
{
	sk_kvm_entropy_fn none = NULL;

	if (!fn)
		return -EINVAL;
	/* Release: the driver's set-up before callers can use fn. */
	return atomic_compare_exchange_strong_explicit(&fallback, &none, fn,
						       memory_order_release,
						       memory_order_relaxed)
		       ? 0
		       : -EBUSY;
}

static int rdseed64(uint64_t *v)
{
	unsigned char ok;

	__asm__ __volatile__("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

static int rdrand64(uint64_t *v)
{
	unsigned char ok;

	__asm__ __volatile__("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

static long cpu_fill(int (*insn)(uint64_t *), unsigned char *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		uint64_t v;
		int tries = RETRIES;

		while (!insn(&v))
			if (--tries == 0)
				return -EIO;
		for (int i = 0; i < 8 && done < len; i++, v >>= 8)
			buf[done++] = (unsigned char)v;
	}
	return (long)len;
}

long sk_plat_entropy(void *buf, size_t len)
{
	sk_kvm_entropy_fn fn;

	if (len > (size_t)INT64_MAX)
		return -EINVAL;
	if (sk_x86_cpuid(0, 0).eax >= 7 &&
	    (sk_x86_cpuid(7, 0).ebx & CPUID7_EBX_RDSEED))
		return cpu_fill(rdseed64, buf, len);
	if (sk_x86_cpuid(1, 0).ecx & CPUID1_ECX_RDRAND)
		return cpu_fill(rdrand64, buf, len);
	/* Acquire: pairs with the release in sk_kvm_entropy_register. */
	fn = atomic_load_explicit(&fallback, memory_order_acquire);
	return fn ? fn(buf, len) : -ENOTSUP;
}
