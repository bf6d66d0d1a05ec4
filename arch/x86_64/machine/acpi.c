// SPDX-License-Identifier: MIT
/*
 * MADT walk.  Tables must lie inside the identity-mapped low 4 GiB; a table
 * whose length runs past that, whose checksum fails or whose entries
 * overrun it is rejected as a whole.
 */
#include <errno.h>
#include <stddef.h>

#include <plat/compiler.h>
#include <x86/acpi.h>

static const uint64_t IDENTITY_LIMIT = 0xffffffffu;

enum {
	SDT_HEADER_LEN = 36,
	MADT_ENTRIES_OFF = SDT_HEADER_LEN + 8,
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_ISO = 2, /* interrupt source override */
	MADT_X2APIC = 9,
	MADT_ENABLED = 1,
	TABLE_MAX_LEN = 1u << 20,
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static int bytes_sum_zero(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

static int sig_is(const uint8_t *p, const char *sig, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)sig[i])
			return 0;
	return 1;
}

/* A checked table at @pa, or NULL. */
static const uint8_t *sdt_map(uint64_t pa)
{
	const uint8_t *t;
	uint32_t len;

	if (!pa || pa > IDENTITY_LIMIT - SDT_HEADER_LEN)
		return NULL;
	t = (const uint8_t *)(uintptr_t)pa;
	len = rd32(t + 4);
	if (len < SDT_HEADER_LEN || len > TABLE_MAX_LEN ||
	    pa + len > IDENTITY_LIMIT || !bytes_sum_zero(t, len))
		return NULL;
	return t;
}

static const uint8_t *madt_find(uint64_t rsdp_pa)
{
	const uint8_t *r = (const uint8_t *)(uintptr_t)rsdp_pa;
	const uint8_t *root;
	unsigned width;
	uint32_t n;

	if (!rsdp_pa || rsdp_pa > IDENTITY_LIMIT - 36 ||
	    !sig_is(r, "RSD PTR ", 8) || !bytes_sum_zero(r, 20))
		return NULL;
	if (r[15] >= 2 && bytes_sum_zero(r, 36) && rd64(r + 24)) {
		root = sdt_map(rd64(r + 24));
		width = 8;
	} else {
		root = sdt_map(rd32(r + 16));
		width = 4;
	}
	if (!root)
		return NULL;
	n = (rd32(root + 4) - SDT_HEADER_LEN) / width;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = root + SDT_HEADER_LEN + i * width;
		const uint8_t *t = sdt_map(width == 8 ? rd64(e) : rd32(e));

		if (t && sig_is(t, "APIC", 4))
			return t;
	}
	return NULL;
}

typedef void (*madt_entry_fn)(const uint8_t *e, uint8_t len, void *ctx);

/* Call @fn for each entry; -EINVAL if one overruns the table. */
static int madt_walk(uint64_t rsdp_pa, madt_entry_fn fn, void *ctx)
{
	const uint8_t *m = madt_find(rsdp_pa);
	uint32_t len, off = MADT_ENTRIES_OFF;

	if (!m)
		return rsdp_pa ? -ENOENT : -EINVAL;
	len = rd32(m + 4);
	while (off + 2 <= len) {
		uint8_t elen = m[off + 1];

		if (elen < 2 || off + elen > len)
			return -EINVAL;
		fn(m + off, elen, ctx);
		off += elen;
	}
	return 0;
}

struct cpu_walk {
	uint32_t *ids;
	unsigned max, n;
};

static void cpu_entry(const uint8_t *e, uint8_t len, void *ctx)
{
	struct cpu_walk *w = ctx;
	uint32_t id = 0, flags = 0;

	if (e[0] == MADT_LAPIC && len >= 8) {
		id = e[3];
		flags = rd32(e + 4);
	} else if (e[0] == MADT_X2APIC && len >= 16) {
		id = rd32(e + 4);
		flags = rd32(e + 8);
	}
	if (!(flags & MADT_ENABLED))
		return;
	if (w->n < w->max)
		w->ids[w->n] = id;
	w->n++;
}

int sk_x86_acpi_cpus(uint64_t rsdp_pa, uint32_t *ids, unsigned max,
		     unsigned *count)
{
	struct cpu_walk w = { ids, max, 0 };
	int err = madt_walk(rsdp_pa, cpu_entry, &w);

	if (!err)
		*count = w.n;
	return err;
}

static void irq_entry(const uint8_t *e, uint8_t len, void *ctx)
{
	struct sk_x86_acpi_irqs *out = ctx;

	if (e[0] == MADT_IOAPIC && len >= 12 &&
	    out->nioapics < SK_X86_IOAPICS_MAX) {
		out->ioapic[out->nioapics].pa = rd32(e + 4);
		out->ioapic[out->nioapics].gsi_base = rd32(e + 8);
		out->nioapics++;
	} else if (e[0] == MADT_ISO && len >= 10 && e[2] == 0 && e[3] < 16) {
		out->isa_gsi[e[3]] = rd32(e + 4);
		out->isa_flags[e[3]] = (uint16_t)(e[8] | e[9] << 8);
		out->isa_overridden |= (uint16_t)(1u << e[3]);
	}
}

int sk_x86_acpi_irqs(uint64_t rsdp_pa, struct sk_x86_acpi_irqs *out)
{
	int err;

	out->nioapics = 0;
	out->isa_overridden = 0;
	for (unsigned i = 0; i < 16; i++) {
		out->isa_gsi[i] = i; /* identity unless overridden */
		out->isa_flags[i] = 0; /* bus default: edge, active high */
	}
	err = madt_walk(rsdp_pa, irq_entry, out);
	if (!(out->isa_overridden & 1))
		out->isa_gsi[0] = 2;
	return err;
}
