// SPDX-License-Identifier: MIT
/*
 * procfs: meminfo (lib/mm's counters), cpuinfo, mounts, threads, and
 * self/ (fd, mounts, status).  Each file renders a text snapshot at open
 * (pseudofs.c), so a reader sees one consistent version however it
 * splits its reads.  "threads" has one line per live thread, from
 * sk_thread_walk() (lib/sched), then the calling thread and each CPU's
 * runnable count.
 */
#include <errno.h>
#include <string.h>

#include <mm/malloc.h>
#include <mm/page.h>
#include <plat/cpu.h>
#include <sched/cpu.h>
#include <sched/thread.h>
#include <sched/wait.h>

#include "pseudofs.h"

static void gen_meminfo(struct pseudo_buf *b)
{
	struct sk_page_stats ps;
	struct sk_malloc_stats ms;

	sk_page_stats_get(&ps);
	sk_malloc_stats_get(&ms);
	sk_vfs_pseudo_putkv(b, "MemTotal", ps.total_pages * 4, "kB");
	sk_vfs_pseudo_putkv(b, "MemFree", (ps.free_pages + ps.cached_pages) * 4,
			    "kB");
	sk_vfs_pseudo_putkv(b, "PageCache", ps.cached_pages * 4, "kB");
	sk_vfs_pseudo_putkv(b, "PageMeta", ps.meta_pages * 4, "kB");
	sk_vfs_pseudo_putkv(b, "Slab", ms.slabs * 64, "kB");
	sk_vfs_pseudo_putkv(b, "MallocLarge", ms.large_pages * 4, "kB");
}

static void gen_cpuinfo(struct pseudo_buf *b)
{
	unsigned n = sk_plat_cpu_count();

	for (unsigned i = 0; i < n; i++) {
		sk_vfs_pseudo_putkv(b, "processor", i, NULL);
		sk_vfs_pseudo_putkv(b, "runnable", sk_sched_cpu_load(i), NULL);
		sk_vfs_pseudo_puts(b, "\n");
	}
}

static void gen_mounts(struct pseudo_buf *b)
{
	sk_mutex_lock(&sk_vfs_mount_lock);
	for (struct vfs_mount *m = sk_vfs_mounts; m; m = m->next) {
		sk_vfs_pseudo_puts(b, m->source);
		sk_vfs_pseudo_puts(b, " ");
		sk_vfs_pseudo_puts(b, m->target);
		sk_vfs_pseudo_puts(b, " ");
		sk_vfs_pseudo_puts(b, m->type->name);
		sk_vfs_pseudo_puts(b, sk_vfs_mount_is_rdonly(m) ? " ro 0 0\n"
								: " rw 0 0\n");
	}
	sk_mutex_unlock(&sk_vfs_mount_lock);
}

static const char *const thread_states[] = {
	[SK_THREAD_RUNNING] = "running",
	[SK_THREAD_RUNNABLE] = "runnable",
	[SK_THREAD_SLEEPING] = "sleeping",
	[SK_THREAD_EXITED] = "exited",
};

/* "<id>\tname N\tstate S\tcpu C\tclass K\tprio P\ttime_ns T\n" */
static int thread_line(const struct sk_thread_info *ti, void *arg)
{
	struct pseudo_buf *b = arg;
	char name[SK_THREAD_NAME_LEN];
	size_t i = 0;

	/* one line per thread whatever the name holds */
	for (; ti->name[i] && i < sizeof(name) - 1; i++)
		name[i] = (unsigned char)ti->name[i] < 0x20 ? '?' : ti->name[i];
	name[i] = '\0';
	sk_vfs_pseudo_putu(b, ti->id);
	sk_vfs_pseudo_puts(b, "\tname ");
	sk_vfs_pseudo_puts(b, name);
	sk_vfs_pseudo_puts(b, "\tstate ");
	sk_vfs_pseudo_puts(b, (unsigned)ti->state < SK_ARRAY_LEN(thread_states)
				      ? thread_states[ti->state]
				      : "unknown");
	sk_vfs_pseudo_puts(b, "\tcpu ");
	sk_vfs_pseudo_putu(b, ti->cpu);
	sk_vfs_pseudo_puts(b, ti->is_idle ? "\tclass idle"
			      : ti->sched_class == SK_THREAD_FIFO
				      ? "\tclass fifo"
				      : "\tclass fair");
	sk_vfs_pseudo_puts(b, "\tprio ");
	sk_vfs_pseudo_putu(b, ti->prio);
	sk_vfs_pseudo_puts(b, "\ttime_ns ");
	sk_vfs_pseudo_putu(b, ti->cpu_time_ns);
	sk_vfs_pseudo_puts(b, "\n");
	return b->err; /* out of memory: stop, the open fails */
}

static void gen_threads(struct pseudo_buf *b)
{
	struct sk_thread *self = sk_thread_current();

	(void)sk_thread_walk(thread_line, b);

	sk_vfs_pseudo_puts(b, "self\t");
	sk_vfs_pseudo_puts(b, sk_thread_name(self));
	sk_vfs_pseudo_puts(b, "\tcpu ");
	sk_vfs_pseudo_putu(b, sk_thread_cpu(self));
	sk_vfs_pseudo_puts(b, "\n");
	for (unsigned i = 0; i < sk_plat_cpu_count(); i++) {
		sk_vfs_pseudo_puts(b, "cpu ");
		sk_vfs_pseudo_putu(b, i);
		sk_vfs_pseudo_puts(b, "\trunnable ");
		sk_vfs_pseudo_putu(b, sk_sched_cpu_load(i));
		sk_vfs_pseudo_puts(b, "\n");
	}
}

static void fd_line(int fd, struct vfs_file *f, void *arg)
{
	struct pseudo_buf *b = arg;

	sk_vfs_pseudo_putu(b, (uint64_t)fd);
	sk_vfs_pseudo_puts(b, "\tino ");
	sk_vfs_pseudo_putu(b, f->vn->ino);
	sk_vfs_pseudo_puts(b, "\tdev ");
	sk_vfs_pseudo_putu(b, f->vn->mnt->dev);
	sk_vfs_pseudo_puts(b, "\tflags ");
	sk_vfs_pseudo_putu(b, (uint64_t)atomic_load_explicit(
				      &f->flags, memory_order_relaxed));
	sk_vfs_pseudo_puts(b, "\n");
}

static void gen_self_fd(struct pseudo_buf *b)
{
	sk_vfs_fd_walk(fd_line, b);
}

static void gen_self_status(struct pseudo_buf *b)
{
	sk_vfs_pseudo_puts(b, "Name:\t");
	sk_vfs_pseudo_puts(b, sk_thread_name(sk_thread_current()));
	sk_vfs_pseudo_puts(b, "\n");
	sk_vfs_pseudo_putkv(b, "Pid", 1, NULL);
	sk_vfs_pseudo_putkv(b, "Cpus", sk_plat_cpu_count(), NULL);
}

static const struct pseudo_node procfs_nodes[] = {
	{ "", SK_S_IFDIR | 0555, -1, 0, NULL, NULL, NULL },
	{ "meminfo", SK_S_IFREG | 0444, 0, 0, NULL, NULL, gen_meminfo },
	{ "cpuinfo", SK_S_IFREG | 0444, 0, 0, NULL, NULL, gen_cpuinfo },
	{ "mounts", SK_S_IFREG | 0444, 0, 0, NULL, NULL, gen_mounts },
	{ "threads", SK_S_IFREG | 0444, 0, 0, NULL, NULL, gen_threads },
	{ "self", SK_S_IFDIR | 0555, 0, 0, NULL, NULL, NULL },
	{ "fd", SK_S_IFREG | 0444, 5, 0, NULL, NULL, gen_self_fd },
	{ "mounts", SK_S_IFREG | 0444, 5, 0, NULL, NULL, gen_mounts },
	{ "status", SK_S_IFREG | 0444, 5, 0, NULL, NULL, gen_self_status },
};

static int procfs_mount(struct vfs_mount *m, void *data)
{
	(void)data;
	return sk_vfs_pseudo_mount(m, procfs_nodes, SK_ARRAY_LEN(procfs_nodes));
}

const struct vfs_fstype sk_vfs_procfs_type = {
	.name = "procfs",
	.magic = 0x9fa0, /* Linux's PROC_SUPER_MAGIC */
	.flags = VFS_FS_IMMUTABLE,
	.mount = procfs_mount,
	.unmount = sk_vfs_pseudo_unmount,
	.destroy = sk_vfs_pseudo_destroy,
};
