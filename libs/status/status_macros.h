// RETURN_IF_ERROR and ASSIGN_OR_RETURN for absl::Status / absl::StatusOr.
// Abseil 20220623 (Debian 12) ships no status_macros.h, so the project has its own.
#ifndef JIT_LIBS_STATUS_STATUS_MACROS_H_
#define JIT_LIBS_STATUS_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define JIT_STATUS_CONCAT_INNER_(a, b) a##b
#define JIT_STATUS_CONCAT_(a, b) JIT_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the current function
// when it is not OK.
#define RETURN_IF_ERROR(expr)                                       \
  do {                                                              \
    ::absl::Status jit_status_macro_status_ = (expr);               \
    if (!jit_status_macro_status_.ok()) return jit_status_macro_status_; \
  } while (false)

// ASSIGN_OR_RETURN(lhs, rexpr): evaluates `rexpr` (an absl::StatusOr<T>); on
// error returns its status, otherwise moves the value into `lhs`, which may
// be a declaration (`auto x`) or an existing lvalue.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  JIT_ASSIGN_OR_RETURN_IMPL_(        \
      JIT_STATUS_CONCAT_(jit_statusor_, __LINE__), lhs, rexpr)

#define JIT_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // JIT_LIBS_STATUS_STATUS_MACROS_H_
