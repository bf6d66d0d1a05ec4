/* SPDX-License-Identifier: MIT */
/*
 * The loader instance and its queries: start/stop, providers, symbol
 * lookup for callers (sk_elf_sym, RTLD_NEXT), dladdr, dl_iterate_phdr and
 * the dlerror-style message, plus the few string and memory helpers the
 * other stages share (the kvm image has no libc to lean on).
 */
#include <errno.h>

#include "internal.h"

struct sk_elf_state sk_elf_g;

size_t sk_elf_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int sk_elf_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

bool sk_elf_has_slash(const char *s)
{
	for (; *s; s++)
		if (*s == '/')
			return true;
	return false;
}

void *sk_elf_zalloc(size_t len)
{
	void *p = sk_elf_g.ops.alloc(sk_elf_g.ops.ctx, len ? len : 1);

	if (p)
		__builtin_memset(p, 0, len);
	return p;
}

void sk_elf_free(void *p)
{
	if (p)
		sk_elf_g.ops.free(sk_elf_g.ops.ctx, p);
}

char *sk_elf_strdup(const char *s)
{
	size_t n = sk_elf_strlen(s) + 1;
	char *d = sk_elf_zalloc(n);

	if (d)
		__builtin_memcpy(d, s, n);
	return d;
}

void sk_elf_lock(void)
{
	if (sk_elf_g.ops.lock)
		sk_elf_g.ops.lock(sk_elf_g.ops.ctx);
}

void sk_elf_unlock(void)
{
	if (sk_elf_g.ops.unlock)
		sk_elf_g.ops.unlock(sk_elf_g.ops.ctx);
}

static size_t append(size_t n, const char *s)
{
	while (s && *s && n + 1 < sizeof(sk_elf_g.err))
		sk_elf_g.err[n++] = *s++;
	sk_elf_g.err[n] = '\0';
	return n;
}

int sk_elf_fail(int err, const char *who, const char *what, const char *arg)
{
	size_t n = append(0, who);

	n = append(n, ": ");
	n = append(n, what);
	if (arg) {
		n = append(n, ": ");
		append(n, arg);
	}
	sk_elf_g.err_set = true;
	return err;
}

const char *sk_elf_error(void)
{
	if (!sk_elf_g.err_set)
		return NULL;
	sk_elf_g.err_set = false;
	return sk_elf_g.err;
}

int sk_elf_init(const struct sk_elf_ops *ops)
{
	if (sk_elf_g.started)
		return -EBUSY;
	if (!ops || !ops->file_open || !ops->file_read || !ops->file_size ||
	    !ops->file_close || !ops->mem_reserve || !ops->mem_protect ||
	    !ops->mem_release || !ops->alloc || !ops->free || !ops->tls_tp ||
	    !ops->lock != !ops->unlock)
		return -EINVAL;
	if (ops->page_size && !SK_IS_POW2(ops->page_size))
		return -EINVAL;
	sk_elf_g.ops = *ops;
	if (!sk_elf_g.ops.page_size)
		sk_elf_g.ops.page_size = 4096;
	sk_elf_g.providers = NULL;
	sk_elf_g.started = true;
	return 0;
}

int sk_elf_provider_add(struct sk_elf_provider *p)
{
	struct sk_elf_provider **pp;

	if (!p || !p->lookup)
		return -EINVAL;
	sk_elf_lock();
	for (pp = &sk_elf_g.providers; *pp; pp = &(*pp)->next)
		;
	p->next = NULL;
	*pp = p;
	sk_elf_unlock();
	return 0;
}

static uintptr_t sym_value(const struct sk_elf_def *def, int *err)
{
	struct sk_elf_tls_index ti;

	if (def->sym && SK_ELF_ST_TYPE(def->sym->st_info) == SK_STT_TLS) {
		ti.modid = def->obj->tls_modid;
		ti.offset = def->sym->st_value;
		*err = 0;
		return (uintptr_t)sk_elf_tls_get_addr(&ti);
	}
	return sk_elf_def_addr(def, def->obj ? def->obj->load_flags : 0, err);
}

static int lookup(struct sk_elf_obj *obj, struct sk_elf_lookup *lk, void **addr)
{
	struct sk_elf_def def = { 0 };
	int err = -ESRCH;

	sk_elf_lock();
	if (!obj) {
		err = sk_elf_resolve(NULL, lk, &def);
	} else {
		for (size_t i = 0; err && i < obj->nscope; i++) {
			def.obj = obj->scope[i];
			def.sym = sk_elf_find_in(def.obj, lk);
			if (def.sym) {
				err = 0;
				def.addr = def.obj->base + def.sym->st_value;
			}
		}
	}
	if (!err) {
		sk_elf_unique_def(lk, &def);
		sk_elf_pin_unique();
		*addr = (void *)sym_value(&def, &err);
	}
	sk_elf_unlock();
	if (err)
		return sk_elf_fail(err, obj ? obj->path : "(global scope)",
				   "undefined symbol", lk->name);
	return 0;
}

int sk_elf_sym(struct sk_elf_obj *obj, const char *name, void **addr)
{
	struct sk_elf_lookup lk;

	if (!name || !addr)
		return -EINVAL;
	sk_elf_lookup_init(&lk, name, NULL);
	return lookup(obj, &lk, addr);
}

int sk_elf_vsym(struct sk_elf_obj *obj, const char *name, const char *version,
		void **addr)
{
	struct sk_elf_lookup lk;
	struct sk_elf_ver v;

	if (!name || !version || !addr)
		return -EINVAL;
	v.name = version;
	v.hash = sk_elf_sysv_hash(version);
	sk_elf_lookup_init(&lk, name, &v);
	return lookup(obj, &lk, addr);
}

int sk_elf_sym_next(const void *caller, const char *name, void **addr)
{
	struct sk_elf_lookup lk;
	struct sk_elf_obj *self;
	struct sk_elf_def def = { 0 };
	int err = -ESRCH;

	if (!name || !addr)
		return -EINVAL;
	sk_elf_lookup_init(&lk, name, NULL);
	sk_elf_lock();
	self = sk_elf_obj_at(caller);
	for (struct sk_elf_obj *o = self ? self->next : NULL; err && o;
	     o = o->next) {
		if (!o->global || !(def.sym = sk_elf_find_in(o, &lk)))
			continue;
		def.obj = o;
		def.addr = o->base + def.sym->st_value;
		err = 0;
	}
	if (!err) {
		sk_elf_unique_def(&lk, &def);
		sk_elf_pin_unique();
		*addr = (void *)sym_value(&def, &err);
	}
	sk_elf_unlock();
	if (!self)
		return sk_elf_fail(-EINVAL, "RTLD_NEXT",
				   "caller is in no loaded object", NULL);
	if (err)
		return sk_elf_fail(err, self->path, "RTLD_NEXT: no next symbol",
				   name);
	return 0;
}

static bool better(const struct sk_elf64_sym *s, uintptr_t a, uintptr_t base,
		   const struct sk_elf64_sym *best)
{
	uintptr_t v = base + s->st_value;

	if (s->st_shndx == SK_SHN_UNDEF || v > a ||
	    SK_ELF_ST_TYPE(s->st_info) == SK_STT_TLS)
		return false;
	if (s->st_size && a - v >= s->st_size)
		return false;
	return !best || s->st_value > best->st_value;
}

int sk_elf_addr(const void *addr, struct sk_elf_addr_info *info)
{
	const struct sk_elf64_sym *best = NULL;
	struct sk_elf_obj *o;

	if (!info)
		return -EINVAL;
	sk_elf_lock();
	o = sk_elf_obj_at(addr);
	if (!o) {
		sk_elf_unlock();
		return -ESRCH;
	}
	for (uint32_t i = 1; i < o->nsyms; i++)
		if (better(&o->symtab[i], (uintptr_t)addr, o->base, best))
			best = &o->symtab[i];
	info->fname = o->path;
	info->fbase = o->map;
	info->sname = best ? sk_elf_str(o, best->st_name) : NULL;
	info->saddr = best ? (void *)(o->base + best->st_value) : NULL;
	sk_elf_unlock();
	return 0;
}

int sk_elf_iterate_phdr(sk_elf_phdr_fn fn, void *data)
{
	int r = 0;

	sk_elf_lock();
	for (struct sk_elf_obj *o = sk_elf_g.head; o && !r; o = o->next) {
		struct sk_elf_phdr_info info = {
			.addr = o->base,
			.name = o->path,
			.phdr = o->phdr,
			.phnum = o->phnum,
			.adds = sk_elf_g.adds,
			.subs = sk_elf_g.subs,
			.tls_modid = o->tls_modid,
			.tls_data = sk_elf_tls_peek(o->tls_modid),
		};
		r = fn(&info, sizeof(info), data);
	}
	sk_elf_unlock();
	return r;
}

uintptr_t sk_elf_obj_base(const struct sk_elf_obj *obj)
{
	return obj->base;
}

const char *sk_elf_obj_name(const struct sk_elf_obj *obj)
{
	return obj->soname ? obj->soname : obj->path;
}

uintptr_t sk_elf_obj_entry(const struct sk_elf_obj *obj)
{
	return obj->entry ? obj->base + obj->entry : 0;
}

int sk_elf_obj_has_exec_stack(const struct sk_elf_obj *obj)
{
	return obj->exec_stack;
}
