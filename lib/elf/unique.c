/* SPDX-License-Identifier: MIT */
/*
 * STB_GNU_UNIQUE: one definition per name in the address space, whatever
 * the scope of the lookup (C++ template statics, inline functions' static
 * locals, typeinfo).  The first definition a lookup finds is recorded in a
 * table keyed by GNU hash and name, and every later lookup that finds a
 * unique definition of that name, in any object, gets the recorded one.
 * The recording object is then marked nodelete: open.c pins it (and its
 * closure) until sk_elf_fini, as glibc does, since objects of other scopes
 * may now point into it.  Objects loaded with SK_ELF_NOEXEC take no part:
 * their unique symbols act as global ones.  Everything here runs under
 * the loader lock.
 */
#include "internal.h"

enum { UNIQUE_MIN_CAP = 64 };

static uint32_t slot_of(uint32_t hash)
{
	return hash & (sk_elf_g.unique_cap - 1);
}

/* The slot holding @name, or the empty slot that ends its probe. */
static struct sk_elf_unique *probe(uint32_t hash, const char *name)
{
	struct sk_elf_unique *t = sk_elf_g.unique;
	uint32_t mask = sk_elf_g.unique_cap - 1;

	for (uint32_t i = slot_of(hash);; i = (i + 1) & mask)
		if (!t[i].obj ||
		    (t[i].hash == hash && sk_elf_strcmp(t[i].name, name) == 0))
			return &t[i];
}

/* Keep the table at most half full; false: no memory. */
static bool make_room(void)
{
	struct sk_elf_unique *old = sk_elf_g.unique, *t;
	uint32_t old_cap = sk_elf_g.unique_cap;
	uint32_t cap = old_cap ? old_cap * 2 : UNIQUE_MIN_CAP;

	if ((sk_elf_g.nunique + 1) * 2 <= old_cap)
		return true;
	t = sk_elf_zalloc(cap * sizeof(*t));
	if (!t)
		return false;
	sk_elf_g.unique = t;
	sk_elf_g.unique_cap = cap;
	for (uint32_t i = 0; i < old_cap; i++)
		if (old[i].obj)
			*probe(old[i].hash, old[i].name) = old[i];
	sk_elf_free(old);
	return true;
}

void sk_elf_unique_def(const struct sk_elf_lookup *lk, struct sk_elf_def *def)
{
	struct sk_elf_unique *e;
	struct sk_elf_obj *o = (struct sk_elf_obj *)def->obj;

	/* An object loaded for inspection only (SK_ELF_NOEXEC) imposes no
	 * definition on others and is never pinned. */
	if (!o || !def->sym ||
	    SK_ELF_ST_BIND(def->sym->st_info) != SK_STB_GNU_UNIQUE ||
	    (o->load_flags & SK_ELF_NOEXEC))
		return;
	if (sk_elf_g.unique_cap) {
		e = probe(lk->gnu_hash, lk->name);
		if (e->obj) {
			def->obj = e->obj;
			def->sym = e->sym;
			def->addr = e->obj->base + e->sym->st_value;
			return;
		}
	}
	/* Without memory the definition found stays a valid answer. */
	if (!make_room())
		return;
	e = probe(lk->gnu_hash, lk->name);
	e->hash = lk->gnu_hash;
	e->name = o->strtab + def->sym->st_name; /* checked by the lookup */
	e->obj = o;
	e->sym = def->sym;
	sk_elf_g.nunique++;
	if (!o->nodelete)
		sk_elf_g.pin_pending = true;
	o->nodelete = true;
}

/* Empty slot @i, moving later entries of its probe run back into it. */
static void remove_at(uint32_t i)
{
	struct sk_elf_unique *t = sk_elf_g.unique;
	uint32_t mask = sk_elf_g.unique_cap - 1, j = i, home;

	t[i].obj = NULL;
	for (;;) {
		j = (j + 1) & mask;
		if (!t[j].obj)
			return;
		home = slot_of(t[j].hash);
		/* Stays if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t[i] = t[j];
		t[j].obj = NULL;
		i = j;
	}
}

void sk_elf_unique_drop(const struct sk_elf_obj *obj)
{
	for (uint32_t i = 0; obj->nodelete && i < sk_elf_g.unique_cap; i++)
		while (sk_elf_g.unique[i].obj == obj) {
			remove_at(i);
			sk_elf_g.nunique--;
		}
	if (sk_elf_g.unique_cap && sk_elf_g.nunique == 0) {
		sk_elf_free(sk_elf_g.unique);
		sk_elf_g.unique = NULL;
		sk_elf_g.unique_cap = 0;
	}
}
