/* SPDX-License-Identifier: MIT */
/* libskneedmissing.so: calls a symbol no object or provider defines. */
int nowhere_defined(int x);
int needmissing_fn(void);
int needmissing_fn(void)
{
	return nowhere_defined(3);
}
