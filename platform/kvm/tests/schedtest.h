/* SPDX-License-Identifier: MIT */
/* The schedtest image's cases in other files (each returns 0 or -1). */
#ifndef KVM_SCHEDTEST_H
#define KVM_SCHEDTEST_H

/* schedtest_mem.c */
int st_case_heap_reuses_memory(void);
int st_case_mem_above_4g(void);

/* schedtest_fault.c */
int st_case_mm_real_faults(void);

#endif
