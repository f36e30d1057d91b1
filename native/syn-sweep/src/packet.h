// The bytes of a stateless SYN probe and of its answer: SYN cookies, checksums, the SYN itself,
// the reading of a reply and the kernel filter that lets only candidate replies through. Pure
// functions of their inputs; no socket here.
#ifndef SYN_SWEEP_PACKET_H
#define SYN_SWEEP_PACKET_H

#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

// IPv4 header (20, no options) + TCP header (20) + one MSS option (4).
#define SYN_PACKET_LEN 44

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_ACK = 0x10 };

typedef struct {
  uint64_t k0, k1;
} cookie_key;

// The sequence number of the SYN from src:sport to dst:dport: SipHash-2-4 of the 4-tuple under
// a per-sweep random key, so an answer proves it answers this sweep's SYN (its ACK number is the
// cookie + 1) without a record of what was sent. Addresses and ports in host order.
uint32_t syn_cookie(const cookie_key *key, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport);

// Fills `out` (SYN_PACKET_LEN bytes) with the IPv4 SYN; the kernel fills the IP ID and header
// checksum (raw(7), IP_HDRINCL), the TCP checksum is ours.
void syn_build(uint8_t *out, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint32_t seq);

typedef struct {
  uint32_t src, dst;     // the answering target, and us
  uint16_t sport, dport; // the target's port, and our source port
  uint32_t seq, ack;
  uint8_t flags;
} tcp_reply;

// Reads an IPv4 packet as a TCP segment's addresses, ports, numbers and flags. Returns 0 when
// the bytes are not a whole IPv4 TCP header (short, fragment, other protocol): never reads past `len`.
int reply_parse(const uint8_t *p, size_t len, tcp_reply *out);

// Classic BPF for a raw IPPROTO_TCP socket: unfragmented TCP to `port` with RST, or SYN and ACK
// both set; at most 96 bytes of each copied. `prog` must hold REPLY_FILTER_LEN instructions.
#define REPLY_FILTER_LEN 12
void reply_filter(struct sock_filter *prog, uint16_t port);

#endif
