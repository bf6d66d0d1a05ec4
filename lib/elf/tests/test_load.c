/* SPDX-License-Identifier: MIT */
/*
 * lib/elf loader tests on hosted Linux: the objects in objs/ are loaded
 * with sk_elf_open and their code is called.  Relocation types, symbol
 * versions, weak symbols, providers, init/fini order, dependencies,
 * RPATH/RUNPATH, reference counting and unloading, dlsym/dladdr/
 * dl_iterate_phdr, RELRO and GNU_STACK, and error reports.
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
#include <unistd.h>

#include <cmocka.h>

#include <elf/dlfcn.h>
#include <elf/loader.h>

#include "host_ops.h"

typedef int (*int_fn)(void);
typedef int (*int2_fn)(int, int);
typedef int (*int1_fn)(int);
typedef void (*void1_fn)(int);

static char records[1024];

static void record(const char *what)
{
	strncat(records, what, sizeof(records) - strlen(records) - 2);
	strcat(records, " ");
}

static int host_hook(int x)
{
	return x * 3 + 1;
}

static void *kernel_lookup(void *ctx, const char *name, const char *version,
			   uint32_t hash)
{
	(void)ctx;
	(void)hash;
	(void)version;
	if (strcmp(name, "host_hook") == 0 || strcmp(name, "provided_too") == 0)
		return (void *)(uintptr_t)host_hook;
	if (strcmp(name, "record") == 0)
		return (void *)(uintptr_t)record;
	return NULL;
}

static struct sk_elf_provider kernel = { .name = "test-kernel",
					 .lookup = kernel_lookup };

static char *obj(const char *name)
{
	static char buf[8][512];
	static int i;

	return (char *)host_obj_path(buf[i++ % 8], sizeof(buf[0]), name);
}

static void *sym(struct sk_elf_obj *o, const char *name)
{
	void *a = NULL;

	assert_int_equal(sk_elf_sym(o, name, &a), 0);
	assert_non_null(a);
	return a;
}

static int count_cb(struct sk_elf_phdr_info *info, size_t size, void *data)
{
	(void)info;
	assert_int_equal(size, sizeof(*info));
	(*(int *)data)++;
	return 0;
}

static int loaded_count(void)
{
	int n = 0;

	sk_elf_iterate_phdr(count_cb, &n);
	return n;
}

static void test_reloc_all_types_resolved(void **state)
{
	struct sk_elf_obj *o;
	int **relr, ***dlp;
	char *bss;

	(void)state;
	assert_int_equal(sk_elf_open(obj("libskreloc.so"), 0, &o), 0);
	assert_int_equal(((int_fn)(uintptr_t)sym(o, "reloc_read_counter"))(),
			 41);
	assert_int_equal(((int2_fn)(uintptr_t)sym(o, "reloc_call_add"))(2, 40),
			 42);
	assert_int_equal(**(int **)sym(o, "reloc_p64"), 30);
	/* Symbols referenced by several relocations (the memo). */
	assert_int_equal(**(int **)sym(o, "reloc_p64_again"), 20);
	assert_ptr_equal(*(int **)sym(o, "reloc_counter_p"),
			 sym(o, "dep_counter"));
	assert_ptr_equal(*(void **)sym(o, "reloc_add_p"), sym(o, "dep_add"));
	assert_int_equal((*(int2_fn *)sym(o, "reloc_add_p"))(1, 2), 3);
	relr = sym(o, "reloc_relr");
	for (int i = 0; i < 3; i++)
		assert_int_equal(*relr[i], i + 1);
	assert_int_equal(
		((int_fn)(uintptr_t)sym(o, "reloc_call_local_ifunc"))(), 111);
	assert_int_equal(((int_fn)(uintptr_t)sym(o, "reloc_exported_ifunc"))(),
			 222);
	assert_int_equal(((int1_fn)(uintptr_t)sym(o, "reloc_call_host"))(5),
			 16);
	dlp = sym(o, "dep_local_ptr");
	assert_int_equal(**dlp, 7);
	bss = sym(o, "dep_big_bss");
	for (size_t i = 0; i < 1 << 16; i++)
		assert_int_equal(bss[i], 0);
	memset(bss, 0x5a, 1 << 16);
	assert_int_equal(sk_elf_close(o), 0);
	assert_int_equal(loaded_count(), 0);
}

static void test_versions_exact_match_bound(void **state)
{
	struct sk_elf_obj *o;
	void *a;

	(void)state;
	assert_int_equal(sk_elf_open(obj("libskreloc.so"), 0, &o), 0);
	assert_int_equal(((int_fn)(uintptr_t)sym(o, "reloc_foo_default"))(), 2);
	assert_int_equal(((int_fn)(uintptr_t)sym(o, "reloc_foo_v1"))(), 1);
	assert_int_equal(((int_fn)(uintptr_t)sym(o, "foo"))(), 2);
	assert_int_equal(sk_elf_vsym(o, "foo", "VERS_1", &a), 0);
	assert_int_equal(((int_fn)(uintptr_t)a)(), 1);
	assert_int_equal(sk_elf_vsym(o, "foo", "VERS_2", &a), 0);
	assert_int_equal(((int_fn)(uintptr_t)a)(), 2);
	assert_int_equal(sk_elf_vsym(o, "foo", "VERS_9", &a), -ESRCH);
	assert_non_null(sk_elf_error());
	assert_int_equal(sk_elf_close(o), 0);
}

static void test_weak_undefined_zero_first_def_wins(void **state)
{
	struct sk_elf_obj *o;

	(void)state;
	assert_int_equal(sk_elf_open(obj("libskreloc.so"), 0, &o), 0);
	assert_int_equal(
		((int_fn)(uintptr_t)sym(o, "reloc_has_missing_weak"))(), 0);
	/* libskreloc's weak definition comes first in its scope. */
	assert_int_equal(((int_fn)(uintptr_t)sym(o, "reloc_weak_pick"))(), 100);
	/* A provider comes before the referrer's own definition... */
	assert_int_equal(
		((int1_fn)(uintptr_t)sym(o, "reloc_call_provided_too"))(5), 16);
	/* ...which a handle lookup (local scope only) still finds. */
	assert_int_equal(((int1_fn)(uintptr_t)sym(o, "provided_too"))(5), -5);
	assert_int_equal(sk_elf_close(o), 0);
}

static void test_dlsym_default_next_scopes(void **state)
{
	struct sk_elf_obj *o;
	void *a, *caller;

	(void)state;
	assert_int_equal(sk_elf_open(obj("libskreloc.so"), 0, &o), 0);
	/* A local object is not in the global scope. */
	assert_int_equal(sk_elf_sym(NULL, "next_target", &a), -ESRCH);
	assert_int_equal(sk_elf_open(obj("libskreloc.so"), SK_ELF_GLOBAL, &o),
			 0);
	assert_int_equal(((int_fn)(uintptr_t)sym(NULL, "next_target"))(), 1001);
	caller = sym(o, "reloc_call_add");
	assert_int_equal(sk_elf_sym_next(caller, "next_target", &a), 0);
	assert_int_equal(((int_fn)(uintptr_t)a)(), 2002);
	assert_int_equal(sk_elf_sym_next(caller, "reloc_call_add", &a), -ESRCH);
	/* The test program is no loaded object. */
	assert_null(sk_dlsym(SK_RTLD_NEXT, "next_target"));
	assert_non_null(sk_dlerror());
	assert_int_equal(((int_fn)(uintptr_t)sk_dlsym(SK_RTLD_DEFAULT,
						      "dep_get_counter"))(),
			 41);
	assert_int_equal(sk_elf_close(o), 0);
	assert_int_equal(sk_elf_close(o), 0);
	assert_int_equal(loaded_count(), 0);
}

static void test_dladdr_names_symbol_and_file(void **state)
{
	struct sk_elf_obj *o;
	struct sk_elf_addr_info info;
	char *fn;

	(void)state;
	assert_int_equal(sk_elf_open(obj("libskreloc.so"), 0, &o), 0);
	fn = sym(o, "reloc_call_add");
	assert_int_equal(sk_elf_addr(fn + 1, &info), 0);
	assert_string_equal(info.sname, "reloc_call_add");
	assert_ptr_equal(info.saddr, fn);
	assert_non_null(strstr(info.fname, "libskreloc.so"));
	assert_true((uintptr_t)info.fbase <= (uintptr_t)fn);
	assert_int_equal(sk_elf_addr((void *)&info, &info), -ESRCH);
	assert_int_equal(sk_dladdr(fn, &info), 1);
	assert_int_equal(sk_elf_close(o), 0);
}

struct relro_find {
	uintptr_t start, end;
};

static int relro_cb(struct sk_elf_phdr_info *info, size_t size, void *data)
{
	const struct {
		uint32_t type, flags;
		uint64_t off, vaddr, paddr, filesz, memsz, align;
	} *ph = info->phdr;
	struct relro_find *f = data;

	(void)size;
	if (!strstr(info->name, "libskreloc.so"))
		return 0;
	for (int i = 0; i < info->phnum; i++)
		if (ph[i].type == 0x6474e552) {
			f->start = info->addr + ph[i].vaddr;
			f->end = f->start + ph[i].memsz;
		}
	return 1;
}

/* Permissions of the mapping containing @addr, from /proc/self/maps. */
static void perms_of(uintptr_t addr, char out[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char p[5];

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 &&
		    addr >= lo && addr < hi)
			memcpy(out, p, 5);
	}
	if (f)
		fclose(f);
}

static void test_relro_readonly_and_execstack_refused(void **state)
{
	struct sk_elf_obj *o;
	struct relro_find f = { 0 };
	char p[5];
	const char *err;

	(void)state;
	assert_int_equal(sk_elf_open(obj("libskreloc.so"), 0, &o), 0);
	assert_int_equal(sk_elf_iterate_phdr(relro_cb, &f), 1);
	assert_true(f.end > f.start);
	perms_of(f.start, p);
	assert_string_equal(p, "r--p");
	perms_of((uintptr_t)sym(o, "reloc_call_add"), p);
	assert_string_equal(p, "r-xp");
	assert_int_equal(sk_elf_obj_has_exec_stack(o), 0);
	assert_int_equal(sk_elf_close(o), 0);
	assert_int_equal(sk_elf_open(obj("libskexecstack.so"), 0, &o),
			 -ENOTSUP);
	err = sk_elf_error();
	assert_non_null(err);
	assert_non_null(strstr(err, "executable stack"));
	assert_int_equal(loaded_count(), 0);
}

static void test_init_fini_dependency_order(void **state)
{
	struct sk_elf_obj *o, *o2;

	(void)state;
	records[0] = '\0';
	assert_int_equal(sk_elf_open(obj("libskinit_a.so"), 0, &o), 0);
	assert_string_equal(records, "b:init b:ctor1 b:ctor2 "
				     "a:init a:ctor1 a:ctor2 ");
	records[0] = '\0';
	assert_int_equal(sk_elf_open(obj("libskinit_a.so"), 0, &o2), 0);
	assert_ptr_equal(o, o2);
	assert_string_equal(records, "");
	assert_int_equal(sk_elf_close(o2), 0);
	assert_string_equal(records, "");
	assert_int_equal(sk_elf_close(o), 0);
	assert_string_equal(records, "a:dtor2 a:dtor1 a:fini "
				     "b:dtor2 b:dtor1 b:fini ");
	assert_int_equal(sk_elf_close(o), -EINVAL);
	assert_non_null(sk_elf_error());
}

static int find_cb(struct sk_elf_phdr_info *info, size_t size, void *data)
{
	(void)size;
	return strstr(info->name, (const char *)data) != NULL;
}

static void test_unload_keeps_shared_dependency(void **state)
{
	struct sk_elf_obj *r, *d;

	(void)state;
	assert_int_equal(sk_elf_open(obj("libskreloc.so"), 0, &r), 0);
	assert_int_equal(sk_elf_open(obj("libskdep.so"), 0, &d), 0);
	assert_int_equal(loaded_count(), 2);
	assert_int_equal(sk_elf_close(r), 0);
	assert_int_equal(loaded_count(), 1);
	assert_int_equal(sk_elf_iterate_phdr(find_cb, (void *)"libskdep.so"),
			 1);
	assert_int_equal(((int_fn)(uintptr_t)sym(d, "dep_get_counter"))(), 41);
	assert_int_equal(sk_elf_close(d), 0);
	assert_int_equal(loaded_count(), 0);
}

static void test_needed_cycle_loads_once_and_unloads(void **state)
{
	struct sk_elf_obj *a;

	(void)state;
	assert_int_equal(sk_elf_open(obj("libskcyc_a.so"), 0, &a), 0);
	assert_int_equal(loaded_count(), 2);
	assert_int_equal(((int_fn)(uintptr_t)sym(a, "cyc_b_value"))(), 7);
	assert_int_equal(sk_elf_close(a), 0);
	assert_int_equal(loaded_count(), 0);
}

static void test_missing_symbol_names_symbol_and_object(void **state)
{
	struct sk_elf_obj *o;
	const char *err;

	(void)state;
	assert_int_equal(sk_elf_open(obj("libskneedmissing.so"), 0, &o),
			 -ESRCH);
	err = sk_elf_error();
	assert_non_null(err);
	assert_non_null(strstr(err, "nowhere_defined"));
	assert_non_null(strstr(err, "libskneedmissing.so"));
	assert_null(sk_elf_error());
	assert_int_equal(loaded_count(), 0);
}

static void test_missing_version_names_version(void **state)
{
	struct sk_elf_obj *o;
	const char *err;

	(void)state;
	assert_int_equal(sk_elf_open(obj("libskneedv3.so"), 0, &o), -ESRCH);
	err = sk_elf_error();
	assert_non_null(err);
	assert_non_null(strstr(err, "VERS_3"));
	assert_non_null(strstr(err, "libskneedv3.so"));
	assert_int_equal(loaded_count(), 0);
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[4096];
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

static void test_missing_dependency_names_both(void **state)
{
	char dir[] = "/tmp/skelfXXXXXX", path[600];
	struct sk_elf_obj *o;
	const char *err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/libskreloc.so", dir);
	copy_file(obj("libskreloc.so"), path);
	assert_int_equal(sk_elf_open(path, 0, &o), -ENOENT);
	err = sk_elf_error();
	assert_non_null(err);
	assert_non_null(strstr(err, "libskdep.so"));
	assert_non_null(strstr(err, path));
	/* $ORIGIN now finds the dependency beside it. */
	snprintf(path, sizeof(path), "%s/libskdep.so", dir);
	copy_file(obj("libskdep.so"), path);
	snprintf(path, sizeof(path), "%s/libskreloc.so", dir);
	assert_int_equal(sk_elf_open(path, 0, &o), 0);
	assert_int_equal(sk_elf_iterate_phdr(find_cb, dir), 1);
	assert_int_equal(sk_elf_close(o), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/libskdep.so", dir);
	unlink(path);
	rmdir(dir);
	assert_int_equal(loaded_count(), 0);
}

static void test_pie_copy_relocation_shared_by_library(void **state)
{
	struct sk_elf_obj *e;

	(void)state;
	assert_int_equal(sk_elf_open(obj("exe_copy"), SK_ELF_GLOBAL, &e), 0);
	assert_true(sk_elf_obj_entry(e) > sk_elf_obj_base(e));
	assert_int_equal(((int_fn)(uintptr_t)sym(e, "exe_read_counter"))(), 41);
	((void1_fn)(uintptr_t)sym(e, "exe_write_counter"))(77);
	assert_int_equal(((int_fn)(uintptr_t)sym(e, "exe_lib_view"))(), 77);
	assert_int_equal(sk_elf_close(e), 0);
	assert_int_equal(loaded_count(), 0);
}

static void test_bad_files_clear_errors(void **state)
{
	struct sk_elf_obj *o;
	char path[] = "/tmp/skelfbadXXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(
			write(fd, "not an ELF file, just some text\n", 32), 32);
	close(fd);
	assert_int_equal(sk_elf_open(path, 0, &o), -ENOEXEC);
	assert_non_null(strstr(sk_elf_error(), "not an ELF file"));
	assert_int_equal(sk_elf_open("/nonexistent/libx.so", 0, &o), -ENOENT);
	assert_non_null(sk_elf_error());
	assert_int_equal(sk_elf_open("libnotthere.so.9", 0, &o), -ENOENT);
	assert_non_null(sk_elf_error());
	assert_int_equal(sk_elf_open(obj("libskdep.so"), SK_ELF_NOLOAD, &o),
			 -ENOENT);
	unlink(path);
	assert_int_equal(loaded_count(), 0);
}

static void test_search_path_and_dlfcn_wrappers(void **state)
{
	void *h, *h2;

	(void)state;
	assert_null(sk_dlopen("libskdep.so", SK_RTLD_NOW));
	assert_non_null(strstr(sk_dlerror(), "libskdep.so"));
	host_obj_path(host_ops_search_path, sizeof(host_ops_search_path), "");
	h = sk_dlopen("libskdep.so", SK_RTLD_NOW);
	host_ops_search_path[0] = '\0';
	assert_non_null(h);
	h2 = sk_dlopen("libskdep.so", SK_RTLD_NOW | SK_RTLD_NOLOAD);
	assert_ptr_equal(h, h2);
	assert_int_equal(((int_fn)(uintptr_t)sk_dlsym(h, "dep_get_counter"))(),
			 41);
	assert_null(sk_dlsym(h, "no_such_symbol"));
	assert_non_null(strstr(sk_dlerror(), "no_such_symbol"));
	assert_null(sk_dlerror());
	assert_int_equal(sk_dlclose(h2), 0);
	/* A provided soname opens the global scope. */
	h2 = sk_dlopen("ld-linux-x86-64.so.2", SK_RTLD_NOW);
	assert_non_null(h2);
	assert_non_null(sk_dlsym(h2, "__tls_get_addr"));
	assert_int_equal(sk_dlclose(h2), 0);
	assert_int_equal(sk_dlclose(h), 0);
	assert_int_not_equal(sk_dlclose(h), 0);
	assert_int_equal(loaded_count(), 0);
}

typedef int *(*intp_fn)(void);

/*
 * Two objects with local scopes define uniq_var as STB_GNU_UNIQUE: both
 * bind to the first one's, which then stays loaded until sk_elf_fini
 * (glibc's NODELETE).  Last in the group: it leaves that object loaded.
 */
static void test_gnu_unique_one_definition_pinned(void **state)
{
	struct sk_elf_obj *a, *b, *again;
	int *pa, *pb, *many[100];

	(void)state;
	/* Loaded for inspection only, it records nothing and is unloaded. */
	assert_int_equal(sk_elf_open(obj("libskuniq1.so"), SK_ELF_NOEXEC, &a),
			 0);
	assert_int_equal(sk_elf_close(a), 0);
	assert_int_equal(loaded_count(), 0);
	assert_int_equal(sk_elf_open(obj("libskuniq1.so"), 0, &a), 0);
	assert_int_equal(sk_elf_open(obj("libskuniq2.so"), 0, &b), 0);
	pa = ((intp_fn)(uintptr_t)sym(a, "uniq1_addr"))();
	pb = ((intp_fn)(uintptr_t)sym(b, "uniq2_addr"))();
	assert_ptr_equal(pa, pb);
	assert_int_equal(((int_fn)(uintptr_t)sym(b, "uniq2_value"))(), 1);
	/* A handle lookup in the second object gives the same one. */
	assert_ptr_equal(sym(b, "uniq_var"), pa);
	/* 100 more, recorded from the first object's handle (the table
	 * grows past 64 slots), then found from the second's. */
	for (int i = 0; i < 100; i++) {
		char name[16];

		snprintf(name, sizeof(name), "many_%02d", i);
		many[i] = sym(a, name);
		assert_int_equal(*many[i], 1);
	}
	for (int i = 0; i < 100; i++) {
		char name[16];

		snprintf(name, sizeof(name), "many_%02d", i);
		assert_ptr_equal(sym(b, name), many[i]);
	}
	assert_int_equal(sk_elf_close(a), 0);
	assert_int_equal(sk_elf_close(b), 0);
	assert_int_equal(loaded_count(), 1);
	assert_int_equal(
		sk_elf_open(obj("libskuniq2.so"), SK_ELF_NOLOAD, &again),
		-ENOENT);
	assert_int_equal(
		sk_elf_open(obj("libskuniq1.so"), SK_ELF_NOLOAD, &again), 0);
	assert_int_equal(*pa, 1); /* still mapped */
	assert_int_equal(sk_elf_close(again), 0);
	assert_int_equal(loaded_count(), 1);
	/* Reopened, the second binds to the pinned definition again. */
	assert_int_equal(sk_elf_open(obj("libskuniq2.so"), 0, &b), 0);
	assert_ptr_equal(((intp_fn)(uintptr_t)sym(b, "uniq2_addr"))(), pa);
	assert_int_equal(sk_elf_close(b), 0);
	sk_elf_fini();
	assert_int_equal(loaded_count(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reloc_all_types_resolved),
		cmocka_unit_test(test_versions_exact_match_bound),
		cmocka_unit_test(test_weak_undefined_zero_first_def_wins),
		cmocka_unit_test(test_dlsym_default_next_scopes),
		cmocka_unit_test(test_dladdr_names_symbol_and_file),
		cmocka_unit_test(test_relro_readonly_and_execstack_refused),
		cmocka_unit_test(test_init_fini_dependency_order),
		cmocka_unit_test(test_unload_keeps_shared_dependency),
		cmocka_unit_test(test_needed_cycle_loads_once_and_unloads),
		cmocka_unit_test(test_missing_symbol_names_symbol_and_object),
		cmocka_unit_test(test_missing_version_names_version),
		cmocka_unit_test(test_missing_dependency_names_both),
		cmocka_unit_test(test_pie_copy_relocation_shared_by_library),
		cmocka_unit_test(test_bad_files_clear_errors),
		cmocka_unit_test(test_search_path_and_dlfcn_wrappers),
		cmocka_unit_test(test_gnu_unique_one_definition_pinned),
	};
	struct sk_elf_ops ops;

	host_ops_search_path[0] = '\0';
	host_ops_fill(&ops, HOST_OPS_FILE_MAP);
	if (sk_elf_init(&ops) || sk_elf_provider_add(&kernel))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
