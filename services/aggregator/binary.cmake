jit_cc_binary(
  NAME jit-aggregator
  SRCS main.cc
  DEPS jit::aggregator_api jit::aggregator_ingest jit::aggregator_storage
       jit::aggregator_events jit::aggregator_domain jit::bootstrap jit::config jit::log jit::metrics
       jit::grpcserver jit::service jit::audit jit::access jit::auth absl::flags)
