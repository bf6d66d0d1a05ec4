/* SPDX-License-Identifier: MIT */
/* A stand-in libskdep.so with VERS_3, only to link libskneedv3.so. */
int foo3(void);
int foo3(void)
{
	return 3;
}
