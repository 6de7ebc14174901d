#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace qs::core {

// The kinds of failure a caller may want to tell apart; the message carries the details
// (file, tensor, offset) for the user.
enum class ErrorCode {
    Io,              // open/read/write/rename failed (errno text in the message)
    NoSpace,         // the disk or a size limit ran out while writing
    Format,          // a file is malformed, truncated or hostile
    Unsupported,     // valid input we cannot handle (yet): a type, an architecture
    InvalidArgument, // the caller asked for something impossible (shape, option)
    Cancelled,       // the user cancelled the job
    Device,          // the compute device failed (Vulkan error, device lost, timeout)
    Internal,        // a broken invariant; a bug in Quantscope
};

const char* errorCodeName(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;

    // "<code>: <message>", the form the CLI prints on stderr.
    std::string toString() const;

    // An I/O error on `path` with the text of `errnoValue`.
    static Error fromErrno(int errnoValue, const std::string& path, const std::string& action);
};

inline Error makeError(ErrorCode code, std::string message) {
    return Error{code, std::move(message)};
}

// A value or an Error. Modelled on std::expected (C++23), which GCC 12 offers only with
// -std=c++23; the subset here is what the project uses.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value)
        : m_state(std::in_place_index<0>, std::move(value)) {}
    Result(Error error)
        : m_state(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(m_state);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(m_state);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(m_state));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const {
        assert(!ok());
        return std::get<1>(m_state);
    }

private:
    std::variant<T, Error> m_state;
};

// Result of an operation that produces nothing but can fail.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error)) {}

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const {
        assert(!ok());
        return *m_error;
    }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

} // namespace qs::core
