/* SPDX-License-Identifier: MIT */
/*
 * lib/elf internals shared by the pipeline stages: load.c (file -> mapped
 * image), dynamic.c (dynamic section and tables, validated), symbols.c
 * (hash lookup, versions, scopes), relocate.c, tls.c, open.c (dependencies,
 * reference counts, init/fini) and dl.c (dladdr, iteration, errors).
 * Everything here runs under the loader lock (ops.lock) unless a comment
 * says otherwise.
 */
#ifndef SK_ELF_INTERNAL_H
#define SK_ELF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plat/compiler.h>

#include <elf/loader.h>
#include <elf/tls.h>

#include "elf_defs.h"

/* Limits on untrusted input; generous for real objects. */
enum {
	SK_ELF_MAX_PHNUM = 256,
	SK_ELF_MAX_OBJECTS = 512, /* objects pulled in by one open */
	SK_ELF_MAX_SPAN = 1u << 30, /* address span of one object */
	SK_ELF_MAX_TLS = 1u << 24,
	SK_ELF_MAX_PATH = 1024,
	SK_ELF_TLS_SURPLUS = 1024, /* static TLS kept for late objects */
	SK_ELF_PREFAULT_MAX = 64 * 1024, /* writable mappings prefaulted */
};

/* One version a symbol may carry: from verdef or verneed. */
struct sk_elf_ver {
	const char *name;
	uint32_t hash;
	const char *file; /* verneed: the file to define it; verdef: NULL */
	bool weak; /* verneed with VER_FLG_WEAK: may be missing */
};

struct sk_elf_obj {
	char *path; /* as loaded; dladdr's fname */
	const char *soname; /* in strtab, or NULL */
	uintptr_t base; /* load bias: run-time address - vaddr */
	void *map; /* the reservation */
	size_t map_len;
	uintptr_t vaddr_lo; /* lowest PT_LOAD vaddr, page aligned */
	struct sk_elf64_phdr *phdr; /* copy */
	uint16_t phnum;
	uint16_t seg_hint; /* last segment sk_elf_range_ok matched */
	uint64_t entry;
	bool exec_stack;

	/* Dynamic section, every pointer checked to lie in the image. */
	const struct sk_elf64_dyn *dyn;
	size_t ndyn; /* entries before DT_NULL */
	const struct sk_elf64_sym *symtab;
	uint32_t nsyms;
	const char *strtab;
	size_t strsz;
	const uint32_t *sysv_hash; /* nbucket, nchain, buckets, chains */
	const uint32_t *gnu_hash; /* header, then bloom/buckets/chain */
	const uint64_t *gnu_bloom;
	const uint32_t *gnu_buckets;
	const uint32_t *gnu_chain; /* indexed by symbol index */
	const uint16_t *versym;
	struct sk_elf_ver *vers; /* by version index, both kinds */
	uint32_t nvers;
	const struct sk_elf64_rela *rela;
	size_t nrela;
	const struct sk_elf64_rela *jmprel;
	size_t njmprel;
	const uint64_t *relr;
	size_t nrelr;
	uintptr_t init, fini;
	const uintptr_t *init_array, *fini_array, *preinit_array;
	size_t ninit_array, nfini_array, npreinit_array;
	const char *runpath, *rpath;
	uint32_t dyn_flags, dyn_flags_1;
	bool symbolic; /* DT_SYMBOLIC: look in the object itself first */

	/* TLS (PT_TLS); modid 0 when the object has none. */
	size_t tls_modid;
	size_t tls_memsz, tls_filesz, tls_align, tls_firstbyte;
	const void *tls_image;
	intptr_t tls_offset; /* static: block at tp - tls_offset; 0: none */
	bool tls_late; /* static TLS given after TCBs existed */
	struct sk_elf_tls_index *tlsdesc_args; /* dynamic TLSDESC args */

	/* RELRO range, made read-only after relocation. */
	uintptr_t relro_start, relro_end;

	/* Graph.  deps: DT_NEEDED in order (NULL for provided sonames). */
	struct sk_elf_obj **deps;
	size_t ndeps;
	struct sk_elf_obj **scope; /* closure, breadth first; self first */
	size_t nscope;
	struct sk_elf_obj *root; /* the open root that first loaded it */

	unsigned refcount; /* open roots whose scope holds it */
	unsigned opencount; /* sk_elf_open calls on it not yet closed */
	bool global;
	bool relocated;
	bool inited;
	bool mark;
	bool nodelete; /* recorded a unique definition (unique.c) */
	bool pinned; /* nodelete: its closure holds a reference for good */
	unsigned load_flags;
	uint64_t serial; /* load order */
	struct sk_elf_obj *next, *prev; /* all objects, load order */
	struct sk_elf_obj *init_next; /* init order list, newest first */
};

/* A recorded STB_GNU_UNIQUE definition; obj NULL: empty slot. */
struct sk_elf_unique {
	uint32_t hash;
	const char *name; /* in obj's string table */
	const struct sk_elf_obj *obj;
	const struct sk_elf64_sym *sym;
};

struct sk_elf_state {
	struct sk_elf_ops ops;
	bool started;
	struct sk_elf_provider *providers;
	struct sk_elf_obj *head, *tail; /* load order */
	struct sk_elf_obj *init_list; /* inited objects, newest first */
	uint64_t serial;
	struct sk_elf_unique *unique; /* open addressing, at most half full */
	uint32_t unique_cap, nunique;
	bool pin_pending; /* an object became nodelete, not yet pinned */
	unsigned long long adds, subs;
	char err[256];
	bool err_set;
};

extern struct sk_elf_state sk_elf_g;

/* Small freestanding string helpers (no libc in the kvm image). */
size_t sk_elf_strlen(const char *s);
int sk_elf_strcmp(const char *a, const char *b);
char *sk_elf_strdup(const char *s);
bool sk_elf_has_slash(const char *s);

void *sk_elf_zalloc(size_t len);
void sk_elf_free(void *p);

/* Error message (also returned through sk_elf_error); returns @err. */
int sk_elf_fail(int err, const char *who, const char *what, const char *arg);

/* load.c */
int sk_elf_map_file(const char *path, struct sk_elf_obj **out);
void sk_elf_unmap(struct sk_elf_obj *obj);
int sk_elf_protect_final(struct sk_elf_obj *obj);
bool sk_elf_range_ok(const struct sk_elf_obj *obj, uint64_t vaddr, uint64_t len,
		     bool write);

/* dynamic.c */
int sk_elf_parse_dynamic(struct sk_elf_obj *obj);
const char *sk_elf_str(const struct sk_elf_obj *obj, uint64_t off);

/* versions.c */
int sk_elf_parse_versions(struct sk_elf_obj *obj, uint64_t verdef,
			  uint64_t ndef, uint64_t verneed, uint64_t nneed);
const struct sk_elf_ver *sk_elf_ref_version(const struct sk_elf_obj *obj,
					    uint32_t symidx);
int sk_elf_check_versions(const struct sk_elf_obj *obj);
bool sk_elf_version_ok(const struct sk_elf_obj *obj, uint32_t symidx,
		       const struct sk_elf_ver *want);
uint32_t sk_elf_sysv_hash(const char *name);

/* symbols.c */
struct sk_elf_lookup {
	const char *name;
	size_t len; /* strlen(name) */
	const struct sk_elf_ver *ver; /* NULL: default version */
	uint32_t gnu_hash;
	const struct sk_elf_obj *skip; /* COPY: don't find the referrer */
	/* The referrer and its symbol, when that symbol is a definition. */
	const struct sk_elf_obj *self;
	uint32_t self_idx;
};

struct sk_elf_def {
	const struct sk_elf_obj *obj; /* NULL: from a provider */
	const struct sk_elf64_sym *sym;
	uintptr_t addr;
};

void sk_elf_lookup_init(struct sk_elf_lookup *lk, const char *name,
			const struct sk_elf_ver *ver);
const struct sk_elf64_sym *sk_elf_find_in(const struct sk_elf_obj *obj,
					  const struct sk_elf_lookup *lk);
int sk_elf_resolve(const struct sk_elf_obj *scope_root,
		   const struct sk_elf_lookup *lk, struct sk_elf_def *def);
uintptr_t sk_elf_def_addr(const struct sk_elf_def *def, unsigned flags,
			  int *err);
struct sk_elf_obj *sk_elf_obj_at(const void *addr);

/* unique.c */
/* @def found for @lk: the address space's one definition if unique. */
void sk_elf_unique_def(const struct sk_elf_lookup *lk, struct sk_elf_def *def);
/* @obj is being unmapped: forget its unique definitions. */
void sk_elf_unique_drop(const struct sk_elf_obj *obj);

/* open.c: give every nodelete object not yet pinned its lasting refs. */
void sk_elf_pin_unique(void);

/* relocate.c */
int sk_elf_relocate(struct sk_elf_obj *obj);

/* tls.c */
int sk_elf_tls_assign(struct sk_elf_obj *obj);
int sk_elf_tls_need_static(struct sk_elf_obj *obj);
void sk_elf_tls_release(struct sk_elf_obj *obj);
void sk_elf_tls_init_late(struct sk_elf_obj *obj);
/* This thread's block of @modid if it has one yet, else NULL. */
void *sk_elf_tls_peek(size_t modid);
uintptr_t sk_elf_tlsdesc_static_fn(void);
uintptr_t sk_elf_tlsdesc_dynamic_fn(void);
uintptr_t sk_elf_tlsdesc_undefweak_fn(void);
void sk_elf_lock(void);
void sk_elf_unlock(void);

#endif
