/* SPDX-License-Identifier: MIT */
/*
 * Thread-local storage, x86-64 variant II.  Module ids index a table of
 * objects with PT_TLS.  Objects loaded before the first TCB exists get a
 * static offset (their block is at tp - offset in every TCB); the layout is
 * then frozen with SK_ELF_TLS_SURPLUS spare bytes that later objects using
 * initial-exec TLS may claim.  Everything else is allocated per thread on
 * first use by __tls_get_addr through the thread's DTV.
 *
 * DTV slot state (one word per module per thread):
 *   NULL --(owner's slow path, under the loader lock)--> block
 *   block --(sk_elf_close of that module, under the lock)--> NULL
 * The owner reads its slots without the lock; a slot is only cleared when
 * its module is unloaded, which the owner may not race with by contract.
 * So the accesses are relaxed atomics: nothing is published through them
 * except memory this thread itself initialised.
 */
#include <errno.h>
#include <stdatomic.h>

#include "internal.h"

struct sk_elf_dtv_slot {
	_Atomic(void *) block;
	void *mem; /* what to free, NULL for static blocks */
};

struct sk_elf_dtv {
	size_t n;
	struct sk_elf_dtv_slot slot[];
};

static struct {
	bool frozen;
	size_t used; /* highest static offset handed out */
	size_t size; /* static area once frozen */
	size_t align; /* alignment of the thread pointer */
	struct sk_elf_obj **mods; /* by module id; [0] unused */
	size_t nmods;
	struct sk_elf_tcb *tcbs;
} tls = { .align = 64 };

static intptr_t static_offset(const struct sk_elf_obj *obj)
{
	size_t fb = (0 - obj->tls_firstbyte) & (obj->tls_align - 1);

	return (intptr_t)(SK_ALIGN_UP(tls.used + obj->tls_memsz - fb,
				      obj->tls_align) +
			  fb);
}

static void take_static(struct sk_elf_obj *obj)
{
	obj->tls_offset = static_offset(obj);
	tls.used = (size_t)obj->tls_offset;
	if (obj->tls_align > tls.align)
		tls.align = obj->tls_align;
}

int sk_elf_tls_assign(struct sk_elf_obj *obj)
{
	size_t id;

	if (!obj->tls_memsz)
		return 0;
	for (id = 1; id < tls.nmods && tls.mods[id]; id++)
		;
	if (id >= tls.nmods) {
		size_t n = tls.nmods ? 2 * tls.nmods : 16;
		struct sk_elf_obj **m = sk_elf_zalloc(n * sizeof(*m));

		if (!m)
			return sk_elf_fail(-ENOMEM, obj->path, "out of memory",
					   NULL);
		for (size_t i = 0; i < tls.nmods; i++)
			m[i] = tls.mods[i];
		sk_elf_free(tls.mods);
		tls.mods = m;
		tls.nmods = n;
	}
	tls.mods[id] = obj;
	obj->tls_modid = id;
	if (!tls.frozen)
		take_static(obj);
	return 0;
}

int sk_elf_tls_need_static(struct sk_elf_obj *obj)
{
	if (obj->relocated)
		return -EBUSY; /* threads may already use a dynamic block */
	if (obj->tls_align > tls.align || (size_t)static_offset(obj) > tls.size)
		return -ENOSPC;
	take_static(obj);
	obj->tls_late = true;
	return 0;
}

static void init_block(const struct sk_elf_obj *obj, char *block)
{
	__builtin_memcpy(block, obj->tls_image, obj->tls_filesz);
	__builtin_memset(block + obj->tls_filesz, 0,
			 obj->tls_memsz - obj->tls_filesz);
}

void sk_elf_tls_init_late(struct sk_elf_obj *obj)
{
	if (!obj->tls_late)
		return;
	for (struct sk_elf_tcb *t = tls.tcbs; t; t = t->next)
		init_block(obj, (char *)t - obj->tls_offset);
	obj->tls_late = false;
}

void sk_elf_tls_release(struct sk_elf_obj *obj)
{
	size_t id = obj->tls_modid;

	if (!id)
		return;
	for (struct sk_elf_tcb *t = tls.tcbs; t; t = t->next) {
		struct sk_elf_dtv *d = t->dtv;

		if (id >= d->n)
			continue;
		atomic_store_explicit(&d->slot[id].block, NULL,
				      memory_order_relaxed);
		sk_elf_free(d->slot[id].mem);
		d->slot[id].mem = NULL;
	}
	tls.mods[id] = NULL;
	obj->tls_modid = 0;
}

static struct sk_elf_dtv *dtv_create(size_t n)
{
	struct sk_elf_dtv *d;

	d = sk_elf_zalloc(sizeof(*d) + n * sizeof(d->slot[0]));
	if (d)
		d->n = n;
	return d;
}

int sk_elf_tls_create(struct sk_elf_tcb **out)
{
	struct sk_elf_tcb *tcb;
	char *mem;
	int err = -ENOMEM;

	if (!sk_elf_g.started)
		return -EINVAL;
	sk_elf_lock();
	if (!tls.frozen) {
		tls.frozen = true;
		tls.size =
			SK_ALIGN_UP(tls.used + SK_ELF_TLS_SURPLUS, tls.align);
	}
	mem = sk_elf_zalloc(tls.size + tls.align + sizeof(*tcb));
	if (!mem)
		goto out;
	tcb = (void *)SK_ALIGN_UP((uintptr_t)mem + tls.size, tls.align);
	tcb->dtv = dtv_create(tls.nmods + 8);
	if (!tcb->dtv) {
		sk_elf_free(mem);
		goto out;
	}
	tcb->self = tcb;
	tcb->mem = mem;
	for (size_t i = 1; i < tls.nmods; i++)
		if (tls.mods[i] && tls.mods[i]->tls_offset)
			init_block(tls.mods[i],
				   (char *)tcb - tls.mods[i]->tls_offset);
	tcb->next = tls.tcbs;
	if (tls.tcbs)
		tls.tcbs->prev = tcb;
	tls.tcbs = tcb;
	*out = tcb;
	err = 0;
out:
	sk_elf_unlock();
	return err;
}

void sk_elf_tls_destroy(struct sk_elf_tcb *tcb)
{
	sk_elf_lock();
	if (tcb->prev)
		tcb->prev->next = tcb->next;
	else
		tls.tcbs = tcb->next;
	if (tcb->next)
		tcb->next->prev = tcb->prev;
	for (size_t i = 0; i < tcb->dtv->n; i++)
		sk_elf_free(tcb->dtv->slot[i].mem);
	sk_elf_free(tcb->dtv);
	sk_elf_free(tcb->mem);
	sk_elf_unlock();
}

void *sk_elf_tls_peek(size_t modid)
{
	struct sk_elf_tcb *tcb = sk_elf_g.ops.tls_tp(sk_elf_g.ops.ctx);

	if (!tcb || !modid || modid >= tcb->dtv->n)
		return NULL;
	return atomic_load_explicit(&tcb->dtv->slot[modid].block,
				    memory_order_relaxed);
}

size_t sk_elf_tls_static_size(void)
{
	return tls.frozen ? tls.size : tls.used;
}

static void *dynamic_block(const struct sk_elf_obj *obj, void **mem)
{
	char *m = sk_elf_zalloc(obj->tls_memsz + obj->tls_align +
				obj->tls_firstbyte);
	char *block;

	if (!m)
		return NULL;
	block = (char *)SK_ALIGN_UP((uintptr_t)m, obj->tls_align) +
		obj->tls_firstbyte;
	init_block(obj, block);
	*mem = m;
	return block;
}

static bool dtv_grow(struct sk_elf_tcb *tcb, size_t id)
{
	struct sk_elf_dtv *old = tcb->dtv, *d;

	if (id < old->n)
		return true;
	d = dtv_create(tls.nmods > id ? tls.nmods + 8 : id + 8);
	if (!d)
		return false;
	for (size_t i = 0; i < old->n; i++) {
		void *b = atomic_load_explicit(&old->slot[i].block,
					       memory_order_relaxed);

		atomic_store_explicit(&d->slot[i].block, b,
				      memory_order_relaxed);
		d->slot[i].mem = old->slot[i].mem;
	}
	tcb->dtv = d;
	sk_elf_free(old);
	return true;
}

static SK_NOINLINE void *tls_slow(struct sk_elf_tcb *tcb,
				  const struct sk_elf_tls_index *ti)
{
	struct sk_elf_obj *obj;
	void *block = NULL, *mem = NULL;

	sk_elf_lock();
	obj = ti->modid < tls.nmods ? tls.mods[ti->modid] : NULL;
	if (!obj || !dtv_grow(tcb, ti->modid))
		goto out;
	if (obj->tls_offset)
		block = (char *)tcb - obj->tls_offset;
	else
		block = dynamic_block(obj, &mem);
	if (!block)
		goto out;
	tcb->dtv->slot[ti->modid].mem = mem;
	atomic_store_explicit(&tcb->dtv->slot[ti->modid].block, block,
			      memory_order_relaxed);
	block = (char *)block + ti->offset;
out:
	sk_elf_unlock();
	return block;
}

void *sk_elf_tls_get_addr(struct sk_elf_tls_index *ti)
{
	struct sk_elf_tcb *tcb = sk_elf_g.ops.tls_tp(sk_elf_g.ops.ctx);
	struct sk_elf_dtv *d;

	if (SK_UNLIKELY(!tcb))
		return NULL; /* the embedder made no TCB current */
	d = tcb->dtv;
	if (SK_LIKELY(ti->modid < d->n)) {
		char *b = atomic_load_explicit(&d->slot[ti->modid].block,
					       memory_order_relaxed);
		if (SK_LIKELY(b != NULL))
			return b + ti->offset;
	}
	return tls_slow(tcb, ti);
}

/*
 * TLSDESC resolvers.  Called from compiled code with %rax pointing at the
 * descriptor {resolver, argument}; return in %rax the variable's offset
 * from the thread pointer (%fs:0) and preserve every other register.
 *   static:    argument is the (negative) offset itself;
 *   undefweak: argument is the addend; the result makes tp + rax = addend;
 *   dynamic:   argument is a struct sk_elf_tls_index; call
 *              sk_elf_tls_get_addr with every caller-saved integer and
 *              SSE register saved (fxsave), and subtract the tp.
 */
__asm__(".text\n"
	".globl sk_elf_tlsdesc_static\n"
	".hidden sk_elf_tlsdesc_static\n"
	".type sk_elf_tlsdesc_static,@function\n"
	"sk_elf_tlsdesc_static:\n"
	"	movq 8(%rax), %rax\n"
	"	ret\n"
	".size sk_elf_tlsdesc_static, .-sk_elf_tlsdesc_static\n"
	".globl sk_elf_tlsdesc_undefweak\n"
	".hidden sk_elf_tlsdesc_undefweak\n"
	".type sk_elf_tlsdesc_undefweak,@function\n"
	"sk_elf_tlsdesc_undefweak:\n"
	"	movq 8(%rax), %rax\n"
	"	subq %fs:0, %rax\n"
	"	ret\n"
	".size sk_elf_tlsdesc_undefweak, .-sk_elf_tlsdesc_undefweak\n"
	".globl sk_elf_tlsdesc_dynamic\n"
	".hidden sk_elf_tlsdesc_dynamic\n"
	".type sk_elf_tlsdesc_dynamic,@function\n"
	"sk_elf_tlsdesc_dynamic:\n"
	"	pushq %rbp\n"
	"	movq %rsp, %rbp\n"
	"	pushq %rdi\n"
	"	pushq %rsi\n"
	"	pushq %rdx\n"
	"	pushq %rcx\n"
	"	pushq %r8\n"
	"	pushq %r9\n"
	"	pushq %r10\n"
	"	pushq %r11\n"
	"	subq $512, %rsp\n"
	"	andq $-64, %rsp\n"
	"	fxsave64 (%rsp)\n"
	"	movq 8(%rax), %rdi\n"
	"	call sk_elf_tls_get_addr@PLT\n"
	"	subq %fs:0, %rax\n"
	"	fxrstor64 (%rsp)\n"
	"	leaq -64(%rbp), %rsp\n"
	"	popq %r11\n"
	"	popq %r10\n"
	"	popq %r9\n"
	"	popq %r8\n"
	"	popq %rcx\n"
	"	popq %rdx\n"
	"	popq %rsi\n"
	"	popq %rdi\n"
	"	popq %rbp\n"
	"	ret\n"
	".size sk_elf_tlsdesc_dynamic, .-sk_elf_tlsdesc_dynamic\n");

extern char sk_elf_tlsdesc_static[], sk_elf_tlsdesc_undefweak[],
	sk_elf_tlsdesc_dynamic[];

uintptr_t sk_elf_tlsdesc_static_fn(void)
{
	return (uintptr_t)sk_elf_tlsdesc_static;
}

uintptr_t sk_elf_tlsdesc_undefweak_fn(void)
{
	return (uintptr_t)sk_elf_tlsdesc_undefweak;
}

uintptr_t sk_elf_tlsdesc_dynamic_fn(void)
{
	return (uintptr_t)sk_elf_tlsdesc_dynamic;
}
