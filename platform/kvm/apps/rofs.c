// SPDX-License-Identifier: MIT
/*
 * The demo's filesystem part: lib/vfs with rofs mounted at /disk from the
 * virtio-blk disk (through a struct sk_blkdev over the driver), then one
 * worker thread per vCPU reading files from it in parallel.  Built only
 * when lib/vfs (and its lib/rcu and lib/mm) are in the tree.
 */
#include <errno.h>

#include <plat/cpu.h>
#include <plat/time.h>
#include <rcu/rcu.h>
#include <sched/thread.h>
#include <vfs/blkdev.h>
#include <vfs/vfs.h>
#include <x86/fmt.h>
#include <kvm/virtio.h>

#include "demo.h"

enum { BLOCK = 4096, SECTORS_PER_BLOCK = BLOCK / 512, FILES_MAX = 64 };

struct disk_blkdev {
	struct sk_blkdev dev;
	struct sk_virtio_blk *blk;
};

static int disk_read(struct sk_blkdev *dev, uint64_t blkno, uint32_t n,
		     void *buf)
{
	struct disk_blkdev *d = (struct disk_blkdev *)dev;
	uint64_t first = blkno * SECTORS_PER_BLOCK;
	uint64_t count = (uint64_t)n * SECTORS_PER_BLOCK;

	for (uint64_t done = 0; done < count;) {
		long got = sk_virtio_blk_read(d->blk, first + done,
					      (char *)buf + done * 512,
					      count - done);

		if (got < 0)
			return (int)got;
		done += (uint64_t)got;
	}
	return 0;
}

static uint32_t disk_block_size(struct sk_blkdev *dev)
{
	(void)dev;
	return BLOCK;
}

static uint64_t disk_block_count(struct sk_blkdev *dev)
{
	return sk_virtio_blk_sectors(((struct disk_blkdev *)dev)->blk) /
	       SECTORS_PER_BLOCK;
}

static const struct sk_blkdev_ops disk_ops = { disk_read, disk_block_size,
					       disk_block_count };

static char files[FILES_MAX][128];
static unsigned nfiles;

/* Collect the regular files under @dir (depth-first). */
static void files_find(const char *dir)
{
	static char buf[2048];
	int fd = sk_vfs_open(dir, SK_O_RDONLY | SK_O_DIRECTORY, 0);
	long n;

	if (fd < 0)
		return;
	while ((n = sk_vfs_getdents(fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			const struct sk_dirent *e =
				(const struct sk_dirent *)(void *)(buf + off);
			char path[128];

			off += e->reclen;
			if (e->name[0] == '.')
				continue;
			sk_x86_fmt(path, sizeof(path), "%s/%s", dir, e->name);
			if (e->type == SK_DT_DIR)
				files_find(path);
			else if (e->type == SK_DT_REG && nfiles < FILES_MAX)
				sk_x86_fmt(files[nfiles++], 128, "%s", path);
		}
	}
	sk_vfs_close(fd);
}

struct reader {
	struct sk_thread *thread;
	unsigned idx, of, cpu;
};

struct file_result {
	uint64_t bytes, checksum;
	unsigned cpu;
	long err;
};

static struct file_result results[FILES_MAX];

static void file_read(unsigned i, unsigned cpu)
{
	struct file_result *r = &results[i];
	unsigned char buf[1024];
	int fd = sk_vfs_open(files[i], SK_O_RDONLY, 0);
	long n;

	r->cpu = cpu;
	r->checksum = 0xcbf29ce484222325ull;
	if (fd < 0) {
		r->err = fd;
		return;
	}
	while ((n = sk_vfs_read(fd, buf, sizeof(buf))) > 0) {
		r->checksum = sk_kvm_demo_fnv1a(r->checksum, buf, (size_t)n);
		r->bytes += (uint64_t)n;
	}
	r->err = n;
	sk_vfs_close(fd);
}

static void reader_run(void *arg)
{
	struct reader *rd = arg;

	rd->cpu = sk_plat_cpu_id();
	for (unsigned i = rd->idx; i < nfiles; i += rd->of)
		file_read(i, rd->cpu);
}

int sk_kvm_rofs_mount(struct sk_virtio_blk *blk,
		      const struct sk_sched_mem_ops *mem)
{
	static struct disk_blkdev disk;
	static struct sk_vfs_mem_ops vmem;
	struct sk_vfs_config cfg = { .mem = &vmem };
	int err;

	vmem = (struct sk_vfs_mem_ops){ mem->alloc, mem->free, mem->ctx };
	disk = (struct disk_blkdev){ { &disk_ops, NULL }, blk };
	err = sk_rcu_init();
	if (!err)
		err = sk_vfs_init(&cfg);
	if (!err)
		err = sk_vfs_mkdir("/disk", 0755);
	if (!err)
		err = sk_vfs_mount("virtio-blk0", "/disk", "rofs", 0,
				   &disk.dev);
	return err;
}

int sk_kvm_demo_rofs(struct sk_virtio_blk *blk,
		     const struct sk_sched_mem_ops *mem)
{
	static struct reader readers[SK_PLAT_CPUS_MAX];
	static struct sk_cpuset sets[SK_PLAT_CPUS_MAX];
	unsigned n = sk_plat_cpu_count();
	int err = sk_kvm_rofs_mount(blk, mem);

	if (err)
		return err;
	files_find("/disk");
	sk_x86_printf("rofs: mounted at /disk, %u files\n", nfiles);
	for (unsigned c = 0; c < n; c++) {
		struct sk_thread_attr a = { .name = "reader" };

		readers[c] = (struct reader){ NULL, c, n, 0 };
		sk_cpuset_zero(&sets[c]);
		sk_cpuset_add(&sets[c], c);
		a.affinity = &sets[c];
		if (sk_thread_create(&readers[c].thread, &a, reader_run,
				     &readers[c]) != 0)
			return -ENOMEM;
	}
	for (unsigned c = 0; c < n; c++)
		sk_thread_join(readers[c].thread);
	for (unsigned i = 0; i < nfiles; i++)
		sk_x86_printf("file %s: %lu bytes, checksum %016lx, read on "
			      "cpu %u%s\n",
			      files[i], (unsigned long)results[i].bytes,
			      (unsigned long)results[i].checksum,
			      results[i].cpu, results[i].err ? " (error)" : "");
	return 0;
}
