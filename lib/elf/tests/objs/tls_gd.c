/* SPDX-License-Identifier: MIT */
/* libsktls_gd.so: general-dynamic (DTPMOD64 + DTPOFF64), local-dynamic
 * (DTPMOD64 against the module) and a TLSDESC access that is dynamic when
 * the object is opened after the TLS layout is fixed. */
__thread int gd_var = 555;
static __thread int ld_var = 666;
extern __thread int ie_shared;

int gd_get(void);
void gd_set(int v);
int *gd_addr(void);
int ld_get(void);
int *ld_addr(void);
int gd_ie_shared(void);
int gd_desc_get(void);

int gd_get(void)
{
	return gd_var;
}

void gd_set(int v)
{
	gd_var = v;
}

int *gd_addr(void)
{
	return &gd_var;
}

int ld_get(void)
{
	return ld_var;
}

int *ld_addr(void)
{
	return &ld_var;
}

int gd_ie_shared(void)
{
	return ie_shared;
}

int gd_desc_get(void)
{
	int v;

	__asm__ volatile("leaq gd_var@TLSDESC(%%rip), %%rax\n\t"
			 "call *gd_var@TLSCALL(%%rax)\n\t"
			 "movl %%fs:(%%rax), %0"
			 : "=r"(v)
			 :
			 : "rax", "memory", "cc");
	return v;
}
