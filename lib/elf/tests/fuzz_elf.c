/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: every input is opened as an ELF object (SK_ELF_NOEXEC,
 * so no code from it runs) and closed again.  A crash, a sanitizer report,
 * a failure without a message or an object left loaded is a finding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mem_ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int started;

	if (!started) {
		if (mem_ops_start())
			abort();
		started = 1;
	}
	mem_ops_try(data, size);
	return 0;
}
