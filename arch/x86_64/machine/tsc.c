// SPDX-License-Identifier: MIT
/*
 * TSC and APIC timer calibration.  PIT channel 0 counts down in mode 0 from
 * 0xffff; we poll it through the latch command (no speaker gate on port
 * 0x61, which microvm lacks) across a 2 ms window, reading the TSC and the
 * free-running APIC timer at both ends, three times, and keep the medians.
 */
#include <errno.h>

#include <x86/cpu.h>
#include <x86/lapic.h>
#include <x86/tsc.h>

enum {
	PIT_HZ = 1193182,
	PIT_CH0 = 0x40,
	PIT_CMD = 0x43,
	PIT_CH0_MODE0_LOHI = 0x30,
	PIT_LATCH_CH0 = 0x00,
	PIT_WINDOW = PIT_HZ / 500, /* 2 ms */
	CALIB_TRIES = 8,
	SAMPLE_TRIES = 4,
	PIT_MAX_POLLS = 10000000,
	PIC1_DATA = 0x21,
	PIC2_DATA = 0xa1,
	HV_TIMING_LEAF = 0x40000010,
};

void sk_x86_pic_disable(void)
{
	sk_x86_outb(PIC1_DATA, 0xff);
	sk_x86_outb(PIC2_DATA, 0xff);
}

static uint16_t pit_read(void)
{
	uint8_t lo, hi;

	sk_x86_outb(PIT_CMD, PIT_LATCH_CH0);
	lo = sk_x86_inb(PIT_CH0);
	hi = sk_x86_inb(PIT_CH0);
	return (uint16_t)(lo | hi << 8);
}

static int hv_timing_leaf(struct sk_x86_freq *out)
{
	struct sk_x86_cpuid r = sk_x86_cpuid(1, 0);

	if (!(r.ecx & (1u << 31))) /* no hypervisor */
		return -ENODEV;
	r = sk_x86_cpuid(0x40000000, 0);
	if (r.eax < HV_TIMING_LEAF)
		return -ENODEV;
	r = sk_x86_cpuid(HV_TIMING_LEAF, 0);
	if (!r.eax || !r.ebx)
		return -ENODEV;
	out->tsc_hz = (uint64_t)r.eax * 1000;
	out->lapic_hz = (uint64_t)r.ebx * 1000;
	out->source = "cpuid 0x40000010";
	return 0;
}

static uint64_t scale(uint64_t delta, uint32_t pit_ticks)
{
	return sk_x86_muldiv(delta, PIT_HZ, pit_ticks);
}

struct sample {
	uint64_t tsc; /* midpoint of the reads around the PIT read */
	uint32_t apic;
	uint16_t pit;
};

/*
 * A (TSC, PIT, APIC) triple read as close together as we can: of a few
 * tries, the one with the narrowest TSC bracket around the PIT read, so a
 * vCPU descheduled in the middle of one try does not skew the pairing.
 */
static struct sample sample_take(void)
{
	struct sample best = { 0, 0, 0 };
	uint64_t best_width = UINT64_MAX;

	for (int i = 0; i < SAMPLE_TRIES; i++) {
		struct sample s;
		uint64_t before = sk_x86_rdtsc(), width;

		s.pit = pit_read();
		s.apic = sk_x86_lapic_timer_count();
		width = sk_x86_rdtsc() - before;
		s.tsc = before + width / 2;
		if (width < best_width) {
			best = s;
			best_width = width;
		}
	}
	return best;
}

static void pit_restart(void)
{
	sk_x86_outb(PIT_CMD, PIT_CH0_MODE0_LOHI);
	sk_x86_outb(PIT_CH0, 0xff);
	sk_x86_outb(PIT_CH0, 0xff);
}

/*
 * One window from sample @a; *@a becomes the window's end, so windows run
 * back to back.  -EAGAIN if the PIT wrapped (we were descheduled > 55 ms).
 */
static int window_measure(struct sample *a, uint64_t *tsc_hz, uint64_t *apic_hz)
{
	struct sample b;
	long polls = 0;
	uint16_t c;

	do { /* cheap polls, then one careful sample */
		c = pit_read();
		if (++polls > PIT_MAX_POLLS)
			return -ENODEV; /* the PIT does not count */
		if (c > a->pit)
			return -EAGAIN;
	} while ((uint32_t)(a->pit - c) < PIT_WINDOW);
	b = sample_take();
	if (b.pit > a->pit)
		return -EAGAIN;
	*tsc_hz = scale(b.tsc - a->tsc, (uint32_t)(a->pit - b.pit));
	*apic_hz = scale(a->apic - b.apic, (uint32_t)(a->pit - b.pit));
	*a = b;
	return *tsc_hz && *apic_hz ? 0 : -EAGAIN;
}

static uint64_t median3(const uint64_t v[3])
{
	uint64_t lo = v[0] < v[1] ? v[0] : v[1];
	uint64_t hi = v[0] < v[1] ? v[1] : v[0];

	return v[2] < lo ? lo : v[2] > hi ? hi : v[2];
}

int sk_x86_calibrate(struct sk_x86_freq *out)
{
	uint64_t tsc[3], apic[3];
	struct sample start;
	unsigned good = 0;

	if (hv_timing_leaf(out) == 0)
		return 0;
	/* The median of three windows: a vCPU descheduled by the host during
	 * one window (common on a loaded machine) spoils only that one. */
	pit_restart();
	sk_x86_lapic_timer_free_run();
	start = sample_take();
	for (unsigned tries = 0; good < 3 && tries < CALIB_TRIES; tries++) {
		int err = window_measure(&start, &tsc[good], &apic[good]);

		if (err == -ENODEV)
			return err;
		if (err == -EAGAIN) {
			pit_restart();
			sk_x86_lapic_timer_free_run();
			start = sample_take();
		}
		good += err == 0;
	}
	if (good < 3)
		return -ENODEV;
	out->tsc_hz = median3(tsc);
	out->lapic_hz = median3(apic);
	out->source = "pit";
	return 0;
}
