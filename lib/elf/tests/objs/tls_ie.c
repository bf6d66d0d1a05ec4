/* SPDX-License-Identifier: MIT */
/* libsktls_ie.so: initial-exec TLS (R_X86_64_TPOFF64), a static-TLS
 * TLSDESC access (R_X86_64_TLSDESC, written in asm so any compiler makes
 * it). */
__attribute__((tls_model("initial-exec"))) __thread int ie_var = 77;
__thread int ie_shared = 5;
__thread int desc_var = 99;

int ie_get(void);
void ie_set(int v);
int desc_get(void);

int ie_get(void)
{
	return ie_var;
}

void ie_set(int v)
{
	ie_var = v;
}

int desc_get(void)
{
	int v;

	__asm__ volatile("leaq desc_var@TLSDESC(%%rip), %%rax\n\t"
			 "call *desc_var@TLSCALL(%%rax)\n\t"
			 "movl %%fs:(%%rax), %0"
			 : "=r"(v)
			 :
			 : "rax", "memory", "cc");
	return v;
}
