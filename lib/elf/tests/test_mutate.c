/* SPDX-License-Identifier: MIT */
/*
 * Deterministic robustness test: real objects (the test objects and
 * libz.so.1) are truncated at many lengths, have bits flipped at
 * pseudo-random places, and have chosen header fields set to hostile
 * values; every result must be a clean success or a clean error (no crash,
 * a message, nothing left loaded).  Runs with any compiler; the libFuzzer
 * target fuzz_elf.c explores further under clang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <elf/loader.h>

#include "host_ops.h"
#include "mem_ops.h"

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

struct seed {
	unsigned char *data;
	size_t len;
};

static struct seed read_seed(const char *path)
{
	struct seed s = { 0 };
	FILE *f = fopen(path, "rb");
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s.data = malloc((size_t)n);
	assert_non_null(s.data);
	assert_int_equal(fread(s.data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	s.len = (size_t)n;
	return s;
}

static const char *const seeds[] = { "libskreloc.so", "libskdep.so",
				     "libsktls_ie.so", "exe_copy", NULL };

static struct seed seed_at(int i)
{
	char buf[512];

	if (!seeds[i])
		return read_seed("/lib/x86_64-linux-gnu/libz.so.1");
	return read_seed(host_obj_path(buf, sizeof(buf), seeds[i]));
}

static void test_mutate_seeds_load_unmodified_ok(void **state)
{
	/* NOEXEC refuses libskreloc's ifunc; exe_copy's COPY would copy
	 * from the catch-all provider, which has no size: refused too. */
	static const int expect[] = { -ENOTSUP, 0, 0, -ENOTSUP, 0 };

	(void)state;
	for (int i = 0; i <= 4; i++) {
		struct seed s = seed_at(i);
		int err = mem_ops_try(s.data, s.len);

		if (err != expect[i])
			print_message("seed %d: %d %s\n", i, err,
				      mem_ops_last_error());
		assert_int_equal(err, expect[i]);
		free(s.data);
	}
}

static void test_mutate_truncations_clean_errors(void **state)
{
	(void)state;
	for (int i = 0; i <= 4; i++) {
		struct seed s = seed_at(i);
		size_t step = s.len / (200 * STRESS_SCALE) + 1;

		for (size_t len = 0; len < s.len; len += len < 256 ? 1 : step)
			assert_true(mem_ops_try(s.data, len) <= 0);
		assert_int_equal(mem_ops_try(s.data, 0), -ENOEXEC);
		assert_int_equal(mem_ops_try(s.data, 63), -ENOEXEC);
		free(s.data);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_mutate_bit_flips_never_crash(void **state)
{
	int ok = 0, failed = 0;

	(void)state;
	for (int i = 0; i <= 4; i++) {
		struct seed s = seed_at(i);
		unsigned char *m = malloc(s.len);

		assert_non_null(m);
		for (int round = 0; round < 1500 * STRESS_SCALE; round++) {
			int flips = 1 + (int)(next_rand() % 4);
			/* Half the rounds aim at the headers and tables. */
			size_t span = (round & 1)
					      ? s.len
					      : (s.len < 4096 ? s.len : 4096);

			memcpy(m, s.data, s.len);
			while (flips--)
				m[next_rand() % span] ^=
					(unsigned char)(1u
							<< (next_rand() % 8));
			if (mem_ops_try(m, s.len) == 0)
				ok++;
			else
				failed++;
		}
		free(m);
		free(s.data);
	}
	print_message("bit flips: %d loaded, %d refused\n", ok, failed);
	assert_true(failed > 0);
}

/* Offsets into the ELF64 header and program header entries. */
enum {
	E_PHOFF = 32,
	E_PHNUM = 56,
	PH_SIZE = 56,
	P_OFFSET = 8,
	P_VADDR = 16,
	P_FILESZ = 32,
	P_MEMSZ = 40,
	P_ALIGN = 48
};

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* The file offset of the @n-th PT_LOAD program header. */
static unsigned char *load_ph(unsigned char *m, int n)
{
	uint16_t phnum;

	memcpy(&phnum, m + E_PHNUM, 2);
	for (int i = 0; i < phnum; i++) {
		unsigned char *ph = m + get64(m + E_PHOFF) + i * PH_SIZE;
		uint32_t type;

		memcpy(&type, ph, 4);
		if (type == 1 && n-- == 0)
			return ph;
	}
	return NULL;
}

static void test_mutate_hostile_fields_rejected(void **state)
{
	struct seed s = seed_at(0);
	unsigned char *m = malloc(s.len);
	uint16_t big = 0xffff;

	(void)state;
	assert_non_null(m);
#define MUTATE(stmt, expect)                                     \
	do {                                                     \
		memcpy(m, s.data, s.len);                        \
		stmt;                                            \
		assert_int_equal(mem_ops_try(m, s.len), expect); \
	} while (0)
	MUTATE(memcpy(m + E_PHNUM, &big, 2), -ENOEXEC);
	MUTATE(put64(m + E_PHOFF, s.len - 10), -ENOEXEC);
	MUTATE(put64(load_ph(m, 0) + P_FILESZ, 1ull << 40), -ENOEXEC);
	MUTATE(put64(load_ph(m, 0) + P_MEMSZ, 1ull << 40), -ENOEXEC);
	MUTATE(put64(load_ph(m, 1) + P_OFFSET, 1ull << 62), -ENOEXEC);
	MUTATE(put64(load_ph(m, 1) + P_ALIGN, 0x3000), -ENOEXEC);
	MUTATE(put64(load_ph(m, 2) + P_VADDR, get64(load_ph(m, 1) + P_VADDR)),
	       -ENOEXEC);
	MUTATE(put64(load_ph(m, 1) + P_VADDR, 1ull << 63), -ENOEXEC);
	MUTATE(m[4] = 1, -ENOEXEC); /* ELFCLASS32 */
#undef MUTATE
	free(m);
	free(s.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutate_seeds_load_unmodified_ok),
		cmocka_unit_test(test_mutate_truncations_clean_errors),
		cmocka_unit_test(test_mutate_bit_flips_never_crash),
		cmocka_unit_test(test_mutate_hostile_fields_rejected),
	};

	if (mem_ops_start())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
