/* SPDX-License-Identifier: MIT */
/*
 * Symbol versions: DT_VERDEF (versions an object defines) and DT_VERNEED
 * (versions it requires from others) become one table indexed by the
 * DT_VERSYM index, and the matching rule used by every lookup:
 *  - a versioned reference binds to a definition of exactly that version
 *    (hidden, non-default ones included), or to an unversioned definition;
 *  - an unversioned reference (and sk_elf_sym) binds to the default,
 *    non-hidden definition.
 * The tables are untrusted: every step of the linked lists is checked and
 * the walks are bounded.
 */
#include <errno.h>

#include "internal.h"

enum { MAX_VER_STEPS = 1 << 16 };

static const void *at(const struct sk_elf_obj *obj, uint64_t va, size_t len)
{
	if (va % 4 || !sk_elf_range_ok(obj, va, len, false))
		return NULL;
	return (const void *)(obj->base + (uintptr_t)va);
}

static void note(struct sk_elf_obj *obj, uint16_t idx,
		 const struct sk_elf_ver *v, uint32_t *max)
{
	idx &= SK_VERSYM_INDEX;
	if (idx > *max)
		*max = idx;
	if (obj->vers && idx < obj->nvers)
		obj->vers[idx] = *v;
}

static int walk_verdef(struct sk_elf_obj *obj, uint64_t va, uint64_t n,
		       uint32_t *max)
{
	for (uint64_t k = 0; k < n && k < MAX_VER_STEPS; k++) {
		const struct sk_elf64_verdef *vd = at(obj, va, sizeof(*vd));
		const struct sk_elf64_verdaux *aux;
		const char *name;

		if (!vd || vd->vd_cnt == 0)
			return -EINVAL;
		aux = at(obj, va + vd->vd_aux, sizeof(*aux));
		if (!aux || !(name = sk_elf_str(obj, aux->vda_name)))
			return -EINVAL;
		/* The base entry names the file; its index means "global". */
		if (!(vd->vd_flags & SK_VER_FLG_BASE)) {
			struct sk_elf_ver v = { .name = name,
						.hash = vd->vd_hash };

			note(obj, vd->vd_ndx, &v, max);
		}
		if (vd->vd_next == 0)
			break;
		va += vd->vd_next;
	}
	return 0;
}

static int walk_verneed(struct sk_elf_obj *obj, uint64_t va, uint64_t n,
			uint32_t *max)
{
	unsigned steps = 0;

	for (uint64_t k = 0; k < n && k < MAX_VER_STEPS; k++) {
		const struct sk_elf64_verneed *vn = at(obj, va, sizeof(*vn));
		const char *file;
		uint64_t ava;

		if (!vn || !(file = sk_elf_str(obj, vn->vn_file)))
			return -EINVAL;
		ava = va + vn->vn_aux;
		for (uint16_t j = 0; j < vn->vn_cnt; j++) {
			const struct sk_elf64_vernaux *a =
				at(obj, ava, sizeof(*a));
			const char *name;

			if (!a || !(name = sk_elf_str(obj, a->vna_name)) ||
			    ++steps > MAX_VER_STEPS)
				return -EINVAL;
			struct sk_elf_ver v = {
				.name = name,
				.hash = a->vna_hash,
				.file = file,
				.weak = (a->vna_flags & SK_VER_FLG_WEAK) != 0,
			};
			note(obj, a->vna_other, &v, max);
			ava += a->vna_next;
		}
		if (vn->vn_next == 0)
			break;
		va += vn->vn_next;
	}
	return 0;
}

static int walk(struct sk_elf_obj *obj, uint64_t verdef, uint64_t ndef,
		uint64_t verneed, uint64_t nneed, uint32_t *max)
{
	int err = 0;

	if (verdef)
		err = walk_verdef(obj, verdef, ndef, max);
	if (!err && verneed)
		err = walk_verneed(obj, verneed, nneed, max);
	if (err)
		return sk_elf_fail(err, obj->path, "bad version tables", NULL);
	return 0;
}

int sk_elf_parse_versions(struct sk_elf_obj *obj, uint64_t verdef,
			  uint64_t ndef, uint64_t verneed, uint64_t nneed)
{
	uint32_t max = 1;
	int err;

	if (!obj->versym)
		return 0;
	err = walk(obj, verdef, ndef, verneed, nneed, &max);
	if (err)
		return err;
	obj->vers = sk_elf_zalloc(((size_t)max + 1) * sizeof(*obj->vers));
	if (!obj->vers)
		return sk_elf_fail(-ENOMEM, obj->path, "out of memory", NULL);
	obj->nvers = max + 1;
	return walk(obj, verdef, ndef, verneed, nneed, &max);
}

const struct sk_elf_ver *sk_elf_ref_version(const struct sk_elf_obj *obj,
					    uint32_t symidx)
{
	uint16_t ndx;

	if (!obj->versym)
		return NULL;
	ndx = obj->versym[symidx] & SK_VERSYM_INDEX;
	if (ndx < 2 || ndx >= obj->nvers || !obj->vers[ndx].name)
		return NULL;
	return &obj->vers[ndx];
}

bool sk_elf_version_ok(const struct sk_elf_obj *obj, uint32_t symidx,
		       const struct sk_elf_ver *want)
{
	uint16_t vs, ndx;
	const struct sk_elf_ver *have;

	if (!obj->versym)
		return true;
	vs = obj->versym[symidx];
	ndx = vs & SK_VERSYM_INDEX;
	if (ndx == SK_VER_NDX_LOCAL)
		return false;
	if (!want)
		return !(vs & SK_VERSYM_HIDDEN);
	have = ndx < obj->nvers ? &obj->vers[ndx] : NULL;
	if (!have || !have->name)
		return !(vs & SK_VERSYM_HIDDEN);
	/* Often the same entry, or names in the same string table. */
	return have == want || have->name == want->name ||
	       (have->hash == want->hash &&
		sk_elf_strcmp(have->name, want->name) == 0);
}

static bool has_defs(const struct sk_elf_obj *obj)
{
	for (uint32_t i = 0; i < obj->nvers; i++)
		if (obj->vers[i].name && !obj->vers[i].file)
			return true;
	return false;
}

static bool defines(const struct sk_elf_obj *obj, const struct sk_elf_ver *v)
{
	for (uint32_t i = 0; i < obj->nvers; i++) {
		const struct sk_elf_ver *d = &obj->vers[i];

		if (d->name && !d->file && d->hash == v->hash &&
		    sk_elf_strcmp(d->name, v->name) == 0)
			return true;
	}
	return false;
}

static const struct sk_elf_obj *dep_named(const struct sk_elf_obj *obj,
					  const char *file)
{
	for (size_t i = 0; i < obj->ndeps; i++) {
		const struct sk_elf_obj *d = obj->deps[i];

		if (d && d->soname && sk_elf_strcmp(d->soname, file) == 0)
			return d;
	}
	return NULL;
}

/*
 * Every version @obj requires from a loaded dependency that has version
 * definitions must be defined there (glibc's "version `X' not found").
 * Providers and unversioned dependencies are not checked.
 */
int sk_elf_check_versions(const struct sk_elf_obj *obj)
{
	for (uint32_t i = 0; i < obj->nvers; i++) {
		const struct sk_elf_ver *v = &obj->vers[i];
		const struct sk_elf_obj *d;

		if (!v->name || !v->file || v->weak)
			continue;
		d = dep_named(obj, v->file);
		if (d && has_defs(d) && !defines(d, v))
			return sk_elf_fail(-ESRCH, obj->path,
					   "version not found in dependency",
					   v->name);
	}
	return 0;
}

/* The System V ABI's ELF hash. */
uint32_t sk_elf_sysv_hash(const char *name)
{
	uint32_t h = 0, g;

	for (const unsigned char *p = (const void *)name; *p; p++) {
		h = (h << 4) + *p;
		g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}
