/* SPDX-License-Identifier: MIT */
/* libskinit_a.so / libskinit_b.so (built twice, NAME differs): DT_INIT,
 * DT_FINI and prioritised init/fini array entries, each reporting to the
 * provider symbol record(). */
void record(const char *what);

#define S2(x) #x
#define S(x) S2(x)

void init_fn(void);
void fini_fn(void);

void init_fn(void)
{
	record(S(NAME) ":init");
}

void fini_fn(void)
{
	record(S(NAME) ":fini");
}

__attribute__((constructor(101))) static void ctor1(void)
{
	record(S(NAME) ":ctor1");
}

__attribute__((constructor(102))) static void ctor2(void)
{
	record(S(NAME) ":ctor2");
}

__attribute__((destructor(101))) static void dtor1(void)
{
	record(S(NAME) ":dtor1");
}

__attribute__((destructor(102))) static void dtor2(void)
{
	record(S(NAME) ":dtor2");
}
