/* SPDX-License-Identifier: MIT */
/* libsktls_late.so: initial-exec TLS in an object opened after the TLS
 * layout is fixed, so it must get the surplus static TLS space. */
__attribute__((tls_model("initial-exec"))) __thread long late_var = 4242;
long late_get(void);

long late_get(void)
{
	return late_var;
}
