jit_cc_binary(
  NAME jit-enrollment
  SRCS main.cc
  DEPS jit::enrollment_api jit::enrollment_domain jit::enrollment_storage
       jit::enrollment_events
       jit::bootstrap jit::config jit::log jit::metrics jit::grpcserver jit::service jit::audit
       absl::flags)
