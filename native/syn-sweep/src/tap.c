#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static napi_value throw_errno(napi_env env, const char *what) {
  const char *name = strerrorname_np(errno);
  napi_throw_error(env, name, what);
  return NULL;
}

/** tapOpen(): a descriptor reading every IPv4 packet on every interface, both directions. */
static napi_value tap_open(napi_env env, napi_callback_info info) {
  int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_IP));
  if (fd < 0) return throw_errno(env, "tapOpen: AF_PACKET socket");
  int size = 8 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

static int fd_arg(napi_env env, napi_callback_info info, napi_value *rest) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return -1;
  if (rest && argc > 1) *rest = argv[1];
  return fd;
}

/** tapRead(fd): [{ outgoing, ifindex, bytes }] for every packet queued now. */
static napi_value tap_read(napi_env env, napi_callback_info info) {
  int fd = fd_arg(env, info, NULL);
  napi_value list;
  napi_create_array(env, &list);
  uint32_t n = 0;
  unsigned char buf[2048];
  for (;;) {
    struct sockaddr_ll from;
    socklen_t len = sizeof from;
    ssize_t got = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &len);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return throw_errno(env, "tapRead");
    }
    napi_value item, bytes, outgoing, ifindex;
    void *copy;
    napi_create_object(env, &item);
    napi_create_buffer_copy(env, (size_t)got, buf, &copy, &bytes);
    napi_get_boolean(env, from.sll_pkttype == PACKET_OUTGOING, &outgoing);
    napi_create_int32(env, from.sll_ifindex, &ifindex);
    napi_set_named_property(env, item, "bytes", bytes);
    napi_set_named_property(env, item, "outgoing", outgoing);
    napi_set_named_property(env, item, "ifindex", ifindex);
    napi_set_element(env, list, n++, item);
  }
  return list;
}

static napi_value tap_close(napi_env env, napi_callback_info info) {
  int fd = fd_arg(env, info, NULL);
  if (fd >= 0) close(fd);
  return NULL;
}

/** inject(packet: Buffer): sends a whole IPv4 packet as it is (IPPROTO_RAW implies IP_HDRINCL). */
static napi_value inject(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_buffer_info(env, argv[0], &data, &len) != napi_ok || len < 20) {
    napi_throw_type_error(env, NULL, "inject(packet: Buffer) wants an IPv4 packet");
    return NULL;
  }
  int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (fd < 0) return throw_errno(env, "inject: raw socket");
  struct sockaddr_in to = {.sin_family = AF_INET};
  memcpy(&to.sin_addr.s_addr, (unsigned char *)data + 16, 4);
  ssize_t sent = sendto(fd, data, len, 0, (struct sockaddr *)&to, sizeof to);
  int err = errno;
  close(fd);
  errno = err;
  if (sent < 0) return throw_errno(env, "inject: sendto");
  return NULL;
}

void tap_init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"tapOpen", NULL, tap_open, NULL, NULL, NULL, napi_default, NULL},
    {"tapRead", NULL, tap_read, NULL, NULL, NULL, napi_default, NULL},
    {"tapClose", NULL, tap_close, NULL, NULL, NULL, napi_default, NULL},
    {"inject", NULL, inject, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
