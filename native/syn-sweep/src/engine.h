// One stateless SYN sweep: sends a SYN with a cookie sequence number to every (address, port)
// pair it is given, reads the SYN-ACKs and RSTs that come back through a filtered raw socket,
// resends to the pairs that stayed silent, and hands the open pairs out in batches. It runs on
// its own thread; the JS thread only grants send credits (the scan's rate) and may stop it.
#ifndef SYN_SWEEP_ENGINE_H
#define SYN_SWEEP_ENGINE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

enum pair_status { PAIR_PENDING = 0, PAIR_OPEN, PAIR_CLOSED, PAIR_UNREACHABLE, PAIR_REPEATED };

typedef struct {
  uint64_t sent;          // SYNs sent, retransmissions included
  uint64_t retransmitted; // of which to pairs silent in an earlier round
  uint64_t open, closed, unreachable, silent;
  uint64_t invalid;   // replies to our port whose ACK number is not a cookie of ours
  uint64_t unlisted;  // replies with a valid cookie from a pair not in the list (a key collision)
  uint64_t duplicate; // second and later answers of a settled pair
  uint32_t rounds;
} sweep_stats;

typedef void (*sweep_on_open)(void *ctx, const uint32_t *pairs, size_t count);

typedef struct {
  // The pairs, in sending order; addresses and ports in host order.
  uint32_t n;
  uint32_t *addr;
  uint16_t *port;
  uint32_t timeout_ms; // wait after a round's last SYN before the next round
  uint32_t retries;    // rounds after the first, to the pairs still silent
  sweep_on_open on_open;
  void *ctx;

  int raw;     // raw IPPROTO_TCP socket, IP_HDRINCL, reply filter attached
  int reserve; // TCP socket bound to the source port, so no connect() of this host takes it
  int route;   // UDP socket connected to each destination once, to learn the source address
  int wake;    // eventfd: credits granted or stop asked
  uint16_t sport;
  cookie_key key;

  uint8_t *status;
  uint32_t *src; // source address per pair, 0 until looked up
  uint32_t *table;
  uint32_t mask;
  uint32_t *route_dst, *route_src; // destination -> source cache, open addressing
  uint32_t route_mask;

  _Atomic int64_t credits;
  _Atomic int64_t want; // SYNs the current round still has to send
  _Atomic int stop;
  sweep_stats stats;
  char error[160];
} sweep_engine;

// Allocates the state and opens the sockets (on the caller's thread, so a missing privilege is
// reported at once). Returns 0, or -1 with `e->error` set and nothing left open.
int engine_open(sweep_engine *e, uint32_t n, const uint32_t *pairs, uint32_t timeout_ms, uint32_t retries);
// The sweep; returns when every pair is settled, after the last round's wait, or on stop.
// Closes the sockets before it returns; `e->error` is set when it ended on a socket error.
void engine_run(sweep_engine *e);
void engine_grant(sweep_engine *e, int64_t credits);
void engine_stop(sweep_engine *e);
// Frees the state and the wake descriptor (after engine_run has returned, or instead of it).
void engine_free(sweep_engine *e);

// Whether this process may open a raw TCP socket: 0, or the errno of socket(2).
int engine_probe(void);

#endif
