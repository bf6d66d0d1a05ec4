/* SPDX-License-Identifier: MIT */
/*
 * Hand-built Ethernet frames for the netchan tests: IPv4 or IPv6, TCP or
 * UDP, optional VLAN tag and fragment marking, and a payload that starts
 * with a flow id and a sequence number (little endian) so consumers can
 * check per-flow order.
 */
#ifndef NETCHAN_TESTS_PKT_H
#define NETCHAN_TESTS_PKT_H

#include <stddef.h>
#include <stdint.h>

#include <netchan/flow.h>

struct nt_pkt_spec {
	unsigned family; /* SK_FLOW_IPV4 / SK_FLOW_IPV6 */
	unsigned proto; /* SK_FLOW_PROTO_TCP / _UDP */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t tcp_flags; /* SK_TCP_*; 0 means ACK only */
	uint32_t payload_len; /* >= 8 to carry flow id and seq */
	uint32_t flow_id, seq;
	unsigned vlan; /* number of 802.1Q tags (0..3) */
	unsigned frag; /* 1: mark as a fragment */
	unsigned ext; /* IPv6: number of destination-options headers */
};

enum { NT_PKT_MAX = 2048 };

/* Build the frame into @buf; returns its length (0 if @cap is short). */
size_t nt_pkt_build(uint8_t *buf, size_t cap, const struct nt_pkt_spec *s);

/* The key sk_flow_parse() should find for @s. */
struct sk_flow_key nt_pkt_key(const struct nt_pkt_spec *s);

/* A spec for flow @id: 10.0.x.y:port -> 10.1.0.1:80 (or IPv6 alike). */
struct nt_pkt_spec nt_pkt_flow(unsigned family, unsigned proto, uint32_t id);

/* Read the flow id and sequence number from a frame's payload. */
void nt_pkt_ids(const uint8_t *payload, uint32_t *flow_id, uint32_t *seq);

#endif
