/* SPDX-License-Identifier: MIT */
/*
 * The hosted console: stdout for output, stdin for input.  Everything here
 * is async-signal-safe (write, poll, read), so it may be called from an
 * interrupt handler or a panic on any vCPU.
 */
#define _GNU_SOURCE
#include "hosted.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <plat/console.h>

void sk_hosted_console_fd_write(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the console is gone; nowhere to report */
		buf += n;
		len -= (size_t)n;
	}
}

void sk_plat_console_write(const char *buf, size_t len)
{
	int saved_errno = errno;

	sk_hosted_console_fd_write(STDOUT_FILENO, buf, len);
	errno = saved_errno;
}

/*
 * Poll, then read: stdin's file description is shared with the shell, so
 * it is never switched to O_NONBLOCK.  A single reader is assumed.  End of
 * input also reads as -EAGAIN: nothing is available now.
 */
long sk_plat_console_read(char *buf, size_t len)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	int saved_errno = errno;
	long ret = -EAGAIN;
	ssize_t n;

	if (len == 0)
		return -EAGAIN;
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)) {
		n = read(STDIN_FILENO, buf, len);
		if (n > 0)
			ret = n;
	}
	errno = saved_errno;
	return ret;
}

/* Format @v in decimal into @buf (no NUL).  Return: bytes written. */
size_t sk_hosted_fmt_uint(char *buf, size_t cap, unsigned long v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(tmp));
	if (n > cap)
		n = cap;
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}
