/* SPDX-License-Identifier: MIT */
/*
 * Full FPU/SSE/AVX state save and restore for involuntary context switches.
 * A voluntary switch (sk_arch_switch) keeps only the x87 control word and
 * MXCSR, because the C ABI makes every other FPU register caller-saved.  An
 * interrupt can strike anywhere, so before an involuntary switch the core
 * saves the whole state into the thread's area with sk_arch_fpu_save(), and
 * the thread restores it with sk_arch_fpu_restore() when it runs again.
 *
 * The instruction is chosen once by sk_arch_fpu_setup(): XSAVEC (compact,
 * init optimisation), else XSAVEOPT, else XSAVE, else FXSAVE.  The area size
 * comes from CPUID leaf 0xD.  Areas must be 64-byte aligned.
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <stddef.h>

enum sk_arch_fpu_mode {
	SK_ARCH_FPU_AUTO = 0, /* best the CPU offers */
	SK_ARCH_FPU_FXSAVE = 1, /* legacy 512-byte area, x87 + SSE only */
	SK_ARCH_FPU_XSAVE = 2,
	SK_ARCH_FPU_XSAVEOPT = 3,
	SK_ARCH_FPU_XSAVEC = 4,
};

enum { SK_ARCH_FPU_ALIGN = 64 };
#define SK_ARCH_FPU_ALIGNED __attribute__((aligned(64)))

/* Default control words of a fresh context (x87 FCW, MXCSR). */
enum { SK_ARCH_FCW_DEFAULT = 0x037f, SK_ARCH_MXCSR_DEFAULT = 0x1f80 };

/*
 * sk_arch_fpu_setup - choose the save instruction.  @mode AUTO picks the
 * best; another mode forces it (tests use this to cover the fallbacks).
 * Later calls replace the choice, so call it before any area is in use.
 * Until it is called, FXSAVE is used.
 * Return: 0; -ENOTSUP if the CPU lacks the forced mode.
 * Context: thread, before any thread uses a save area.
 */
int sk_arch_fpu_setup(enum sk_arch_fpu_mode mode);

/* sk_arch_fpu_mode_get - the mode in use (after setup). */
enum sk_arch_fpu_mode sk_arch_fpu_mode_get(void);

/*
 * sk_arch_fpu_area_size - bytes of one save area for the chosen mode,
 * a multiple of 64.  Context: any, after setup.
 */
size_t sk_arch_fpu_area_size(void);

/*
 * sk_arch_fpu_area_init - fill @area with the default state (all registers
 * zero, FCW 0x37f, MXCSR 0x1f80, upper components in their init state), so
 * that sk_arch_fpu_restore(@area) is valid before any save.
 * Context: any.
 */
void sk_arch_fpu_area_init(void *area);

/*
 * sk_arch_fpu_save - save the complete FPU/SSE/AVX state into @area.
 * sk_arch_fpu_restore - load it back.  Written in assembly so no compiler-
 * generated SSE code runs between the caller's last instruction and the
 * save.  Context: any; @area 64-byte aligned, sk_arch_fpu_area_size() bytes.
 */
void sk_arch_fpu_save(void *area);
void sk_arch_fpu_restore(const void *area);

/*
 * sk_arch_fpu_reset - put the FPU in the default state described above.
 * Context: any.
 */
void sk_arch_fpu_reset(void);

#endif
