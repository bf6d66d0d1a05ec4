/* SPDX-License-Identifier: MIT */
/*
 * Stage 3: apply DT_RELR, DT_RELA and DT_JMPREL relocations, in that order,
 * binding every symbol now (no lazy PLT).  Each target must lie in a
 * writable segment of the object; each symbol index must be in the table.
 * TLS relocations use the module id and static offset tls.c assigned.
 */
#include <errno.h>

#include "internal.h"

/* Relocation sites need not be aligned (packed data): store bytewise. */
static void put64(char *where, uint64_t v)
{
	__builtin_memcpy(where, &v, 8);
}

static void add64(char *where, uint64_t v)
{
	uint64_t old;

	__builtin_memcpy(&old, where, 8);
	put64(where, old + v);
}

/*
 * The last symbol a 64/GLOB_DAT/JUMP_SLOT relocation bound, and its S (an
 * ifunc already called).  Linkers sort DT_RELA by symbol (-z combreloc),
 * so relocations against one symbol are adjacent: libstdc++ has 4301
 * symbol relocations on 2609 symbols, and this one entry leaves 2699
 * lookups (a direct-mapped memo of 4096 slots left 2622, but its 64 KiB
 * of fresh memory cost more than the 77 lookups it saved).  TLS and COPY
 * relocations need the whole definition and do not use it.
 */
struct reloc_ctx {
	struct sk_elf_obj *obj;
	size_t ndesc; /* dynamic TLSDESC arguments used so far */
	uint32_t last_idx; /* 0: none (symbol 0 is never looked up) */
	uintptr_t last_addr;
};

static int undefined(const struct sk_elf_obj *obj, const char *name)
{
	return sk_elf_fail(-ESRCH, obj->path, "undefined symbol", name);
}

/* Find the definition a relocation's symbol refers to. */
static int bind_sym(struct sk_elf_obj *obj, uint32_t idx, uint32_t type,
		    struct sk_elf_def *def)
{
	const struct sk_elf64_sym *s = &obj->symtab[idx];
	struct sk_elf_lookup lk;
	const char *name;

	if (idx == 0 || SK_ELF_ST_BIND(s->st_info) == SK_STB_LOCAL) {
		def->obj = obj;
		def->sym = s;
		def->addr = obj->base + s->st_value;
		return 0;
	}
	name = sk_elf_str(obj, s->st_name);
	if (!name)
		return sk_elf_fail(-EINVAL, obj->path, "bad symbol name", NULL);
	sk_elf_lookup_init(&lk, name, sk_elf_ref_version(obj, idx));
	if (type == SK_R_X86_64_COPY)
		lk.skip = obj;
	else if (s->st_shndx != SK_SHN_UNDEF) {
		lk.self = obj; /* its own definition: see own_def */
		lk.self_idx = idx;
	}
	if (obj->symbolic && type != SK_R_X86_64_COPY) {
		def->sym = sk_elf_find_in(obj, &lk);
		def->obj = obj;
		def->addr = def->sym ? obj->base + def->sym->st_value : 0;
		if (def->sym)
			return 0;
	}
	if (sk_elf_resolve(obj->root, &lk, def) == 0)
		return 0;
	if (SK_ELF_ST_BIND(s->st_info) == SK_STB_WEAK) {
		def->obj = NULL;
		def->sym = NULL;
		def->addr = 0;
		return 0;
	}
	return undefined(obj, name);
}

static int tls_value(struct sk_elf_obj *obj, const struct sk_elf_def *def,
		     const struct sk_elf64_sym **s)
{
	const struct sk_elf_obj *d = def->obj;

	if (!d && !def->sym && def->addr == 0)
		return 1; /* undefined weak: zero */
	/* Symbol 0 (local dynamic) means the object's own module. */
	if (!d || d->tls_modid == 0 ||
	    (def->sym != d->symtab &&
	     SK_ELF_ST_TYPE(def->sym->st_info) != SK_STT_TLS))
		return sk_elf_fail(-EINVAL, obj->path,
				   "TLS relocation against a non-TLS symbol",
				   d ? sk_elf_str(d, def->sym->st_name) : NULL);
	*s = def->sym;
	return 0;
}

static int tpoff(struct sk_elf_obj *obj, const struct sk_elf_def *def,
		 int64_t addend, uint64_t *out)
{
	struct sk_elf_obj *d = (struct sk_elf_obj *)def->obj;
	int err;

	if (!d->tls_offset) {
		err = sk_elf_tls_need_static(d);
		if (err)
			return sk_elf_fail(err, obj->path,
					   "cannot allocate static TLS for",
					   d->path);
	}
	*out = def->sym->st_value + (uint64_t)addend - (uint64_t)d->tls_offset;
	return 0;
}

static int tlsdesc(struct reloc_ctx *rc, char *where,
		   const struct sk_elf_def *def, int64_t addend)
{
	struct sk_elf_tls_index *ti;
	uint64_t off;

	if (def->obj->tls_offset) {
		int err = tpoff(rc->obj, def, addend, &off);

		put64(where, sk_elf_tlsdesc_static_fn());
		put64(where + 8, off);
		return err;
	}
	ti = &rc->obj->tlsdesc_args[rc->ndesc++];
	ti->modid = def->obj->tls_modid;
	ti->offset = def->sym->st_value + (uint64_t)addend;
	put64(where, sk_elf_tlsdesc_dynamic_fn());
	put64(where + 8, (uintptr_t)ti);
	return 0;
}

static int tls_reloc(struct reloc_ctx *rc, uint32_t type, char *where,
		     const struct sk_elf_def *def, int64_t addend)
{
	const struct sk_elf64_sym *s = NULL;
	int r = tls_value(rc->obj, def, &s);
	uint64_t off = 0;

	if (r < 0)
		return r;
	if (r > 0) {
		/* Undefined weak: the address must come out as 0 + addend. */
		put64(where, type == SK_R_X86_64_TLSDESC
				     ? sk_elf_tlsdesc_undefweak_fn()
				     : 0);
		if (type == SK_R_X86_64_TLSDESC)
			put64(where + 8, (uint64_t)addend);
		return 0;
	}
	switch (type) {
	case SK_R_X86_64_DTPMOD64:
		put64(where, def->obj->tls_modid);
		return 0;
	case SK_R_X86_64_DTPOFF64:
		put64(where, s->st_value + (uint64_t)addend);
		return 0;
	case SK_R_X86_64_TPOFF64:
		r = tpoff(rc->obj, def, addend, &off);
		put64(where, off);
		return r;
	default:
		return tlsdesc(rc, where, def, addend);
	}
}

static int copy_reloc(struct sk_elf_obj *obj, const struct sk_elf64_rela *r,
		      const struct sk_elf_def *def)
{
	uint64_t len = obj->symtab[SK_ELF_R_SYM(r->r_info)].st_size;

	/* The size of a provider's symbol is unknown: refuse to copy it. */
	if (!def->sym)
		return sk_elf_fail(
			-ENOTSUP, obj->path,
			"COPY relocation needs a definition in an object",
			NULL);
	if (def->sym->st_size < len)
		len = def->sym->st_size;
	if (!sk_elf_range_ok(obj, r->r_offset, len, true) ||
	    !sk_elf_range_ok(def->obj, def->sym->st_value, len, false))
		return sk_elf_fail(-EINVAL, obj->path, "bad COPY relocation",
				   NULL);
	__builtin_memcpy((void *)(obj->base + r->r_offset),
			 (const void *)def->addr, len);
	return 0;
}

/* S for a 64/GLOB_DAT/JUMP_SLOT relocation against @idx. */
static int sym_addr(struct reloc_ctx *rc, uint32_t idx, uint32_t type,
		    uintptr_t *s)
{
	struct sk_elf_def def;
	int err;

	if (idx == rc->last_idx && idx != 0) {
		*s = rc->last_addr;
		return 0;
	}
	err = bind_sym(rc->obj, idx, type, &def);
	if (err)
		return err;
	*s = sk_elf_def_addr(&def, rc->obj->load_flags, &err);
	if (err)
		return sk_elf_fail(err, rc->obj->path,
				   "ifunc refused (SK_ELF_NOEXEC)", NULL);
	rc->last_idx = idx;
	rc->last_addr = *s;
	return 0;
}

static int sym_reloc(struct reloc_ctx *rc, const struct sk_elf64_rela *r,
		     char *where)
{
	uint32_t type = SK_ELF_R_TYPE(r->r_info), idx = SK_ELF_R_SYM(r->r_info);
	struct sk_elf_def def;
	uintptr_t s;
	int err;

	if (idx >= rc->obj->nsyms)
		return sk_elf_fail(-EINVAL, rc->obj->path,
				   "relocation symbol index out of range",
				   NULL);
	if (type != SK_R_X86_64_64 && type != SK_R_X86_64_GLOB_DAT &&
	    type != SK_R_X86_64_JUMP_SLOT) {
		err = bind_sym(rc->obj, idx, type, &def);
		if (err)
			return err;
		if (type == SK_R_X86_64_COPY)
			return copy_reloc(rc->obj, r, &def);
		return tls_reloc(rc, type, where, &def, r->r_addend);
	}
	err = sym_addr(rc, idx, type, &s);
	if (err)
		return err;
	put64(where, s + (type == SK_R_X86_64_64 ? (uint64_t)r->r_addend : 0));
	return 0;
}

typedef uintptr_t (*ifunc_fn)(void);

static int reloc_one(struct reloc_ctx *rc, const struct sk_elf64_rela *r)
{
	struct sk_elf_obj *obj = rc->obj;
	uint32_t type = SK_ELF_R_TYPE(r->r_info);
	uint64_t len = type == SK_R_X86_64_TLSDESC ? 16 : 8;
	char *where = (char *)(obj->base + r->r_offset);

	if (type == SK_R_X86_64_NONE)
		return 0;
	if (type != SK_R_X86_64_COPY &&
	    !sk_elf_range_ok(obj, r->r_offset, len, true))
		return sk_elf_fail(-EINVAL, obj->path,
				   "relocation outside writable segments",
				   NULL);
	switch (type) {
	case SK_R_X86_64_RELATIVE:
		put64(where, obj->base + (uint64_t)r->r_addend);
		return 0;
	case SK_R_X86_64_IRELATIVE:
		if (obj->load_flags & SK_ELF_NOEXEC)
			return sk_elf_fail(-ENOTSUP, obj->path,
					   "ifunc refused (SK_ELF_NOEXEC)",
					   NULL);
		put64(where, ((ifunc_fn)(obj->base + (uint64_t)r->r_addend))());
		return 0;
	case SK_R_X86_64_64:
	case SK_R_X86_64_GLOB_DAT:
	case SK_R_X86_64_JUMP_SLOT:
	case SK_R_X86_64_COPY:
	case SK_R_X86_64_DTPMOD64:
	case SK_R_X86_64_DTPOFF64:
	case SK_R_X86_64_TPOFF64:
	case SK_R_X86_64_TLSDESC:
		return sym_reloc(rc, r, where);
	default:
		return sk_elf_fail(-ENOTSUP, obj->path,
				   "unsupported relocation type", NULL);
	}
}

static int apply_relr(struct sk_elf_obj *obj)
{
	uint64_t where = 0;
	bool have = false;

	for (size_t i = 0; i < obj->nrelr; i++) {
		uint64_t e = obj->relr[i];

		if (!(e & 1)) {
			where = e;
			have = true;
			if (!sk_elf_range_ok(obj, where, 8, true))
				goto bad;
			add64((char *)(obj->base + where), obj->base);
			where += 8;
			continue;
		}
		if (!have)
			goto bad;
		for (uint64_t w = where; (e >>= 1) != 0; w += 8) {
			if (!(e & 1))
				continue;
			if (!sk_elf_range_ok(obj, w, 8, true))
				goto bad;
			add64((char *)(obj->base + w), obj->base);
		}
		where += 63 * 8;
	}
	return 0;
bad:
	return sk_elf_fail(-EINVAL, obj->path, "bad DT_RELR entry", NULL);
}

/* Relocations of type TLSDESC (each needs a dynamic argument slot). */
static size_t count_tlsdesc(const struct sk_elf64_rela *t, size_t n)
{
	size_t ndesc = 0;

	for (size_t i = 0; i < n; i++)
		ndesc += SK_ELF_R_TYPE(t[i].r_info) == SK_R_X86_64_TLSDESC;
	return ndesc;
}

/*
 * Start loading what the relocation @ahead entries on will read: its symbol
 * now, and the name of the symbol of the one half as far ahead (its symbol
 * was prefetched earlier).  Relocation passes over a large C++ library
 * wait on these cache misses more than they compute.  Only hints: indices
 * and offsets are checked when the relocation is applied.
 */
enum { PREFETCH_AHEAD = 16 };

static void prefetch(const struct sk_elf_obj *obj,
		     const struct sk_elf64_rela *t, size_t i, size_t n)
{
	uint32_t idx;

	if (i + PREFETCH_AHEAD < n) {
		idx = SK_ELF_R_SYM(t[i + PREFETCH_AHEAD].r_info);
		if (idx < obj->nsyms)
			__builtin_prefetch(&obj->symtab[idx]);
	}
	if (i + PREFETCH_AHEAD / 2 < n) {
		idx = SK_ELF_R_SYM(t[i + PREFETCH_AHEAD / 2].r_info);
		if (idx && idx < obj->nsyms &&
		    obj->symtab[idx].st_name < obj->strsz)
			__builtin_prefetch(obj->strtab +
					   obj->symtab[idx].st_name);
	}
}

static int reloc_table(struct reloc_ctx *rc, const struct sk_elf64_rela *t,
		       size_t n)
{
	int err = 0;

	for (size_t i = 0; !err && i < n; i++) {
		prefetch(rc->obj, t, i, n);
		err = reloc_one(rc, &t[i]);
	}
	return err;
}

int sk_elf_relocate(struct sk_elf_obj *obj)
{
	struct reloc_ctx rc = { .obj = obj };
	size_t ndesc = count_tlsdesc(obj->rela, obj->nrela) +
		       count_tlsdesc(obj->jmprel, obj->njmprel);
	int err;

	if (ndesc) {
		obj->tlsdesc_args =
			sk_elf_zalloc(ndesc * sizeof(*obj->tlsdesc_args));
		if (!obj->tlsdesc_args)
			return sk_elf_fail(-ENOMEM, obj->path, "out of memory",
					   NULL);
	}
	err = apply_relr(obj);
	if (!err)
		err = reloc_table(&rc, obj->rela, obj->nrela);
	if (!err)
		err = reloc_table(&rc, obj->jmprel, obj->njmprel);
	if (!err)
		err = sk_elf_protect_final(obj);
	if (!err)
		obj->relocated = true;
	return err;
}
