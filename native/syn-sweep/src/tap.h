// For tests only: a packet tap on every interface (AF_PACKET) to see what the sweep puts on the
// wire, and raw IPv4 injection to forge the replies it must refuse.
#ifndef SYN_SWEEP_TAP_H
#define SYN_SWEEP_TAP_H
#define NAPI_VERSION 8
#include <node_api.h>
void tap_init(napi_env env, napi_value exports);
#endif
