// SPDX-License-Identifier: MIT
/*
 * The CMOS real-time clock, read once at boot for the wall clock when
 * kvmclock is absent.  A missing RTC (all ones) or nonsense fields give 0.
 */
#include <x86/cpu.h>

#include "kvm.h"

enum {
	CMOS_INDEX = 0x70,
	CMOS_DATA = 0x71,
	RTC_SEC = 0x00,
	RTC_MIN = 0x02,
	RTC_HOUR = 0x04,
	RTC_DAY = 0x07,
	RTC_MON = 0x08,
	RTC_YEAR = 0x09,
	RTC_STATUS_A = 0x0a,
	RTC_STATUS_B = 0x0b,
	RTC_CENTURY = 0x32,
	STATUS_A_UPDATING = 0x80,
	STATUS_B_BINARY = 0x04,
	STATUS_B_24H = 0x02,
};

static uint8_t cmos_read(uint8_t reg)
{
	sk_x86_outb(CMOS_INDEX, reg);
	return sk_x86_inb(CMOS_DATA);
}

static unsigned field(uint8_t v, uint8_t status_b)
{
	if (status_b & STATUS_B_BINARY)
		return v;
	return (v >> 4) * 10u + (v & 0xfu);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, y >= 1970). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	unsigned yy = m <= 2 ? y - 1 : y;
	unsigned era = yy / 400, yoe = yy - era * 400;
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (uint64_t)era * 146097 + doe - 719468;
}

uint64_t sk_kvm_rtc_epoch_s(void)
{
	uint8_t b, hour_raw;
	unsigned sec, min, hour, day, mon, year, century;
	int spins = 100000;

	if (cmos_read(RTC_STATUS_B) == 0xff)
		return 0;
	while ((cmos_read(RTC_STATUS_A) & STATUS_A_UPDATING) && --spins)
		sk_x86_pause();
	b = cmos_read(RTC_STATUS_B);
	sec = field(cmos_read(RTC_SEC), b);
	min = field(cmos_read(RTC_MIN), b);
	hour_raw = cmos_read(RTC_HOUR);
	hour = field(hour_raw & 0x7f, b);
	if (!(b & STATUS_B_24H) && (hour_raw & 0x80))
		hour = (hour % 12) + 12;
	day = field(cmos_read(RTC_DAY), b);
	mon = field(cmos_read(RTC_MON), b);
	year = field(cmos_read(RTC_YEAR), b);
	century = field(cmos_read(RTC_CENTURY), b);
	year += (century >= 19 && century <= 30 ? century : 20) * 100;
	if (sec > 59 || min > 59 || hour > 23 || !day || day > 31 || !mon ||
	    mon > 12 || year < 1970)
		return 0;
	return days_from_civil(year, mon, day) * 86400 + hour * 3600u +
	       min * 60u + sec;
}
