// SPDX-License-Identifier: MIT
/*
 * FPU save-area setup: picks XSAVEC / XSAVEOPT / XSAVE / FXSAVE from CPUID,
 * sizes the area from CPUID leaf 0xD for the components enabled in XCR0,
 * and keeps the default-state image that new contexts start from.  The
 * save and restore instructions themselves are in switch.S.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <arch/cpu.h>
#include <arch/fpu.h>

/* Read by switch.S; written only by sk_arch_fpu_setup(). */
__attribute__((visibility("hidden"))) uint32_t sk_arch_fpu_insn;
__attribute__((visibility("hidden"))) uint64_t sk_arch_fpu_mask;

enum {
	LEGACY_LEN = 512,
	HEADER_LEN = 64,
	IMAGE_MAX = 16384,
	FCW_OFF = 0,
	MXCSR_OFF = 24,
	XSTATE_BV_OFF = 512,
	XCOMP_BV_OFF = 520,
	CPUID1_ECX_XSAVE = 1u << 26,
	CPUID1_ECX_OSXSAVE = 1u << 27,
	CPUIDD1_EAX_XSAVEOPT = 1u << 0,
	CPUIDD1_EAX_XSAVEC = 1u << 1,
};

/* AMX tile state is left alone: Linux arms XFD for it and it is huge. */
static const uint64_t mask_excluded = (1ull << 17) | (1ull << 18);

static size_t area_size = LEGACY_LEN;
/* Valid for FXRSTOR before any setup: FCW 0x37f, MXCSR 0x1f80. */
static unsigned char default_image[IMAGE_MAX] SK_ARCH_FPU_ALIGNED = {
	[FCW_OFF] = 0x7f,
	[FCW_OFF + 1] = 0x03,
	[MXCSR_OFF] = 0x80,
	[MXCSR_OFF + 1] = 0x1f,
};

static size_t xsave_size(uint64_t mask, int compact)
{
	size_t size = LEGACY_LEN + HEADER_LEN;

	for (unsigned i = 2; i < 63; i++) {
		struct sk_arch_cpuid c;

		if (!(mask & (1ull << i)))
			continue;
		c = sk_arch_cpuid_get(0xd, i);
		if (compact) {
			if (c.ecx & 2)
				size = (size + 63) & ~(size_t)63;
			size += c.eax;
		} else if (c.ebx + c.eax > size) {
			size = c.ebx + c.eax;
		}
	}
	return (size + 63) & ~(size_t)63;
}

static int mode_is_supported(enum sk_arch_fpu_mode mode)
{
	struct sk_arch_cpuid c = sk_arch_cpuid_get(1, 0);
	struct sk_arch_cpuid d;

	if (mode == SK_ARCH_FPU_FXSAVE)
		return 1;
	if (!(c.ecx & CPUID1_ECX_XSAVE) || !(c.ecx & CPUID1_ECX_OSXSAVE))
		return 0;
	d = sk_arch_cpuid_get(0xd, 1);
	if (mode == SK_ARCH_FPU_XSAVEC)
		return !!(d.eax & CPUIDD1_EAX_XSAVEC);
	if (mode == SK_ARCH_FPU_XSAVEOPT)
		return !!(d.eax & CPUIDD1_EAX_XSAVEOPT);
	return mode == SK_ARCH_FPU_XSAVE;
}

static enum sk_arch_fpu_mode best_mode(void)
{
	static const enum sk_arch_fpu_mode order[] = {
		SK_ARCH_FPU_XSAVEC,
		SK_ARCH_FPU_XSAVEOPT,
		SK_ARCH_FPU_XSAVE,
	};

	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (mode_is_supported(order[i]))
			return order[i];
	return SK_ARCH_FPU_FXSAVE;
}

static void build_image(enum sk_arch_fpu_mode mode)
{
	uint16_t fcw = SK_ARCH_FCW_DEFAULT;
	uint32_t mxcsr = SK_ARCH_MXCSR_DEFAULT;
	uint64_t xstate_bv = 0x3 & sk_arch_fpu_mask;
	uint64_t xcomp_bv = 0;

	memset(default_image, 0, LEGACY_LEN + HEADER_LEN);
	memcpy(default_image + FCW_OFF, &fcw, sizeof(fcw));
	memcpy(default_image + MXCSR_OFF, &mxcsr, sizeof(mxcsr));
	if (mode == SK_ARCH_FPU_FXSAVE)
		return;
	if (mode == SK_ARCH_FPU_XSAVEC)
		xcomp_bv = (1ull << 63) | sk_arch_fpu_mask;
	memcpy(default_image + XSTATE_BV_OFF, &xstate_bv, sizeof(xstate_bv));
	memcpy(default_image + XCOMP_BV_OFF, &xcomp_bv, sizeof(xcomp_bv));
}

int sk_arch_fpu_setup(enum sk_arch_fpu_mode mode)
{
	uint64_t mask = 0x3;
	size_t size = LEGACY_LEN;

	if (mode == SK_ARCH_FPU_AUTO)
		mode = best_mode();
	if (mode < SK_ARCH_FPU_FXSAVE || mode > SK_ARCH_FPU_XSAVEC)
		return -EINVAL;
	if (!mode_is_supported(mode))
		return -ENOTSUP;
	if (mode != SK_ARCH_FPU_FXSAVE) {
		mask = sk_arch_xgetbv(0) & ~mask_excluded;
		size = xsave_size(mask, mode == SK_ARCH_FPU_XSAVEC);
		if (size > IMAGE_MAX)
			return -ENOTSUP;
	}
	sk_arch_fpu_mask = mask;
	sk_arch_fpu_insn = (uint32_t)mode;
	area_size = size;
	build_image(mode);
	return 0;
}

enum sk_arch_fpu_mode sk_arch_fpu_mode_get(void)
{
	return sk_arch_fpu_insn ? (enum sk_arch_fpu_mode)sk_arch_fpu_insn
				: SK_ARCH_FPU_FXSAVE;
}

size_t sk_arch_fpu_area_size(void)
{
	return area_size;
}

void sk_arch_fpu_area_init(void *area)
{
	/* XRSTOR reads only the legacy region, the header and the
	 * components whose XSTATE_BV bit is set: none beyond SSE here. */
	memcpy(area, default_image,
	       area_size < LEGACY_LEN + HEADER_LEN ? area_size
						   : LEGACY_LEN + HEADER_LEN);
}

void sk_arch_fpu_reset(void)
{
	sk_arch_fpu_restore(default_image);
}
