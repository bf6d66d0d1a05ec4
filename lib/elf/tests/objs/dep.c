/* SPDX-License-Identifier: MIT */
/* libskdep.so: data, functions, versioned and TLS symbols for the loader
 * tests; built without DT_RELR so it carries R_X86_64_RELATIVE. */
int dep_counter = 41;
int dep_array[4] = { 10, 20, 30, 40 };
static int dep_local = 7;
int *dep_local_ptr = &dep_local;
__thread int dep_tls = 1234;
/* Whole pages of .bss: the loader must add zeroed anonymous memory. */
char dep_big_bss[1 << 16];

int dep_get_counter(void)
{
	return dep_counter;
}

int dep_add(int a, int b)
{
	return a + b;
}

int foo_v1(void);
int foo_v2(void);
int foo_v1(void)
{
	return 1;
}
int foo_v2(void)
{
	return 2;
}
__asm__(".symver foo_v1, foo@VERS_1");
__asm__(".symver foo_v2, foo@@VERS_2");

int weak_pick(void)
{
	return 200;
}

int next_target(void)
{
	return 2002;
}
