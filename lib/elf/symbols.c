/* SPDX-License-Identifier: MIT */
/*
 * Symbol lookup: one object through DT_GNU_HASH (bloom filter first) or
 * DT_HASH, then a scope in the documented order (loader.h): loader
 * symbols, providers, global objects in load order, the local scope of the
 * object being relocated.  The first definition wins, weak or not, as in
 * glibc without LD_DYNAMIC_WEAK.
 */
#include <errno.h>

#include "internal.h"

/*
 * The GNU hash (h = h * 33 + c over the bytes) and the length, four bytes
 * per step: h * 33^4 + c0 * 33^3 + c1 * 33^2 + c2 * 33 + c3 has one
 * multiply on the dependency chain instead of four shift-adds, and C++
 * names are long (libstdc++'s imports: 45 bytes on average).  Reads stop
 * at the NUL.
 */
static uint32_t gnu_hash(const char *name, size_t *len)
{
	const unsigned char *p = (const void *)name;
	uint32_t h = 5381, c0, c1, c2, c3;

	for (;; p += 4) {
		if (!(c0 = p[0]))
			break;
		if (!(c1 = p[1])) {
			h = h * 33 + c0;
			p += 1;
			break;
		}
		if (!(c2 = p[2])) {
			h = h * 1089 + c0 * 33 + c1;
			p += 2;
			break;
		}
		if (!(c3 = p[3])) {
			h = h * 35937 + c0 * 1089 + c1 * 33 + c2;
			p += 3;
			break;
		}
		h = h * 1185921 + c0 * 35937 + c1 * 1089 + c2 * 33 + c3;
	}
	*len = (size_t)((const char *)p - name);
	return h;
}

/* gnu_hash("__tls_get_addr"), checked before comparing the name. */
#define TLS_GET_ADDR_HASH 0x7c8ad2efu

void sk_elf_lookup_init(struct sk_elf_lookup *lk, const char *name,
			const struct sk_elf_ver *ver)
{
	lk->name = name;
	lk->ver = ver;
	lk->gnu_hash = gnu_hash(name, &lk->len);
	lk->skip = NULL;
	lk->self = NULL;
	lk->self_idx = 0;
}

static bool type_ok(const struct sk_elf64_sym *s)
{
	unsigned type = SK_ELF_ST_TYPE(s->st_info);
	unsigned bind = SK_ELF_ST_BIND(s->st_info);

	if (s->st_shndx == SK_SHN_UNDEF)
		return false;
	if (s->st_value == 0 && s->st_shndx != SK_SHN_ABS && type != SK_STT_TLS)
		return false;
	if (bind != SK_STB_GLOBAL && bind != SK_STB_WEAK &&
	    bind != SK_STB_GNU_UNIQUE)
		return false;
	if (SK_ELF_ST_VISIBILITY(s->st_other) != SK_STV_DEFAULT &&
	    SK_ELF_ST_VISIBILITY(s->st_other) != SK_STV_PROTECTED)
		return false;
	return type == SK_STT_NOTYPE || type == SK_STT_OBJECT ||
	       type == SK_STT_FUNC || type == SK_STT_COMMON ||
	       type == SK_STT_TLS || type == SK_STT_GNU_IFUNC;
}

static const struct sk_elf64_sym *check(const struct sk_elf_obj *obj,
					uint32_t idx,
					const struct sk_elf_lookup *lk)
{
	const struct sk_elf64_sym *s;
	const char *name;

	if (idx >= obj->nsyms)
		return NULL;
	s = &obj->symtab[idx];
	if (!type_ok(s))
		return NULL;
	/* Compare len + 1 bytes (the NUL too) without leaving strtab. */
	if (s->st_name >= obj->strsz || obj->strsz - s->st_name <= lk->len)
		return NULL;
	name = obj->strtab + s->st_name;
	if (__builtin_memcmp(name, lk->name, lk->len + 1) != 0)
		return NULL;
	if (!sk_elf_version_ok(obj, idx, lk->ver))
		return NULL;
	return s;
}

static const struct sk_elf64_sym *find_gnu(const struct sk_elf_obj *obj,
					   const struct sk_elf_lookup *lk)
{
	const uint32_t *h = obj->gnu_hash;
	uint32_t hv = lk->gnu_hash, shift = h[3];
	uint64_t word = obj->gnu_bloom[(hv / 64) & (h[2] - 1)];
	uint64_t mask = (1ull << (hv % 64)) | (1ull << ((hv >> shift) % 64));
	uint32_t idx;

	if ((word & mask) != mask)
		return NULL;
	idx = obj->gnu_buckets[hv % h[0]];
	if (idx < h[1])
		return NULL;
	for (; idx < obj->nsyms; idx++) {
		uint32_t c = obj->gnu_chain[idx];
		const struct sk_elf64_sym *s;

		if ((c | 1) == (hv | 1) && (s = check(obj, idx, lk)))
			return s;
		if (c & 1)
			break;
	}
	return NULL;
}

static const struct sk_elf64_sym *find_sysv(const struct sk_elf_obj *obj,
					    const struct sk_elf_lookup *lk)
{
	uint32_t nbucket = obj->sysv_hash[0], nchain = obj->sysv_hash[1];
	const uint32_t *bucket = obj->sysv_hash + 2, *chain = bucket + nbucket;
	uint32_t idx, steps = 0;

	if (nbucket == 0)
		return NULL;
	/* Computed here: objects without DT_GNU_HASH are rare. */
	for (idx = bucket[sk_elf_sysv_hash(lk->name) % nbucket];
	     idx && idx < nchain; idx = chain[idx]) {
		const struct sk_elf64_sym *s = check(obj, idx, lk);

		if (s)
			return s;
		if (++steps > nchain) /* a loop in a hostile chain */
			break;
	}
	return NULL;
}

const struct sk_elf64_sym *sk_elf_find_in(const struct sk_elf_obj *obj,
					  const struct sk_elf_lookup *lk)
{
	if (obj == lk->skip)
		return NULL;
	if (obj->gnu_hash)
		return find_gnu(obj, lk);
	return find_sysv(obj, lk);
}

static bool from_providers(const struct sk_elf_lookup *lk,
			   struct sk_elf_def *def)
{
	const char *ver = lk->ver ? lk->ver->name : NULL;

	if (lk->gnu_hash == TLS_GET_ADDR_HASH &&
	    sk_elf_strcmp(lk->name, "__tls_get_addr") == 0) {
		def->addr = (uintptr_t)sk_elf_tls_get_addr;
		return true;
	}
	for (struct sk_elf_provider *p = sk_elf_g.providers; p; p = p->next) {
		void *a = p->lookup(p->ctx, lk->name, ver, lk->gnu_hash);

		if (a) {
			def->addr = (uintptr_t)a;
			return true;
		}
	}
	return false;
}

/*
 * The referrer's own definition, when the scope walk reaches the referrer:
 * what its hash chain would give, without the walk (an object defines a
 * name in a version once; the definition must be in the hashed part of
 * the table, as find_gnu would see it).  Most symbols of a C++ library
 * resolve to itself.  NULL: search the object normally.
 */
static const struct sk_elf64_sym *own_def(const struct sk_elf_obj *obj,
					  const struct sk_elf_lookup *lk)
{
	const struct sk_elf64_sym *s = &obj->symtab[lk->self_idx];

	if (!obj->gnu_hash || lk->self_idx < obj->gnu_hash[1] || !type_ok(s) ||
	    !sk_elf_version_ok(obj, lk->self_idx, lk->ver))
		return NULL;
	return s;
}

static bool from_obj(const struct sk_elf_obj *obj,
		     const struct sk_elf_lookup *lk, struct sk_elf_def *def)
{
	const struct sk_elf64_sym *s = NULL;

	if (obj == lk->self && obj != lk->skip)
		s = own_def(obj, lk);
	if (!s)
		s = sk_elf_find_in(obj, lk);

	if (!s)
		return false;
	def->obj = obj;
	def->sym = s;
	def->addr = obj->base + s->st_value;
	sk_elf_unique_def(lk, def);
	return true;
}

int sk_elf_resolve(const struct sk_elf_obj *scope_root,
		   const struct sk_elf_lookup *lk, struct sk_elf_def *def)
{
	def->obj = NULL;
	def->sym = NULL;
	if (from_providers(lk, def))
		return 0;
	for (struct sk_elf_obj *o = sk_elf_g.head; o; o = o->next)
		if (o->global && from_obj(o, lk, def))
			return 0;
	if (!scope_root)
		return -ESRCH;
	for (size_t i = 0; i < scope_root->nscope; i++)
		if (from_obj(scope_root->scope[i], lk, def))
			return 0;
	return -ESRCH;
}

typedef uintptr_t (*ifunc_fn)(void);

uintptr_t sk_elf_def_addr(const struct sk_elf_def *def, unsigned flags,
			  int *err)
{
	*err = 0;
	if (!def->sym || SK_ELF_ST_TYPE(def->sym->st_info) != SK_STT_GNU_IFUNC)
		return def->addr;
	if (flags & SK_ELF_NOEXEC) {
		*err = -ENOTSUP;
		return 0;
	}
	return ((ifunc_fn)def->addr)();
}

struct sk_elf_obj *sk_elf_obj_at(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	for (struct sk_elf_obj *o = sk_elf_g.head; o; o = o->next)
		if (a >= (uintptr_t)o->map &&
		    a - (uintptr_t)o->map < o->map_len)
			return o;
	return NULL;
}
