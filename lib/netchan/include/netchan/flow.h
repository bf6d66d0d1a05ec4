/* SPDX-License-Identifier: MIT */
/*
 * Flow keys and the header parser.  The parser reads an Ethernet frame
 * (optionally VLAN-tagged) carrying IPv4 or IPv6 and TCP or UDP, checks
 * every length and offset against the bytes it was given, and says where
 * the packet should go: a flow's channel (fast) or the slow path.  It
 * never reads outside [frame, frame + len): the frame comes from the wire.
 */
#ifndef NETCHAN_FLOW_H
#define NETCHAN_FLOW_H

#include <stddef.h>
#include <stdint.h>

/*
 * The 5-tuple as seen on received packets (src = the remote end).  40
 * bytes with no implicit padding, zeroed where unused (IPv4 addresses fill
 * the first 4 bytes), so keys compare and hash as plain bytes.  Ports are
 * in host byte order.
 */
struct sk_flow_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t proto; /* SK_FLOW_PROTO_* */
	uint8_t family; /* SK_FLOW_IPV4 or SK_FLOW_IPV6 */
	uint8_t zero_[2];
};

enum sk_flow_family {
	SK_FLOW_IPV4 = 4,
	SK_FLOW_IPV6 = 6,
};

enum sk_flow_proto {
	SK_FLOW_PROTO_TCP = 6,
	SK_FLOW_PROTO_UDP = 17,
};

/* Where a well-formed packet goes. */
enum sk_flow_class {
	SK_FLOW_FAST = 0, /* TCP without SYN/FIN/RST, or UDP: key valid */
	SK_FLOW_CONTROL = 1, /* TCP with SYN, FIN or RST: key valid */
	SK_FLOW_FRAGMENT = 2, /* IP fragment: addresses and proto only */
	SK_FLOW_OTHER = 3, /* not TCP/UDP over IP (ARP, ICMP, ...) */
};

enum sk_flow_tcp_flag {
	SK_TCP_FIN = 0x01,
	SK_TCP_SYN = 0x02,
	SK_TCP_RST = 0x04,
	SK_TCP_PSH = 0x08,
	SK_TCP_ACK = 0x10,
};

enum {
	SK_FLOW_VLAN_MAX = 2, /* stacked 802.1Q/802.1ad tags accepted */
	SK_FLOW_EXT_MAX = 8, /* IPv6 extension headers walked */
};

struct sk_flow_info {
	struct sk_flow_key key;
	enum sk_flow_class cls;
	uint16_t l3_off; /* IP header, from the frame start */
	uint16_t l4_off; /* TCP/UDP header (FAST, CONTROL) */
	uint16_t payload_off; /* first payload byte (FAST, CONTROL) */
	uint32_t payload_len; /* payload bytes as the headers declare */
	uint8_t tcp_flags; /* SK_TCP_* (TCP only) */
};

/*
 * sk_flow_parse - classify the Ethernet frame @frame[0..@len).  Bytes past
 * the IP datagram's declared length (Ethernet padding) are ignored.
 * Return: 0 with @out filled; -EINVAL for a malformed header (bad version,
 *         header length below the minimum, inconsistent lengths, too many
 *         VLAN tags or extension headers); -ENODATA for a frame shorter
 *         than its headers say (truncated).  On error @out->cls is
 *         SK_FLOW_OTHER and the key is zero.
 * Context: any.  Pure function of its input.
 */
int sk_flow_parse(const void *frame, size_t len, struct sk_flow_info *out);

/*
 * sk_flow_parse_prefix - the same, for a frame of @frame_len bytes of
 * which only the first @hdr_len are at @hdr (the headers of a chained
 * packet, copied out).  Headers must lie in the prefix; lengths they
 * declare are checked against @frame_len.
 * Return: as sk_flow_parse(); also -EINVAL if @hdr_len > @frame_len.
 * Context: any.
 */
int sk_flow_parse_prefix(const void *hdr, size_t hdr_len, size_t frame_len,
			 struct sk_flow_info *out);

#endif
