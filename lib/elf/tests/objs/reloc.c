/* SPDX-License-Identifier: MIT */
/* libskreloc.so: one of each non-TLS relocation (64, GLOB_DAT, JUMP_SLOT,
 * IRELATIVE, and RELATIVE packed as DT_RELR), versioned references, weak
 * symbols and a call to a provider ("kernel") symbol. */
extern int dep_counter;
extern int dep_array[];
int dep_add(int a, int b);
int host_hook(int x);

int *reloc_p64 = &dep_array[2];
/*
 * The same symbols again from data (R_X86_64_64, other addends): the
 * relocation pass looks a symbol up once for adjacent relocations.
 */
int *reloc_p64_again = &dep_array[1];
int *reloc_counter_p = &dep_counter;
int (*reloc_add_p)(int, int) = dep_add;
static int local_tab[3] = { 1, 2, 3 };
int *reloc_relr[3] = { &local_tab[0], &local_tab[1], &local_tab[2] };

int reloc_read_counter(void)
{
	return dep_counter;
}

int reloc_call_add(int a, int b)
{
	return dep_add(a, b);
}

int reloc_call_host(int x)
{
	return host_hook(x);
}

typedef int (*int_fn)(void);

static int impl_local(void)
{
	return 111;
}
static int_fn resolve_local(void)
{
	return impl_local;
}
/* Hidden, so not preemptible: the linker emits R_X86_64_IRELATIVE. */
__attribute__((visibility("hidden"))) int local_ifunc(void)
	__attribute__((ifunc("resolve_local")));

int reloc_call_local_ifunc(void)
{
	return local_ifunc();
}

static int impl_exported(void)
{
	return 222;
}
static int_fn resolve_exported(void)
{
	return impl_exported;
}
int reloc_exported_ifunc(void) __attribute__((ifunc("resolve_exported")));

int foo(void);
int foo_old(void);
__asm__(".symver foo_old, foo@VERS_1");

int reloc_foo_default(void)
{
	return foo();
}

int reloc_foo_v1(void)
{
	return foo_old();
}

extern int missing_weak(void) __attribute__((weak));

int reloc_has_missing_weak(void)
{
	return missing_weak != 0;
}

__attribute__((weak)) int weak_pick(void)
{
	return 100;
}

int reloc_weak_pick(void)
{
	return weak_pick();
}

/*
 * Defined here (weak, so that no compiler binds the call locally) and by
 * the test provider, which comes before every object in the scope: the
 * call binds to the provider's.  The loader takes a referrer's own
 * definition without its hash chain only when the walk reaches it.
 */
__attribute__((weak)) int provided_too(int x)
{
	return -x;
}

int reloc_call_provided_too(int x)
{
	return provided_too(x);
}

int next_target(void)
{
	return 1001;
}
