/* SPDX-License-Identifier: MIT */
/*
 * Stage 1 of loading: read and validate the ELF and program headers of an
 * untrusted file, reserve one address range for the whole image and place
 * each PT_LOAD segment in it with its protections (through ops.file_map
 * when the embedder can map files, else by reading into anonymous memory).
 * Every offset, size and count is checked before it is used.
 */
#include <errno.h>

#include "internal.h"

static size_t page_size(void)
{
	return sk_elf_g.ops.page_size;
}

static uint64_t page_down(uint64_t x)
{
	return x & ~(uint64_t)(page_size() - 1);
}

/* Callers have checked that @x is far below UINT64_MAX. */
static uint64_t page_up(uint64_t x)
{
	uint64_t p = page_size();

	return (x + p - 1) & ~(p - 1);
}

static int read_exact(void *h, void *buf, size_t len, uint64_t off)
{
	const struct sk_elf_ops *o = &sk_elf_g.ops;
	size_t done = 0;

	while (done < len) {
		long n = o->file_read(o->ctx, h, (char *)buf + done, len - done,
				      off + done);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -ENOEXEC;
		done += (size_t)n;
	}
	return 0;
}

static unsigned seg_prot(uint32_t flags)
{
	unsigned prot = 0;

	if (flags & SK_PF_R)
		prot |= SK_ELF_PROT_READ;
	if (flags & SK_PF_W)
		prot |= SK_ELF_PROT_WRITE;
	if (flags & SK_PF_X)
		prot |= SK_ELF_PROT_EXEC;
	return prot;
}

static int check_ehdr(const char *path, const struct sk_elf64_ehdr *eh,
		      uint64_t fsize)
{
	static const unsigned char magic[4] = { 0x7f, 'E', 'L', 'F' };

	for (int i = 0; i < 4; i++)
		if (eh->e_ident[i] != magic[i])
			return sk_elf_fail(-ENOEXEC, path, "not an ELF file",
					   NULL);
	if (eh->e_ident[SK_EI_CLASS] != SK_ELFCLASS64 ||
	    eh->e_ident[SK_EI_DATA] != SK_ELFDATA2LSB ||
	    eh->e_ident[SK_EI_VERSION] != SK_EV_CURRENT ||
	    eh->e_machine != SK_EM_X86_64)
		return sk_elf_fail(-ENOEXEC, path, "not an x86-64 ELF64 object",
				   NULL);
	if (eh->e_type != SK_ET_DYN)
		return sk_elf_fail(-ENOEXEC, path,
				   "not ET_DYN (shared object or PIE)", NULL);
	if (eh->e_phentsize != sizeof(struct sk_elf64_phdr) ||
	    eh->e_phnum == 0 || eh->e_phnum > SK_ELF_MAX_PHNUM)
		return sk_elf_fail(-ENOEXEC, path, "bad program header count",
				   NULL);
	if (eh->e_phoff > fsize ||
	    fsize - eh->e_phoff <
		    (uint64_t)eh->e_phnum * sizeof(struct sk_elf64_phdr))
		return sk_elf_fail(-ENOEXEC, path,
				   "program headers outside the file", NULL);
	return 0;
}

static int check_load(const char *path, const struct sk_elf64_phdr *ph,
		      uint64_t fsize, uint64_t prev_end)
{
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz || ph->p_memsz > SK_ELF_MAX_SPAN)
		return sk_elf_fail(-ENOEXEC, path, "bad segment size", NULL);
	if (ph->p_offset > fsize || fsize - ph->p_offset < ph->p_filesz)
		return sk_elf_fail(-ENOEXEC, path, "segment outside the file",
				   NULL);
	if (ph->p_align > 1 && !SK_IS_POW2(ph->p_align))
		return sk_elf_fail(-ENOEXEC, path, "bad segment alignment",
				   NULL);
	if ((ph->p_vaddr ^ ph->p_offset) & (page_size() - 1))
		return sk_elf_fail(-ENOEXEC, path,
				   "segment offset and address disagree", NULL);
	if (ph->p_vaddr > SK_ELF_MAX_SPAN ||
	    (end = page_up(ph->p_vaddr + ph->p_memsz)) > SK_ELF_MAX_SPAN)
		return sk_elf_fail(-ENOEXEC, path, "segment address too large",
				   NULL);
	if (page_down(ph->p_vaddr) < prev_end)
		return sk_elf_fail(-ENOEXEC, path,
				   "segments overlap or are unsorted", NULL);
	return 0;
}

static int check_phdrs(const char *path, struct sk_elf_obj *obj, uint64_t fsize,
		       uint64_t *hi, uint64_t *align)
{
	uint64_t prev_end = 0;
	bool have_load = false, have_dyn = false;

	*align = page_size();
	for (uint16_t i = 0; i < obj->phnum; i++) {
		const struct sk_elf64_phdr *ph = &obj->phdr[i];
		int err;

		if (ph->p_type == SK_PT_DYNAMIC)
			have_dyn = true;
		if (ph->p_type == SK_PT_GNU_STACK)
			obj->exec_stack = (ph->p_flags & SK_PF_X) != 0;
		if (ph->p_type != SK_PT_LOAD)
			continue;
		err = check_load(path, ph, fsize, prev_end);
		if (err)
			return err;
		if (!have_load)
			obj->vaddr_lo = page_down(ph->p_vaddr);
		have_load = true;
		prev_end = page_up(ph->p_vaddr + ph->p_memsz);
		if (ph->p_align > *align)
			*align = ph->p_align;
	}
	if (!have_load || !have_dyn)
		return sk_elf_fail(-ENOEXEC, path,
				   "no loadable segment or no dynamic section",
				   NULL);
	if (*align > (1u << 21))
		*align = 1u << 21;
	*hi = prev_end;
	return 0;
}

/* Zero the tail of the last file page and protect the anonymous rest. */
static int place_bss(uintptr_t base, const struct sk_elf64_phdr *ph,
		     unsigned prot)
{
	const struct sk_elf_ops *o = &sk_elf_g.ops;
	uint64_t file_end = ph->p_vaddr + ph->p_filesz;
	uint64_t file_page_end = page_up(file_end);
	uint64_t mem_end = page_up(ph->p_vaddr + ph->p_memsz);
	if (ph->p_memsz > ph->p_filesz && file_page_end > file_end)
		__builtin_memset((void *)(base + file_end), 0,
				 file_page_end - file_end);
	if (mem_end > file_page_end)
		return o->mem_protect(o->ctx, (void *)(base + file_page_end),
				      mem_end - file_page_end, prot);
	return 0;
}

/* Protection while the segment is filled: writable if it must be. */
static unsigned init_prot_of(const struct sk_elf64_phdr *ph)
{
	unsigned prot = seg_prot(ph->p_flags);

	if (!sk_elf_g.ops.file_map || ph->p_memsz > ph->p_filesz)
		prot |= SK_ELF_PROT_READ | SK_ELF_PROT_WRITE;
	return prot;
}

/*
 * Small writable file-backed segments are relocated almost page by page:
 * ask the embedder to fault them in with the mapping (one kernel call
 * instead of a read fault and a copy-on-write fault per page).
 */
static unsigned map_prot_of(const struct sk_elf64_phdr *ph, uint64_t len)
{
	unsigned prot = init_prot_of(ph);

	if ((prot & SK_ELF_PROT_WRITE) && len <= SK_ELF_PREFAULT_MAX)
		prot |= SK_ELF_MAP_PREFAULT;
	return prot;
}

/* Fill the segment's file pages: map them, or read into anonymous memory. */
static int fill_segment(void *h, uintptr_t base, const struct sk_elf64_phdr *ph,
			unsigned init_prot)
{
	const struct sk_elf_ops *o = &sk_elf_g.ops;
	uint64_t start = page_down(ph->p_vaddr);
	uint64_t file_end = page_up(ph->p_vaddr + ph->p_filesz);
	int err;

	if (o->file_map && ph->p_filesz)
		return o->file_map(o->ctx, h, (void *)(base + start),
				   file_end - start, page_down(ph->p_offset),
				   map_prot_of(ph, file_end - start));
	err = o->mem_protect(o->ctx, (void *)(base + start), file_end - start,
			     init_prot);
	if (!err && ph->p_filesz)
		err = read_exact(h, (void *)(base + ph->p_vaddr), ph->p_filesz,
				 ph->p_offset);
	return err;
}

/*
 * @mapped: the reservation already maps this segment's file pages (at the
 * right file offset) with protection @res_prot.
 */
static int place_segment(void *h, uintptr_t base,
			 const struct sk_elf64_phdr *ph, bool mapped,
			 unsigned res_prot)
{
	const struct sk_elf_ops *o = &sk_elf_g.ops;
	unsigned prot = seg_prot(ph->p_flags), init_prot = init_prot_of(ph);
	uint64_t start = page_down(ph->p_vaddr);
	uint64_t file_end = page_up(ph->p_vaddr + ph->p_filesz);
	int err = 0;

	if (!mapped)
		err = fill_segment(h, base, ph, init_prot);
	else if (init_prot != res_prot)
		err = o->mem_protect(o->ctx, (void *)(base + start),
				     file_end - start, init_prot);
	if (!err)
		err = place_bss(base, ph, prot);
	if (!err && init_prot != prot && file_end > start)
		err = o->mem_protect(o->ctx, (void *)(base + start),
				     file_end - start, prot);
	return err;
}

/*
 * Whether the segments' file pages tile the whole range with no gap and
 * no page of pure .bss, the first one from file offset 0: then a file
 * mapping of the range can serve as the reservation.
 */
static const struct sk_elf64_phdr *tiles(const struct sk_elf_obj *obj)
{
	const struct sk_elf64_phdr *first = NULL;
	uint64_t end = obj->vaddr_lo;

	for (uint16_t i = 0; i < obj->phnum; i++) {
		const struct sk_elf64_phdr *ph = &obj->phdr[i];

		if (ph->p_type != SK_PT_LOAD)
			continue;
		if (!first && (ph->p_offset >= page_size() || !ph->p_filesz))
			return NULL;
		if (page_down(ph->p_vaddr) != end ||
		    page_up(ph->p_vaddr + ph->p_memsz) !=
			    page_up(ph->p_vaddr + ph->p_filesz))
			return NULL;
		end = page_up(ph->p_vaddr + ph->p_memsz);
		if (!first)
			first = ph;
	}
	return first;
}

/* The reservation maps @ph's pages from the file at the right offset. */
static bool reserve_maps(const struct sk_elf_obj *obj,
			 const struct sk_elf64_phdr *first,
			 const struct sk_elf64_phdr *ph)
{
	return first && page_down(ph->p_vaddr) - obj->vaddr_lo ==
				page_down(ph->p_offset);
}

static int reserve(void *h, struct sk_elf_obj *obj, uint64_t align,
		   const struct sk_elf64_phdr **first)
{
	const struct sk_elf_ops *o = &sk_elf_g.ops;

	*first = o->file_map && o->file_map_reserve ? tiles(obj) : NULL;
	if (*first)
		return o->file_map_reserve(o->ctx, h, obj->map_len, align,
					   init_prot_of(*first), &obj->map);
	return o->mem_reserve(o->ctx, obj->map_len, align, &obj->map);
}

/*
 * With a file-mapped reservation, a segment whose file offset matches its
 * place in the range only needs its protection changed (ordinary libraries:
 * everything but the data segment); the others are mapped over it.
 */
static int map_segments(const char *path, void *h, struct sk_elf_obj *obj,
			uint64_t hi, uint64_t align)
{
	const struct sk_elf64_phdr *first;
	unsigned res_prot;
	int err;

	obj->map_len = hi - obj->vaddr_lo;
	err = reserve(h, obj, align, &first);
	if (err) {
		obj->map = NULL;
		return sk_elf_fail(err, path, "cannot reserve address space",
				   NULL);
	}
	res_prot = first ? init_prot_of(first) : SK_ELF_PROT_NONE;
	obj->base = (uintptr_t)obj->map - obj->vaddr_lo;
	for (uint16_t i = 0; i < obj->phnum; i++) {
		const struct sk_elf64_phdr *ph = &obj->phdr[i];

		if (ph->p_type != SK_PT_LOAD)
			continue;
		err = place_segment(h, obj->base, ph,
				    reserve_maps(obj, first, ph), res_prot);
		if (err)
			return sk_elf_fail(err, path, "cannot map segment",
					   NULL);
	}
	return 0;
}

/* One read brings the ELF header and, usually, the program headers. */
static int read_headers(const char *path, void *h, struct sk_elf_obj *obj,
			uint64_t *fsize)
{
	const struct sk_elf_ops *o = &sk_elf_g.ops;
	union {
		struct sk_elf64_ehdr eh;
		unsigned char b[1024];
	} u;
	size_t phlen, head;
	int err;

	err = o->file_size(o->ctx, h, fsize);
	if (err)
		return sk_elf_fail(err, path, "cannot stat", NULL);
	if (*fsize < sizeof(u.eh))
		return sk_elf_fail(-ENOEXEC, path, "file too short", NULL);
	head = *fsize < sizeof(u) ? (size_t)*fsize : sizeof(u);
	err = read_exact(h, u.b, head, 0);
	if (err)
		return sk_elf_fail(err, path, "cannot read", NULL);
	err = check_ehdr(path, &u.eh, *fsize);
	if (err)
		return err;
	phlen = (size_t)u.eh.e_phnum * sizeof(struct sk_elf64_phdr);
	obj->phdr = sk_elf_zalloc(phlen);
	if (!obj->phdr)
		return sk_elf_fail(-ENOMEM, path, "out of memory", NULL);
	obj->phnum = u.eh.e_phnum;
	obj->entry = u.eh.e_entry;
	if (u.eh.e_phoff + phlen <= head)
		__builtin_memcpy(obj->phdr, u.b + u.eh.e_phoff, phlen);
	else if ((err = read_exact(h, obj->phdr, phlen, u.eh.e_phoff)))
		return sk_elf_fail(err, path, "cannot read", NULL);
	return 0;
}

int sk_elf_map_file(const char *path, struct sk_elf_obj **out)
{
	const struct sk_elf_ops *o = &sk_elf_g.ops;
	struct sk_elf_obj *obj;
	uint64_t fsize, hi = 0, align = 0;
	void *h;
	int err;

	obj = sk_elf_zalloc(sizeof(*obj));
	if (!obj)
		return sk_elf_fail(-ENOMEM, path, "out of memory", NULL);
	obj->path = sk_elf_strdup(path);
	if (!obj->path) {
		sk_elf_free(obj);
		return sk_elf_fail(-ENOMEM, path, "out of memory", NULL);
	}
	err = o->file_open(o->ctx, path, &h);
	if (err) {
		sk_elf_unmap(obj);
		return sk_elf_fail(err, path, "cannot open shared object file",
				   NULL);
	}
	err = read_headers(path, h, obj, &fsize);
	if (!err)
		err = check_phdrs(path, obj, fsize, &hi, &align);
	if (!err)
		err = map_segments(path, h, obj, hi, align);
	o->file_close(o->ctx, h);
	if (err) {
		sk_elf_unmap(obj);
		return err;
	}
	*out = obj;
	return 0;
}

void sk_elf_unmap(struct sk_elf_obj *obj)
{
	const struct sk_elf_ops *o = &sk_elf_g.ops;

	sk_elf_unique_drop(obj);
	if (obj->map)
		o->mem_release(o->ctx, obj->map, obj->map_len);
	sk_elf_free(obj->tlsdesc_args);
	sk_elf_free(obj->vers);
	sk_elf_free(obj->deps);
	sk_elf_free(obj->scope);
	sk_elf_free(obj->phdr);
	sk_elf_free(obj->path);
	sk_elf_free(obj);
}

static bool in_seg(const struct sk_elf64_phdr *ph, uint64_t vaddr, uint64_t len,
		   bool write)
{
	if (ph->p_type != SK_PT_LOAD || vaddr < ph->p_vaddr ||
	    vaddr - ph->p_vaddr > ph->p_memsz ||
	    ph->p_memsz - (vaddr - ph->p_vaddr) < len)
		return false;
	return (ph->p_flags & SK_PF_R) && (!write || (ph->p_flags & SK_PF_W));
}

bool sk_elf_range_ok(const struct sk_elf_obj *obj, uint64_t vaddr, uint64_t len,
		     bool write)
{
	struct sk_elf_obj *o = (struct sk_elf_obj *)obj;

	/* Relocations hit the same segment again and again. */
	if (in_seg(&obj->phdr[obj->seg_hint], vaddr, len, write))
		return true;
	for (uint16_t i = 0; i < obj->phnum; i++) {
		if (in_seg(&obj->phdr[i], vaddr, len, write)) {
			o->seg_hint = i;
			return true;
		}
	}
	return false;
}

/* After relocation: PT_GNU_RELRO becomes read-only. */
int sk_elf_protect_final(struct sk_elf_obj *obj)
{
	const struct sk_elf_ops *o = &sk_elf_g.ops;
	int err;

	if (obj->relro_end <= obj->relro_start)
		return 0;
	err = o->mem_protect(o->ctx, (void *)obj->relro_start,
			     obj->relro_end - obj->relro_start,
			     SK_ELF_PROT_READ);
	if (err)
		return sk_elf_fail(err, obj->path, "cannot protect RELRO",
				   NULL);
	return 0;
}
