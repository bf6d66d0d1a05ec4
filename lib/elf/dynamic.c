/* SPDX-License-Identifier: MIT */
/*
 * Stage 2: read the mapped object's dynamic section and turn it into
 * checked pointers: string and symbol tables, both hash tables, relocation
 * tables, init/fini arrays, versions, TLS and RELRO.  Every table must lie
 * inside a PT_LOAD segment and every count must fit in it, so later stages
 * can index them without further checks (symbol names are still checked
 * per use through sk_elf_str).
 */
#include <errno.h>

#include "internal.h"

/* The d_val of each tag we understand, and whether it was present. */
struct dyn_raw {
	uint64_t v[38];
	uint64_t gnu_hash, versym, verdef, verdefnum, verneed, verneednum;
	uint64_t flags_1;
	uint64_t present; /* bit per tag < 38 */
};

static bool has(const struct dyn_raw *r, int tag)
{
	return (r->present >> tag) & 1;
}

static int bad(const struct sk_elf_obj *obj, const char *what)
{
	return sk_elf_fail(-EINVAL, obj->path, what, NULL);
}

const char *sk_elf_str(const struct sk_elf_obj *obj, uint64_t off)
{
	if (off >= obj->strsz)
		return NULL;
	return obj->strtab + off;
}

static void *at(const struct sk_elf_obj *obj, uint64_t vaddr)
{
	return (void *)(obj->base + (uintptr_t)vaddr);
}

static int collect(struct sk_elf_obj *obj, const struct sk_elf64_phdr *ph,
		   struct dyn_raw *r)
{
	size_t n = ph->p_memsz / sizeof(struct sk_elf64_dyn);

	if (ph->p_vaddr % 8 ||
	    !sk_elf_range_ok(obj, ph->p_vaddr, ph->p_memsz, false))
		return bad(obj, "dynamic section outside the image");
	obj->dyn = at(obj, ph->p_vaddr);
	for (obj->ndyn = 0; obj->ndyn < n; obj->ndyn++) {
		size_t i = obj->ndyn;
		int64_t tag = obj->dyn[i].d_tag;
		uint64_t val = obj->dyn[i].d_val;

		if (tag == SK_DT_NULL)
			break;
		if (tag >= 0 && tag < 38) {
			if (tag != SK_DT_NEEDED) {
				r->v[tag] = val;
				r->present |= 1ull << tag;
			}
			continue;
		}
		switch (tag) {
		case SK_DT_GNU_HASH:
			r->gnu_hash = val;
			break;
		case SK_DT_VERSYM:
			r->versym = val;
			break;
		case SK_DT_VERDEF:
			r->verdef = val;
			break;
		case SK_DT_VERDEFNUM:
			r->verdefnum = val;
			break;
		case SK_DT_VERNEED:
			r->verneed = val;
			break;
		case SK_DT_VERNEEDNUM:
			r->verneednum = val;
			break;
		case SK_DT_FLAGS_1:
			r->flags_1 = val;
			break;
		default:
			break;
		}
	}
	return 0;
}

static int parse_sysv_hash(struct sk_elf_obj *obj, uint64_t va)
{
	const uint32_t *h;

	if (va % 4 || !sk_elf_range_ok(obj, va, 8, false))
		return bad(obj, "DT_HASH outside the image");
	h = at(obj, va);
	if (!sk_elf_range_ok(obj, va, 8 + 4 * ((uint64_t)h[0] + h[1]), false))
		return bad(obj, "DT_HASH tables outside the image");
	obj->sysv_hash = h;
	obj->nsyms = h[1];
	return 0;
}

/* Number of symbols covered by the GNU hash: walk the last chain. */
static int gnu_count(struct sk_elf_obj *obj, uint64_t chain_va,
		     uint32_t symoffset)
{
	uint32_t max = 0, nb = obj->gnu_hash[0];

	for (uint32_t i = 0; i < nb; i++)
		if (obj->gnu_buckets[i] > max)
			max = obj->gnu_buckets[i];
	if (max < symoffset) {
		obj->nsyms = symoffset;
		return 0;
	}
	for (;;) {
		uint64_t va = chain_va + 4 * (uint64_t)(max - symoffset);

		if (!sk_elf_range_ok(obj, va, 4, false))
			return bad(obj, "DT_GNU_HASH chain outside the image");
		if (*(const uint32_t *)at(obj, va) & 1)
			break;
		if (max == UINT32_MAX)
			return bad(obj, "DT_GNU_HASH chain does not end");
		max++;
	}
	obj->nsyms = max + 1;
	return 0;
}

static int parse_gnu_hash(struct sk_elf_obj *obj, uint64_t va)
{
	const uint32_t *h;
	uint64_t bloom_va, buckets_va, chain_va;

	if (va % 8 || !sk_elf_range_ok(obj, va, 16, false))
		return bad(obj, "DT_GNU_HASH outside the image");
	h = at(obj, va);
	if (h[0] == 0 || !SK_IS_POW2(h[2]) || h[3] >= 32)
		return bad(obj, "DT_GNU_HASH header is invalid");
	bloom_va = va + 16;
	buckets_va = bloom_va + 8 * (uint64_t)h[2];
	chain_va = buckets_va + 4 * (uint64_t)h[0];
	if (!sk_elf_range_ok(obj, bloom_va, chain_va - bloom_va, false))
		return bad(obj, "DT_GNU_HASH tables outside the image");
	obj->gnu_hash = h;
	obj->gnu_bloom = at(obj, bloom_va);
	obj->gnu_buckets = at(obj, buckets_va);
	/* chain[i - symoffset] for symbol i; may start before the table. */
	obj->gnu_chain = (const uint32_t *)at(obj, chain_va) - h[1];
	return gnu_count(obj, chain_va, h[1]);
}

static int parse_symbols(struct sk_elf_obj *obj, const struct dyn_raw *r)
{
	int err = 0;

	if (!has(r, SK_DT_STRTAB) || !has(r, SK_DT_SYMTAB) ||
	    (!has(r, SK_DT_HASH) && !r->gnu_hash))
		return bad(obj, "missing symbol, string or hash table");
	if (has(r, SK_DT_SYMENT) &&
	    r->v[SK_DT_SYMENT] != sizeof(struct sk_elf64_sym))
		return bad(obj, "bad DT_SYMENT");
	obj->strsz = r->v[SK_DT_STRSZ];
	if (obj->strsz == 0 ||
	    !sk_elf_range_ok(obj, r->v[SK_DT_STRTAB], obj->strsz, false))
		return bad(obj, "string table outside the image");
	obj->strtab = at(obj, r->v[SK_DT_STRTAB]);
	if (obj->strtab[obj->strsz - 1] != '\0')
		return bad(obj, "string table not terminated");
	if (has(r, SK_DT_HASH))
		err = parse_sysv_hash(obj, r->v[SK_DT_HASH]);
	if (!err && r->gnu_hash)
		err = parse_gnu_hash(obj, r->gnu_hash);
	if (err)
		return err;
	if (r->v[SK_DT_SYMTAB] % 8 ||
	    !sk_elf_range_ok(obj, r->v[SK_DT_SYMTAB],
			     (uint64_t)obj->nsyms * sizeof(struct sk_elf64_sym),
			     false))
		return bad(obj, "symbol table outside the image");
	obj->symtab = at(obj, r->v[SK_DT_SYMTAB]);
	if (r->versym) {
		if (r->versym % 2 ||
		    !sk_elf_range_ok(obj, r->versym, 2 * (uint64_t)obj->nsyms,
				     false))
			return bad(obj, "DT_VERSYM outside the image");
		obj->versym = at(obj, r->versym);
	}
	return 0;
}

static int rel_table(struct sk_elf_obj *obj, uint64_t va, uint64_t sz,
		     size_t ent, const void **tab, size_t *n)
{
	if (sz % ent)
		return bad(obj, "relocation table size not a multiple");
	if (sz && (va % 8 || !sk_elf_range_ok(obj, va, sz, false)))
		return bad(obj, "relocation table outside the image");
	*tab = sz ? at(obj, va) : NULL;
	*n = sz / ent;
	return 0;
}

static int parse_relocs(struct sk_elf_obj *obj, const struct dyn_raw *r)
{
	const size_t rsz = sizeof(struct sk_elf64_rela);
	const void *t;
	int err;

	if (has(r, SK_DT_REL))
		return sk_elf_fail(-ENOTSUP, obj->path,
				   "DT_REL relocations are not x86-64", NULL);
	if (has(r, SK_DT_TEXTREL) || (r->v[SK_DT_FLAGS] & SK_DF_TEXTREL))
		return sk_elf_fail(-ENOTSUP, obj->path,
				   "text relocations are not supported", NULL);
	if ((has(r, SK_DT_RELAENT) && r->v[SK_DT_RELAENT] != rsz) ||
	    (has(r, SK_DT_RELRENT) && r->v[SK_DT_RELRENT] != 8) ||
	    (has(r, SK_DT_JMPREL) && r->v[SK_DT_PLTREL] != SK_DT_RELA))
		return bad(obj, "bad relocation entry size or kind");
	err = rel_table(obj, r->v[SK_DT_RELA], r->v[SK_DT_RELASZ], rsz, &t,
			&obj->nrela);
	obj->rela = t;
	if (!err)
		err = rel_table(obj, r->v[SK_DT_JMPREL], r->v[SK_DT_PLTRELSZ],
				rsz, &t, &obj->njmprel);
	obj->jmprel = t;
	if (!err)
		err = rel_table(obj, r->v[SK_DT_RELR], r->v[SK_DT_RELRSZ], 8,
				&t, &obj->nrelr);
	obj->relr = t;
	return err;
}

static int fn_array(struct sk_elf_obj *obj, const struct dyn_raw *r, int tag,
		    int sztag, const uintptr_t **arr, size_t *n)
{
	uint64_t sz = r->v[sztag];

	if (!has(r, tag) || sz == 0)
		return 0;
	if (sz % 8 || r->v[tag] % 8 ||
	    !sk_elf_range_ok(obj, r->v[tag], sz, false))
		return bad(obj, "init/fini array outside the image");
	*arr = at(obj, r->v[tag]);
	*n = sz / 8;
	return 0;
}

static int parse_init(struct sk_elf_obj *obj, const struct dyn_raw *r)
{
	int err;

	if (has(r, SK_DT_INIT)) {
		if (!sk_elf_range_ok(obj, r->v[SK_DT_INIT], 1, false))
			return bad(obj, "DT_INIT outside the image");
		obj->init = obj->base + r->v[SK_DT_INIT];
	}
	if (has(r, SK_DT_FINI)) {
		if (!sk_elf_range_ok(obj, r->v[SK_DT_FINI], 1, false))
			return bad(obj, "DT_FINI outside the image");
		obj->fini = obj->base + r->v[SK_DT_FINI];
	}
	err = fn_array(obj, r, SK_DT_INIT_ARRAY, SK_DT_INIT_ARRAYSZ,
		       &obj->init_array, &obj->ninit_array);
	if (!err)
		err = fn_array(obj, r, SK_DT_FINI_ARRAY, SK_DT_FINI_ARRAYSZ,
			       &obj->fini_array, &obj->nfini_array);
	if (!err)
		err = fn_array(obj, r, SK_DT_PREINIT_ARRAY,
			       SK_DT_PREINIT_ARRAYSZ, &obj->preinit_array,
			       &obj->npreinit_array);
	return err;
}

static int parse_names(struct sk_elf_obj *obj, const struct dyn_raw *r)
{
	if (has(r, SK_DT_SONAME) &&
	    !(obj->soname = sk_elf_str(obj, r->v[SK_DT_SONAME])))
		return bad(obj, "bad DT_SONAME");
	if (has(r, SK_DT_RUNPATH) &&
	    !(obj->runpath = sk_elf_str(obj, r->v[SK_DT_RUNPATH])))
		return bad(obj, "bad DT_RUNPATH");
	if (has(r, SK_DT_RPATH) &&
	    !(obj->rpath = sk_elf_str(obj, r->v[SK_DT_RPATH])))
		return bad(obj, "bad DT_RPATH");
	for (size_t i = 0; i < obj->ndyn; i++) {
		const struct sk_elf64_dyn *d = &obj->dyn[i];

		if (d->d_tag == SK_DT_NEEDED && !sk_elf_str(obj, d->d_val))
			return bad(obj, "bad DT_NEEDED");
	}
	return 0;
}

static int parse_tls_relro(struct sk_elf_obj *obj)
{
	size_t pg = sk_elf_g.ops.page_size;

	for (uint16_t i = 0; i < obj->phnum; i++) {
		const struct sk_elf64_phdr *ph = &obj->phdr[i];

		if (ph->p_type == SK_PT_GNU_RELRO) {
			/* Linkers round RELRO's end up to a page, past the
			 * segment; only the span must contain it. */
			if (ph->p_vaddr < obj->vaddr_lo ||
			    ph->p_vaddr - obj->vaddr_lo > obj->map_len ||
			    obj->map_len - (ph->p_vaddr - obj->vaddr_lo) <
				    ph->p_memsz)
				return bad(obj, "RELRO outside the image");
			obj->relro_start = SK_ALIGN_DOWN(
				obj->base + ph->p_vaddr, (uintptr_t)pg);
			obj->relro_end = SK_ALIGN_DOWN(obj->base + ph->p_vaddr +
							       ph->p_memsz,
						       (uintptr_t)pg);
		}
		if (ph->p_type != SK_PT_TLS)
			continue;
		obj->tls_align = ph->p_align ? ph->p_align : 1;
		if (!SK_IS_POW2(obj->tls_align) || obj->tls_align > 16 * pg ||
		    ph->p_filesz > ph->p_memsz ||
		    ph->p_memsz > SK_ELF_MAX_TLS ||
		    !sk_elf_range_ok(obj, ph->p_vaddr, ph->p_filesz, false))
			return bad(obj, "bad TLS segment");
		obj->tls_memsz = ph->p_memsz ? ph->p_memsz : 1;
		obj->tls_filesz = ph->p_filesz;
		obj->tls_firstbyte = ph->p_vaddr & (obj->tls_align - 1);
		obj->tls_image = at(obj, ph->p_vaddr);
	}
	return 0;
}

int sk_elf_parse_dynamic(struct sk_elf_obj *obj)
{
	struct dyn_raw r = { 0 };
	const struct sk_elf64_phdr *dph = NULL;
	int err;

	for (uint16_t i = 0; i < obj->phnum; i++)
		if (obj->phdr[i].p_type == SK_PT_DYNAMIC)
			dph = &obj->phdr[i];
	err = collect(obj, dph, &r);
	if (!err)
		err = parse_symbols(obj, &r);
	if (!err)
		err = parse_relocs(obj, &r);
	if (!err)
		err = parse_init(obj, &r);
	if (!err)
		err = parse_names(obj, &r);
	if (!err)
		err = parse_tls_relro(obj);
	if (!err)
		err = sk_elf_parse_versions(obj, r.verdef, r.verdefnum,
					    r.verneed, r.verneednum);
	obj->dyn_flags = (uint32_t)r.v[SK_DT_FLAGS];
	obj->symbolic =
		has(&r, SK_DT_SYMBOLIC) || (obj->dyn_flags & SK_DF_SYMBOLIC);
	obj->dyn_flags_1 = (uint32_t)r.flags_1;
	return err;
}
