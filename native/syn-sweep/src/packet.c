#include "packet.h"

#include <string.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
  do {                                                                                             \
    v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                                       \
    v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                         \
    v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                         \
    v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                                       \
  } while (0)

// SipHash-2-4 (Aumasson & Bernstein, 2012) of a 12-byte message given as two little-endian words.
static uint64_t siphash12(const cookie_key *key, uint64_t m0, uint32_t m1) {
  uint64_t v0 = 0x736f6d6570736575ULL ^ key->k0;
  uint64_t v1 = 0x646f72616e646f6dULL ^ key->k1;
  uint64_t v2 = 0x6c7967656e657261ULL ^ key->k0;
  uint64_t v3 = 0x7465646279746573ULL ^ key->k1;
  v3 ^= m0;
  SIPROUND; SIPROUND;
  v0 ^= m0;
  uint64_t last = ((uint64_t)12 << 56) | m1; // length byte, then the 4 trailing message bytes
  v3 ^= last;
  SIPROUND; SIPROUND;
  v0 ^= last;
  v2 ^= 0xff;
  SIPROUND; SIPROUND; SIPROUND; SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t syn_cookie(const cookie_key *key, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport) {
  uint64_t m0 = ((uint64_t)dst << 32) | src;
  uint32_t m1 = ((uint32_t)dport << 16) | sport;
  return (uint32_t)siphash12(key, m0, m1);
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static uint32_t get32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

// RFC 793 §3.1: the checksum covers a pseudo-header (source, destination, zero, protocol, TCP
// length) and the segment, as the ones' complement of the ones' complement sum of 16-bit words.
static uint16_t tcp_checksum(uint32_t src, uint32_t dst, const uint8_t *seg, size_t len) {
  uint32_t sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + (uint32_t)len;
  for (size_t i = 0; i + 1 < len; i += 2) sum += get16(seg + i);
  if (len & 1) sum += (uint32_t)seg[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

void syn_build(uint8_t *out, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint32_t seq) {
  memset(out, 0, SYN_PACKET_LEN);
  uint8_t *ip = out;
  ip[0] = 0x45; // version 4, header of 5 words
  put16(ip + 2, SYN_PACKET_LEN);
  put16(ip + 6, 0x4000); // don't fragment
  ip[8] = 64;            // TTL
  ip[9] = 6;             // TCP
  put32(ip + 12, src);
  put32(ip + 16, dst);
  uint8_t *tcp = out + 20;
  put16(tcp, sport);
  put16(tcp + 2, dport);
  put32(tcp + 4, seq);
  tcp[12] = 6 << 4; // data offset: 6 words (one option word)
  tcp[13] = TCP_SYN;
  put16(tcp + 14, 64240);
  // MSS 1460 (RFC 9293 §3.7.1): a SYN as an ordinary stack would send it.
  tcp[20] = 2;
  tcp[21] = 4;
  put16(tcp + 22, 1460);
  put16(tcp + 16, tcp_checksum(src, dst, tcp, SYN_PACKET_LEN - 20));
}

int reply_parse(const uint8_t *p, size_t len, tcp_reply *out) {
  if (len < 20 || (p[0] >> 4) != 4 || p[9] != 6) return 0;
  size_t ihl = (size_t)(p[0] & 0x0f) * 4;
  if (ihl < 20 || len < ihl + 14) return 0;
  if (get16(p + 6) & 0x1fff) return 0; // a later fragment carries no TCP header
  const uint8_t *tcp = p + ihl;
  out->src = get32(p + 12);
  out->dst = get32(p + 16);
  out->sport = get16(tcp);
  out->dport = get16(tcp + 2);
  out->seq = get32(tcp + 4);
  out->ack = get32(tcp + 8);
  out->flags = tcp[13];
  return 1;
}

void reply_filter(struct sock_filter *prog, uint16_t port) {
  struct sock_filter f[REPLY_FILTER_LEN] = {
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),                 // 0: protocol
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 9),          // 1: TCP, else drop
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),                 // 2: flags and fragment offset
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 7, 0),    // 3: a later fragment: drop
    BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),                // 4: X = IP header length
    BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),                 // 5: TCP destination port
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 4),       // 6: ours, else drop
    BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13),                // 7: TCP flags
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, TCP_RST, 1, 0),   // 8: RST: accept
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, TCP_SYN, 0, 1),   // 9: SYN (the ACK is checked below)
    BPF_STMT(BPF_RET | BPF_K, 96),                         // 10: accept, 96 bytes
    BPF_STMT(BPF_RET | BPF_K, 0),                          // 11: drop
  };
  memcpy(prog, f, sizeof f);
}
