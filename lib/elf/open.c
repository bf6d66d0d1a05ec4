/* SPDX-License-Identifier: MIT */
/*
 * Opening and closing: find or load an object and its DT_NEEDED closure
 * (breadth first, through RPATH, RUNPATH and ops.search_path with $ORIGIN),
 * relocate the new objects deepest first, run their initialisers in
 * dependency order, and count references.
 *
 * Reference counting: each open root holds one reference on every object
 * of its scope (its dependency closure), so dependency cycles cannot keep
 * objects alive; an object is unloaded when no open root's scope holds it.
 * Finalisers run in the reverse of the order the initialisers ran.
 */
#include <errno.h>

#include "internal.h"

struct batch {
	struct sk_elf_obj **objs; /* new objects, breadth first */
	size_t n;
	unsigned flags;
};

static const char *base_name(const char *path)
{
	const char *b = path;

	for (const char *p = path; *p; p++)
		if (*p == '/')
			b = p + 1;
	return b;
}

static struct sk_elf_obj *find_loaded(const char *name)
{
	bool slash = sk_elf_has_slash(name);

	for (struct sk_elf_obj *o = sk_elf_g.head; o; o = o->next) {
		if (slash && sk_elf_strcmp(o->path, name) == 0)
			return o;
		if (!slash && ((o->soname && !sk_elf_strcmp(o->soname, name)) ||
			       !sk_elf_strcmp(base_name(o->path), name)))
			return o;
	}
	return NULL;
}

bool sk_elf_is_provided(const char *name)
{
	if (sk_elf_strcmp(name, "ld-linux-x86-64.so.2") == 0)
		return true; /* the loader itself: __tls_get_addr */
	for (struct sk_elf_provider *p = sk_elf_g.providers; p; p = p->next)
		for (const char *const *s = p->sonames; s && *s; s++)
			if (sk_elf_strcmp(*s, name) == 0)
				return true;
	return false;
}

static void link_obj(struct sk_elf_obj *obj)
{
	obj->serial = ++sk_elf_g.serial;
	obj->prev = sk_elf_g.tail;
	if (sk_elf_g.tail)
		sk_elf_g.tail->next = obj;
	else
		sk_elf_g.head = obj;
	sk_elf_g.tail = obj;
}

static void unlink_obj(struct sk_elf_obj *obj)
{
	if (obj->prev)
		obj->prev->next = obj->next;
	else
		sk_elf_g.head = obj->next;
	if (obj->next)
		obj->next->prev = obj->prev;
	else
		sk_elf_g.tail = obj->prev;
}

static int prepare(struct sk_elf_obj *obj)
{
	const struct sk_elf_ops *o = &sk_elf_g.ops;
	int err = sk_elf_parse_dynamic(obj);

	if (!err && obj->exec_stack &&
	    (!o->stack_make_exec || o->stack_make_exec(o->ctx)))
		err = sk_elf_fail(-ENOTSUP, obj->path,
				  "needs an executable stack (PT_GNU_STACK)",
				  NULL);
	if (!err)
		err = sk_elf_tls_assign(obj);
	return err;
}

static int load_path(const char *path, struct batch *b, struct sk_elf_obj **out)
{
	struct sk_elf_obj *obj;
	int err;

	if (b->n >= SK_ELF_MAX_OBJECTS)
		return sk_elf_fail(-ELOOP, path,
				   "too many objects (dependency loop?)", NULL);
	err = sk_elf_map_file(path, &obj);
	if (err)
		return err;
	obj->load_flags = b->flags;
	err = prepare(obj);
	if (err) {
		sk_elf_tls_release(obj);
		sk_elf_unmap(obj);
		return err;
	}
	link_obj(obj);
	b->objs[b->n++] = obj;
	*out = obj;
	return 0;
}

/* dir + "/" + name into buf, with $ORIGIN / ${ORIGIN} replaced. */
static bool build_path(char *buf, const char *dir, size_t dlen,
		       const char *origin, const char *name)
{
	size_t n = 0, olen = origin ? sk_elf_strlen(origin) : 0;

	for (size_t i = 0; i < dlen; i++) {
		const char *s = dir + i, *rep = NULL;
		size_t skip = 0;

		if (s[0] == '$' && dlen - i >= 7 &&
		    !__builtin_memcmp(s, "$ORIGIN", 7))
			skip = 7;
		else if (s[0] == '$' && dlen - i >= 9 &&
			 !__builtin_memcmp(s, "${ORIGIN}", 9))
			skip = 9;
		if (skip) {
			if (!origin)
				return false;
			rep = origin;
		}
		if (rep) {
			if (n + olen >= SK_ELF_MAX_PATH)
				return false;
			__builtin_memcpy(buf + n, rep, olen);
			n += olen;
			i += skip - 1;
		} else {
			if (n + 1 >= SK_ELF_MAX_PATH)
				return false;
			buf[n++] = *s;
		}
	}
	olen = sk_elf_strlen(name);
	if (n + 1 + olen >= SK_ELF_MAX_PATH)
		return false;
	buf[n++] = '/';
	__builtin_memcpy(buf + n, name, olen + 1);
	return true;
}

struct search {
	const char *name;
	const char *origin; /* requester's directory, or NULL */
	struct batch *b;
	struct sk_elf_obj *found;
	int err; /* first error other than "not found" */
};

/* Try every directory of a colon-separated list; 1 when found. */
static int try_dirs(struct search *s, const char *list)
{
	char buf[SK_ELF_MAX_PATH];

	while (list && *list) {
		const char *end = list;
		int err;

		while (*end && *end != ':')
			end++;
		if (end > list && build_path(buf, list, (size_t)(end - list),
					     s->origin, s->name)) {
			s->found = find_loaded(buf);
			if (s->found)
				return 1;
			err = load_path(buf, s->b, &s->found);
			if (!err)
				return 1;
			if (err != -ENOENT && err != -ENOEXEC)
				return err;
			if (err == -ENOEXEC && !s->err)
				s->err = err;
		}
		list = *end ? end + 1 : end;
	}
	return 0;
}

static int origin_of(const struct sk_elf_obj *req, char *buf)
{
	size_t len;

	if (!req)
		return 0;
	len = (size_t)(base_name(req->path) - req->path);
	if (len == 0 || len >= SK_ELF_MAX_PATH)
		return 0;
	__builtin_memcpy(buf, req->path, len - (len > 1));
	buf[len - (len > 1)] = '\0';
	return 1;
}

static int search_name(const char *name, const struct sk_elf_obj *req,
		       struct batch *b, struct sk_elf_obj **out)
{
	char origin[SK_ELF_MAX_PATH];
	struct search s = { .name = name, .b = b };
	int r = 0;

	if (origin_of(req, origin))
		s.origin = origin;
	if (req && !req->runpath)
		r = try_dirs(&s, req->rpath);
	if (!r && req)
		r = try_dirs(&s, req->runpath);
	if (!r)
		r = try_dirs(&s, sk_elf_g.ops.search_path);
	if (r < 0)
		return r;
	if (r > 0) {
		*out = s.found;
		return 0;
	}
	return sk_elf_fail(s.err ? s.err : -ENOENT, name,
			   "cannot open shared object file, needed by",
			   req ? req->path : "(open)");
}

static int find_or_load(const char *name, const struct sk_elf_obj *req,
			struct batch *b, struct sk_elf_obj **out)
{
	int err;

	*out = find_loaded(name);
	if (*out)
		return 0;
	if (!sk_elf_has_slash(name))
		return search_name(name, req, b, out);
	err = load_path(name, b, out);
	if (err == -ENOENT)
		sk_elf_fail(err, name,
			    "cannot open shared object file, needed by",
			    req ? req->path : "(open)");
	return err;
}

static int load_deps(struct sk_elf_obj *obj, struct batch *b)
{
	size_t n = 0;

	for (size_t i = 0; i < obj->ndyn; i++)
		n += obj->dyn[i].d_tag == SK_DT_NEEDED;
	if (!n)
		return 0;
	obj->deps = sk_elf_zalloc(n * sizeof(*obj->deps));
	if (!obj->deps)
		return sk_elf_fail(-ENOMEM, obj->path, "out of memory", NULL);
	for (size_t i = 0; i < obj->ndyn; i++) {
		const char *name;
		int err;

		if (obj->dyn[i].d_tag != SK_DT_NEEDED)
			continue;
		name = sk_elf_str(obj, obj->dyn[i].d_val);
		if (sk_elf_is_provided(name)) {
			obj->deps[obj->ndeps++] = NULL;
			continue;
		}
		err = find_or_load(name, obj, b, &obj->deps[obj->ndeps]);
		if (err)
			return err;
		obj->ndeps++;
	}
	return 0;
}

/* The dependency closure of @root, breadth first, @root first. */
static int build_scope(struct sk_elf_obj *root)
{
	size_t cap = 0, n = 0;
	struct sk_elf_obj **q;

	if (root->scope)
		return 0;
	for (struct sk_elf_obj *o = sk_elf_g.head; o; o = o->next) {
		o->mark = false;
		cap++;
	}
	q = sk_elf_zalloc(cap * sizeof(*q));
	if (!q)
		return sk_elf_fail(-ENOMEM, root->path, "out of memory", NULL);
	q[n++] = root;
	root->mark = true;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < q[i]->ndeps; j++) {
			struct sk_elf_obj *d = q[i]->deps[j];

			if (d && !d->mark) {
				d->mark = true;
				q[n++] = d;
			}
		}
	root->scope = q;
	root->nscope = n;
	return 0;
}

static void discard(struct batch *b)
{
	for (size_t i = b->n; i-- > 0;) {
		sk_elf_tls_release(b->objs[i]);
		unlink_obj(b->objs[i]);
		sk_elf_unmap(b->objs[i]);
	}
	b->n = 0;
}

static int load_new(const char *path, struct batch *b, struct sk_elf_obj **root)
{
	int err = find_or_load(path, NULL, b, root);

	for (size_t i = 0; !err && i < b->n; i++)
		err = load_deps(b->objs[i], b);
	for (size_t i = 0; !err && i < b->n; i++)
		err = sk_elf_check_versions(b->objs[i]);
	if (!err)
		err = build_scope(*root);
	for (size_t i = 0; i < b->n; i++) {
		b->objs[i]->root = *root;
		/* A global open joins the scope before relocation, so a
		 * PIE's COPY relocations are what its libraries bind to. */
		if (b->flags & SK_ELF_GLOBAL)
			b->objs[i]->global = true;
	}
	for (size_t i = b->n; !err && i-- > 0;)
		err = sk_elf_relocate(b->objs[i]);
	for (size_t i = 0; !err && i < b->n; i++)
		sk_elf_tls_init_late(b->objs[i]);
	return err;
}

typedef void (*init_fn)(int argc, char **argv, char **envp);
typedef void (*fini_fn)(void);

static void run_init(struct sk_elf_obj *obj)
{
	const struct sk_elf_ops *o = &sk_elf_g.ops;

	for (size_t i = 0; i < obj->npreinit_array; i++)
		((init_fn)obj->preinit_array[i])(o->argc, o->argv, o->envp);
	if (obj->init)
		((init_fn)obj->init)(o->argc, o->argv, o->envp);
	for (size_t i = 0; i < obj->ninit_array; i++)
		if (obj->init_array[i] + 1 > 1) /* skip 0 and -1 */
			((init_fn)obj->init_array[i])(o->argc, o->argv,
						      o->envp);
}

/* Depth-first, dependencies before dependents; a cycle stops at an object
 * already marked inited. */
static void init_tree(struct sk_elf_obj *obj, unsigned depth)
{
	if (obj->inited || depth > SK_ELF_MAX_OBJECTS)
		return;
	obj->inited = true;
	for (size_t i = 0; i < obj->ndeps; i++)
		if (obj->deps[i])
			init_tree(obj->deps[i], depth + 1);
	obj->init_next = sk_elf_g.init_list;
	sk_elf_g.init_list = obj;
	if (!(obj->load_flags & (SK_ELF_NOINIT | SK_ELF_NOEXEC)))
		run_init(obj);
}

static void take_refs(struct sk_elf_obj *root, unsigned flags)
{
	root->opencount++;
	for (size_t i = 0; i < root->nscope; i++) {
		root->scope[i]->refcount++;
		if (flags & SK_ELF_GLOBAL)
			root->scope[i]->global = true;
	}
}

/*
 * An object that recorded a unique definition may be referred to from
 * objects of other scopes: it and its closure stay loaded until
 * sk_elf_fini (glibc's NODELETE).  Pinned after the open that bound it
 * succeeded; a failed open unmaps its own objects (and their records).
 */
void sk_elf_pin_unique(void)
{
	if (!sk_elf_g.pin_pending)
		return;
	sk_elf_g.pin_pending = false;
	for (struct sk_elf_obj *o = sk_elf_g.head; o; o = o->next) {
		if (!o->nodelete || o->pinned)
			continue;
		if (build_scope(o) != 0) { /* no memory: try again later */
			sk_elf_g.pin_pending = true;
			continue;
		}
		o->pinned = true;
		for (size_t i = 0; i < o->nscope; i++)
			o->scope[i]->refcount++;
	}
}

static int open_locked(const char *path, unsigned flags,
		       struct sk_elf_obj **out)
{
	struct sk_elf_obj *objs[SK_ELF_MAX_OBJECTS];
	struct batch b = { .objs = objs, .flags = flags };
	struct sk_elf_obj *root = find_loaded(path);
	int err;

	if (!root && (flags & SK_ELF_NOLOAD))
		return sk_elf_fail(-ENOENT, path, "not loaded", NULL);
	if (root) {
		err = build_scope(root);
		if (err)
			return err;
	} else {
		err = load_new(path, &b, &root);
		if (err) {
			discard(&b);
			return err;
		}
		sk_elf_g.adds += b.n;
	}
	take_refs(root, flags);
	sk_elf_pin_unique();
	init_tree(root, 0);
	*out = root;
	return 0;
}

int sk_elf_open(const char *path, unsigned flags, struct sk_elf_obj **out)
{
	int err;

	if (!sk_elf_g.started || !path || !out)
		return -EINVAL;
	sk_elf_lock();
	err = open_locked(path, flags, out);
	sk_elf_unlock();
	return err;
}

static void run_fini(struct sk_elf_obj *obj)
{
	if (obj->load_flags & (SK_ELF_NOINIT | SK_ELF_NOEXEC))
		return;
	for (size_t i = obj->nfini_array; i-- > 0;)
		if (obj->fini_array[i] + 1 > 1)
			((fini_fn)obj->fini_array[i])();
	if (obj->fini)
		((fini_fn)obj->fini)();
}

/* Finalise, in reverse init order, then unmap every unreferenced object. */
static void unload_unused(void)
{
	struct sk_elf_obj **pp = &sk_elf_g.init_list, *o, *next;

	while ((o = *pp)) {
		if (o->refcount == 0) {
			*pp = o->init_next;
			run_fini(o);
		} else {
			pp = &o->init_next;
		}
	}
	for (o = sk_elf_g.head; o; o = next) {
		next = o->next;
		if (o->refcount)
			continue;
		sk_elf_tls_release(o);
		unlink_obj(o);
		sk_elf_unmap(o);
		sk_elf_g.subs++;
	}
}

static bool is_open(const struct sk_elf_obj *obj)
{
	for (struct sk_elf_obj *o = sk_elf_g.head; o; o = o->next)
		if (o == obj)
			return o->opencount > 0;
	return false;
}

int sk_elf_close(struct sk_elf_obj *obj)
{
	sk_elf_lock();
	if (!is_open(obj)) {
		sk_elf_unlock();
		return sk_elf_fail(-EINVAL, "sk_elf_close",
				   "not an open object", NULL);
	}
	obj->opencount--;
	for (size_t i = 0; i < obj->nscope; i++)
		obj->scope[i]->refcount--;
	unload_unused();
	sk_elf_unlock();
	return 0;
}

void sk_elf_fini(void)
{
	if (!sk_elf_g.started)
		return;
	sk_elf_lock();
	for (struct sk_elf_obj *o = sk_elf_g.head; o; o = o->next)
		o->refcount = 0;
	unload_unused();
	sk_elf_unlock();
	sk_elf_g.started = false;
}
