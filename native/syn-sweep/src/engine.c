#include "engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SEND_BATCH 64
#define RECV_BATCH 64
#define RECV_SNAP 128
#define OPEN_BATCH 512
#define FLUSH_MS 10
#define CREDIT_WAIT_MS 20

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static uint32_t mix(uint32_t addr, uint32_t port) {
  uint32_t h = addr * 0x9e3779b1u ^ (port + 0x7f4a7c15u) * 0x85ebca77u;
  h ^= h >> 15;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 13);
}

static uint32_t pow2_above(uint32_t n) {
  uint32_t s = 16;
  while (s < 2 * n) s <<= 1;
  return s;
}

static void fail(sweep_engine *e, const char *what) {
  snprintf(e->error, sizeof e->error, "%s: %s (%s)", what, strerror(errno), strerrorname_np(errno) ? strerrorname_np(errno) : "?");
}

static void close_sockets(sweep_engine *e) {
  if (e->raw >= 0) close(e->raw);
  if (e->reserve >= 0) close(e->reserve);
  if (e->route >= 0) close(e->route);
  e->raw = e->reserve = e->route = -1;
}

int engine_probe(void) {
  int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

/** The index of pair (addr, port), or -1. */
static int64_t lookup(const sweep_engine *e, uint32_t addr, uint16_t port) {
  for (uint32_t h = mix(addr, port) & e->mask;; h = (h + 1) & e->mask) {
    uint32_t slot = e->table[h];
    if (!slot) return -1;
    if (e->addr[slot - 1] == addr && e->port[slot - 1] == port) return slot - 1;
  }
}

static int open_sockets(sweep_engine *e) {
  e->raw = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (e->raw < 0) return fail(e, "raw socket"), -1;
  int one = 1;
  if (setsockopt(e->raw, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) < 0) return fail(e, "IP_HDRINCL"), -1;
  // Room for the replies of a few send batches; retries cover what a full buffer drops.
  int size = 4 << 20;
  if (setsockopt(e->raw, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
    setsockopt(e->raw, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  if (setsockopt(e->raw, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
    setsockopt(e->raw, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);

  e->reserve = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (e->reserve < 0) return fail(e, "reserve socket"), -1;
  struct sockaddr_in any = {.sin_family = AF_INET};
  socklen_t len = sizeof any;
  if (bind(e->reserve, (struct sockaddr *)&any, sizeof any) < 0) return fail(e, "bind source port"), -1;
  if (getsockname(e->reserve, (struct sockaddr *)&any, &len) < 0) return fail(e, "getsockname"), -1;
  e->sport = ntohs(any.sin_port);

  struct sock_filter prog[REPLY_FILTER_LEN];
  reply_filter(prog, e->sport);
  struct sock_fprog fprog = {.len = REPLY_FILTER_LEN, .filter = prog};
  if (setsockopt(e->raw, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) < 0) return fail(e, "SO_ATTACH_FILTER"), -1;

  e->route = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (e->route < 0) return fail(e, "route socket"), -1;
  e->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (e->wake < 0) return fail(e, "eventfd"), -1;
  if (getrandom(&e->key, sizeof e->key, 0) != sizeof e->key) return fail(e, "getrandom"), -1;
  return 0;
}

int engine_open(sweep_engine *e, uint32_t n, const uint32_t *pairs, uint32_t timeout_ms, uint32_t retries) {
  memset(e, 0, sizeof *e);
  e->raw = e->reserve = e->route = e->wake = -1;
  e->n = n;
  e->timeout_ms = timeout_ms;
  e->retries = retries;
  atomic_store(&e->want, (int64_t)n);
  uint32_t size = pow2_above(n);
  e->mask = size - 1;
  e->route_mask = size - 1;
  e->addr = malloc(sizeof *e->addr * (n ? n : 1));
  e->port = malloc(sizeof *e->port * (n ? n : 1));
  e->status = calloc(n ? n : 1, 1);
  e->src = calloc(n ? n : 1, sizeof *e->src);
  e->table = calloc(size, sizeof *e->table);
  e->route_dst = calloc(size, sizeof *e->route_dst);
  e->route_src = calloc(size, sizeof *e->route_src);
  if (!e->addr || !e->port || !e->status || !e->src || !e->table || !e->route_dst || !e->route_src) {
    snprintf(e->error, sizeof e->error, "out of memory for %u pairs", n);
    engine_free(e);
    return -1;
  }
  for (uint32_t i = 0; i < n; i++) {
    e->addr[i] = pairs[2 * i];
    e->port[i] = (uint16_t)pairs[2 * i + 1];
    if (lookup(e, e->addr[i], e->port[i]) >= 0) {
      e->status[i] = PAIR_REPEATED; // listed twice: probed and reported once
      continue;
    }
    uint32_t h = mix(e->addr[i], e->port[i]) & e->mask;
    while (e->table[h]) h = (h + 1) & e->mask;
    e->table[h] = i + 1;
  }
  if (open_sockets(e) < 0) {
    engine_free(e);
    return -1;
  }
  return 0;
}

void engine_free(sweep_engine *e) {
  close_sockets(e);
  if (e->wake >= 0) close(e->wake);
  e->wake = -1;
  free(e->addr);
  free(e->port);
  free(e->status);
  free(e->src);
  free(e->table);
  free(e->route_dst);
  free(e->route_src);
  e->addr = NULL;
  e->port = NULL;
  e->status = NULL;
  e->src = NULL;
  e->table = NULL;
  e->route_dst = e->route_src = NULL;
}

static void poke(sweep_engine *e) {
  uint64_t one = 1;
  if (e->wake >= 0 && write(e->wake, &one, sizeof one) < 0) { /* the counter is already set */ }
}

void engine_grant(sweep_engine *e, int64_t credits) {
  int64_t cap = INT64_MAX / 4;
  int64_t c = atomic_load(&e->credits);
  while (!atomic_compare_exchange_weak(&e->credits, &c, credits >= cap - c ? cap : c + credits)) {}
  poke(e);
}

void engine_stop(sweep_engine *e) {
  atomic_store(&e->stop, 1);
  poke(e);
}

/** The source address the kernel would use towards `dst` (a route lookup), or 0 when none. */
static uint32_t source_for(sweep_engine *e, uint32_t dst) {
  uint32_t h = mix(dst, 0) & e->route_mask;
  for (; e->route_src[h]; h = (h + 1) & e->route_mask)
    if (e->route_dst[h] == dst) return e->route_src[h] == UINT32_MAX ? 0 : e->route_src[h];
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(dst)};
  struct sockaddr_in me = {0};
  socklen_t len = sizeof me;
  uint32_t src = UINT32_MAX;
  if (connect(e->route, (struct sockaddr *)&to, sizeof to) == 0 && getsockname(e->route, (struct sockaddr *)&me, &len) == 0 && me.sin_addr.s_addr)
    src = ntohl(me.sin_addr.s_addr);
  e->route_dst[h] = dst;
  e->route_src[h] = src;
  return src == UINT32_MAX ? 0 : src;
}

typedef struct {
  uint32_t open[OPEN_BATCH * 2];
  size_t nopen;
  int64_t flushed_at;
  uint32_t settled;
} run_state;

static void flush_open(sweep_engine *e, run_state *r) {
  if (r->nopen) e->on_open(e->ctx, r->open, r->nopen);
  r->nopen = 0;
  r->flushed_at = now_ms();
}

static void settle(sweep_engine *e, run_state *r, uint32_t i, enum pair_status s) {
  e->status[i] = (uint8_t)s;
  r->settled++;
  if (s == PAIR_OPEN) {
    e->stats.open++;
    r->open[2 * r->nopen] = e->addr[i];
    r->open[2 * r->nopen + 1] = e->port[i];
    if (++r->nopen == OPEN_BATCH) flush_open(e, r);
  } else if (s == PAIR_CLOSED) {
    e->stats.closed++;
  } else if (s == PAIR_UNREACHABLE) {
    e->stats.unreachable++;
  }
}

static void answer(sweep_engine *e, run_state *r, const uint8_t *bytes, size_t len) {
  tcp_reply t;
  if (!reply_parse(bytes, len, &t) || t.dport != e->sport) return;
  // RFC 9293 §3.10.7.1: a closed port answers a SYN with <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>,
  // an open one with SYN,ACK and the same acknowledgment: both must carry the cookie + 1.
  if (!(t.flags & TCP_ACK) || t.ack != syn_cookie(&e->key, t.dst, t.src, e->sport, t.sport) + 1) {
    e->stats.invalid++;
    return;
  }
  int64_t i = lookup(e, t.src, t.sport);
  if (i < 0) {
    e->stats.unlisted++;
    return;
  }
  if (e->status[i] != PAIR_PENDING) {
    e->stats.duplicate++;
    return;
  }
  if (t.flags & TCP_RST) settle(e, r, (uint32_t)i, PAIR_CLOSED);
  else if (t.flags & TCP_SYN) settle(e, r, (uint32_t)i, PAIR_OPEN);
}

/** Reads every reply queued on the raw socket. Returns -1 on a socket error. */
static int drain(sweep_engine *e, run_state *r) {
  static __thread uint8_t bufs[RECV_BATCH][RECV_SNAP];
  struct iovec iov[RECV_BATCH];
  struct mmsghdr msgs[RECV_BATCH];
  for (;;) {
    memset(msgs, 0, sizeof msgs);
    for (int k = 0; k < RECV_BATCH; k++) {
      iov[k].iov_base = bufs[k];
      iov[k].iov_len = RECV_SNAP;
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    int got = recvmmsg(e->raw, msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      if (errno == EINTR) continue;
      fail(e, "recvmmsg");
      return -1;
    }
    for (int k = 0; k < got; k++) answer(e, r, bufs[k], msgs[k].msg_len);
    if (got < RECV_BATCH) return 0;
  }
}

static void wait_for(sweep_engine *e, int64_t ms, short raw_events) {
  struct pollfd p[2] = {{.fd = e->raw, .events = raw_events}, {.fd = e->wake, .events = POLLIN}};
  if (poll(p, 2, (int)(ms < 0 ? 0 : ms)) > 0 && (p[1].revents & POLLIN)) {
    uint64_t v;
    if (read(e->wake, &v, sizeof v) < 0) { /* nothing pending */ }
  }
}

/**
 * Sends the SYNs of `count` prepared messages. A pair the kernel refuses to send to (no route,
 * a local firewall) is settled as unreachable. Returns -1 on a socket error.
 */
static int send_batch(sweep_engine *e, run_state *r, struct mmsghdr *msgs, const uint32_t *index, int count, uint32_t round) {
  int off = 0;
  while (off < count && !atomic_load(&e->stop)) {
    int sent = sendmmsg(e->raw, msgs + off, (unsigned)(count - off), 0);
    if (sent > 0) {
      off += sent;
      e->stats.sent += (uint64_t)sent;
      if (round) e->stats.retransmitted += (uint64_t)sent;
      atomic_fetch_sub(&e->credits, sent);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
      if (drain(e, r) < 0) return -1;
      wait_for(e, 1, POLLOUT);
      continue;
    }
    if (errno == EBADF || errno == ENOTSOCK || errno == EFAULT || errno == EINVAL) {
      fail(e, "sendmmsg");
      return -1;
    }
    settle(e, r, index[off], PAIR_UNREACHABLE);
    off++;
  }
  return 0;
}

void engine_run(sweep_engine *e) {
  static __thread uint8_t packets[SEND_BATCH][SYN_PACKET_LEN];
  struct iovec iov[SEND_BATCH];
  struct sockaddr_in to[SEND_BATCH];
  struct mmsghdr msgs[SEND_BATCH];
  uint32_t index[SEND_BATCH];
  run_state *r = calloc(1, sizeof *r);
  if (!r) {
    snprintf(e->error, sizeof e->error, "out of memory");
    close_sockets(e);
    return;
  }
  for (uint32_t i = 0; i < e->n; i++)
    if (e->status[i] == PAIR_REPEATED) r->settled++;
  r->flushed_at = now_ms();

  uint32_t round = 0;
  uint32_t cursor = 0;
  int64_t round_sent_at = 0;
  e->stats.rounds = 1;
  atomic_store(&e->want, (int64_t)e->n);
  while (!atomic_load(&e->stop)) {
    if (drain(e, r) < 0) break;
    if (r->settled == e->n) break;
    if (r->nopen && now_ms() - r->flushed_at >= FLUSH_MS) flush_open(e, r);
    if (cursor < e->n) {
      int64_t credits = atomic_load(&e->credits);
      if (credits <= 0) {
        flush_open(e, r);
        wait_for(e, CREDIT_WAIT_MS, POLLIN);
        continue;
      }
      int count = 0;
      while (cursor < e->n && count < SEND_BATCH && count < credits) {
        uint32_t i = cursor++;
        if (e->status[i] != PAIR_PENDING) continue;
        if (!e->src[i]) e->src[i] = source_for(e, e->addr[i]);
        if (!e->src[i]) {
          settle(e, r, i, PAIR_UNREACHABLE);
          continue;
        }
        syn_build(packets[count], e->src[i], e->addr[i], e->sport, e->port[i], syn_cookie(&e->key, e->src[i], e->addr[i], e->sport, e->port[i]));
        iov[count] = (struct iovec){.iov_base = packets[count], .iov_len = SYN_PACKET_LEN};
        to[count] = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(e->addr[i])};
        msgs[count] = (struct mmsghdr){.msg_hdr = {.msg_name = &to[count], .msg_namelen = sizeof to[count], .msg_iov = &iov[count], .msg_iovlen = 1}};
        index[count++] = i;
      }
      if (send_batch(e, r, msgs, index, count, round) < 0) break;
      atomic_store(&e->want, (int64_t)(e->n - cursor));
      if (cursor >= e->n) round_sent_at = now_ms();
      continue;
    }
    int64_t left = round_sent_at + e->timeout_ms - now_ms();
    if (left <= 0) {
      if (round >= e->retries) break;
      round++;
      e->stats.rounds++;
      cursor = 0;
      atomic_store(&e->want, (int64_t)(e->n - r->settled));
      continue;
    }
    flush_open(e, r);
    wait_for(e, left, POLLIN);
  }
  atomic_store(&e->want, 0);
  if (!e->error[0]) drain(e, r);
  flush_open(e, r);
  for (uint32_t i = 0; i < e->n; i++)
    if (e->status[i] == PAIR_PENDING) e->stats.silent++;
  close_sockets(e);
  free(r);
}
