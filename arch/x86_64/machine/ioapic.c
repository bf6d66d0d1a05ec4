// SPDX-License-Identifier: MIT
/*
 * I/O APIC programming through its index/data window: IOREGSEL at +0x00,
 * IOWIN at +0x10; redirection entry n is registers 0x10 + 2n (low: vector,
 * trigger, polarity, mask) and 0x11 + 2n (high: destination APIC id).
 */
#include <errno.h>

#include <x86/acpi.h>
#include <x86/ioapic.h>

enum {
	IOREGSEL = 0x00 / 4,
	IOWIN = 0x10 / 4,
	REG_VER = 0x01,
	REG_REDIR = 0x10,
	REDIR_MASKED = 1u << 16,
	REDIR_LEVEL = 1u << 15,
	REDIR_LOW = 1u << 13,
};

struct ioapic {
	volatile uint32_t *mmio;
	uint32_t gsi_base;
	unsigned pins;
};

static struct ioapic ioapics[SK_X86_IOAPICS_MAX];
static unsigned nioapics;

static uint32_t reg_read(const struct ioapic *io, uint32_t reg)
{
	io->mmio[IOREGSEL] = reg;
	return io->mmio[IOWIN];
}

static void reg_write(const struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->mmio[IOREGSEL] = reg;
	io->mmio[IOWIN] = v;
}

int sk_x86_ioapic_add(uint64_t pa, uint32_t gsi_base)
{
	struct ioapic *io;

	if (nioapics == SK_X86_IOAPICS_MAX)
		return -ENOSPC;
	if (!pa || (pa & 0xf) || pa >= 0xfffff000ull)
		return -EINVAL;
	io = &ioapics[nioapics];
	io->mmio = (volatile uint32_t *)(uintptr_t)pa;
	io->gsi_base = gsi_base;
	io->pins = ((reg_read(io, REG_VER) >> 16) & 0xff) + 1;
	for (unsigned p = 0; p < io->pins; p++)
		reg_write(io, REG_REDIR + 2 * p, REDIR_MASKED);
	nioapics++;
	return 0;
}

int sk_x86_ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id,
			unsigned flags)
{
	for (unsigned i = 0; i < nioapics; i++) {
		const struct ioapic *io = &ioapics[i];
		uint32_t pin = gsi - io->gsi_base, lo = vector;

		if (gsi < io->gsi_base || pin >= io->pins)
			continue;
		if (flags & SK_X86_IOAPIC_LEVEL)
			lo |= REDIR_LEVEL;
		if (flags & SK_X86_IOAPIC_LOW)
			lo |= REDIR_LOW;
		reg_write(io, REG_REDIR + 2 * pin + 1, apic_id << 24);
		reg_write(io, REG_REDIR + 2 * pin, lo);
		return 0;
	}
	return -EINVAL;
}

uint64_t sk_x86_ioapic_pa(unsigned i)
{
	return i < nioapics ? (uintptr_t)ioapics[i].mmio : 0;
}
