jit_cc_binary(
  NAME jit-placement
  SRCS main.cc
  DEPS jit::placement_api jit::placement_domain jit::placement_storage
       jit::placement_events
       jit::placement_peers jit::bootstrap jit::config jit::log jit::metrics jit::grpcserver
       jit::service jit::audit absl::flags)
