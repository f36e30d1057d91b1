// The N-API surface of the sweep: probe(), start(pairs, timeoutMs, retries, onEvent) and, on the
// handle start returns, grant(n), wanted(), stop() and sourcePort. onEvent('open', Uint32Array
// of address, port, …) arrives in batches from the sweep's thread, then onEvent('done', stats)
// or onEvent('error', message) once. The testing exports live in tap.c.
#define NAPI_VERSION 8
#include <errno.h>
#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "tap.h"

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      napi_throw_error(env, NULL, "syn-sweep: " #call " failed");                                  \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

typedef struct {
  sweep_engine e;
  napi_threadsafe_function tsfn;
  pthread_t thread;
  bool started;
  atomic_int refs; // the JS handle and the thread-safe function each hold one
} sweep_handle;

enum { EVENT_OPEN, EVENT_DONE, EVENT_ERROR };

typedef struct {
  int kind;
  size_t count;
  uint32_t *pairs;
  sweep_stats stats;
  char error[160];
} event;

static void unref(sweep_handle *h) {
  if (atomic_fetch_sub(&h->refs, 1) == 1) {
    engine_free(&h->e);
    free(h);
  }
}

static void post(sweep_handle *h, event *ev) {
  if (napi_call_threadsafe_function(h->tsfn, ev, napi_tsfn_blocking) != napi_ok) {
    free(ev->pairs);
    free(ev);
  }
}

static void on_open(void *ctx, const uint32_t *pairs, size_t count) {
  sweep_handle *h = ctx;
  event *ev = calloc(1, sizeof *ev);
  if (!ev) return;
  ev->kind = EVENT_OPEN;
  ev->count = count;
  ev->pairs = malloc(count * 2 * sizeof *pairs);
  if (!ev->pairs) {
    free(ev);
    return;
  }
  memcpy(ev->pairs, pairs, count * 2 * sizeof *pairs);
  post(h, ev);
}

static void *thread_main(void *arg) {
  sweep_handle *h = arg;
  engine_run(&h->e);
  event *ev = calloc(1, sizeof *ev);
  if (ev) {
    ev->kind = h->e.error[0] ? EVENT_ERROR : EVENT_DONE;
    ev->stats = h->e.stats;
    memcpy(ev->error, h->e.error, sizeof ev->error);
    post(h, ev);
  }
  napi_release_threadsafe_function(h->tsfn, napi_tsfn_release);
  return NULL;
}

static napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

static void set(napi_env env, napi_value obj, const char *key, double v) {
  napi_set_named_property(env, obj, key, number(env, v));
}

static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  event *ev = data;
  if (env && cb) {
    napi_value argv[2], undefined;
    napi_get_undefined(env, &undefined);
    if (ev->kind == EVENT_OPEN) {
      void *bytes;
      napi_value buffer;
      size_t len = ev->count * 2 * sizeof(uint32_t);
      napi_create_string_utf8(env, "open", NAPI_AUTO_LENGTH, &argv[0]);
      napi_create_arraybuffer(env, len, &bytes, &buffer);
      memcpy(bytes, ev->pairs, len);
      napi_create_typedarray(env, napi_uint32_array, ev->count * 2, buffer, 0, &argv[1]);
    } else if (ev->kind == EVENT_DONE) {
      napi_create_string_utf8(env, "done", NAPI_AUTO_LENGTH, &argv[0]);
      napi_create_object(env, &argv[1]);
      const sweep_stats *s = &ev->stats;
      set(env, argv[1], "sent", (double)s->sent);
      set(env, argv[1], "retransmitted", (double)s->retransmitted);
      set(env, argv[1], "open", (double)s->open);
      set(env, argv[1], "closed", (double)s->closed);
      set(env, argv[1], "unreachable", (double)s->unreachable);
      set(env, argv[1], "silent", (double)s->silent);
      set(env, argv[1], "invalid", (double)s->invalid);
      set(env, argv[1], "unlisted", (double)s->unlisted);
      set(env, argv[1], "duplicate", (double)s->duplicate);
      set(env, argv[1], "rounds", (double)s->rounds);
    } else {
      napi_create_string_utf8(env, "error", NAPI_AUTO_LENGTH, &argv[0]);
      napi_create_string_utf8(env, ev->error, NAPI_AUTO_LENGTH, &argv[1]);
    }
    napi_call_function(env, undefined, cb, 2, argv, NULL);
  }
  free(ev->pairs);
  free(ev);
}

// After the thread's release, or when the environment is torn down (a worker thread ending)
// while the sweep still runs: then it is stopped, so the join does not wait out its rounds.
static void tsfn_finalize(napi_env env, void *data, void *hint) {
  sweep_handle *h = data;
  engine_stop(&h->e);
  if (h->started) pthread_join(h->thread, NULL);
  unref(h);
}

// A handle no longer referenced does not stop its sweep: its events still come to onEvent.
static void handle_finalize(napi_env env, void *data, void *hint) {
  sweep_handle *h = data;
  unref(h);
}

static sweep_handle *unwrap_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *h = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok || napi_unwrap(env, self, &h) != napi_ok) {
    napi_throw_type_error(env, NULL, "syn-sweep: not a sweep handle");
    return NULL;
  }
  return h;
}

static napi_value js_grant(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  sweep_handle *h = unwrap_this(env, info, &argc, argv);
  if (!h) return NULL;
  double n = 0;
  if (argc < 1 || napi_get_value_double(env, argv[0], &n) != napi_ok || !(n >= 0)) {
    napi_throw_range_error(env, NULL, "syn-sweep: grant(n) wants a number >= 0");
    return NULL;
  }
  engine_grant(&h->e, n >= 9.0e15 ? INT64_MAX : (int64_t)n);
  return NULL;
}

static napi_value js_wanted(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  sweep_handle *h = unwrap_this(env, info, &argc, NULL);
  if (!h) return NULL;
  int64_t w = atomic_load(&h->e.want) - atomic_load(&h->e.credits);
  return number(env, (double)(w > 0 ? w : 0));
}

static napi_value js_stop(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  sweep_handle *h = unwrap_this(env, info, &argc, NULL);
  if (h) engine_stop(&h->e);
  return NULL;
}

static napi_value js_probe(napi_env env, napi_callback_info info) {
  int err = engine_probe();
  napi_value out;
  if (!err) {
    napi_get_null(env, &out);
    return out;
  }
  const char *name = strerrorname_np(err);
  napi_create_string_utf8(env, name ? name : strerror(err), NAPI_AUTO_LENGTH, &out);
  return out;
}

/** start(pairs: Uint32Array [address, port, …], timeoutMs, retries, onEvent) */
static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  uint32_t timeout_ms = 0, retries = 0;
  napi_valuetype cb_type = napi_undefined;
  if (argc == 4) {
    napi_is_typedarray(env, argv[0], &is_typed);
    napi_typeof(env, argv[3], &cb_type);
  }
  if (!is_typed || cb_type != napi_function) {
    napi_throw_type_error(env, NULL, "syn-sweep: start(pairs: Uint32Array, timeoutMs, retries, onEvent)");
    return NULL;
  }
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL));
  if (type != napi_uint32_array || length % 2 || length / 2 > UINT32_MAX / 4 ||
      napi_get_value_uint32(env, argv[1], &timeout_ms) != napi_ok || napi_get_value_uint32(env, argv[2], &retries) != napi_ok) {
    napi_throw_type_error(env, NULL, "syn-sweep: start(pairs: Uint32Array of address, port pairs, timeoutMs, retries, onEvent)");
    return NULL;
  }
  const uint32_t *pairs = data;
  for (size_t i = 1; i < length; i += 2) {
    if (pairs[i] < 1 || pairs[i] > 65535) {
      napi_throw_range_error(env, NULL, "syn-sweep: a port outside 1-65535");
      return NULL;
    }
  }

  sweep_handle *h = calloc(1, sizeof *h);
  if (!h) {
    napi_throw_error(env, NULL, "syn-sweep: out of memory");
    return NULL;
  }
  if (engine_open(&h->e, (uint32_t)(length / 2), pairs, timeout_ms, retries) < 0) {
    napi_value msg, code, err;
    const char *open_paren = strrchr(h->e.error, '(');
    napi_create_string_utf8(env, h->e.error, NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &err);
    if (open_paren) {
      napi_create_string_utf8(env, open_paren + 1, strlen(open_paren + 1) - 1, &code);
      napi_set_named_property(env, err, "code", code);
    }
    free(h);
    napi_throw(env, err);
    return NULL;
  }
  h->e.on_open = on_open;
  h->e.ctx = h;
  atomic_store(&h->refs, 2);

  napi_value name, self;
  if (napi_create_string_utf8(env, "syn-sweep", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, argv[3], NULL, name, 0, 1, h, tsfn_finalize, h, call_js, &h->tsfn) != napi_ok) {
    engine_free(&h->e);
    free(h);
    napi_throw_error(env, NULL, "syn-sweep: no thread-safe function");
    return NULL;
  }
  napi_property_descriptor methods[] = {
    {"grant", NULL, js_grant, NULL, NULL, NULL, napi_default, NULL},
    {"wanted", NULL, js_wanted, NULL, NULL, NULL, napi_default, NULL},
    {"stop", NULL, js_stop, NULL, NULL, NULL, napi_default, NULL},
    {"sourcePort", NULL, NULL, NULL, NULL, number(env, h->e.sport), napi_enumerable, NULL},
  };
  if (napi_create_object(env, &self) != napi_ok || napi_define_properties(env, self, sizeof methods / sizeof methods[0], methods) != napi_ok ||
      napi_wrap(env, self, h, handle_finalize, NULL, NULL) != napi_ok) {
    // No JS handle holds a reference: the released thread-safe function's finalizer frees all.
    atomic_store(&h->refs, 1);
    napi_release_threadsafe_function(h->tsfn, napi_tsfn_abort);
    napi_throw_error(env, NULL, "syn-sweep: no handle");
    return NULL;
  }
  if (pthread_create(&h->thread, NULL, thread_main, h) != 0) {
    // The handle's finalizer and the released thread-safe function each drop their reference.
    napi_release_threadsafe_function(h->tsfn, napi_tsfn_abort);
    napi_throw_error(env, NULL, "syn-sweep: no thread");
    return NULL;
  }
  h->started = true;
  return self;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"probe", NULL, js_probe, NULL, NULL, NULL, napi_default, NULL},
    {"start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  tap_init(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
