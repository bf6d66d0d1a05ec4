// SPDX-License-Identifier: MIT
/*
 * lib/elf inside the image: the loader's services over the kernel's own
 * subsystems (files from a rofs disk on virtio-blk through lib/vfs;
 * memory from lib/mm's page allocator, identity mapped, with page
 * protections set in the kernel page tables, so loaded text is R+X and
 * never writable; metadata from sk_malloc), then lib/elf's test objects
 * (built on the host with -nostdlib, copied onto the disk) loaded,
 * relocated against each other and a kernel provider symbol, and called.
 * Exits with the number of failed cases.
 */
#include <errno.h>

#include <elf/loader.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/pt.h>
#include <plat/boot.h>
#include <plat/mem.h>
#include <sched/cpu.h>
#include <sched/thread.h>
#include <vfs/vfs.h>
#include <kvm/boot.h>
#include <kvm/virtio.h>

#include "../apps/demo.h"
#include "../apps/heap.h"
#include "boottest.h"

enum { STACK_LEN = 256 * 1024 };

typedef int (*int_fn)(void);
typedef int (*int1_fn)(int);
typedef int (*int2_fn)(int, int);

static int e_open(void *ctx, const char *path, void **h)
{
	int fd = sk_vfs_open(path, SK_O_RDONLY, 0);

	(void)ctx;
	if (fd < 0)
		return fd;
	*h = (void *)(uintptr_t)(fd + 1);
	return 0;
}

static int fd_of(void *h)
{
	return (int)(uintptr_t)h - 1;
}

static long e_read(void *ctx, void *h, void *buf, size_t len, uint64_t off)
{
	(void)ctx;
	return sk_vfs_pread(fd_of(h), buf, len, (int64_t)off);
}

static int e_size(void *ctx, void *h, uint64_t *size)
{
	struct sk_stat st;
	int err = sk_vfs_fstat(fd_of(h), &st);

	(void)ctx;
	if (!err)
		*size = (uint64_t)st.size;
	return err;
}

static void e_close(void *ctx, void *h)
{
	(void)ctx;
	sk_vfs_close(fd_of(h));
}

static unsigned pt_prot(unsigned p)
{
	return (p & SK_ELF_PROT_READ ? SK_PT_READ : 0) |
	       (p & SK_ELF_PROT_WRITE ? SK_PT_WRITE : 0) |
	       (p & SK_ELF_PROT_EXEC ? SK_PT_EXEC : 0);
}

/* Zeroed pages from lib/mm, then inaccessible until the loader says. */
static int e_reserve(void *ctx, size_t len, size_t align, void **va)
{
	size_t n = (len + SK_PAGE_SIZE - 1) / SK_PAGE_SIZE;
	uint64_t pa;
	int err;

	(void)ctx;
	if (align < SK_PAGE_SIZE)
		align = SK_PAGE_SIZE;
	err = sk_page_alloc_aligned(n, align, SK_PAGE_ZERO, &pa);
	if (err)
		return err;
	err = sk_kvm_kpt_protect((uintptr_t)pa, n * SK_PAGE_SIZE, 0);
	if (err) {
		sk_page_free(pa, n);
		return err;
	}
	*va = sk_plat_phys_to_virt(pa);
	return 0;
}

static int e_protect(void *ctx, void *va, size_t len, unsigned prot)
{
	(void)ctx;
	return sk_kvm_kpt_protect((uintptr_t)va, len, pt_prot(prot));
}

/* Back to plain RAM (read+write, never executable), then to lib/mm. */
static void e_release(void *ctx, void *va, size_t len)
{
	size_t n = (len + SK_PAGE_SIZE - 1) / SK_PAGE_SIZE;

	(void)ctx;
	if (sk_kvm_kpt_protect((uintptr_t)va, n * SK_PAGE_SIZE,
			       SK_PT_READ | SK_PT_WRITE) == 0)
		sk_page_free(sk_plat_virt_to_phys(va), n);
}

static void *e_alloc(void *ctx, size_t len)
{
	(void)ctx;
	return sk_malloc(len);
}

static void e_free(void *ctx, void *p)
{
	(void)ctx;
	sk_free(p);
}

/* No thread-local storage for loaded objects in the image yet. */
static void *e_tp(void *ctx)
{
	(void)ctx;
	return NULL;
}

static int host_hook(int x)
{
	return x * 3 + 1;
}

static void *kernel_lookup(void *ctx, const char *name, const char *version,
			   uint32_t hash)
{
	(void)ctx;
	(void)version;
	(void)hash;
	if (__builtin_strcmp(name, "host_hook") == 0)
		return (void *)(uintptr_t)host_hook;
	return NULL;
}

static struct sk_elf_provider kernel = { .name = "kvm-kernel",
					 .lookup = kernel_lookup };

static int elf_start(void)
{
	static const struct sk_elf_ops ops = {
		.file_open = e_open,
		.file_read = e_read,
		.file_size = e_size,
		.file_close = e_close,
		.mem_reserve = e_reserve,
		.mem_protect = e_protect,
		.mem_release = e_release,
		.alloc = e_alloc,
		.free = e_free,
		.tls_tp = e_tp,
		.search_path = "/disk",
	};
	int err = sk_elf_init(&ops);

	return err ? err : sk_elf_provider_add(&kernel);
}

static void *sym(struct sk_elf_obj *o, const char *name)
{
	void *a = NULL;

	return sk_elf_sym(o, name, &a) == 0 ? a : NULL;
}

/* The kernel page tables' access bits at @p, or -1 if unmapped. */
static int prot_at(const void *p)
{
	struct sk_pt_info info;

	if (!sk_kvm_kernel_pt() ||
	    sk_pt_query(sk_kvm_kernel_pt(), (uintptr_t)p, &info) != 0)
		return -1;
	return (int)(info.prot & SK_PT_ACCESS);
}

static size_t pages_free(void)
{
	struct sk_page_stats st;

	sk_page_cache_drain();
	sk_page_stats_get(&st);
	return st.free_pages + st.cached_pages;
}

/* Every relocation type of libskreloc.so (and libskdep.so) resolved. */
static int case_elf_relocations(void)
{
	struct sk_elf_obj *o;
	int **p64;
	int *const *relr;

	BT_CHECK(sk_elf_open("/disk/libskreloc.so", 0, &o) == 0);
	BT_CHECK(sym(o, "reloc_read_counter") && sym(o, "reloc_p64") &&
		 sym(o, "reloc_relr"));
	BT_CHECK(((int_fn)(uintptr_t)sym(o, "reloc_read_counter"))() == 41);
	BT_CHECK(((int2_fn)(uintptr_t)sym(o, "reloc_call_add"))(2, 40) == 42);
	p64 = sym(o, "reloc_p64");
	BT_CHECK(**p64 == 30);
	relr = sym(o, "reloc_relr");
	BT_CHECK(*relr[0] == 1 && *relr[1] == 2 && *relr[2] == 3);
	BT_CHECK(((int_fn)(uintptr_t)sym(o, "reloc_call_local_ifunc"))() ==
		 111);
	BT_CHECK(((int_fn)(uintptr_t)sym(o, "reloc_exported_ifunc"))() == 222);
	BT_CHECK(((int1_fn)(uintptr_t)sym(o, "reloc_call_host"))(5) == 16);
	BT_CHECK(((int_fn)(uintptr_t)sym(o, "reloc_foo_default"))() == 2);
	BT_CHECK(((int_fn)(uintptr_t)sym(o, "reloc_foo_v1"))() == 1);
	BT_CHECK(sk_elf_close(o) == 0);
	return 0;
}

/*
 * W^X in the kernel tables: the object's text is read+exec, its data
 * read+write, and once closed the pages are plain RAM again and every
 * page is back in the allocator.
 */
static int case_elf_protections_and_release(void)
{
	size_t before = pages_free();
	struct sk_elf_obj *o;
	void *text, *data;

	BT_CHECK(sk_elf_open("/disk/libskreloc.so", 0, &o) == 0);
	text = sym(o, "reloc_call_add");
	data = sym(o, "dep_counter");
	BT_CHECK(text && data);
	BT_CHECK(prot_at(text) == (SK_PT_READ | SK_PT_EXEC));
	BT_CHECK(prot_at(data) == (SK_PT_READ | SK_PT_WRITE));
	BT_CHECK(sk_elf_close(o) == 0);
	BT_CHECK(prot_at(text) == (SK_PT_READ | SK_PT_WRITE));
	BT_CHECK(pages_free() == before);
	return 0;
}

/* Bad input from the disk is an error, never a crash. */
static int case_elf_bad_files_refused(void)
{
	struct sk_elf_obj *o;

	BT_CHECK(sk_elf_open("/disk/hello.txt", 0, &o) == -ENOEXEC);
	BT_CHECK(sk_elf_open("/disk/no-such.so", 0, &o) == -ENOENT);
	BT_CHECK(sk_elf_error() != NULL);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "elf_relocations", case_elf_relocations },
	{ "elf_protections_and_release", case_elf_protections_and_release },
	{ "elf_bad_files_refused", case_elf_bad_files_refused },
};

static void start_or_die(void)
{
	const struct sk_sched_mem_ops *ops = sk_kvm_heap_ops();
	struct sk_virtio_blk *blk;
	int err;

	if (!ops || sk_sched_init(ops) != 0)
		err = -ENOMEM;
	else if ((err = sk_virtio_blk_open(0, &blk)) == 0 &&
		 (err = sk_kvm_rofs_mount(blk, ops)) == 0)
		err = elf_start();
	if (err) {
		sk_x86_printf("elftest: cannot start: %d\n", err);
		sk_plat_shutdown(1);
	}
}

static unsigned failed_cases;

/* The cases run on a thread with a large stack: lib/vfs's walk and the
 * loader's path buffers together need more than the boot stack. */
static void cases_run(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < SK_ARRAY_LEN(cases); i++) {
		int r = cases[i].fn();

		sk_x86_printf("%s %u %s\n", r ? "FAIL" : "ok", i + 1,
			      cases[i].name);
		failed_cases += r != 0;
	}
}

void sk_kvm_main(void)
{
	struct sk_thread_attr a = { .name = "elftest", .stack_len = STACK_LEN };
	struct sk_thread *t;
	unsigned n = (unsigned)SK_ARRAY_LEN(cases);

	start_or_die();
	if (sk_thread_create(&t, &a, cases_run, NULL) != 0 ||
	    sk_thread_join(t) != 0) {
		sk_x86_printf("elftest: cannot run the cases\n");
		sk_plat_shutdown(1);
	}
	sk_x86_printf("elftest: %u passed, %u failed\n", n - failed_cases,
		      failed_cases);
	sk_plat_shutdown((int)failed_cases);
}
