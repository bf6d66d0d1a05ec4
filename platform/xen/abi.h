/* SPDX-License-Identifier: MIT */
/*
 * Xen's guest ABI as skiff uses it: hypercall and sub-operation numbers and
 * the argument layouts of Xen 4.17's public headers (xen.h, vcpu.h,
 * memory.h, event_channel.h, grant_table.h, sched.h, hvm/params.h,
 * hvm/hvm_op.h, hvm/hvm_vcpu.h, io/console.h), written here from those
 * facts for x86-64.  Private to platform/xen.
 */
#ifndef XEN_ABI_H
#define XEN_ABI_H

#include <stddef.h>
#include <stdint.h>

#include <plat/compiler.h>
#include <x86/pvclock.h>

enum sk_xen_hypercall_nr {
	SK_XEN_HC_MEMORY_OP = 12,
	SK_XEN_HC_XEN_VERSION = 17,
	SK_XEN_HC_CONSOLE_IO = 18,
	SK_XEN_HC_GRANT_TABLE_OP = 20,
	SK_XEN_HC_VCPU_OP = 24,
	SK_XEN_HC_SCHED_OP = 29,
	SK_XEN_HC_EVENT_CHANNEL_OP = 32,
	SK_XEN_HC_HVM_OP = 34,
};

enum {
	SK_XEN_CONSOLEIO_WRITE = 0,
	SK_XEN_CONSOLEIO_READ = 1,

	SK_XEN_XENMEM_ADD_TO_PHYSMAP = 7,
	SK_XEN_XENMEM_MEMORY_MAP = 9,
	SK_XEN_MAPSPACE_SHARED_INFO = 0,
	SK_XEN_MAPSPACE_GRANT_TABLE = 1,

	SK_XEN_VCPUOP_INITIALISE = 0,
	SK_XEN_VCPUOP_UP = 1,
	SK_XEN_VCPUOP_IS_UP = 3,
	SK_XEN_VCPUOP_REGISTER_RUNSTATE_MEMORY_AREA = 5,
	SK_XEN_VCPUOP_STOP_PERIODIC_TIMER = 7,
	SK_XEN_VCPUOP_SET_SINGLESHOT_TIMER = 8,
	SK_XEN_VCPUOP_STOP_SINGLESHOT_TIMER = 9,
	SK_XEN_VCPUOP_REGISTER_VCPU_INFO = 10,

	SK_XEN_SCHEDOP_SHUTDOWN = 2,
	SK_XEN_SHUTDOWN_POWEROFF = 0,
	SK_XEN_SHUTDOWN_CRASH = 3,

	SK_XEN_EVTCHNOP_BIND_INTERDOMAIN = 0,
	SK_XEN_EVTCHNOP_BIND_VIRQ = 1,
	SK_XEN_EVTCHNOP_CLOSE = 3,
	SK_XEN_EVTCHNOP_SEND = 4,
	SK_XEN_EVTCHNOP_ALLOC_UNBOUND = 6,
	SK_XEN_EVTCHNOP_BIND_IPI = 7,
	SK_XEN_EVTCHNOP_UNMASK = 9,
	SK_XEN_VIRQ_TIMER = 0,
	SK_XEN_VIRQ_DEBUG = 1, /* Xen's debug key 'q' asks for a dump */

	SK_XEN_GNTTABOP_MAP_GRANT_REF = 0,
	SK_XEN_GNTTABOP_UNMAP_GRANT_REF = 1,
	SK_XEN_GNTTABOP_COPY = 5,
	SK_XEN_GNTTABOP_QUERY_SIZE = 6,

	SK_XEN_HVMOP_SET_PARAM = 0,
	SK_XEN_HVMOP_GET_PARAM = 1,
	SK_XEN_HVMOP_FLUSH_TLBS = 5,
	SK_XEN_HVM_PARAM_CALLBACK_IRQ = 0,
	SK_XEN_HVM_PARAM_CONSOLE_PFN = 17,
	SK_XEN_HVM_PARAM_CONSOLE_EVTCHN = 18,

	SK_XEN_VCPU_HVM_MODE_64B = 1,
};

/* HVM_PARAM_CALLBACK_IRQ value: delivery type in bits 63:56. */
static const uint64_t SK_XEN_CALLBACK_VIA_VECTOR = 2ull << 56;

/* Start info flags (hvm_start_info.flags, as for PV start_info). */
enum { SK_XEN_SIF_PRIVILEGED = 1u << 0, SK_XEN_SIF_INITDOMAIN = 1u << 1 };

/* vcpu_time_info: Xen system time = system_time + scaled TSC delta. */

/* vcpu_info: 64 bytes, in shared info or registered per vCPU. */
struct sk_xen_vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	uint8_t pad[6];
	uint64_t evtchn_pending_sel;
	uint64_t cr2;
	uint64_t arch_pad;
	struct sk_x86_pvclock time; /* Xen's vcpu_time_info */
} SK_ALIGNED(64);

enum { SK_XEN_LEGACY_VCPUS = 32, SK_XEN_EVTCHN_WORDS = 64 };

/* The shared info page (the part skiff reads). */
struct sk_xen_shared_info {
	struct sk_xen_vcpu_info vcpu_info[SK_XEN_LEGACY_VCPUS];
	uint64_t evtchn_pending[SK_XEN_EVTCHN_WORDS];
	uint64_t evtchn_mask[SK_XEN_EVTCHN_WORDS];
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
};

struct sk_xen_add_to_physmap {
	uint16_t domid;
	uint16_t size;
	uint32_t space;
	uint64_t idx;
	uint64_t gpfn;
};

struct sk_xen_memory_map {
	uint32_t nr_entries;
	uint32_t pad;
	uint64_t buffer;
};

/* Xen's e820 entries are packed: 20 bytes each. */
struct sk_xen_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} SK_PACKED;

struct sk_xen_vcpu_hvm_context {
	uint32_t mode;
	uint32_t pad;
	struct {
		uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
		uint64_t rip, rflags, cr0, cr3, cr4, efer;
	} x86_64;
	uint8_t x86_32_tail[8]; /* the union's 32-bit member: 120 bytes */
};

struct sk_xen_singleshot {
	uint64_t timeout_abs_ns;
	uint32_t flags;
	uint32_t pad;
};

/* vcpu_runstate_info: Xen rewrites it when it switches the vCPU in or out. */
enum sk_xen_runstate_state {
	SK_XEN_RUNSTATE_RUNNING = 0,
	SK_XEN_RUNSTATE_RUNNABLE = 1, /* preempted: has work, no CPU */
	SK_XEN_RUNSTATE_BLOCKED = 2, /* halted, or blocked in a hypercall */
	SK_XEN_RUNSTATE_OFFLINE = 3,
};

struct sk_xen_runstate {
	int32_t state; /* enum sk_xen_runstate_state */
	uint64_t state_entry_time; /* Xen system time, ns */
	uint64_t time[4]; /* ns spent in each state */
};
_Static_assert(sizeof(struct sk_xen_runstate) == 48, "Xen ABI");

struct sk_xen_register_runstate {
	uint64_t addr; /* guest address (identity-mapped: physical) */
};

struct sk_xen_register_vcpu_info {
	uint64_t mfn;
	uint32_t offset;
	uint32_t rsvd;
};

struct sk_xen_sched_shutdown {
	uint32_t reason;
};

struct sk_xen_hvm_param {
	uint16_t domid;
	uint16_t pad;
	uint32_t index;
	uint64_t value;
};

struct sk_xen_evtchn_bind_virq {
	uint32_t virq;
	uint32_t vcpu;
	uint32_t port; /* out */
};

struct sk_xen_evtchn_bind_ipi {
	uint32_t vcpu;
	uint32_t port; /* out */
};

struct sk_xen_evtchn_alloc_unbound {
	uint16_t dom;
	uint16_t remote_dom;
	uint32_t port; /* out */
};

struct sk_xen_evtchn_bind_interdomain {
	uint16_t remote_dom;
	uint16_t pad;
	uint32_t remote_port;
	uint32_t local_port; /* out */
};

struct sk_xen_evtchn_port {
	uint32_t port; /* close, send, unmask */
};

/* Grant table v1 entry. */
struct sk_xen_grant_entry {
	uint16_t flags;
	uint16_t domid;
	uint32_t frame;
};

enum {
	SK_XEN_GTF_PERMIT_ACCESS = 1u << 0,
	SK_XEN_GTF_READONLY = 1u << 2,
	SK_XEN_GTF_READING = 1u << 3,
	SK_XEN_GTF_WRITING = 1u << 4,
	SK_XEN_GNTMAP_HOST_MAP = 1u << 1,
	SK_XEN_GNTMAP_READONLY = 1u << 2,
	SK_XEN_GNTCOPY_SOURCE_GREF = 1u << 0,
	SK_XEN_GNTCOPY_DEST_GREF = 1u << 1,
};

struct sk_xen_gnttab_query_size {
	uint16_t dom;
	uint16_t pad;
	uint32_t nr_frames; /* out */
	uint32_t max_nr_frames; /* out */
	int16_t status; /* out */
	uint16_t pad2;
};

struct sk_xen_gnttab_map {
	uint64_t host_addr;
	uint32_t flags;
	uint32_t ref;
	uint16_t dom;
	int16_t status; /* out */
	uint32_t handle; /* out */
	uint64_t dev_bus_addr; /* out */
};

struct sk_xen_gnttab_unmap {
	uint64_t host_addr;
	uint64_t dev_bus_addr;
	uint32_t handle;
	int16_t status; /* out */
	uint16_t pad;
};

struct sk_xen_gnttab_copy_ptr {
	uint64_t ref_or_gmfn;
	uint16_t domid;
	uint16_t offset;
	uint32_t pad;
};

struct sk_xen_gnttab_copy {
	struct sk_xen_gnttab_copy_ptr source, dest;
	uint16_t len;
	uint16_t flags;
	int16_t status; /* out */
	uint16_t pad;
};

/* The PV console ring (io/console.h). */
struct sk_xen_console_ring {
	char in[1024];
	char out[2048];
	uint32_t in_cons, in_prod;
	uint32_t out_cons, out_prod;
};

_Static_assert(sizeof(struct sk_xen_vcpu_info) == 64, "vcpu_info");
_Static_assert(offsetof(struct sk_xen_shared_info, wc_version) == 3072,
	       "shared_info");
_Static_assert(sizeof(struct sk_xen_e820) == 20, "e820");
_Static_assert(sizeof(struct sk_xen_vcpu_hvm_context) == 128,
	       "vcpu_hvm_context");
_Static_assert(sizeof(struct sk_xen_gnttab_map) == 32, "map_grant_ref");
_Static_assert(sizeof(struct sk_xen_gnttab_copy) == 40, "gnttab_copy");

/*
 * sk_xen_hypercall - call hypercall @nr with up to five arguments through
 * the hypercall page (hypercall.S).  Return: Xen's result (negative errno).
 * Context: any, after sk_xen_hypercall_init().
 */
long sk_xen_hypercall(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5, unsigned nr);

#define SK_XEN_HC2(nr, a, b) \
	sk_xen_hypercall((uint64_t)(a), (uint64_t)(b), 0, 0, 0, (nr))
#define SK_XEN_HC3(nr, a, b, c)                                             \
	sk_xen_hypercall((uint64_t)(a), (uint64_t)(b), (uint64_t)(c), 0, 0, \
			 (nr))

#endif
