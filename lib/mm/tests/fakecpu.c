// SPDX-License-Identifier: MIT
/* Fake CPUs for lib/mm tests on pthreads (see fakeplat.h). */
#include <plat/cpu.h>
#include <plat/irq.h>

#include "fakeplat.h"

static unsigned ncpus = 1;
static _Thread_local unsigned this_cpu;

void fake_cpu_setup(unsigned n)
{
	ncpus = n;
}

void fake_cpu_bind(unsigned cpu)
{
	this_cpu = cpu;
}

unsigned sk_plat_cpu_count(void)
{
	return ncpus;
}

unsigned sk_plat_cpu_id(void)
{
	return this_cpu;
}

/* Fake interrupts: only the state, nothing is ever delivered. */
static _Thread_local int irqs_off;

sk_plat_irq_flags sk_plat_irq_save(void)
{
	sk_plat_irq_flags was = (sk_plat_irq_flags)irqs_off;

	irqs_off = 1;
	return was;
}

void sk_plat_irq_restore(sk_plat_irq_flags flags)
{
	irqs_off = (int)flags;
}

void sk_plat_irq_enable(void)
{
	irqs_off = 0;
}
