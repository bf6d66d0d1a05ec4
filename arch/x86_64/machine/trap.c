// SPDX-License-Identifier: MIT
/*
 * Vector dispatch and the exception crash report.  A vector with a handler
 * goes to it; every other vector is a crash: the report names the
 * exception, prints the registers and a symbolised backtrace, then the
 * platform's own lines, and stops the machine with a failure status.
 */
#include <stdatomic.h>

#include <plat/boot.h>
#include <x86/cpu.h>
#include <x86/crash.h>
#include <x86/fmt.h>
#include <x86/ksyms.h>

static sk_x86_vector_fn sk_x86_vectors[SK_X86_VEC_COUNT];
static sk_x86_crash_extra_fn crash_extra;
static atomic_int crash_running;

static const char *const exception_names[32] = {
	"divide error",
	"debug",
	"NMI",
	"breakpoint",
	"overflow",
	"bound range",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor overrun",
	"invalid TSS",
	"segment not present",
	"stack fault",
	"general protection",
	"page fault",
	"reserved",
	"x87 FP error",
	"alignment check",
	"machine check",
	"SIMD FP error",
	"virtualisation",
	"control protection",
	"reserved",
	"reserved",
	"reserved",
	"reserved",
	"reserved",
	"reserved",
	"hypervisor injection",
	"VMM communication",
	"security",
	"reserved",
};

void sk_x86_vector_set(unsigned vector, sk_x86_vector_fn fn)
{
	if (vector < SK_X86_VEC_COUNT)
		sk_x86_vectors[vector] = fn;
}

void sk_x86_crash_set_extra(sk_x86_crash_extra_fn fn)
{
	crash_extra = fn;
}

void sk_x86_crash_extra(void)
{
	if (crash_extra)
		crash_extra();
}

int sk_x86_crash_enter(void)
{
	int expected = 0;

	/* Relaxed: only decides who prints; the report reads no shared data
	 * published by another CPU. */
	return atomic_compare_exchange_strong_explicit(
		&crash_running, &expected, 1, memory_order_relaxed,
		memory_order_relaxed);
}

void sk_x86_trap(struct sk_x86_frame *f)
{
	sk_x86_vector_fn fn = NULL;

	if (f->vector < SK_X86_VEC_COUNT)
		fn = sk_x86_vectors[f->vector];
	if (!fn)
		sk_x86_crash_frame(f);
	fn(f);
}

/* A frame record must be aligned and inside the identity-mapped 4 GiB. */
static int frame_plausible(uintptr_t rbp, uintptr_t prev)
{
	return rbp && !(rbp & 7) && rbp > prev && rbp < (4ull << 30) - 16 &&
	       rbp >= 0x1000;
}

static void print_location(const char *tag, uintptr_t pc)
{
	uintptr_t off = 0;
	const char *name = sk_x86_ksym_lookup(pc, &off);

	if (name)
		sk_x86_printf("  %s %016lx %s+0x%lx\n", tag, pc, name, off);
	else
		sk_x86_printf("  %s %016lx ?\n", tag, pc);
}

void sk_x86_crash_backtrace(uintptr_t rip, uintptr_t rbp)
{
	uintptr_t prev = 0;

	sk_x86_printf("backtrace:\n");
	print_location("at", rip);
	for (int depth = 0; depth < 32 && frame_plausible(rbp, prev); depth++) {
		const uintptr_t *rec = (const uintptr_t *)rbp;

		if (!rec[1])
			break;
		/* Return addresses point after the call: look up ret - 1. */
		print_location("by", rec[1] - 1);
		prev = rbp;
		rbp = rec[0];
	}
}

static void print_registers(const struct sk_x86_frame *f)
{
	sk_x86_printf("rip %016lx rsp %016lx rflags %016lx\n", f->rip, f->rsp,
		      f->rflags);
	sk_x86_printf("cs %04lx ss %04lx cr2 %016lx cr3 %016lx\n", f->cs, f->ss,
		      sk_x86_read_cr2(), sk_x86_read_cr3());
	sk_x86_printf("rax %016lx rbx %016lx rcx %016lx\n", f->rax, f->rbx,
		      f->rcx);
	sk_x86_printf("rdx %016lx rsi %016lx rdi %016lx\n", f->rdx, f->rsi,
		      f->rdi);
	sk_x86_printf("rbp %016lx r8  %016lx r9  %016lx\n", f->rbp, f->r8,
		      f->r9);
	sk_x86_printf("r10 %016lx r11 %016lx r12 %016lx\n", f->r10, f->r11,
		      f->r12);
	sk_x86_printf("r13 %016lx r14 %016lx r15 %016lx\n", f->r13, f->r14,
		      f->r15);
}

_Noreturn void sk_x86_crash_frame(const struct sk_x86_frame *f)
{
	const char *name = f->vector < 32 ? exception_names[f->vector]
					  : "unexpected interrupt";

	if (!sk_x86_crash_enter())
		sk_plat_shutdown(SK_X86_CRASH_STATUS);
	sk_x86_printf("\n*** skiff crash: vector %lu (%s), error code 0x%lx\n",
		      f->vector, name, f->error);
	if (f->vector == SK_X86_VEC_PF)
		sk_x86_printf("page fault at %016lx: %s, %s, %s\n",
			      sk_x86_read_cr2(),
			      (f->error & 1) ? "protection" : "not present",
			      (f->error & 2) ? "write" : "read",
			      (f->error & 16) ? "fetch" : "data");
	print_registers(f);
	sk_x86_crash_extra();
	sk_x86_crash_backtrace(f->rip, f->rbp);
	sk_x86_printf("*** end of crash report\n");
	sk_plat_shutdown(SK_X86_CRASH_STATUS);
}
