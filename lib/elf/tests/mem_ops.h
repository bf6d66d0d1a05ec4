/* SPDX-License-Identifier: MIT */
/*
 * Loader ops over one in-memory file, for the mutation test and the
 * libFuzzer target: the file "/mem/obj.so" is the current buffer, every
 * other path is missing, and a provider satisfies the seeds' imports
 * (and the sonames they need) with a harmless address.
 * Objects are opened with SK_ELF_NOEXEC: no code of theirs ever runs.
 * With SK_ELF_MEM_MAP set in the environment, file_map and
 * file_map_reserve are emulated over the buffer (pages past its end
 * inaccessible), so the mapping path meets the same hostile input.
 */
#ifndef SK_ELF_TESTS_MEM_OPS_H
#define SK_ELF_TESTS_MEM_OPS_H

#include <stddef.h>

#define MEM_OBJ_PATH "/mem/obj.so"

/* Start the loader on mem ops (once per process). Return: 0 or -errno. */
int mem_ops_start(void);

/*
 * Open @data as an object and close it again.
 * Return: sk_elf_open's result; aborts if a failure left no message or an
 * object stayed loaded.
 */
int mem_ops_try(const unsigned char *data, size_t len);

/* The message of the last failed mem_ops_try. */
const char *mem_ops_last_error(void);

#endif
