/* SPDX-License-Identifier: MIT */
/* libskexecstack.so: linked with -z execstack (PT_GNU_STACK has PF_X). */
int execstack_fn(void);
int execstack_fn(void)
{
	return 1;
}
