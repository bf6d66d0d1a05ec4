/* SPDX-License-Identifier: MIT */
/* A PIE executable with local-exec TLS (no relocation: the linker fixed
 * the offset, so the loader must place this block first) and an
 * initial-exec access to libsktls_ie.so's ie_shared (R_X86_64_TPOFF64). */
__thread int le_var = 31;
__thread long le_big[4] = { 1, 2, 3, 4 };
extern __thread int ie_shared;

int exe_le_get(void);
long exe_le_big(void);
int exe_ie_shared(void);
void exe_start(void);

int exe_le_get(void)
{
	return le_var;
}

long exe_le_big(void)
{
	return le_big[0] + le_big[3];
}

int exe_ie_shared(void)
{
	return ie_shared;
}

void exe_start(void)
{
	for (;;)
		;
}
