// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the header parser: any input must give 0, -EINVAL
 * or -ENODATA, never read outside the input (ASan), and a packet the
 * parser sends to a flow must have its headers and payload inside the
 * frame.  The input's first byte splits it into a prefix and a declared
 * frame length, to exercise sk_flow_parse_prefix as well.
 */
#include <errno.h>
#include <stdlib.h>

#include <netchan/flow.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void check(int err, const struct sk_flow_info *fi, size_t len)
{
	if (err != 0 && err != -EINVAL && err != -ENODATA)
		abort();
	if (err || (fi->cls != SK_FLOW_FAST && fi->cls != SK_FLOW_CONTROL))
		return;
	if (fi->l4_off <= fi->l3_off || fi->payload_off <= fi->l4_off ||
	    (size_t)fi->payload_off + fi->payload_len > len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct sk_flow_info fi;
	size_t prefix;

	check(sk_flow_parse(data, len, &fi), &fi, len);
	if (len < 2)
		return 0;
	prefix = data[0] % len;
	check(sk_flow_parse_prefix(data + 1, prefix, len - 1, &fi), &fi,
	      len - 1);
	return 0;
}
