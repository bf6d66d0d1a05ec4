// SPDX-License-Identifier: MIT
/*
 * The kernel's printf.  Output goes through a cursor that counts every byte
 * but stores only what fits, so truncation is safe and the return value is
 * the full length, as with snprintf.
 */
#include <stdint.h>

#include <plat/console.h>
#include <x86/fmt.h>

struct out {
	char *buf;
	size_t cap;
	size_t len;
};

struct spec {
	unsigned width;
	char pad;
	int left;
	int lmod; /* 0: int, 1: long / size_t, 2: long long */
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void out_padded(struct out *o, const char *s, size_t n,
		       const struct spec *sp)
{
	size_t fill = sp->width > n ? sp->width - n : 0;

	if (!sp->left)
		for (; fill; fill--)
			out_char(o, sp->pad);
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
	for (; fill; fill--)
		out_char(o, ' ');
}

static void out_number(struct out *o, uint64_t v, int neg, unsigned base,
		       const struct spec *sp, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = digits[v % base];
		v /= base;
	} while (v);
	if (neg && sp->pad == '0' && !sp->left) {
		struct spec rest = *sp;

		out_char(o, '-');
		rest.width = rest.width ? rest.width - 1 : 0;
		out_padded(o, tmp + n, sizeof(tmp) - n, &rest);
		return;
	}
	if (neg)
		tmp[--n] = '-';
	out_padded(o, tmp + n, sizeof(tmp) - n, sp);
}

static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){ 0, ' ', 0, 0 };
	for (;; f++) {
		if (*f == '0')
			sp->pad = '0';
		else if (*f == '-')
			sp->left = 1;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (unsigned)(*f++ - '0');
	while (*f == 'l' || *f == 'z') {
		sp->lmod++;
		f++;
	}
	return f;
}

static uint64_t arg_unsigned(va_list *ap, int lmod)
{
	if (lmod == 0)
		return va_arg(*ap, unsigned);
	if (lmod == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned long long);
}

static int64_t arg_signed(va_list *ap, int lmod)
{
	if (lmod == 0)
		return va_arg(*ap, int);
	if (lmod == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, long long);
}

static void convert(struct out *o, char c, const struct spec *sp, va_list *ap)
{
	const char *s;
	char ch;
	int64_t sv;

	switch (c) {
	case 'd':
	case 'i':
		sv = arg_signed(ap, sp->lmod);
		out_number(o, sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv, sv < 0,
			   10, sp, 0);
		break;
	case 'u':
		out_number(o, arg_unsigned(ap, sp->lmod), 0, 10, sp, 0);
		break;
	case 'x':
	case 'X':
		out_number(o, arg_unsigned(ap, sp->lmod), 0, 16, sp, c == 'X');
		break;
	case 'p':
		out_char(o, '0');
		out_char(o, 'x');
		out_number(o, (uintptr_t)va_arg(*ap, void *), 0, 16, sp, 0);
		break;
	case 's':
		s = va_arg(*ap, const char *);
		s = s ? s : "(null)";
		out_padded(o, s, __builtin_strlen(s), sp);
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		out_padded(o, &ch, 1, sp);
		break;
	default:
		out_char(o, '%');
		if (c)
			out_char(o, c);
		break;
	}
}

size_t sk_x86_vfmt(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct out o = { buf, cap, 0 };
	struct spec sp;
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		convert(&o, *fmt, &sp, &aq);
		if (*fmt)
			fmt++;
	}
	va_end(aq);
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return o.len;
}

size_t sk_x86_fmt(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = sk_x86_vfmt(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

void sk_x86_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = sk_x86_vfmt(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sk_plat_console_write(buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
}
