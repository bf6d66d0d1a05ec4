/* SPDX-License-Identifier: MIT */
/* libskcyc_a.so and libskcyc_b.so need each other (a DT_NEEDED cycle). */
#define S2(x) x##_value
#define S(x) S2(x)
int S(NAME)(void);
int S(NAME)(void)
{
	return 7;
}
