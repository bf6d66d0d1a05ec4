/* SPDX-License-Identifier: MIT */
/* libskneedv3.so: linked against a libskdep.so that defined VERS_3; the
 * real libskdep.so beside it does not, so loading must fail naming it. */
int foo3(void);
int needv3_fn(void);
int needv3_fn(void)
{
	return foo3();
}
