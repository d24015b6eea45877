jit_cc_binary(
  NAME jit-training-progress
  SRCS main.cc
  DEPS jit::progress_api jit::progress_peers jit::progress_domain
       jit::progress_storage jit::progress_events jit::bootstrap jit::config jit::log jit::metrics jit::grpcserver
       jit::service jit::audit absl::flags)
