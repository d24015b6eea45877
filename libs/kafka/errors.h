// Mapping of librdkafka error codes to absl::Status.
#ifndef JIT_LIBS_KAFKA_ERRORS_H_
#define JIT_LIBS_KAFKA_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace jit::kafka {

// The absl::StatusCode for a librdkafka `rd_kafka_resp_err_t` (passed as int
// so that this header does not pull in rdkafka.h). OK for NO_ERROR.
//   timeouts                                -> DEADLINE_EXCEEDED
//   broker/transport/leadership/queue full  -> UNAVAILABLE
//   unknown topic or partition              -> NOT_FOUND
//   invalid message, config or argument     -> INVALID_ARGUMENT
//   authorization / authentication          -> PERMISSION_DENIED /
//   UNAUTHENTICATED purged or client destroyed              -> CANCELLED fenced
//   producer                         -> ABORTED offset out of range ->
//   OUT_OF_RANGE topic already exists                    -> ALREADY_EXISTS
//   fatal client error                      -> INTERNAL
//   anything else                           -> UNKNOWN
absl::StatusCode KafkaErrorCode(int rd_kafka_resp_err);

// A Status carrying KafkaErrorCode(err) and the message
// "<context>: <librdkafka error text> (<error name>)"; OK for NO_ERROR.
// `detail`, when not empty, replaces the generic librdkafka error text (use
// it for rd_kafka_message_errstr() or an errstr buffer).
absl::Status KafkaErrorStatus(int rd_kafka_resp_err, absl::string_view context,
                              absl::string_view detail = {});

}  // namespace jit::kafka

#endif  // JIT_LIBS_KAFKA_ERRORS_H_
