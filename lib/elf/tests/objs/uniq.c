/* SPDX-License-Identifier: MIT */
/* libskuniq_<NAME>.so: defines uniq_var as STB_GNU_UNIQUE (what C++
 * compilers emit for template statics), initialised to VALUE, and refers
 * to it through the GOT.  Two such objects opened with local scopes must
 * share the first one's definition. */
#define STR2(x) #x
#define STR(x) STR2(x)

/* clang-format off */
__asm__(".section .data.uniq_var,\"aw\",@progbits\n"
	".globl uniq_var\n"
	".type uniq_var, @gnu_unique_object\n"
	".size uniq_var, 4\n"
	".balign 4\n"
	"uniq_var:\n"
	".long " STR(VALUE) "\n"
	".previous\n");

/* And many_00 .. many_99, also unique, holding VALUE: enough entries to
 * make the loader's table grow and collide. */
#define MANY(n)                                   \
	".globl many_" #n "\n"                    \
	".type many_" #n ", @gnu_unique_object\n" \
	".size many_" #n ", 4\n"                  \
	"many_" #n ":\n"                          \
	".long " STR(VALUE) "\n"
#define MANY10(d)                                          \
	MANY(d##0) MANY(d##1) MANY(d##2) MANY(d##3) MANY(d##4) \
	MANY(d##5) MANY(d##6) MANY(d##7) MANY(d##8) MANY(d##9)

__asm__(".section .data.many,\"aw\",@progbits\n"
	".balign 4\n"
	MANY10(0) MANY10(1) MANY10(2) MANY10(3) MANY10(4)
	MANY10(5) MANY10(6) MANY10(7) MANY10(8) MANY10(9)
	".previous\n");
/* clang-format on */

extern int uniq_var;

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

int *CAT(NAME, _addr)(void)
{
	return &uniq_var;
}

int CAT(NAME, _value)(void)
{
	return uniq_var;
}
