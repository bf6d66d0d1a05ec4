// SPDX-License-Identifier: MIT
/*
 * lib/vfs test scaffolding: see harness.h.
 */
#include "harness.h"

#include <mm/page.h>
#include <rcu/rcu.h>

static int vt_init(void)
{
	static const struct sk_vfs_mem_ops vops = { sk_test_hook_alloc,
						    sk_test_hook_free, NULL };
	struct sk_vfs_config cfg = { &vops, 0 };
	int err = sk_page_init();

	if (!err)
		err = sk_rcu_init();
	if (!err)
		err = sk_vfs_init(&cfg);
	return err;
}

int vt_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	return sk_test_main(name, tests, n, vt_init);
}

void vt_put_file(const char *path, const void *buf, size_t len)
{
	int fd = sk_vfs_open(path, SK_O_WRONLY | SK_O_CREAT | SK_O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(sk_vfs_write(fd, buf, len), (long)len);
	assert_int_equal(sk_vfs_close(fd), 0);
}
