/* SPDX-License-Identifier: MIT */
/* A PIE executable (no libc) that reads and writes libskdep.so's
 * dep_counter directly, so the link gives it an R_X86_64_COPY. */
int dep_get_counter(void);
int exe_read_counter(void);
void exe_write_counter(int v);
int exe_lib_view(void);
void exe_start(void);

int exe_read_counter(void)
{
	int v;

	__asm__ volatile("movl dep_counter(%%rip), %0" : "=r"(v));
	return v;
}

void exe_write_counter(int v)
{
	__asm__ volatile("movl %0, dep_counter(%%rip)" : : "r"(v) : "memory");
}

int exe_lib_view(void)
{
	return dep_get_counter();
}

void exe_start(void)
{
	for (;;)
		;
}
