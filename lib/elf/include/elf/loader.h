/* SPDX-License-Identifier: MIT */
/*
 * lib/elf: a dynamic linker for unmodified x86-64 ELF shared objects and PIE
 * executables.  The embedder (a kernel, or a test on hosted Linux) supplies
 * every service the loader needs through struct sk_elf_ops: files, address
 * space, metadata memory, the current thread's TLS pointer and a lock.  The
 * loader itself calls no libc and no other skiff library.
 *
 * Global scope order for every lookup (documented in docs/elf.md):
 *   1. the loader's own symbols (__tls_get_addr),
 *   2. symbol providers, in the order they were added,
 *   3. objects opened with SK_ELF_GLOBAL (and their dependencies), in load
 *      order,
 *   4. the local scope of the object being relocated: the root it was
 *      opened with and that root's dependencies, breadth first.
 * Binding is immediate: every relocation is resolved at open time.
 */
#ifndef SK_ELF_LOADER_H
#define SK_ELF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sk_elf_obj;

/* Page protections for sk_elf_ops.mem_protect and file_map. */
enum sk_elf_prot {
	SK_ELF_PROT_NONE = 0,
	SK_ELF_PROT_READ = 1,
	SK_ELF_PROT_WRITE = 2,
	SK_ELF_PROT_EXEC = 4,
	/*
	 * file_map only, a hint with no effect on protections: the loader
	 * is about to write most of these (writable, at most 64 KiB) pages
	 * while relocating, so the embedder may copy them in now (Linux:
	 * MAP_POPULATE) instead of taking a fault per page.
	 */
	SK_ELF_MAP_PREFAULT = 8,
};

/*
 * The embedder's services.  Every callback gets @ctx first.  Callbacks
 * return 0 or a negative errno unless stated.  Optional ones may be NULL.
 */
struct sk_elf_ops {
	void *ctx;
	/* Files, by path; @h is the embedder's handle. */
	int (*file_open)(void *ctx, const char *path, void **h);
	/* Read up to @len bytes at @off; returns bytes read or -errno. */
	long (*file_read)(void *ctx, void *h, void *buf, size_t len,
			  uint64_t off);
	int (*file_size)(void *ctx, void *h, uint64_t *size);
	void (*file_close)(void *ctx, void *h);
	/*
	 * Optional: map @len bytes of the file at @off over @va (page
	 * aligned, inside a reservation) with @prot, copy-on-write.  @prot
	 * may carry the SK_ELF_MAP_PREFAULT hint.  When NULL the loader
	 * reads the file into anonymous memory instead.
	 */
	int (*file_map)(void *ctx, void *h, void *va, size_t len, uint64_t off,
			unsigned prot);
	/*
	 * Optional, used with file_map: reserve @len bytes aligned to
	 * @align that start out as a copy-on-write mapping of the file from
	 * offset 0 with @prot (pages past the end of the file are never
	 * touched).  The loader uses it only when the segments cover the
	 * whole range; segments whose file offset matches their place in
	 * the range then only get mem_protect, the others file_map over it.
	 * Released with mem_release.
	 */
	int (*file_map_reserve)(void *ctx, void *h, size_t len, size_t align,
				unsigned prot, void **va);
	/*
	 * Reserve @len bytes of address space aligned to @align (a power of
	 * two >= page size), zero-filled and inaccessible.
	 */
	int (*mem_reserve)(void *ctx, size_t len, size_t align, void **va);
	int (*mem_protect)(void *ctx, void *va, size_t len, unsigned prot);
	void (*mem_release)(void *ctx, void *va, size_t len);
	/* Metadata memory, 16-byte aligned; NULL on failure. */
	void *(*alloc)(void *ctx, size_t len);
	void (*free)(void *ctx, void *p);
	/* Current thread's thread pointer (from sk_elf_tls_create). */
	void *(*tls_tp)(void *ctx);
	/*
	 * Optional: an object's PT_GNU_STACK asks for an executable stack;
	 * make thread stacks executable.  NULL: such objects are refused.
	 */
	int (*stack_make_exec)(void *ctx);
	/*
	 * Optional: serialise open/close/lookup between threads.  Must be
	 * recursive: initialisers may call back into the loader (dlopen,
	 * first use of TLS) while it is held.
	 */
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);
	/* Colon-separated directories tried after RPATH/RUNPATH. */
	const char *search_path;
	size_t page_size; /* 0: 4096 */
	/* Passed to DT_INIT and init arrays, as a C runtime would. */
	int argc;
	char **argv;
	char **envp;
};

/*
 * A symbol provider: how a kernel exports its functions.  @lookup returns
 * the address of @name (at @version if not NULL) or NULL; @hash is the
 * name's DT_GNU_HASH hash (h = h * 33 + c from 5381), so an export table
 * can be a hash table built ahead of time.  A DT_NEEDED entry
 * naming one of @sonames (NULL-terminated, may be NULL) is satisfied by the
 * provider and no file is loaded for it.
 */
struct sk_elf_provider {
	const char *name;
	void *(*lookup)(void *ctx, const char *name, const char *version,
			uint32_t hash);
	void *ctx;
	const char *const *sonames;
	struct sk_elf_provider *next; /* loader-owned */
};

enum sk_elf_open_flags {
	SK_ELF_LOCAL = 0,
	SK_ELF_GLOBAL = 1 << 0, /* add to the global scope */
	SK_ELF_NOLOAD = 1 << 1, /* only find an already loaded object */
	SK_ELF_NOINIT = 1 << 2, /* do not run init functions */
	/*
	 * Run no code from the object at all: no init, and IRELATIVE or
	 * ifunc references are refused with -ENOTSUP.  For inspecting
	 * untrusted files (and the fuzzer).
	 */
	SK_ELF_NOEXEC = 1 << 3,
};

/*
 * sk_elf_init - start the loader with @ops (copied).  Once, before any other
 * call; the loader is one global instance, like a process's ld.so.
 * Return: 0; -EINVAL if a required callback is missing; -EBUSY if started.
 * Context: thread, single-threaded.
 */
int sk_elf_init(const struct sk_elf_ops *ops);

/*
 * sk_elf_fini - unload every object (fini functions run) and stop.
 * Thread control blocks must have been destroyed.
 * Context: thread, no loader call running.
 */
void sk_elf_fini(void);

/*
 * sk_elf_provider_add - append @p to the provider list (it must outlive the
 * loader).  Return: 0; -EINVAL if @p or its lookup is NULL.
 * Context: thread; before opening objects that need it.
 */
int sk_elf_provider_add(struct sk_elf_provider *p);

/*
 * sk_elf_is_provided - whether @soname is satisfied by a provider (or is
 * the loader's own ld-linux-x86-64.so.2), so no file is loaded for it.
 * Context: thread.
 */
bool sk_elf_is_provided(const char *soname);

/*
 * sk_elf_open - load @path and its dependencies, relocate, run inits.
 * A path without '/' is searched like a DT_NEEDED name; an object already
 * loaded (same path or soname) only gains a reference.
 * Return: 0 and *@out; -ENOENT (file or dependency not found), -ENOEXEC
 *         (not a valid x86-64 ET_DYN object), -EINVAL (bad tables),
 *         -ENOTSUP (unsupported relocation/feature), -ESRCH (undefined
 *         symbol, or a required symbol version missing), -ELOOP (more
 *         than 512 objects in one open), -ENOMEM, -ENOSPC (no static
 *         TLS space); sk_elf_error() then names the file and symbol.
 * Context: thread, may block (in the file callbacks).
 */
int sk_elf_open(const char *path, unsigned flags, struct sk_elf_obj **out);

/*
 * sk_elf_close - drop a reference taken by sk_elf_open.  When no open root
 * uses an object any more its fini functions run (reverse init order) and it
 * is unmapped.  Return: 0; -EINVAL if @obj is not an open object.
 * Context: thread.
 */
int sk_elf_close(struct sk_elf_obj *obj);

/*
 * sk_elf_sym - look @name up in @obj's local scope (the object and its
 * dependencies, breadth first); with @obj NULL, in the global scope.
 * Return: 0 and *@addr; -ESRCH if not found.
 * Context: thread.
 */
int sk_elf_sym(struct sk_elf_obj *obj, const char *name, void **addr);

/* sk_elf_vsym - as sk_elf_sym, for @name at exactly @version. */
int sk_elf_vsym(struct sk_elf_obj *obj, const char *name, const char *version,
		void **addr);

/*
 * sk_elf_sym_next - RTLD_NEXT: look @name up in the global scope objects
 * that come after the object containing @caller.
 * Return: 0 and *@addr; -ESRCH if not found; -EINVAL if @caller is in no
 *         loaded object.
 */
int sk_elf_sym_next(const void *caller, const char *name, void **addr);

/* What sk_elf_addr knows about an address (layout of glibc's Dl_info). */
struct sk_elf_addr_info {
	const char *fname;
	void *fbase;
	const char *sname;
	void *saddr;
};

/*
 * sk_elf_addr - dladdr: the object containing @addr and the nearest symbol
 * at or below it.  Return: 0; -ESRCH if no loaded object contains @addr.
 */
int sk_elf_addr(const void *addr, struct sk_elf_addr_info *info);

/* One loaded object for sk_elf_iterate_phdr (layout of dl_phdr_info). */
struct sk_elf_phdr_info {
	uintptr_t addr;
	const char *name;
	const void *phdr;
	uint16_t phnum;
	unsigned long long adds;
	unsigned long long subs;
	size_t tls_modid;
	void *tls_data; /* this thread's block, NULL if not allocated yet */
};

typedef int (*sk_elf_phdr_fn)(struct sk_elf_phdr_info *info, size_t size,
			      void *data);

/*
 * sk_elf_iterate_phdr - call @fn for each loaded object in load order until
 * it returns non-zero.  The loader lock is held during the walk.
 * Return: the last value @fn returned, or 0.
 */
int sk_elf_iterate_phdr(sk_elf_phdr_fn fn, void *data);

/*
 * sk_elf_error - the message of the last failure (naming the object and,
 * for undefined symbols, the symbol), then clear it, like dlerror().
 * One buffer for the whole loader.
 * Return: the message, or NULL if nothing failed since the last call.
 */
const char *sk_elf_error(void);

/* Object facts, for tests and debuggers. */
uintptr_t sk_elf_obj_base(const struct sk_elf_obj *obj);
const char *sk_elf_obj_name(const struct sk_elf_obj *obj);
/* Entry point (run-time address), or 0 if the object has none. */
uintptr_t sk_elf_obj_entry(const struct sk_elf_obj *obj);
/* Whether the object asked for an executable stack (PT_GNU_STACK). */
int sk_elf_obj_has_exec_stack(const struct sk_elf_obj *obj);

#endif
