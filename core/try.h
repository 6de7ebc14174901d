#pragma once

// Early return of the Error held by a failed Result, binding the value otherwise:
//   QS_TRY_ASSIGN(count, cursor.read<std::uint64_t>("tensor count"));
#define QS_TRY_ASSIGN(var, expr)                                                                   \
    auto var##_result = (expr);                                                                    \
    if (!var##_result) {                                                                           \
        return var##_result.error();                                                               \
    }                                                                                              \
    auto var = std::move(*var##_result)

// Early return of a failed Status.
#define QS_TRY(expr)                                                                               \
    do {                                                                                           \
        if (auto qs_try_status = (expr); !qs_try_status) {                                         \
            return qs_try_status.error();                                                          \
        }                                                                                          \
    } while (false)
