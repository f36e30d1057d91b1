{
  "targets": [
    {
      "target_name": "syn_sweep",
      "sources": ["src/addon.c", "src/engine.c", "src/packet.c", "src/tap.c"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "cflags_c": ["-std=gnu11"],
      "defines": ["_GNU_SOURCE"],
      "libraries": ["-lpthread"]
    }
  ]
}
